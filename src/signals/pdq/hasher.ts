/**
 * The PDQ core: pixels → luma → two Jarosz box-filter passes per axis → 64×64 → quality and
 * 16×16 DCT → median threshold (spec §3), bit-exact with the reference C++ core.
 *
 * The filter passes stream over rows instead of materialising whole float images: each row
 * goes luma → row filter → column filter (ring of the last w rows) → row filter → column
 * filter, and only the 64 sampled columns are carried through the last column pass, since
 * decimation reads nothing else. Each value still sees the reference's exact sequence of
 * float32 operations, so the result is identical while memory stays O(w·width) and the
 * working set stays in cache. Buffers are reused across calls (one hasher per thread).
 */
import { ColumnBoxFilter, boxFilterRow, windowSize } from './box-filter.js';
import { dct64To16 } from './dct.js';
import { type DihedralName, dihedralHashes } from './dihedral.js';
import { emptyHash256, type Hash256 } from './hash256.js';
import { checkPixelImage, nearestSource, PDQ_MIN_DIMENSION, pdqWorkingSize, type PdqMode, type PixelImage } from './image.js';
import { lumaRowGrey, lumaRowRgb } from './luma.js';
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
  private lumaBuf = new Float32Array(0);
  private rowBuf = new Float32Array(0);
  private colOffsets = new Int32Array(0);
  private readonly pass2 = new ColumnBoxFilter();
  private readonly pass4 = new ColumnBoxFilter();
  private readonly gathered = new Float32Array(64);
  private readonly sampleCols = new Int32Array(64);
  private readonly sampleRows = new Int32Array(64);
  private readonly a64 = new Float32Array(64 * 64);
  private readonly dctScratch = new Float32Array(16 * 64);
  private readonly coefficients = new Float32Array(256);
  private readonly medianScratch = new Float32Array(256);

  /** Plain hash; an exactly 64×64 working image skips the blur, as the reference does. */
  hash(img: PixelImage, mode: PdqMode = 'fullres'): PdqOutput {
    const quality = this.transform(img, mode, true);
    if (quality < 0) return { hash: emptyHash256(), quality: 0 };
    return { hash: thresholdAtMedian(this.coefficients, this.medianScratch, emptyHash256()), quality };
  }

  /** The 8 DCT-domain dihedral hashes; this entry point always blurs (no 64×64 shortcut). */
  hashDihedral(img: PixelImage, mode: PdqMode = 'fullres'): PdqDihedralOutput {
    const quality = this.transform(img, mode, false);
    if (quality < 0) {
      const zero = dihedralHashes(new Float32Array(256));
      return { hashes: zero, quality: 0 };
    }
    return { hashes: dihedralHashes(this.coefficients), quality };
  }

  /** Fills this.coefficients; returns the quality, or −1 for a degenerate (< 5 px) working size. */
  private transform(img: PixelImage, mode: PdqMode, allowShortcut: boolean): number {
    checkPixelImage(img);
    const { width: tw, height: th } = pdqWorkingSize(img.width, img.height, mode);
    if (tw < PDQ_MIN_DIMENSION || th < PDQ_MIN_DIMENSION) return -1;
    this.prepareColumns(img, tw);
    if (allowShortcut && tw === 64 && th === 64) this.lumaDirect(img, th);
    else this.blurAndDecimate(img, tw, th);
    dct64To16(this.a64, this.dctScratch, this.coefficients);
    return pdqQuality(this.a64);
  }

  private prepareColumns(img: PixelImage, tw: number): void {
    if (this.colOffsets.length < tw) {
      this.colOffsets = new Int32Array(tw);
      this.lumaBuf = new Float32Array(tw);
      this.rowBuf = new Float32Array(tw);
    }
    const squash = tw !== img.width;
    for (let x = 0; x < tw; x++) {
      this.colOffsets[x] = (squash ? nearestSource(x, img.width, tw) : x) * img.channels;
    }
  }

  private sourceRowStart(img: PixelImage, y: number, th: number): number {
    const sy = th !== img.height ? nearestSource(y, img.height, th) : y;
    return sy * img.width * img.channels;
  }

  private lumaRow(img: PixelImage, y: number, tw: number, th: number): void {
    const start = this.sourceRowStart(img, y, th);
    if (img.colour === 'grey') lumaRowGrey(img.data, start, this.colOffsets, tw, this.lumaBuf);
    else lumaRowRgb(img.data, start, this.colOffsets, tw, this.lumaBuf);
  }

  private lumaDirect(img: PixelImage, th: number): void {
    for (let y = 0; y < th; y++) {
      this.lumaRow(img, y, 64, th);
      this.a64.set(this.lumaBuf.subarray(0, 64), y * 64);
    }
  }

  private blurAndDecimate(img: PixelImage, tw: number, th: number): void {
    const wRow = windowSize(tw);
    const wCol = windowSize(th);
    for (let i = 0; i < 64; i++) {
      // Decimation samples cell centres: ⌊(i + 0.5)·n / 64⌋ in float64.
      this.sampleRows[i] = Math.floor(((i + 0.5) * th) / 64);
      this.sampleCols[i] = Math.floor(((i + 0.5) * tw) / 64);
    }
    this.pass2.reset(tw, th, wCol);
    this.pass4.reset(64, th, wCol);
    let nextSample = 0;
    const onPass2Row = (): void => {
      boxFilterRow(this.pass2.out, 0, this.rowBuf, 0, tw, wRow);
      for (let j = 0; j < 64; j++) this.gathered[j] = this.rowBuf[this.sampleCols[j]];
      if (this.pass4.push(this.gathered)) nextSample = this.collect(nextSample);
    };
    for (let y = 0; y < th; y++) {
      this.lumaRow(img, y, tw, th);
      boxFilterRow(this.lumaBuf, 0, this.rowBuf, 0, tw, wRow);
      if (this.pass2.push(this.rowBuf)) onPass2Row();
    }
    while (this.pass2.drain()) onPass2Row();
    while (this.pass4.drain()) nextSample = this.collect(nextSample);
  }

  /** Copies the pass-4 output row into every 64×64 row that samples it. */
  private collect(nextSample: number): number {
    const row = this.pass4.emittedRows() - 1;
    let i = nextSample;
    while (i < 64 && this.sampleRows[i] === row) {
      this.a64.set(this.pass4.out.subarray(0, 64), i * 64);
      i++;
    }
    return i;
  }
}
