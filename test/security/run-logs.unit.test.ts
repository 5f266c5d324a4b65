/** The end-of-run secrets check (test/support/run-logs.ts) finds what it must, and names no secret. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkRunLogs, findLeaks } from '../support/run-logs.js';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(files: Record<string, string>): string {
  dir = mkdtempSync(path.join(tmpdir(), 'hma-run-logs-'));
  mkdirSync(path.join(dir, 'stderr'));
  writeFileSync(path.join(dir, 'secrets.txt'), ['{"label":"sasl","value":"canary-sasl-0123"}', '{"label":"quoted","value":"pa\\"ss\\\\word"}', ''].join('\n'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('run log check', () => {
  it('finds a secret in any file, raw or JSON-escaped, and an API token, naming the file and label only', () => {
    const d = run({
      'hma.log': '{"msg":"ok"}\n{"x":"canary-sasl-0123"}\n',
      'stderr/api-1.log': 'Error: {"p":"pa\\"ss\\\\word"}',
      'other.log': `token hma_${'a'.repeat(43)}`,
    });
    expect(findLeaks(d).sort()).toEqual(['hma.log: sasl', 'other.log: an API token', 'stderr/api-1.log: quoted']);
    expect(() => checkRunLogs(d)).toThrow(/secrets in the logs/);
    expect(() => checkRunLogs(d)).not.toThrow(/canary-sasl-0123/);
  });

  it('passes clean logs and says what it searched', () => {
    const d = run({ 'hma.log': '{"msg":"[redacted]"}\n' });
    expect(checkRunLogs(d)).toEqual({ files: 1, secrets: 2, bytes: 21 });
  });
});
