/**
 * Dense entry ids for the indexes, whose memory follows the largest id in use: hands out the
 * lowest never-used id, or one released earlier (most recent first), so ids stay packed.
 */
import { invalidInput } from '../errors/errors.js';
import { MAX_ENTRY_ID } from './entry-store.js';

export class IdAllocator {
  private next = 0;
  private free = new Uint32Array(64);
  private freeCount = 0;

  allocate(): number {
    if (this.freeCount > 0) return this.free[--this.freeCount];
    if (this.next > MAX_ENTRY_ID) throw invalidInput('entry ids exhausted');
    return this.next++;
  }

  /** Returns an id for reuse. The caller releases each allocated id at most once. */
  release(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.next) throw invalidInput('releasing an id that was never allocated', { id });
    if (this.freeCount === this.free.length) {
      const grown = new Uint32Array(this.free.length * 2);
      grown.set(this.free);
      this.free = grown;
    }
    this.free[this.freeCount++] = id;
  }

  /** Ids currently allocated. */
  get inUse(): number {
    return this.next - this.freeCount;
  }
}
