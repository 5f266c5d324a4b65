import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import wabtInit from 'wabt';

describe('the committed index kernel', () => {
  it('is the assembly of its WAT source (npm run build:wasm after editing the .wat)', async () => {
    const dir = new URL('../../src/index/wasm/', import.meta.url);
    const wabt = await wabtInit();
    const module = wabt.parseWat('segment-kernel.wat', readFileSync(new URL('segment-kernel.wat', dir), 'utf8'), { simd: true, bulk_memory: true });
    module.validate();
    const built = Buffer.from(module.toBinary({ write_debug_names: true }).buffer);
    module.destroy();
    expect(built.equals(readFileSync(new URL('segment-kernel.wasm', dir)))).toBe(true);
  });
});
