/**
 * POST /v1/content: a platform submits content to the pipeline, as JSON with a
 * media URL or as a multipart upload (the bytes travel inline in the event). The
 * answer, 202, carries the submission id; the result arrives on match.results.
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.js';
import { invalidInput } from '../../errors/errors.js';
import { formParts, partBytes } from '../media-input/multipart.js';
import type { ContentSubmittedValue } from '../../kafka/values.js';
import { preflightUrl } from '../../net/outbound.js';
import { urlPolicyFrom } from '../../net/policy-from-config.js';
import type { SubmissionInput } from '../../pipeline/submit/submission.js';

export interface ContentRoutesDeps {
  readonly config: Config;
  /** Validates, builds and produces one submission (src/pipeline/submit/submitter.ts). */
  readonly submit: (input: SubmissionInput) => Promise<ContentSubmittedValue>;
}

interface JsonBody {
  url: string;
  content_type?: string;
  content_id?: string;
  metadata?: Record<string, string>;
  trace_id?: string;
}

const accepted = {
  type: 'object',
  properties: { submission_id: { type: 'string' }, content_id: { type: 'string' }, content_type: { type: 'string' } },
  required: ['submission_id', 'content_id', 'content_type'],
} as const;

const message = { type: 'object', properties: { message: { type: 'string' } } } as const;

function parseMetadata(raw: string | undefined): Record<string, string> | undefined {
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidInput('metadata form field must be a JSON object of strings');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !Object.values(parsed).every((v) => typeof v === 'string')) {
    throw invalidInput('metadata form field must be a JSON object of strings');
  }
  return parsed as Record<string, string>;
}

/** One file part plus text fields. */
async function readUpload(req: FastifyRequest): Promise<SubmissionInput> {
  let file: { data: Buffer; mimeType: string; fileName: string } | undefined;
  const fields: Record<string, string> = {};
  for await (const part of formParts(req)) {
    if (part.type === 'file') {
      if (file) throw invalidInput('only one file per submission');
      file = { data: await partBytes(part), mimeType: part.mimetype, fileName: part.filename };
    } else if (typeof part.value === 'string') {
      fields[part.fieldname] = part.value;
    }
  }
  if (!file) throw invalidInput('multipart submission without a file part');
  return {
    media: { kind: 'inline', data: file.data, mimeType: file.mimeType === 'application/octet-stream' ? undefined : file.mimeType, fileName: file.fileName },
    contentId: fields.content_id,
    contentType: fields.content_type,
    metadata: parseMetadata(fields.metadata),
    traceId: fields.trace_id,
  };
}

export function contentRoutes(deps: ContentRoutesDeps) {
  const policy = urlPolicyFrom(deps.config);
  return async (app: FastifyInstance) => {
    await app.register(multipart, { limits: { fileSize: deps.config.MAX_INLINE_MEDIA_BYTES, files: 1, fields: 10, fieldSize: 64 * 1024 } });

    app.post<{ Body: JsonBody }>(
      '/v1/content',
      {
        schema: {
          tags: ['pipeline'],
          summary: 'Submit content for hashing and matching: JSON with a media URL, or a multipart upload (one file)',
          body: {
            type: 'object',
            required: ['url'],
            additionalProperties: false,
            properties: {
              url: { type: 'string', minLength: 1, maxLength: 8192 },
              content_type: { type: 'string', description: 'photo or video; guessed from the URL path when absent' },
              content_id: { type: 'string', minLength: 1, maxLength: 512, description: 'the platform\'s id; defaults to the submission id' },
              metadata: { type: 'object', additionalProperties: { type: 'string' }, description: 'passed through to the result' },
              trace_id: { type: 'string', maxLength: 256 },
            },
          },
          response: { 202: accepted, 400: message, 413: message },
        },
        // A multipart request has no JSON body to validate.
        preValidation: async (req) => {
          if (req.isMultipart()) req.body = { url: 'multipart:' };
        },
      },
      async (req, reply) => {
        // A URL the hasher would refuse is refused now, not dead-lettered later.
        if (!req.isMultipart()) await preflightUrl(req.body.url, policy);
        const input: SubmissionInput = req.isMultipart()
          ? await readUpload(req)
          : {
              media: { kind: 'url', url: req.body.url },
              contentId: req.body.content_id,
              contentType: req.body.content_type,
              metadata: req.body.metadata,
              traceId: req.body.trace_id,
            };
        const v = await deps.submit(input);
        return reply.status(202).send({ submission_id: v.submission_id, content_id: v.content_id, content_type: v.content_type });
      },
    );
  };
}
