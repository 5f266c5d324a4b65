/** Bulk import and export against the real database: a 1M-line file, rejects with line numbers, round trip. */
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Readable, PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBank } from '../../src/curation/banks.js';
import { importSignals } from '../../src/curation/import/bulk-import.js';
import { exportBank } from '../../src/curation/import/export.js';
import { dbStats } from '../../src/curation/stats.js';
import { scratchDb, type ScratchDb } from '../support/scratch-db.js';
import { writePdqCsv } from './support/pdq-file.js';
import { SIGNAL_TYPE_NAMES, signalTypeRegistry } from '../../src/signals/registry.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
let db: ScratchDb;
let dir: string;

beforeAll(async () => {
  db = await scratchDb('import');
  dir = await mkdtemp(path.join(tmpdir(), 'hma-import-'));
});
afterAll(async () => {
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const PDQ = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
const count = async (sql: string, params: unknown[] = []) => (await db.pool.query<{ n: number }>(sql, params)).rows[0]!.n;

describe('hma bank import', () => {
  it('imports a 1M-line PDQ file in batches; every row reaches the outbox', async () => {
    const bank = await createBank(db.pool, { name: 'MILLION' });
    const file = path.join(dir, 'million.csv');
    await writePdqCsv(file, 1_000_000);

    const progress: number[] = [];
    const summary = await importSignals(db.pool, { signalTypes: signalTypeRegistry(SIGNAL_TYPE_NAMES),
      bank: 'MILLION',
      input: createReadStream(file),
      format: 'csv',
      batchRows: 50_000,
      onProgress: (p) => progress.push(p.imported),
    });
    expect(summary).toMatchObject({ lines: 1_000_000, imported: 1_000_000, rejected: 0 });
    expect(progress.length).toBeGreaterThanOrEqual(20);
    expect(await count('SELECT count(*)::int AS n FROM bank_content WHERE bank_id = $1', [bank.id])).toBe(1_000_000);
    expect(await count("SELECT count(*)::int AS n FROM outbox WHERE topic = 'signals'")).toBe(1_000_000);
    expect((await dbStats(db.pool)).signals.pdq).toBe(1_000_000);
  }, 600_000);

  it('rejects bad lines with their line numbers and reasons, importing the rest', async () => {
    await createBank(db.pool, { name: 'MIXED' });
    const csv = [
      'signal_type,value,content_id,note,source',
      `pdq,${PDQ},post-1,first,forum`,
      'pdq,NOT_A_HASH',
      '',
      `sha1,${PDQ}`,
      `video_md5, CAB08B36195EDB1A1231D2D09FA450E0 ,,,`,
      `pdq,${PDQ},,${'n'.repeat(300)}`,
      `pdq,"${PDQ}",quoted,"a, b"`,
    ].join('\n');
    const rejects: [number, string][] = [];
    const s = await importSignals(db.pool, { signalTypes: signalTypeRegistry(SIGNAL_TYPE_NAMES),
      bank: 'MIXED', input: Readable.from([csv]), format: 'csv', batchRows: 2, onReject: (l, r) => rejects.push([l, r]),
    });
    expect(s).toMatchObject({ imported: 3, rejected: 3 });
    expect(rejects).toEqual([
      [3, 'Invalid pdq signal: invalid PDQ hash'],
      [5, 'No such signal type sha1'],
      [7, 'note must be at most 255 characters'],
    ]);
    const { rows } = await db.pool.query(
      `SELECT c.platform_content_id, c.note, c.metadata, s.signal_val FROM bank_content c JOIN content_signal s ON s.content_id = c.id
       JOIN bank b ON b.id = c.bank_id WHERE b.name = 'MIXED' ORDER BY c.id`,
    );
    expect(rows).toEqual([
      { platform_content_id: 'post-1', note: 'first', metadata: { json: { source: 'forum' } }, signal_val: PDQ },
      { platform_content_id: null, note: null, metadata: null, signal_val: 'cab08b36195edb1a1231d2d09fa450e0' },
      { platform_content_id: 'quoted', note: 'a, b', metadata: null, signal_val: PDQ },
    ]);
  });

  it('reads JSON lines, rejecting malformed and unknown fields', async () => {
    await createBank(db.pool, { name: 'JSONL' });
    const lines = [
      JSON.stringify({ signal_type: 'pdq', value: PDQ, metadata: { content_id: 'j1', json: { a: 1 } }, review_labels: ['r'], disable_until_ts: 0 }),
      '{"signal_type": "pdq",',
      JSON.stringify({ signal_type: 'pdq', value: PDQ, colour: 'red' }),
      JSON.stringify(['pdq', PDQ]),
    ].join('\n');
    const rejects: [number, string][] = [];
    const s = await importSignals(db.pool, { signalTypes: signalTypeRegistry(SIGNAL_TYPE_NAMES), bank: 'JSONL', input: Readable.from([lines]), format: 'jsonl', batchRows: 10, onReject: (l, r) => rejects.push([l, r]) });
    expect(s).toMatchObject({ imported: 1, rejected: 3 });
    expect(rejects.map(([l]) => l)).toEqual([2, 3, 4]);
    expect(rejects[1]![1]).toBe("unknown field 'colour'");
    const row = (await db.pool.query("SELECT platform_content_id, review_labels, disable_until_ts::int FROM bank_content c JOIN bank b ON b.id = c.bank_id WHERE b.name = 'JSONL'")).rows[0];
    expect(row).toEqual({ platform_content_id: 'j1', review_labels: ['r'], disable_until_ts: 0 });
  });

  it('refuses a missing bank', async () => {
    await expect(importSignals(db.pool, { signalTypes: signalTypeRegistry(SIGNAL_TYPE_NAMES), bank: 'NOPE', input: Readable.from(['']), format: 'csv', batchRows: 10 })).rejects.toThrow("bank 'NOPE' not found");
  });
});

describe('the CLI', () => {
  it('hma bank import --create prints a summary, writes rejects and exits 1 when some lines were rejected; hma db stats counts', async () => {
    const file = path.join(dir, 'cli.csv');
    await writeFile(file, `pdq,${PDQ}\npdq,nope\nvideo_md5,d41d8cd98f00b204e9800998ecf8427e\n`);
    const rejects = path.join(dir, 'rejects.tsv');
    const env = { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'warn' };
    const hma = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin/hma.js'), ...args], { env, encoding: 'utf8', timeout: 120_000 });
    const imported = hma('bank', 'import', '--create', 'CLI_BANK', file, '--rejects', rejects);
    expect(imported.status, imported.stderr).toBe(1);
    expect(imported.stdout).toContain('2 rows imported, 1 rejected, from 3 lines');
    expect(imported.stdout).toContain('line 2: Invalid pdq signal: invalid PDQ hash');
    expect(await readFile(rejects, 'utf8')).toBe('2\tInvalid pdq signal: invalid PDQ hash\n');
    const exported = hma('bank', 'export', 'CLI_BANK', '--format', 'jsonl');
    expect(exported.status, exported.stderr).toBe(0);
    expect(exported.stdout.trim().split('\n')).toHaveLength(2);
    const stats = hma('db', 'stats', '--json');
    expect(stats.status, stats.stderr).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({ banks: expect.any(Number), signals: { video_md5: expect.any(Number) } });
    expect(hma('bank', 'import', 'NO_SUCH_BANK', file).status).not.toBe(0);
  });

  it('hma bank import --threshold sets the bank\'s match thresholds, on create and on an existing bank', async () => {
    const file = path.join(dir, 'thresholds.csv');
    await writeFile(file, `pdq,${PDQ}\n`);
    const env = { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'warn' };
    const hma = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin/hma.js'), ...args], { env, encoding: 'utf8', timeout: 120_000 });
    const thresholds = async (bank: string) =>
      (await db.pool.query<{ t: Record<string, number> }>('SELECT match_thresholds AS t FROM bank WHERE name = $1', [bank])).rows[0]?.t;
    const created = hma('bank', 'import', '--create', '--threshold', 'pdq=20', 'TUNED_IMPORT', file);
    expect(created.status, created.stderr).toBe(0);
    expect(await thresholds('TUNED_IMPORT')).toEqual({ pdq: 20 });
    expect(hma('bank', 'import', '--threshold', 'pdq=12', 'TUNED_IMPORT', file).status).toBe(0);
    expect(await thresholds('TUNED_IMPORT')).toEqual({ pdq: 12 });
    const tooWide = hma('bank', 'import', '--threshold', 'pdq=99', 'TUNED_IMPORT', file);
    expect(tooWide.status).not.toBe(0);
    expect(tooWide.stderr).toContain('match_thresholds.pdq must be an integer from 0 to 52');
    expect(hma('bank', 'import', '--threshold', 'pdq', 'TUNED_IMPORT', file).stderr).toContain('expected <signal type>=<integer>');
    expect(await thresholds('TUNED_IMPORT')).toEqual({ pdq: 12 });
  });
});

describe('hma bank export', () => {
  it('writes what import reads back, in both formats', async () => {
    for (const format of ['csv', 'jsonl'] as const) {
      const buf = new PassThrough();
      const chunks: Buffer[] = [];
      buf.on('data', (c: Buffer) => chunks.push(c));
      const n = await exportBank(db.pool, 'MIXED', buf, format, 2);
      expect(n).toBe(3);
      const file = path.join(dir, `mixed.${format}`);
      await writeFile(file, Buffer.concat(chunks));
      const target = `COPY_${format.toUpperCase()}`;
      await createBank(db.pool, { name: target });
      const s = await importSignals(db.pool, { signalTypes: signalTypeRegistry(SIGNAL_TYPE_NAMES), bank: target, input: createReadStream(file), format, batchRows: 10 });
      expect(s).toMatchObject({ imported: 3, rejected: 0 });
      const again = new PassThrough();
      const second: Buffer[] = [];
      again.on('data', (c: Buffer) => second.push(c));
      await exportBank(db.pool, target, again, format);
      expect(Buffer.concat(second).toString()).toBe((await readFile(file)).toString());
    }
  });
});
