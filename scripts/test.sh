#!/usr/bin/env bash
# The whole test suite (`npm test`): dependencies, typecheck and lint, system packages, backing services, vitest.
# Extra arguments go to vitest, e.g. `npm test -- test/foundation`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_node_modules
# Types and lint first: a finding fails the run before any service is touched.
npm run --silent typecheck
npm run --silent lint
# Imports run only downward (docs/ARCHITECTURE.md, "Layers").
npm run --silent lint:deps
ensure_system_packages
# The native JPEG decoder: its tests require it (a failed build fails the run here).
ensure_native
# Services given by the environment (or Docker, in the test harness) need no local start.
if [ -z "${KAFKA_BROKERS:-}" ] || [ -z "${SCHEMA_REGISTRY_URL:-}" ] || [ -z "${DATABASE_URL:-}" ]; then
  if ! docker info >/dev/null 2>&1; then
    hma services up
  fi
fi
# Every log the run writes goes under one directory, searched for the run's secrets at the
# end (test/support/run-logs.ts); both vitest runs below share it.
if [ -z "${HMA_TEST_RUN_DIR:-}" ]; then
  HMA_TEST_RUN_DIR="$(mktemp -d "${TMPDIR:-/tmp}/hma-test-run-XXXXXX")"
  export HMA_TEST_RUN_DIR
fi
if [ "$#" -gt 0 ]; then
  npx vitest run "$@"
else
  # The kill -9 exactly-once test runs after the rest: its four stage processes take both
  # cores for a minute and a half, and its own time limit should not depend on neighbours.
  npx vitest run --project unit --project integration
  npx vitest run --project kill
fi
npx tsx test/support/check-run-logs.ts "$HMA_TEST_RUN_DIR"
