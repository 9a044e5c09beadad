#!/usr/bin/env bash
# The project's test command (npm test). Expects Samba AD and OpenLDAP running on loopback
# (scripts/directory/*.sh start) and PostgreSQL on 127.0.0.1:5432; .ci/run starts them all.
# Files run one at a time: they share the directory servers and some stop and restart them.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find test/unit test/integration test/e2e -name '*.test.ts' | sort)
exec node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
