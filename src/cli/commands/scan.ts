/**
 * `hma scan DIR`: submit every image and video under a folder, wait for the
 * outcomes with a progress bar (rate, ETA), print a summary table. Small files
 * travel inline; bigger ones are served to the hasher by a short-lived local HTTP
 * server (the hasher must be allowed to fetch from it: URL_ALLOW_LOOPBACK).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import { Runtime } from '../../runtime/runtime.js';
import { FileServer } from '../../pipeline/submit/file-server.js';
import { mediaFilesUnder } from '../../pipeline/submit/media-files.js';
import { ResultsWatcher } from '../../pipeline/submit/results-watcher.js';
import { newSubmission } from '../../pipeline/submit/submission.js';
import { Submitter } from '../../pipeline/submit/submitter.js';
import { OUTCOME_HEADER, outcomeJson, outcomeRows, summaryText, table, tally, type Submitted } from '../../pipeline/submit/summary.js';
import type { ContentSubmittedValue } from '../../kafka/values.js';

const positive = (what: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive ${what}`);
  return n;
};

interface ScanOptions {
  timeout: number;
  serveHost: string;
  serve: boolean;
  all: boolean;
  json: boolean;
  progress: boolean;
}

/** Submissions are sent this many at a time (one produce request each). */
const SEND_BATCH = 64;

export function registerScanCommand(program: Command): void {
  program
    .command('scan')
    .description('submit every image and video under a folder, wait for the results, print a summary')
    .argument('<dir>', 'folder to scan (recursively)')
    .option('--timeout <seconds>', 'give up waiting for outcomes after this long', positive('number of seconds'), 600)
    .option('--serve-host <host>', 'address of the local server for files too big to send inline', '127.0.0.1')
    .option('--no-serve', 'skip files too big to send inline instead of serving them')
    .option('--all', 'list every file in the table, not only matches and failures')
    .option('--json', 'print one JSON line per file instead of tables')
    .option('--no-progress', 'no progress bar')
    .action(async (dir: string, opts: ScanOptions) => {
      const config = loadConfig(process.env);
      const files = await mediaFilesUnder(dir);
      if (files.length === 0) {
        console.log(`no images or videos under ${dir}`);
        return;
      }
      const runtime = new Runtime(config, 'scan');
      const submitter = new Submitter(runtime);
      const watcher = new ResultsWatcher(runtime);
      const server = new FileServer();
      const skipped: Array<{ item: string; why: string }> = [];
      const submitted: Submitted[] = [];
      const started = Date.now();
      const bar = opts.progress && process.stderr.isTTY
        ? new SingleBar({ format: '{stage} {bar} {value}/{total} | {rate}/s | ETA {eta_formatted} | {matched} matched, {failed} failed', etaBuffer: 100 }, Presets.shades_classic)
        : undefined;
      try {
        await watcher.start();
        if (opts.serve && files.some((f) => f.bytes > config.MAX_INLINE_MEDIA_BYTES)) await server.listen(opts.serveHost);
        bar?.start(files.length, 0, { stage: 'submitting', rate: '0', matched: 0, failed: 0 });
        let pending: Array<{ value: ContentSubmittedValue; item: string }> = [];
        const flush = async () => {
          await submitter.send(pending.map((p) => p.value));
          for (const p of pending) submitted.push({ item: p.item, submissionId: p.value.submission_id });
          pending = [];
          bar?.update(submitted.length + skipped.length, { rate: rate(submitted.length, started) });
        };
        for (const f of files) {
          const item = path.relative(process.cwd(), f.path) || f.path;
          const inline = f.bytes <= config.MAX_INLINE_MEDIA_BYTES;
          if (!inline && !opts.serve) {
            skipped.push({ item, why: `larger than MAX_INLINE_MEDIA_BYTES (${config.MAX_INLINE_MEDIA_BYTES})` });
            continue;
          }
          const value = newSubmission(
            {
              // The absolute path is the platform content id: stable across scans of the same file.
              contentId: f.path,
              contentType: f.contentType,
              media: inline ? { kind: 'inline', data: await readFile(f.path), fileName: f.path } : { kind: 'url', url: server.add(f.path) },
              metadata: { file: f.path },
            },
            { maxInlineBytes: config.MAX_INLINE_MEDIA_BYTES },
          );
          pending.push({ value, item });
          if (pending.length >= SEND_BATCH) await flush();
        }
        await flush();

        const ids = submitted.map((s) => s.submissionId);
        const waitStarted = Date.now();
        bar?.start(ids.length, 0, { stage: 'results   ', rate: '0', matched: 0, failed: 0 });
        const outcomes = await watcher.waitFor(ids, opts.timeout * 1000, (done) => {
          if (!bar) return;
          const t = tally(submitted, new Map(ids.flatMap((id) => { const o = watcher.outcome(id); return o ? [[id, o] as const] : []; })));
          bar.update(done, { rate: rate(done, waitStarted), matched: t.matched, failed: t.failed });
        });
        bar?.stop();

        if (opts.json) {
          for (const s of submitted) console.log(JSON.stringify({ item: s.item, submission_id: s.submissionId, outcome: outcomeJson(outcomes.get(s.submissionId)) }));
          for (const s of skipped) console.log(JSON.stringify({ item: s.item, skipped: s.why }));
        } else {
          const rows = outcomeRows(submitted, outcomes, !opts.all);
          if (rows.length > 0) console.log(`${table(OUTCOME_HEADER, rows)}\n`);
          for (const s of skipped) console.log(`skipped ${s.item}: ${s.why}`);
          console.log(summaryText(tally(submitted, outcomes), (Date.now() - started) / 1000));
        }
        if (outcomes.size < submitted.length) process.exitCode = 4;
      } finally {
        bar?.stop();
        await server.close().catch(() => undefined);
        await watcher.stop();
        await submitter.close();
        await runtime.stop();
      }
    });
}

function rate(n: number, since: number): string {
  const s = (Date.now() - since) / 1000;
  return s > 0 ? (n / s).toFixed(1) : '0';
}
