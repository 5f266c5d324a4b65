/** `hma all` run detached in development mode, so `npm start` returns with the stack running. */
import path from 'node:path';
import { withGlibcTunables } from '../config/glibc-tunables.js';
import { projectRoot, type ServicePaths } from './paths.js';
import { spawnDetached, type PidRecord } from './process-control.js';

export const APP_SERVICE = 'hma';
const entry = path.join(projectRoot, 'bin', 'hma.js');

export async function startApp(paths: ServicePaths, pidFile: string): Promise<PidRecord> {
  return spawnDetached({
    service: APP_SERVICE,
    command: process.execPath,
    args: [entry, 'all'],
    marker: entry,
    cwd: projectRoot,
    // Same environment as ours (so the same config), in development mode, with production's allocator settings.
    env: withGlibcTunables({ ...process.env, PRODUCTION: 'false' }),
    logFile: path.join(paths.run, APP_SERVICE, 'hma.log'),
    pidFile,
  });
}

/** True when the API's liveness endpoint answers. */
export async function appAnswers(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/status/live`, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}
