/** `hma bank import BANK FILE` and `hma bank export BANK [FILE]`. */
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { Presets, SingleBar } from 'cli-progress';
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import { createBank, updateBank } from '../../curation/banks.js';
import { thresholdLimits } from '../../curation/thresholds.js';
import { findBank } from '../../curation/bank-store.js';
import { importSignals, type ImportFormat } from '../../curation/import/bulk-import.js';
import { exportBank } from '../../curation/import/export.js';
import { createPool } from '../../postgres/pool.js';
import { signalTypeRegistry } from '../../signals/registry.js';

function format(value: string): ImportFormat {
  if (value !== 'csv' && value !== 'jsonl') throw new InvalidArgumentError('expected csv or jsonl');
  return value;
}

function thresholdOption(value: string, previous: Record<string, number>): Record<string, number> {
  const m = /^([a-z0-9_]+)=(\d+)$/.exec(value);
  if (!m) throw new InvalidArgumentError('expected <signal type>=<integer>, e.g. pdq=20');
  return { ...previous, [m[1]!]: Number(m[2]) };
}

const formatOf = (file: string, given?: ImportFormat): ImportFormat =>
  given ?? (/\.(jsonl|ndjson|json)$/i.test(file) ? 'jsonl' : 'csv');

const SHOWN_REJECTS = 20;

export function registerBankCommands(program: Command): void {
  const bank = program.command('bank').description('bulk bank operations');

  bank
    .command('import')
    .description('import signals from a CSV (signal_type,value[,content_id,content_uri,note,disable_until_ts]) or JSON-lines file')
    .argument('<bank>', 'bank name')
    .argument('<file>', 'input file')
    .option('--format <format>', 'csv or jsonl (default: from the file extension)', format)
    .option('--create', 'create the bank if it does not exist')
    .option('--rejects <file>', 'write every rejected line number and reason to this file')
    .option('--no-progress', 'no progress bar')
    .option('--threshold <type=n>', "set the bank's match threshold for a signal type (repeatable), e.g. --threshold pdq=20", thresholdOption, {})
    .action(async (bankName: string, file: string, opts: { format?: ImportFormat; create?: boolean; rejects?: string; progress: boolean; threshold: Record<string, number> }) => {
      const config = loadConfig(process.env);
      const pool = createPool(config, 'hma-bank-import');
      try {
        const limits = thresholdLimits(config);
        const thresholds = Object.keys(opts.threshold).length > 0 ? opts.threshold : undefined;
        if (opts.create && !(await findBank(pool, bankName))) {
          await createBank(pool, { name: bankName, match_thresholds: thresholds }, limits);
        } else if (thresholds) {
          // Merged into the bank's thresholds: the types not named keep theirs.
          const bank = await findBank(pool, bankName);
          await updateBank(pool, bankName, { match_thresholds: { ...bank?.match_thresholds, ...thresholds } }, limits);
        }
        const total = statSync(file).size;
        const input = createReadStream(file);
        const bar = opts.progress && process.stderr.isTTY
          ? new SingleBar(
              { format: '{bar} {percentage}% | {imported} imported, {rejected} rejected | {rate} rows/s | ETA {eta_formatted}', etaBuffer: 50 },
              Presets.shades_classic,
            )
          : undefined;
        bar?.start(total, 0, { imported: 0, rejected: 0, rate: 0 });
        const rejectsOut = opts.rejects ? createWriteStream(opts.rejects) : undefined;
        const shown: string[] = [];
        const started = Date.now();
        const summary = await importSignals(pool, {
          bank: bankName,
          input,
          format: formatOf(file, opts.format),
          signalTypes: signalTypeRegistry(config.SIGNAL_TYPES),
          batchRows: config.IMPORT_BATCH_ROWS,
          onReject: (line, reason) => {
            rejectsOut?.write(`${line}\t${reason}\n`);
            if (shown.length < SHOWN_REJECTS) shown.push(`  line ${line}: ${reason}`);
          },
          onProgress: (p) => {
            const rate = Math.round(p.imported / Math.max(0.001, (Date.now() - started) / 1000));
            bar?.update(input.bytesRead, { imported: p.imported, rejected: p.rejected, rate });
          },
        });
        bar?.update(total);
        bar?.stop();
        if (rejectsOut) {
          rejectsOut.end();
          await finished(rejectsOut);
        }
        const seconds = (Date.now() - started) / 1000;
        console.log(
          `${summary.imported} rows imported, ${summary.rejected} rejected, from ${summary.lines} lines in ${seconds.toFixed(1)}s` +
            ` (${Math.round(summary.imported / Math.max(seconds, 0.001))} rows/s)`,
        );
        if (shown.length > 0) {
          console.log(`rejected${summary.rejected > shown.length ? ` (first ${shown.length})` : ''}:\n${shown.join('\n')}`);
        }
        if (summary.rejected > 0) process.exitCode = 1;
      } finally {
        await pool.end();
      }
    });

  bank
    .command('export')
    .description('export every signal of a bank, in the format `hma bank import` reads')
    .argument('<bank>', 'bank name')
    .argument('[file]', 'output file (default: standard output)')
    .option('--format <format>', 'csv or jsonl (default: from the file extension, else csv)', format)
    .action(async (bankName: string, file: string | undefined, opts: { format?: ImportFormat }) => {
      const config = loadConfig(process.env);
      const pool = createPool(config, 'hma-bank-export');
      try {
        const out = file ? createWriteStream(file) : process.stdout;
        const n = await exportBank(pool, bankName, out, formatOf(file ?? '', opts.format));
        if (file) {
          out.end();
          await finished(out);
        }
        console.error(`${n} signals exported`);
      } finally {
        await pool.end();
      }
    });
}
