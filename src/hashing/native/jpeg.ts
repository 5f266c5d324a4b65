/**
 * The native JPEG decoder (jpeg-decoder.c, the system's libjpeg-turbo), loaded on first use.
 * `npm run build:native` builds it into build/native/ (npm start, npm test and the Dockerfile
 * run that); where it is not built (no C compiler or libjpeg headers), JPEGs go through sharp,
 * with the same pixels and about 1.5× the CPU, and `nativeJpegStatus()` says why.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface NativeJpegImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
}

export interface NativeJpeg {
  /** Pixels, or null for what it leaves to sharp (CMYK/YCCK, not 8-bit); throws on corrupt data and warnings. */
  decode(bytes: Uint8Array, maxPixels: number): NativeJpegImage | null;
  /** libjpeg API version it was built against (62 for libjpeg-turbo's default ABI). */
  readonly jpegLibVersion: number;
}

/** Where the build puts it (scripts/build-native.sh). */
export const NATIVE_JPEG_PATH = fileURLToPath(new URL('../../../build/native/jpeg-decoder.node', import.meta.url));

let loaded: { readonly decoder?: NativeJpeg; readonly reason?: string } | undefined;

function load(): { readonly decoder?: NativeJpeg; readonly reason?: string } {
  if (!existsSync(NATIVE_JPEG_PATH)) return { reason: `not built (${NATIVE_JPEG_PATH} missing; npm run build:native)` };
  try {
    return { decoder: createRequire(import.meta.url)(NATIVE_JPEG_PATH) as NativeJpeg };
  } catch (err) {
    return { reason: `cannot load ${NATIVE_JPEG_PATH}: ${(err as Error).message}` };
  }
}

/** The decoder, or undefined when it is not built or cannot load. */
export function nativeJpeg(): NativeJpeg | undefined {
  loaded ??= load();
  return loaded.decoder;
}

/** Which JPEG decoder the photo path uses here under JPEG_DECODER=`setting`, and why, for logs and benchmarks. */
export function nativeJpegStatus(setting: 'auto' | 'sharp' = 'auto'): string {
  if (setting === 'sharp') return 'sharp (JPEG_DECODER=sharp)';
  const d = nativeJpeg();
  return d ? `libjpeg-turbo (native, libjpeg ${d.jpegLibVersion})` : `sharp (${loaded?.reason ?? 'native decoder unavailable'})`;
}
