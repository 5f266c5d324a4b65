#!/usr/bin/env bash
# The whole test suite (`npm test`): dependencies, system packages, backing services, vitest.
# Extra arguments go to vitest, e.g. `npm test -- test/foundation`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_node_modules
ensure_system_packages
# Services given by the environment (or Docker, in the test harness) need no local start.
if [ -z "${KAFKA_BROKERS:-}" ] || [ -z "${SCHEMA_REGISTRY_URL:-}" ] || [ -z "${DATABASE_URL:-}" ]; then
  if ! docker info >/dev/null 2>&1; then
    hma services up
  fi
fi
exec npx vitest run "$@"
