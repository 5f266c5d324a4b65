/**
 * The PDQ core: pixels → luma → two Jarosz box-filter passes per axis → 64×64 → quality and
 * 16×16 DCT → median threshold (docs/reference/pdq.md §3), bit-exact with the reference C++ core.
 *
 * The filter passes stream over rows instead of materialising whole float images: each row
 * goes luma → row filter → column filter (ring of the last w rows) → row filter → column
 * filter, and only the 64 sampled columns are carried through the last column pass, since
 * decimation reads nothing else. Each value still sees the reference's exact sequence of
 * float32 operations, so the result is identical while memory stays O(w·width) and the
 * working set stays in cache. Buffers are reused across calls (one hasher per thread).
 */
import { boxFilterStrip, ColumnBoxFilter, STRIP_LANES, StripRing, windowSize } from './box-filter.js';
import { dct64To16 } from './dct.js';
import { type DihedralName, dihedralHashes } from './dihedral.js';
import { emptyHash256, type Hash256 } from './hash256.js';
import { checkPixelImage, nearestSource, PDQ_MIN_DIMENSION, pdqWorkingSize, type PdqMode, type PixelImage } from './image.js';
import { lumaRowGrey, lumaRowRgb, lumaRowRgbDense } from './luma.js';
import { pdqQuality } from './quality.js';
import { thresholdAtMedian } from './threshold.js';

export interface PdqOutput {
  readonly hash: Hash256;
  readonly quality: number;
}

export interface PdqDihedralOutput {
  readonly hashes: Readonly<Record<DihedralName, Hash256>>;
  readonly quality: number;
}

export class PdqHasher {
  private colOffsets = new Int32Array(0);
  private lumaStrip = new Float32Array(0);
  private pass3Out = new Float32Array(0);
  private wantCols = new Uint8Array(0);
  private readonly pass1Out = new StripRing();
  private readonly pass2Out = new StripRing();
  private readonly pass3Gathered = new StripRing();
  private readonly pass4Out = new StripRing();
  private readonly pass2 = new ColumnBoxFilter();
  private readonly pass4 = new ColumnBoxFilter();
  private readonly laneSums = new Float32Array(STRIP_LANES);
  private readonly sampleCols = new Int32Array(64);
  private readonly sampleRows = new Int32Array(64);
  private readonly a64 = new Float32Array(64 * 64);
  private readonly dctScratch = new Float32Array(16 * 64);
  private readonly coefficients = new Float32Array(256);
  private readonly medianScratch = new Float32Array(256);
  private nextSample = 0;
  /** Rows of pass-2 output already taken by pass 3. */
  private pass3Rows = 0;

  /** Plain hash; an exactly 64×64 working image skips the blur, as the reference does. */
  hash(img: PixelImage, mode: PdqMode = 'fullres'): PdqOutput {
    const quality = this.transform(img, mode, true);
    if (quality < 0) return { hash: emptyHash256(), quality: 0 };
    return { hash: thresholdAtMedian(this.coefficients, this.medianScratch, emptyHash256()), quality };
  }

  /** The 8 DCT-domain dihedral hashes; this entry point always blurs (no 64×64 shortcut). */
  hashDihedral(img: PixelImage, mode: PdqMode = 'fullres'): PdqDihedralOutput {
    const quality = this.transform(img, mode, false);
    if (quality < 0) return { hashes: dihedralHashes(new Float32Array(256)), quality: 0 };
    return { hashes: dihedralHashes(this.coefficients), quality };
  }

  /** Fills this.coefficients; returns the quality, or −1 for a degenerate (< 5 px) working size. */
  private transform(img: PixelImage, mode: PdqMode, allowShortcut: boolean): number {
    checkPixelImage(img);
    const { width: tw, height: th } = pdqWorkingSize(img.width, img.height, mode);
    if (tw < PDQ_MIN_DIMENSION || th < PDQ_MIN_DIMENSION) return -1;
    this.prepare(img, tw);
    if (allowShortcut && tw === 64 && th === 64) this.lumaDirect(img);
    else this.blurAndDecimate(img, tw, th);
    dct64To16(this.a64, this.dctScratch, this.coefficients);
    return pdqQuality(this.a64);
  }

  private prepare(img: PixelImage, tw: number): void {
    if (this.colOffsets.length < tw) {
      this.colOffsets = new Int32Array(tw);
      this.lumaStrip = new Float32Array(tw * STRIP_LANES);
      this.pass3Out = new Float32Array(tw * STRIP_LANES);
      this.wantCols = new Uint8Array(tw);
    }
    const squash = tw !== img.width;
    for (let x = 0; x < tw; x++) {
      this.colOffsets[x] = (squash ? nearestSource(x, img.width, tw) : x) * img.channels;
    }
  }

