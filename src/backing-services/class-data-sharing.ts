/**
 * JVM class-data sharing (AppCDS) for the local services: the first run of a service
 * dumps the classes it loaded into an archive as it exits; later runs map that archive
 * instead of loading and verifying those classes again, which halves the broker's
 * start-up CPU on this kind of machine.
 *
 * The archive is written to a temporary name and promoted only after a clean stop, so a
 * killed JVM never leaves a half-written archive for the next start to trip on. Its name
 * carries a hash of the classpath and the java binary, so another version of either gets
 * an archive of its own.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

export interface PendingArchive {
  readonly tmp: string;
  readonly final: string;
}

export interface SharingPlan {
  readonly jvmFlags: readonly string[];
  /** Set on a first run: the archive to promote once the JVM has stopped cleanly. */
  readonly pending?: PendingArchive;
}

async function javaIdentity(): Promise<string> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'java');
    if (existsSync(candidate)) {
      const real = await realpath(candidate);
      return `${real}@${(await stat(real)).mtimeMs}`;
    }
  }
  return 'java';
}

export async function sharingPlan(dir: string, service: string, classpath: string): Promise<SharingPlan> {
  await mkdir(dir, { recursive: true });
  const key = createHash('sha256').update(classpath).update('\0').update(await javaIdentity()).digest('hex').slice(0, 16);
  const final = path.join(dir, `${service}-${key}.jsa`);
  if (existsSync(final)) return { jvmFlags: [`-XX:SharedArchiveFile=${final}`, '-Xshare:auto'] };
  // Leftovers of runs that never stopped cleanly.
  for (const f of await readdir(dir)) {
    if (f.startsWith(`${service}-`) && f.endsWith('.jsa.tmp')) await rm(path.join(dir, f), { force: true });
  }
  const tmp = path.join(dir, `${service}-${key}.${randomBytes(4).toString('hex')}.jsa.tmp`);
  return { jvmFlags: [`-XX:ArchiveClassesAtExit=${tmp}`], pending: { tmp, final } };
}

/** After a clean stop: the dumped archive becomes the one later starts use. */
export async function promoteArchive(pending: PendingArchive): Promise<void> {
  if (!existsSync(pending.tmp)) return;
  if (existsSync(pending.final)) await rm(pending.tmp, { force: true });
  else await rename(pending.tmp, pending.final);
}
