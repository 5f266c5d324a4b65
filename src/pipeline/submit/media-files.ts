/** The image and video files under a folder, for `hma scan`. */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { contentTypeFromExtension } from '../../hashing/content-type.js';

export interface MediaFile {
  readonly path: string;
  readonly contentType: 'photo' | 'video';
  readonly bytes: number;
}

export async function mediaFilesUnder(dir: string): Promise<MediaFile[]> {
  const root = path.resolve(dir);
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const out: MediaFile[] = [];
  for (const e of entries) {
    if (!e.isFile()) continue;
    const contentType = contentTypeFromExtension(e.name);
    if (!contentType) continue;
    const file = path.join(e.parentPath, e.name);
    out.push({ path: file, contentType, bytes: (await stat(file)).size });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}
