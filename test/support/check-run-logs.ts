/** `tsx test/support/check-run-logs.ts <dir>`: the last step of scripts/test.sh (see run-logs.ts). */
import { checkRunLogs } from './run-logs.js';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: check-run-logs <run directory>');
  process.exit(2);
}
try {
  const s = checkRunLogs(dir);
  console.log(`[hma test] secrets check: none of ${s.secrets} secrets in ${s.files} log files (${s.bytes} bytes) of the run`);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
