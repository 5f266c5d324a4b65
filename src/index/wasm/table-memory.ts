/**
 * The memory of one bucket table: a WebAssembly memory laid out as segment-kernel.wat describes
 * (scratch areas, bucket headers, pools) and an instance of the kernel over it. The TypeScript
 * side sees the same bytes through typed-array views, so the reference path and the SIMD path
 * read one copy of the data.
 *
 * One memory per table keeps each under wasm32's 4 GB (at 100M entries an L table is ~750 MB).
 * A memory is never grown: a re-layout makes a new one of the exact size and drops the old,
 * as the typed arrays did before (wasm memories cannot shrink, so growing in place would keep
 * the peak forever).
 */
import { readFileSync } from 'node:fs';
import { MASKS } from '../probe-masks.js';

interface WasmGlobal {
  readonly value: number;
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
/** The parts of the WebAssembly API used here (the project's TypeScript libs do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The kernel's exported functions (see segment-kernel.wat). */
export interface SegmentKernel {
  setPools(othersByte: number, idsByte: number): void;
  gather(key: number, probes: number, limit: number): number;
  gatherWords(count: number): number;
  touch(n: number): void;
  ids(n: number): void;
  scan(n: number, q: number, tl: number, words: number, resume: number): number;
  more(): number;
  sink(): number;
}

const PAGE = 65536;
const MAX_PAGES = 65536;
/** Bytes after the pools: the last 16-entry load of a segment may read 30 bytes past it. */
const PADDING = 32;

const module = new Wasm.Module(readFileSync(new URL('./segment-kernel.wasm', import.meta.url)));
const layoutProbe = new Wasm.Instance(module, { env: { memory: new Wasm.Memory({ initial: 1 }) } }).exports;
const layout = (name: string): number => (layoutProbe[name] as WasmGlobal).value;

export const KERNEL_MASKS = layout('MASKS');
export const KERNEL_SEGS = layout('SEGS');
export const KERNEL_IN = layout('IN');
export const KERNEL_OUT = layout('OUT');
export const KERNEL_META = layout('META');
export const KERNEL_POOLS = layout('POOLS');
/** Segments one gather may write, and words/results one call takes or returns. */
export const KERNEL_SEG_CAP = layout('SEG_CAP');
export const KERNEL_IO_CAP = layout('IO_CAP');
/** Probe masks copied into every memory: enough for any radius the tables serve (≤ 2,048 probes per side). */
export const KERNEL_MASK_COUNT = (KERNEL_SEGS - KERNEL_MASKS) / 2;

export class TableMemory {
  readonly kernel: SegmentKernel;
  /** [start, length] per bucket. */
  readonly meta: Uint32Array;
  readonly others: Uint16Array;
  /** The same pool as 32-bit words (the TypeScript filter reads two entries at a time). */
  readonly others32: Uint32Array;
  readonly ids: Uint32Array | null;
  /** Words to resolve (in) and results (out), IO_CAP each. */
  readonly input: Uint32Array;
  readonly output: Uint32Array;
  readonly byteLength: number;

  /** A memory for a pool of `poolSize` entries (even), with ids or without. */
  constructor(poolSize: number, withIds: boolean) {
    const idsByte = KERNEL_POOLS + 2 * poolSize;
    const end = idsByte + (withIds ? 4 * poolSize : 0) + PADDING;
    const pages = Math.ceil(end / PAGE);
    // wasm32 addresses 4 GB: one L table reaches it near 560M entries (6 B each plus slack).
    if (pages > MAX_PAGES) throw new RangeError(`an index table of ${poolSize} entries exceeds the 4 GB a WebAssembly memory can address`);
    const memory = new Wasm.Memory({ initial: pages, maximum: pages });
    const buffer = memory.buffer;
    this.byteLength = buffer.byteLength;
    new Uint16Array(buffer, KERNEL_MASKS, KERNEL_MASK_COUNT).set(MASKS.subarray(0, KERNEL_MASK_COUNT));
    this.meta = new Uint32Array(buffer, KERNEL_META, 2 * 65536);
    this.others = new Uint16Array(buffer, KERNEL_POOLS, poolSize);
    this.others32 = new Uint32Array(buffer, KERNEL_POOLS, poolSize >>> 1);
    this.ids = withIds ? new Uint32Array(buffer, idsByte, poolSize) : null;
    this.input = new Uint32Array(buffer, KERNEL_IN, KERNEL_IO_CAP);
    this.output = new Uint32Array(buffer, KERNEL_OUT, KERNEL_IO_CAP);
    const exports = new Wasm.Instance(module, { env: { memory } }).exports;
    this.kernel = exports as unknown as SegmentKernel;
    this.kernel.setPools(KERNEL_POOLS, idsByte);
  }
}
