/**
 * Assembles the index's hand-written WebAssembly (src/index/wasm/*.wat) into the committed .wasm
 * files, with wabt (the WebAssembly Binary Toolkit's own assembler, compiled to JS): the build
 * needs no native toolchain, and CI and the image need not run it at all.
 * `npm run build:wasm`; `--check` fails if a committed .wasm differs from its source.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import wabtInit from 'wabt';

const dir = join(import.meta.dirname, '..', 'src', 'index', 'wasm');
const check = process.argv.includes('--check');
const wabt = await wabtInit();
let stale = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith('.wat'))) {
  const module = wabt.parseWat(file, readFileSync(join(dir, file), 'utf8'), { simd: true, bulk_memory: true });
  module.validate();
  const { buffer } = module.toBinary({ write_debug_names: true });
  module.destroy();
  const target = join(dir, file.replace(/\.wat$/, '.wasm'));
  if (check) {
    let old: Buffer | undefined;
    try {
      old = readFileSync(target);
    } catch {
      old = undefined;
    }
    if (old === undefined || !old.equals(Buffer.from(buffer))) {
      console.error(`${target} is not built from ${file}: run npm run build:wasm`);
      stale++;
    }
  } else {
    writeFileSync(target, buffer);
    console.log(`${target}: ${buffer.length} bytes`);
  }
}
process.exit(stale === 0 ? 0 : 1);
