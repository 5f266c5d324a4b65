/**
 * vPDQ's index: every kept frame hash of every stored video goes into one
 * PDQ index under its own frame entry; a query video's frames are looked up there
 * and the vPDQ match rule (share of query frames matched, share of the stored
 * video's frames matched) decides per candidate video, as python-threatexchange's
 * VPDQ index does (quality filter, then unique hashes).
 */
import { DenseColumn } from '../../index/dense-column.js';
import { IdAllocator } from '../../index/id-allocator.js';
import { PdqIndex } from '../../index/pdq-index.js';
import type { IndexMatch, SignalIndex } from '../../index/types.js';
import { PYTX_VPDQ_MATCH, type VpdqMatchOptions } from './match.js';
import { parseVpdqSignal } from './signal.js';

/** Kept frames of a signal: quality ≥ the minimum, each distinct hash once. */
function keptHashes(value: string, opts: VpdqMatchOptions): string[] {
  const seen = new Set<string>();
  for (const f of parseVpdqSignal(value)) if (f.quality >= opts.qualityMin) seen.add(f.hash);
  return [...seen];
}

export class VpdqIndex implements SignalIndex {
  private readonly frames = new PdqIndex();
  private readonly ids = new IdAllocator();
  /** frame entry → video content id */
  private readonly videoOf = new DenseColumn();
  private readonly framesOf = new Map<number, number[]>();

  constructor(private readonly opts: VpdqMatchOptions = PYTX_VPDQ_MATCH) {}

  flush(): void {
    this.frames.flush();
  }

  get size(): number {
    return this.framesOf.size;
  }

  /** Frame hashes indexed, over all videos. */
  get frameCount(): number {
    return this.frames.size;
  }

  has(id: number): boolean {
    return this.framesOf.has(id);
  }

  add(id: number, value: string): void {
    const entries: number[] = [];
    for (const hash of keptHashes(value, this.opts)) {
      const entry = this.ids.allocate();
      this.frames.add(entry, hash);
      this.videoOf.set(entry, id);
      entries.push(entry);
    }
    // A video with no usable frame is remembered (has() is true) but can never match.
    this.framesOf.set(id, entries);
  }

  remove(id: number): boolean {
    const entries = this.framesOf.get(id);
    if (!entries) return false;
    for (const e of entries) {
      this.frames.remove(e);
      this.ids.release(e);
    }
    this.framesOf.delete(id);
    return true;
  }

  /**
   * Videos that match the query video. `distance` is the share of query frames
   * NOT matched, in whole percent (0 = every query frame found), so smaller is
   * closer as for PDQ; the exact percentages are in `detail`.
   */
  query(value: string, radius: number): IndexMatch[] {
    const query = keptHashes(value, this.opts);
    if (query.length === 0) return [];
    const limit = this.opts.inclusive ? radius : radius - 1;
    const queryHits = new Map<number, number>(); // video → query frames that hit it
    const storedHits = new Map<number, Set<number>>(); // video → its frames that were hit
    for (const hash of query) {
      const videosHit = new Set<number>();
      for (const m of this.frames.query(hash, limit)) {
        const video = this.videoOf.get(m.id);
        videosHit.add(video);
        let s = storedHits.get(video);
        if (!s) storedHits.set(video, (s = new Set()));
        s.add(m.id);
      }
      for (const v of videosHit) queryHits.set(v, (queryHits.get(v) ?? 0) + 1);
    }
    const out: IndexMatch[] = [];
    for (const [video, hits] of queryHits) {
      const stored = this.framesOf.get(video)?.length ?? 0;
      if (stored === 0) continue;
      const queryPercent = (100 * hits) / query.length;
      const comparedPercent = (100 * (storedHits.get(video)?.size ?? 0)) / stored;
      if (queryPercent >= this.opts.queryMatchPercent && comparedPercent >= this.opts.comparedMatchPercent) {
        out.push({
          id: video,
          distance: Math.round(100 - queryPercent),
          detail: { query_match_percent: queryPercent, compared_match_percent: comparedPercent },
        });
      }
    }
    return out;
  }
}
