/**
 * A full snapshot (a whole file) as ordered batches: deletes for stored keys no longer
 * present, then upserts, in chunks. Every chunk but the last carries the previous
 * checkpoint, so a crash mid-way re-reads the file and re-applies the (idempotent) diff.
 */
import { toUpdate } from '../signals.js';
import type { FetchBatch, FetchContext, RecordUpdate } from '../types.js';
import type { FileRecord } from './parse.js';

export const SNAPSHOT_CHUNK = 5000;

export async function* snapshotBatches<C>(
  records: readonly FileRecord[],
  ctx: FetchContext,
  previous: C,
  next: C,
): AsyncGenerator<FetchBatch<C>> {
  const latest = new Map<string, FileRecord>();
  for (const r of records) latest.set(r.key, r); // a later line for the same key wins
  let pending: RecordUpdate[] = [];
  const full = () => pending.length >= SNAPSHOT_CHUNK;
  const take = () => {
    const batch = { updates: pending, checkpoint: previous };
    pending = [];
    return batch;
  };
  for await (const keys of ctx.storedKeys()) {
    for (const key of keys) {
      if (!latest.has(key)) pending.push({ op: 'delete', key });
    }
    if (full()) yield take();
  }
  for (const r of latest.values()) {
    pending.push(toUpdate(r.key, [r.candidate], r.metadata, ctx.signalTypes, r.position));
    if (full()) yield take();
  }
  yield { updates: pending, checkpoint: next };
}
