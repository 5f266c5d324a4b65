import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localFileExchange } from '../../src/exchanges/local-file/local-file.js';
import { detectFormat, parseHashList } from '../../src/exchanges/local-file/parse.js';
import { remoteFileExchange } from '../../src/exchanges/local-file/remote-file.js';
import type { AnyExchangeType } from '../../src/exchanges/types.js';
import { startFakeServer, type FakeServer } from './fakes/server.js';
import { memoryStore, runOnce, signalsByKey } from './support/memory.js';

const local = localFileExchange as AnyExchangeType;
const remote = remoteFileExchange as AnyExchangeType;
const pdq = (n: number) => n.toString(16).padStart(64, '0');
const md5 = (n: number) => n.toString(16).padStart(32, '0');

describe('hash list parsing', () => {
  it('reads the reference text format, CSV with a header and JSON lines', () => {
    expect(parseHashList(`pdq ${pdq(1)}\n\n  video_md5 ${md5(2)}  \nnospace\n`, 'text', null).map((r) => [r.key, r.candidate])).toEqual([
      [`pdq:${pdq(1)}`, ['pdq', pdq(1)]],
      [`video_md5:${md5(2)}`, ['video_md5', md5(2)]],
    ]);
    expect(parseHashList(`${pdq(1)}\n`, 'text', 'pdq')[0]!.candidate).toEqual(['pdq', pdq(1)]);
    const csv = parseHashList(`id,signal_type,signal,source\nr1,pdq,${pdq(1)},tip\n`, 'csv', null);
    expect(csv).toEqual([{ key: 'r1', candidate: ['pdq', pdq(1)], metadata: { source: 'tip' }, position: 'CSV row 1' }]);
    const jsonl = parseHashList(`{"signal_type":"video_md5","signal":"${md5(3)}","note":"x"}\n`, 'jsonl', null);
    expect(jsonl).toEqual([{ key: `video_md5:${md5(3)}`, candidate: ['video_md5', md5(3)], metadata: { note: 'x' }, position: 'line 1' }]);
  });

  it('says where a file is malformed', () => {
    expect(() => parseHashList('{"signal_type": "pdq"', 'jsonl', null)).toThrow(/line 1: not JSON/);
    expect(() => parseHashList('{"signal_type": 1, "signal": "x"}', 'jsonl', null)).toThrow(/line 1: needs string fields/);
    expect(() => parseHashList('a,b\n"unclosed', 'csv', null)).toThrow(/^CSV: CSV_QUOTE_NOT_CLOSED at line 2$/);
  });

  it('never quotes the content in an error: only the position and the reason', () => {
    const secret = 'KAFKA_SASL_PASSWORD=hunter2-secret';
    for (const [content, format] of [
      [`"${secret}",b\nx`, 'csv'],
      [`h1,h2\n${secret},"${secret}"x\n`, 'csv'],
      [`${secret}\n`, 'jsonl'],
      [`{"signal_type": 1, "signal": "${secret}"}`, 'jsonl'],
    ] as const) {
      let message = '';
      try {
        parseHashList(content, format, null);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message, content).not.toBe('');
      expect(message).not.toContain('hunter2');
    }
  });

  it('detects the format from the extension or content type', () => {
    expect(detectFormat('/x/list.csv')).toBe('csv');
    expect(detectFormat('/x/list.ndjson')).toBe('jsonl');
    expect(detectFormat('/x/list', 'application/x-ndjson')).toBe('jsonl');
    expect(detectFormat('/x/list.txt')).toBe('text');
  });
});

