/**
 * The hasher role, /h: HMA's GET /h/hash?url= and POST /h/hash (multipart),
 * answering {signal_type: hash}. `detail=true` (beyond HMA) adds quality, size
 * and the other facts the hasher knows.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/config.js';
import { invalidInput } from '../../errors/errors.js';
import type { HashedInput, HashInput } from '../media-input/hash-input.js';
import { parseTypes } from '../media-input/selection.js';
import { hmaCompatible } from '../hma-compat.js';

interface HashQuery {
  url?: string;
  content_type?: string;
  types?: string;
  detail?: string;
}

const str = { type: 'string' } as const;

function detailFlag(v: string | undefined): boolean {
  if (v === undefined) return false;
  const s = v.toLowerCase();
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  throw invalidInput(`detail must be true or false, got '${v}'`);
}

/** The detailed form: every signal with what the hasher knows about it. */
function detailed(h: HashedInput) {
  const signals: Record<string, Record<string, unknown>> = {};
  for (const r of Object.values(h.result.signals)) {
    if (!r) continue;
    if (r.type === 'pdq') {
      signals.pdq = { hash: r.hash, quality: r.quality, meets_min_quality: r.meetsMinQuality, mode: r.mode, width: r.width, height: r.height, format: r.format };
    } else if (r.type === 'video_md5') {
      signals.video_md5 = { hash: r.hash };
    } else {
      signals.vpdq = { hash: r.value, frames: r.frames.length, frames_hashed: r.framesHashed, meets_min_quality: r.meetsMinQuality, fps: r.fps, width: r.width, height: r.height };
    }
  }
  // Types without a built-in result (plug-ins): their value, and quality where they have one.
  for (const [type, v] of Object.entries(h.result.values)) {
    signals[type] ??= v.quality === null ? { hash: v.value } : { hash: v.value, quality: v.quality, meets_min_quality: v.meetsMinQuality };
  }
  return { content_type: h.result.contentType, bytes: h.result.bytes, signals };
}

export function hasherRoutes(deps: { config: Config; input: HashInput }) {
  const answer = (h: HashedInput, detail: string | undefined) => (detailFlag(detail) ? detailed(h) : h.values);
  return async (app: FastifyInstance) => {
    hmaCompatible(app);
    await app.register(multipart, { limits: { fileSize: deps.config.MAX_MEDIA_BYTES, files: 1, fields: 10, fieldSize: 64 * 1024 } });

    app.get<{ Querystring: HashQuery }>(
      '/h/hash',
      {
        config: { validationStatus: 422 },
        schema: {
          tags: ['hasher'],
          summary: 'Hash the media at a URL: {signal_type: hash} (PDQ below the minimum quality is "")',
          querystring: {
            type: 'object',
            required: ['url'],
            properties: { url: str, content_type: str, types: str, detail: str },
          },
        },
      },
      async (req) => {
        const q = req.query;
        return answer(await deps.input.hashUrl(q.url!, q.content_type, parseTypes(q.types)), q.detail);
      },
    );

    app.post<{ Querystring: HashQuery }>(
      '/h/hash',
      {
        schema: {
          tags: ['hasher'],
          summary: 'Hash an upload: multipart/form-data with one file whose field name is the content type (photo, video)',
          consumes: ['multipart/form-data'],
          querystring: { type: 'object', properties: { types: str, detail: str } },
        },
      },
      async (req) => answer(await deps.input.hashUpload(req, parseTypes(req.query.types)), req.query.detail),
    );
  };
}
