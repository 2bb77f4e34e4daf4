#!/usr/bin/env bash
# Refreshes the lists of conformance cases that pass today (the regression ratchet
# read by tests/it/conformance.rs). Usage: tests/conformance/refresh.sh [BINARY]
# (default target/release/rudder; build it first).
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-target/release/rudder}
# Both tools exit 1 when any case fails; the lists are what passed.
python3 ../shared/tools/run_vectors.py "$bin" ../shared/vectors --show-pass \
  | sed -n 's/^PASS //p' | sort > tests/conformance/vectors.pass
../shared/tools/corpus-check "$bin" -v | sed -n 's/^PASS \([^ ]*\).*/\1/p' | sort > tests/conformance/corpus.pass
wc -l tests/conformance/*.pass