  /** Writes the luma of working row y into out[outOff + x·stride]. */
  private lumaRow(img: PixelImage, y: number, tw: number, th: number, out: Float32Array, outOff: number, stride: number): void {
    const sy = th !== img.height ? nearestSource(y, img.height, th) : y;
    const start = sy * img.width * img.channels;
    if (img.colour === 'grey') lumaRowGrey(img.data, start, this.colOffsets, tw, out, outOff, stride);
    else if (tw === img.width) lumaRowRgbDense(img.data, start, img.channels, tw, out, outOff, stride);
    else lumaRowRgb(img.data, start, this.colOffsets, tw, out, outOff, stride);
  }

  private lumaDirect(img: PixelImage): void {
    for (let y = 0; y < 64; y++) this.lumaRow(img, y, 64, 64, this.a64, y * 64, 1);
  }

  private blurAndDecimate(img: PixelImage, tw: number, th: number): void {
    const K = STRIP_LANES;
    const wRow = windowSize(tw);
    const wCol = windowSize(th);
    this.wantCols.fill(0, 0, tw);
    for (let i = 0; i < 64; i++) {
      // Decimation samples cell centres: ⌊(i + 0.5)·n / 64⌋ in float64.
      this.sampleRows[i] = Math.floor(((i + 0.5) * th) / 64);
      this.sampleCols[i] = Math.floor(((i + 0.5) * tw) / 64);
      this.wantCols[this.sampleCols[i]] = 1;
    }
    this.pass1Out.reset(tw, wCol);
    this.pass2Out.reset(tw, 1);
    this.pass3Gathered.reset(64, wCol);
    this.pass4Out.reset(64, 1);
    this.pass2.reset(tw, th, wCol);
    this.pass4.reset(64, th, wCol);
    this.nextSample = 0;
    this.pass3Rows = 0;
    // Strip by strip: luma → pass 1 (rows) → pass 2 (columns) → pass 3 (rows, once a strip of
    // its input is complete) → pass 4 (columns, the 64 sampled ones) → sampled rows.
    for (let y0 = 0; y0 < th; y0 += K) {
      const lanes = Math.min(K, th - y0);
      for (let k = 0; k < lanes; k++) this.lumaRow(img, y0 + k, tw, th, this.lumaStrip, k, K);
      boxFilterStrip(this.lumaStrip, 0, this.pass1Out.buf, this.pass1Out.stripBase(y0), tw, wRow, lanes, this.laneSums, null);
      this.pass2.pushStrip(this.pass1Out, lanes, this.pass2Out);
      this.pass3(tw, wRow, false);
    }
    while (this.pass2.drain(this.pass1Out, this.pass2Out) > 0) this.pass3(tw, wRow, false);
    this.pass3(tw, wRow, true);
    for (;;) {
      const first = this.pass4.emittedRows();
      const n = this.pass4.drain(this.pass3Gathered, this.pass4Out);
      if (n === 0) break;
      this.collect(first, n);
    }
  }

  /** Runs passes 3 and 4 on every complete strip of pass-2 output (and a partial one at the end). */
  private pass3(tw: number, wRow: number, last: boolean): void {
    const K = STRIP_LANES;
    const ring = this.pass3Gathered;
    for (;;) {
      const lanes = Math.min(K, this.pass2.emittedRows() - this.pass3Rows);
      if (lanes === 0 || (lanes < K && !last)) return;
      const src = this.pass2Out;
      boxFilterStrip(src.buf, src.stripBase(this.pass3Rows), this.pass3Out, 0, tw, wRow, lanes, this.laneSums, this.wantCols);
      const base = ring.stripBase(this.pass3Rows);
      for (let j = 0; j < 64; j++) {
        const from = this.sampleCols[j] * K;
        const to = base + j * K;
        for (let k = 0; k < lanes; k++) ring.buf[to + k] = this.pass3Out[from + k];
      }
      this.pass3Rows += lanes;
      const first = this.pass4.emittedRows();
      this.collect(first, this.pass4.pushStrip(ring, lanes, this.pass4Out));
    }
  }

  /** Copies pass-4 output rows first..first+n−1 into every 64×64 row that samples them. */
  private collect(first: number, n: number): void {
    const out = this.pass4Out;
    for (let row = first; row < first + n; row++) {
      while (this.nextSample < 64 && this.sampleRows[this.nextSample] === row) {
        const base = out.rowBase(row);
        const to = this.nextSample * 64;
        for (let j = 0; j < 64; j++) this.a64[to + j] = out.buf[base + j * STRIP_LANES];
        this.nextSample++;
      }
    }
  }
}
