/**
 * The shared PDQ/vPDQ test vectors live next to the repository (../shared/testdata). A missing
 * folder is an error, never a reason to skip: the vectors are what proves bit-exactness.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** TESTDATA_DIR overrides the location (e.g. for a worktree that is not next to shared/). */
export const testdataDir = process.env.TESTDATA_DIR ?? path.resolve(repoRoot, '../shared/testdata');

function requireDir(dir: string): string {
  if (!existsSync(dir)) {
    throw new Error(`test vectors not found at ${dir}: the hashing tests need ../shared/testdata next to the repository`);
  }
  return dir;
}

export const pdqDir = () => requireDir(path.join(testdataDir, 'pdq'));
export const vpdqDir = () => requireDir(path.join(testdataDir, 'vpdq'));

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export interface ModeOutput {
  readonly hash: string;
  readonly quality: number;
}

export interface ReferenceCase {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly fullres: ModeOutput;
  readonly cli512nn: ModeOutput;
  readonly dihedral_fullres: Readonly<Record<string, string | number>>;
}

export interface ReferenceOutputs {
  readonly images: Readonly<Record<string, ReferenceCase & { readonly space: string; readonly depth: string }>>;
  readonly synthetic: { readonly cases: Readonly<Record<string, ReferenceCase & { readonly kind: string }>> };
}

export const referenceOutputs = () => readJson<ReferenceOutputs>(path.join(pdqDir(), 'reference-core-outputs.json'));

export interface ExpectedEntry {
  readonly hash: string | null;
  readonly quality: number | null;
  readonly pipeline?: string;
  readonly reproduced_bit_exact?: boolean | string;
  readonly alternates?: readonly { hash: string; pipeline: string; reproduced_bit_exact: boolean; distance_to_reference_core: number }[];
  readonly pixel_rotations?: { readonly hashes: Readonly<Record<string, string>> };
}

export interface ExpectedFile {
  readonly files: Readonly<Record<string, ExpectedEntry>>;
  readonly _pairwise_distances: readonly { a: string; b: string; distance: number; pipeline: string }[];
  readonly _hash_only_pairs: readonly { a: string; b: string; distance: number }[];
}

export const expectedPdq = () => readJson<ExpectedFile>(path.join(pdqDir(), 'expected.json'));

export const naiveHamming = (a: string, b: string): number => {
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    let x = parseInt(a[i], 16) ^ parseInt(b[i], 16);
    while (x) {
      d += x & 1;
      x >>= 1;
    }
  }
  return d;
};
