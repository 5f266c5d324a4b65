/**
 * A growable column of unsigned 32-bit values indexed by a dense integer id
 * (Postgres content ids are sequential), kept off the JS heap: 10M contents cost
 * 40 MB per column instead of millions of objects for the garbage collector.
 */
export class DenseColumn {
  private data: Uint32Array;

  constructor(initial = 1024) {
    this.data = new Uint32Array(initial);
  }

  get(id: number): number {
    return id < this.data.length ? this.data[id] : 0;
  }

  set(id: number, value: number): void {
    if (id >= this.data.length) {
      let n = this.data.length;
      while (n <= id) n *= 2;
      const grown = new Uint32Array(n);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[id] = value;
  }

  get bytes(): number {
    return this.data.byteLength;
  }
}