describe('local_file', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hma-local-file-'));
    file = path.join(dir, 'list.txt');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('applies the file, skips an unchanged file, and deletes lines that were removed', async () => {
    await writeFile(file, `pdq ${pdq(1)}\npdq ${pdq(2)}\nvideo_md5 ${md5(3).toUpperCase()}\nraw_text hello\npdq not-a-hash\n`);
    const store = memoryStore();
    await runOnce(local, store, { filename: file }, undefined);
    expect(signalsByKey(store)).toEqual({
      [`pdq:${pdq(1)}`]: { pdq: pdq(1) },
      [`pdq:${pdq(2)}`]: { pdq: pdq(2) },
      // Stored normalized, so a lower-case lookup matches (docs/reference/exchanges.md §6 #1).
      [`video_md5:${md5(3).toUpperCase()}`]: { video_md5: md5(3) },
    });
    const commits = store.commits.length;
    await runOnce(local, store, { filename: file }, undefined);
    expect(store.commits.length).toBe(commits);

    await writeFile(file, `pdq ${pdq(2)}\npdq ${pdq(4)}\n`);
    await runOnce(local, store, { filename: file }, undefined);
    expect(Object.keys(signalsByKey(store))).toEqual([`pdq:${pdq(2)}`, `pdq:${pdq(4)}`]);
  });

  it('commits a large file in chunks and only the last chunk moves the checkpoint', async () => {
    await writeFile(file, Array.from({ length: 12_000 }, (_, i) => pdq(i + 1)).join('\n'));
    const store = memoryStore();
    await runOnce(local, store, { filename: file, signal_type: 'pdq' }, undefined, { drive: { maxCommitUpdates: 1 } });
    expect(store.records.size).toBe(12_000);
    expect(store.commits.map((c) => c.updates)).toEqual([5000, 5000, 2000]);
    expect(store.commits[0]!.checkpoint).toEqual({ version: null, etag: null, last_modified: null });
    expect(store.commits[2]!.checkpoint.version).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads only under LOCAL_FILE_EXCHANGE_DIRS, also through a symlink', async () => {
    await writeFile(file, `pdq ${pdq(1)}\n`);
    const elsewhere = await mkdtemp(path.join(os.tmpdir(), 'hma-local-other-'));
    try {
      const only = { localFileDirs: [elsewhere] };
      await expect(runOnce(local, memoryStore(), { filename: file }, undefined, only)).rejects.toMatchObject({ kind: 'config', message: expect.stringMatching(/LOCAL_FILE_EXCHANGE_DIRS/) });
      await expect(runOnce(local, memoryStore(), { filename: '/proc/self/environ' }, undefined)).rejects.toMatchObject({ kind: 'config' });
      await expect(runOnce(local, memoryStore(), { filename: file }, undefined, { localFileDirs: [] })).rejects.toMatchObject({ kind: 'config' });
      // A link inside the allowed directory to a file outside it.
      await symlink(file, path.join(elsewhere, 'link.txt'));
      await expect(runOnce(local, memoryStore(), { filename: path.join(elsewhere, 'link.txt') }, undefined, only)).rejects.toMatchObject({ kind: 'config' });
      const store = memoryStore();
      await runOnce(local, store, { filename: file }, undefined, { localFileDirs: [dir] });
      expect(store.records.size).toBe(1);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('fails clearly on a missing file or a relative path', async () => {
    await expect(runOnce(local, memoryStore(), { filename: path.join(dir, 'none') }, undefined)).rejects.toMatchObject({ kind: 'config' });
    expect(() => local.parseConfig({ filename: 'relative.txt' })).toThrow(/absolute path/);
  });
});

describe('remote_file', () => {
  let server: FakeServer;
  let body = '';
  let etag: string | undefined = '"v1"';
  beforeEach(async () => {
    body = `pdq ${pdq(1)}\npdq ${pdq(2)}\n`;
    server = await startFakeServer((req) => {
      if (etag && req.headers['if-none-match'] === etag) return { status: 304 };
      return { status: 200, headers: { 'content-type': 'text/plain', ...(etag ? { etag } : {}) }, body };
    });
  });
  afterEach(() => server.close());

  it('uses the ETag for a conditional GET and re-reads when it changes', async () => {
    const store = memoryStore();
    const cfg = { url: `${server.url}/list.txt` };
    await runOnce(remote, store, cfg, undefined);
    expect(store.records.size).toBe(2);
    await runOnce(remote, store, cfg, undefined);
    expect(server.requests[1]!.headers['if-none-match']).toBe('"v1"');
    expect(store.commits.length).toBe(1);

    body = `pdq ${pdq(3)}\n`;
    etag = '"v2"';
    await runOnce(remote, store, cfg, undefined);
    expect([...store.records.keys()]).toEqual([`pdq:${pdq(3)}`]);
  });

  it('compares content when the server sends no validator', async () => {
    etag = undefined;
    const store = memoryStore();
    const cfg = { url: `${server.url}/list.txt` };
    await runOnce(remote, store, cfg, undefined);
    await runOnce(remote, store, cfg, undefined);
    expect(store.commits.length).toBe(1);
  });

  it('surfaces a 500 as transient and rejects a non-http URL', async () => {
    server.fault({ reply: { status: 500 }, times: 3 });
    await expect(runOnce(remote, memoryStore(), { url: `${server.url}/list.txt` }, undefined)).rejects.toMatchObject({ kind: 'transient' });
    expect(() => remote.parseConfig({ url: 'file:///etc/passwd' })).toThrow(/http\(s\) URL/);
  });
});
