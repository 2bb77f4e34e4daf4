#!/bin/sh
# Regenerates the `rudder template` goldens with the real helm.
# usage: testdata/template/regen.sh [HELM]   (default /work/helm-bin/helm)
# Each case of cases.jsonl runs with testdata/charts as the working directory,
# fresh helm homes and no cluster; stdout, stderr and the exit code are stored
# in goldens/<name>.{out,err,code}.
set -eu
HELM="${1:-/work/helm-bin/helm}"
HERE="$(cd "$(dirname "$0")" && pwd)"
# The packaged chart the archive cases read (kept when present: packaging
# stamps file times, so a fresh one differs byte-wise but not in content).
[ -f "$HERE/../charts/tpl-crd-files-0.1.0.tgz" ] ||
    "$HELM" package "$HERE/../charts/tpl-crd-files" -d "$HERE/../charts" >/dev/null
python3 - "$HELM" "$HERE" <<'PY'
import json, os, subprocess, sys, tempfile
helm, here = sys.argv[1], sys.argv[2]
charts = os.path.join(os.path.dirname(here), "charts")
goldens = os.path.join(here, "goldens")
os.makedirs(goldens, exist_ok=True)
home = tempfile.mkdtemp()
env = {k: v for k, v in os.environ.items() if not k.startswith("HELM_")}
env.update(HELM_CACHE_HOME=home + "/cache", HELM_CONFIG_HOME=home + "/config",
           HELM_DATA_HOME=home + "/data", KUBECONFIG=home + "/missing", TZ="UTC")
for line in open(os.path.join(here, "cases.jsonl")):
    case = json.loads(line)
    p = subprocess.run([helm] + case["args"], cwd=charts, env=env, capture_output=True)
    base = os.path.join(goldens, case["name"])
    # the checkout path differs in CI: absolute chart paths (symlink logs) are masked
    mask = lambda b: b.replace(os.fsencode(charts), b"$CHARTS")
    open(base + ".out", "wb").write(mask(p.stdout))
    open(base + ".err", "wb").write(mask(p.stderr))
    open(base + ".code", "w").write(f"{p.returncode}\n")
    print(case["name"], p.returncode)
PY
