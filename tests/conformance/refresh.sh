#!/usr/bin/env bash
# Refreshes the lists of conformance cases that pass today (the regression ratchet
# read by tests/it/conformance.rs). Run after a release build: cargo build --release
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-target/release/rudder}
python3 ../shared/tools/run_vectors.py "$bin" ../shared/vectors --show-pass \
  | sed -n 's/^PASS //p' | sort > tests/conformance/vectors.pass
../shared/tools/corpus-check "$bin" -v | sed -n 's/^PASS \([^ ]*\).*/\1/p' | sort > tests/conformance/corpus.pass
wc -l tests/conformance/*.pass
