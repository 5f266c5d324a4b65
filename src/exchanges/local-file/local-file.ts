/**
 * `local_file`: a hash list on local disk, re-read when its content changes. Unlike the
 * reference (which never removed anything), lines removed from the file are deleted.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { configError } from '../errors.js';
import { field, parseAs } from '../fields.js';
import type { ExchangeType } from '../types.js';
import { contentBatches, fileExchangeBase, fileSettingsShape, formatField, signalTypeField, type FileCheckpoint } from './common.js';

const configSchema = z.object({
  filename: z.string().refine((f) => path.isAbsolute(f), 'must be an absolute path'),
  ...fileSettingsShape,
});
type Config = z.infer<typeof configSchema>;

/**
 * A `curate` token chooses the file name, so reads stay inside the directories the
 * operator configured (none by default): never /proc, key files or other secrets.
 */
async function insideAny(file: string, dirs: readonly string[]): Promise<boolean> {
  for (const dir of dirs) {
    const root = await realpath(dir).catch(() => undefined);
    if (root !== undefined && file.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) return true;
  }
  return false;
}

export const localFileExchange: ExchangeType<Config, null, FileCheckpoint> = {
  ...fileExchangeBase,
  name: 'local_file',
  configFields: [field('filename', 'string', true, 'the absolute file path to the signal file'), signalTypeField, formatField],
  parseConfig: (raw) => parseAs(configSchema, raw, 'local_file config'),
  async *fetch(config, _creds, checkpoint, ctx) {
    // Resolved through symlinks, so a link inside an allowed directory cannot lead out of it.
    const real = await realpath(config.filename).catch(() => undefined);
    if (real === undefined || !(await insideAny(real, ctx.localFileDirs))) {
      throw configError(`local_file: '${config.filename}' is not a file under a directory of LOCAL_FILE_EXCHANGE_DIRS`);
    }
    const info = await stat(real).catch(() => undefined);
    if (!info?.isFile()) throw configError(`local_file: '${config.filename}' is not a readable regular file`);
    let content: string;
    try {
      content = await readFile(real, 'utf8');
    } catch (err) {
      throw configError(`local_file: cannot read '${config.filename}': ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    yield* contentBatches(content, config.filename, null, config, checkpoint, { etag: null, last_modified: null }, ctx);
  },
};
