#!/usr/bin/env bash
# Builds the native JPEG decoder (src/hashing/native/jpeg-decoder.c) against the system's
# libjpeg-turbo into build/native/jpeg-decoder.node (`npm run build:native`). Needs a C compiler,
# libjpeg's headers (Debian: gcc, libjpeg62-turbo-dev; scripts/system-packages.txt) and Node's
# headers, which every Node install carries in include/node next to bin/. Node-API only, so the
# built file works with any later Node. Does nothing when the built file is newer than its source.
set -euo pipefail
cd "$(dirname "$0")/.."
src=src/hashing/native/jpeg-decoder.c
out=build/native/jpeg-decoder.node
if [ -f "$out" ] && [ "$out" -nt "$src" ] && [ "$out" -nt "$0" ]; then
  exit 0
fi
node_inc="$(node -p "require('node:path').join(require('node:path').dirname(require('node:path').dirname(process.execPath)), 'include', 'node')")"
if [ ! -f "$node_inc/node_api.h" ]; then
  echo "[hma] cannot build the native JPEG decoder: no node_api.h under $node_inc" >&2
  exit 1
fi
mkdir -p build/native
${CC:-cc} -O2 -Wall -Wextra -Werror -fPIC -shared -I"$node_inc" "$src" -ljpeg -o "$out.tmp"
mv "$out.tmp" "$out"
echo "[hma] built $out (libjpeg-turbo, JPEG decode of the photo path)"
