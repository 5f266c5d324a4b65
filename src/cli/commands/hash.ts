/** `hma hash FILE... [--json] [--mode fullres|cli512nn] [--content-type photo|video] [--types a,b]`. */
import { open } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../config/config.js';
import { isHmaError } from '../../errors/errors.js';
import { contentTypeFromExtension, sniffContentType } from '../../hashing/content-type.js';
import { MediaHasher, type HashMediaResult, type SignalResult } from '../../hashing/hash-media.js';
import { PDQ_MODES, type PdqMode } from '../../signals/pdq/image.js';
import { isContentType, isSignalTypeName, type ContentType, type SignalTypeName } from '../../signals/registry.js';

interface HashOptions {
  json?: boolean;
  mode?: PdqMode;
  contentType?: ContentType;
  types?: SignalTypeName[];
}

function modeArg(value: string): PdqMode {
  if (!(PDQ_MODES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${PDQ_MODES.join(', ')}`);
  return value as PdqMode;
}

function contentTypeArg(value: string): ContentType {
  if (!isContentType(value)) throw new InvalidArgumentError('expected photo or video');
  return value;
}

function typesArg(value: string): SignalTypeName[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!isSignalTypeName(n)) throw new InvalidArgumentError(`unknown signal type '${n}'`);
  return names as SignalTypeName[];
}

async function detectContentType(file: string): Promise<ContentType | undefined> {
  const head = new Uint8Array(512);
  let read = 0;
  try {
    const fh = await open(file, 'r');
    try {
      ({ bytesRead: read } = await fh.read(head, 0, head.length, 0));
    } finally {
      await fh.close();
    }
  } catch {
    // Unreadable: go by the name and let hashMedia report the missing file as a typed error.
    return contentTypeFromExtension(file);
  }
  return sniffContentType(head.subarray(0, read)) ?? contentTypeFromExtension(file);
}

/** Quality column of the text output: PDQ quality, vPDQ frames kept/hashed, "-" for MD5. */
function qualityText(s: SignalResult): string {
  if (s.type === 'pdq') return String(s.quality) + (s.meetsMinQuality ? '' : ' (low)');
  if (s.type === 'vpdq') return `${s.frames.length}/${s.framesHashed} frames`;
  return '-';
}

function hashText(s: SignalResult): string {
  return s.type === 'vpdq' ? s.value : s.hash;
}

type FileOutcome = { file: string; result: HashMediaResult } | { file: string; error: { code: string; message: string } };

export function registerHashCommand(program: Command): void {
  program
    .command('hash')
    .description('hash media files: photo → pdq, video → video_md5 + vpdq (one line per file and signal type)')
    .argument('<files...>', 'image or video files')
    .option('--json', 'print one JSON object per file')
    .option('--mode <mode>', `PDQ pixel pipeline: ${PDQ_MODES.join(' or ')} (default: PDQ_MODE)`, modeArg)
    .option('--content-type <type>', 'photo or video (default: detected from the file)', contentTypeArg)
    .option('--types <list>', 'comma-separated signal types (default: all for the content type)', typesArg)
    .action(async (files: string[], opts: HashOptions) => {
      const config = loadConfig(process.env);
      const hasher = MediaHasher.fromConfig(config);
      let failed = 0;
      const hashOne = async (file: string): Promise<FileOutcome> => {
        try {
          const contentType = opts.contentType ?? (await detectContentType(file));
          if (!contentType) return { file, error: { code: 'unsupported_media', message: 'cannot tell whether this is a photo or a video; pass --content-type' } };
          const result = await hasher.hashMedia({ source: { path: file }, contentType, mode: opts.mode, signalTypes: opts.types });
          return { file, result };
        } catch (err) {
          if (!isHmaError(err)) throw err;
          return { file, error: { code: err.code, message: err.message } };
        }
      };
      try {
        // Files are hashed concurrently (the pool bounds the work); output keeps the argument order.
        const outcomes = files.map(hashOne);
        for (const pending of outcomes) {
          const o = await pending;
          if ('error' in o) {
            failed++;
            if (opts.json) console.log(JSON.stringify({ file: o.file, error: o.error }));
            else console.error(`${o.file}: ${o.error.code}: ${o.error.message}`);
            continue;
          }
          if (opts.json) {
            // Built-in results as they have always been, then plug-in types: type, hash and quality.
            const signals: Record<string, unknown> = { ...o.result.signals };
            for (const [type, v] of Object.entries(o.result.values)) signals[type] ??= { type, hash: v.value, quality: v.quality };
            console.log(JSON.stringify({ file: o.file, content_type: o.result.contentType, bytes: o.result.bytes, signals }));
            continue;
          }
          for (const s of Object.values(o.result.signals)) {
            console.log([o.file, s.type, hashText(s), qualityText(s)].join('\t'));
          }
          // Types without a built-in result of their own (plug-ins; video_md5 has one).
          for (const [type, v] of Object.entries(o.result.values)) {
            if (!(type in o.result.signals)) console.log([o.file, type, v.value, v.quality === null ? '-' : String(v.quality)].join('\t'));
          }
        }
      } finally {
        await hasher.close();
      }
      if (failed > 0) process.exitCode = 1;
    });
}
