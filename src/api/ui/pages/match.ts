/**
 * /ui/match, the match debugger: two images side by side with previews, their PDQ hashes
 * and qualities, match yes/no and the distance, and the best distance over the 8
 * rotation/flip variants of the first image (does B match a rotated or mirrored A?).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HmaError, invalidInput } from '../../../errors/errors.js';
import { hammingDistanceHex } from '../../../signals/pdq/hash256.js';
import { frame, type UiContext } from '../context.js';
import { readForm, type FormFile } from '../forms.js';
import type { PhotoAnalysis } from '../media.js';
import { sendPage, type Notice } from '../view.js';

export interface Side {
  readonly filename: string;
  readonly preview: string | null;
  readonly photo: PhotoAnalysis | null;
  readonly error: string | null;
}

export interface Comparison {
  readonly distance: number;
  readonly match: boolean;
  readonly variants: ReadonlyArray<{ readonly name: string; readonly distance: number }>;
  readonly best: { readonly name: string; readonly distance: number; readonly match: boolean };
}

/** B against A and against each variant of A; the best variant wins ties in DIHEDRAL order. */
export function compare(a: PhotoAnalysis, b: PhotoAnalysis, threshold: number): Comparison {
  const distance = hammingDistanceHex(a.hash, b.hash);
  const variants = a.variants.map((v) => ({ name: v.name, distance: hammingDistanceHex(v.hash, b.hash) }));
  const best = variants.reduce((x, y) => (y.distance < x.distance ? y : x));
  return { distance, match: distance <= threshold, variants, best: { ...best, match: best.distance <= threshold } };
}

export function matchRoutes(ctx: UiContext) {
  const threshold = ctx.config.PDQ_MATCH_THRESHOLD;

  async function side(file: FormFile): Promise<Side> {
    const preview = await ctx.media.thumbnail(file.bytes);
    try {
      return { filename: file.filename, preview, photo: await ctx.media.analyzePhoto(file.bytes), error: null };
    } catch (err) {
      if (err instanceof HmaError) return { filename: file.filename, preview, photo: null, error: err.message };
      throw err;
    }
  }

  return async (app: FastifyInstance) => {
    const page = (reply: FastifyReply, data: { a: Side | null; b: Side | null; comparison: Comparison | null }, notices: Notice[] = [], status = 200) =>
      sendPage(reply, 'match', frame(ctx, 'match', 'Match debugger', notices), { ...data, threshold, minQuality: ctx.config.PDQ_MIN_QUALITY }, status);

    app.get('/match', async (_req, reply) => page(reply, { a: null, b: null, comparison: null }));

    app.post('/match', async (req, reply) => {
      if (!req.isMultipart()) throw invalidInput('Upload two images (multipart/form-data)');
      const form = await readForm(req, 2);
      const files = { a: form.files?.find((f) => f.field === 'a'), b: form.files?.find((f) => f.field === 'b') };
      if (!files.a || !files.b) {
        return page(reply, { a: null, b: null, comparison: null }, [{ kind: 'error', text: 'Choose two images, one on each side.' }], 400);
      }
      const [a, b] = await Promise.all([side(files.a), side(files.b)]);
      const comparison = a.photo && b.photo ? compare(a.photo, b.photo, threshold) : null;
      return page(reply, { a, b, comparison });
    });
  };
}
