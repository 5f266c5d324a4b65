#!/usr/bin/env bash
# Everything from a clean clone to a running stack (`npm start`): dependencies, Kafka, the
# schema registry and Postgres databases, topics and schemas, migrations, then every
# hma-stream process (`hma all`, development mode) in the background.
# Stop it all with `npx hma services down`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_node_modules
ensure_system_packages
# Without it JPEGs are decoded by sharp: the same hashes, ~1.5× the CPU.
ensure_native || echo "[hma] native JPEG decoder not built: JPEGs are decoded by sharp"
hma services up
hma topology apply
hma db migrate
PRODUCTION=false hma services up --app
