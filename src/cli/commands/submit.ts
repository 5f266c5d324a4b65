/** `hma submit URL|FILE...`: put content on the pipeline, optionally wait for the outcomes. */
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import { Runtime } from '../../runtime/runtime.js';
import { ResultsWatcher } from '../../pipeline/submit/results-watcher.js';
import { Submitter } from '../../pipeline/submit/submitter.js';
import type { SubmissionInput } from '../../pipeline/submit/submission.js';
import { OUTCOME_HEADER, outcomeJson, outcomeRows, summaryText, table, tally, type Submitted } from '../../pipeline/submit/summary.js';

function keyValue(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError('expected key=value');
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number of seconds');
  return n;
}

const isUrl = (item: string) => /^https?:\/\//i.test(item);

interface SubmitOptions {
  contentType?: string;
  contentId?: string;
  metadata?: Record<string, string>;
  traceId?: string;
  wait?: number;
  json?: boolean;
}

export function registerSubmitCommand(program: Command): void {
  program
    .command('submit')
    .description('submit media URLs or files to the pipeline (content.submitted) and print the submission ids')
    .argument('<items...>', 'http(s) URLs or local files (files travel inline, up to MAX_INLINE_MEDIA_BYTES)')
    .option('--content-type <type>', 'photo or video (default: from the file name or URL)')
    .option('--content-id <id>', 'the platform content id (one item only; default: the submission id)')
    .option('--metadata <key=value>', 'metadata passed through to the result (repeatable)', keyValue)
    .option('--trace-id <id>', 'trace id passed through to the result')
    .option('--wait [seconds]', 'wait for the match results (default 60 s)', seconds)
    .option('--json', 'print JSON lines instead of a table')
    .action(async (items: string[], opts: SubmitOptions) => {
      if (opts.contentId !== undefined && items.length > 1) throw new InvalidArgumentError('--content-id needs exactly one item');
      const config = loadConfig(process.env);
      const runtime = new Runtime(config, 'submit');
      const submitter = new Submitter(runtime);
      const watcher = opts.wait !== undefined ? new ResultsWatcher(runtime) : undefined;
      try {
        await watcher?.start();
        const started = Date.now();
        const submitted: Submitted[] = [];
        for (const item of items) {
          const input: SubmissionInput = {
            media: isUrl(item) ? { kind: 'url', url: item } : { kind: 'inline', data: await readFile(item), fileName: item },
            contentId: opts.contentId,
            contentType: opts.contentType,
            metadata: opts.metadata,
            traceId: opts.traceId,
          };
          const v = await submitter.submit(input);
          submitted.push({ item, submissionId: v.submission_id });
          if (opts.json) console.log(JSON.stringify({ item, submission_id: v.submission_id, content_id: v.content_id, content_type: v.content_type }));
          else if (!watcher) console.log(`${v.submission_id}  ${v.content_type}  ${item}`);
        }
        if (!watcher) return;
        const waitS = typeof opts.wait === 'number' ? opts.wait : 60;
        const outcomes = await watcher.waitFor(submitted.map((s) => s.submissionId), waitS * 1000);
        if (opts.json) {
          for (const s of submitted) console.log(JSON.stringify({ item: s.item, submission_id: s.submissionId, outcome: outcomeJson(outcomes.get(s.submissionId)) }));
        } else {
          console.log(table(OUTCOME_HEADER, outcomeRows(submitted, outcomes)));
          console.log(summaryText(tally(submitted, outcomes), (Date.now() - started) / 1000));
        }
        if (outcomes.size < submitted.length) process.exitCode = 4;
      } finally {
        await watcher?.stop();
        await submitter.close();
        await runtime.stop();
      }
    });
}
