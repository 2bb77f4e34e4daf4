#!/usr/bin/env python3
"""Differential test of `rudder` against the real helm on real-world upstream charts.

usage: bench/upstream_diff.py [--src DIR] [--work DIR] [--rudder BIN] [--helm BIN]
                              [-k SUBSTR] [-j JOBS] [--modes LIST] [--lint-every N] [-v]

The charts are not part of this repository: fetch chart repositories (bitnami/charts,
prometheus-community/helm-charts, ...) and unpack them under --src (one directory per
upstream, any layout). Every directory holding a Chart.yaml that is not a vendored
subchart is one chart. Each chart is copied to --work and its missing dependencies are
filled in from charts of the same name found under --src (same upstream first), so
that charts whose dependencies only live in a remote repository can still render.

For each chart the script runs `template rel CHART` with both binaries in several
modes and compares stdout, the exit code and the `Error:` line:
  default   no flags
  crds      --include-crds
  features  --set for common optional features that exist in values.yaml
            (ingress.enabled, metrics.enabled, serviceMonitor.enabled, ...)
  allon     every `enabled: false` / `create: false` in values.yaml set to true
  names     nameOverride, a long fullnameOverride, global.imageRegistry, image.tag=1.0
            as a string, resources=null (deletes the default)
  ci        -f each values file the chart ships under ci/ (at most 6)
  caps      -n other --is-upgrade --kube-version 1.25.0 and the Prometheus operator's
            --api-versions (charts branch on .Capabilities and .Release)
Every --lint-every'th chart also compares `lint CHART`, `lint --strict --with-subcharts
CHART`, `show all CHART` and `dependency list CHART`.

Output that comes from randomness (genCA, randAlphaNum, ...) is masked: two differing
lines count as equal when they only differ in long base64-like tokens. A summary of
the mismatches is printed; unified diffs go to WORK/diffs/.
"""
import argparse
import concurrent.futures
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FEATURE_KEYS = [
    "ingress.enabled",
    "metrics.enabled",
    "metrics.serviceMonitor.enabled",
    "metrics.prometheusRule.enabled",
    "serviceMonitor.enabled",
    "prometheusRule.enabled",
    "autoscaling.enabled",
    "hpa.enabled",
    "persistence.enabled",
    "podDisruptionBudget.enabled",
    "pdb.enabled",
    "pdb.create",
    "networkPolicy.enabled",
    "rbac.create",
    "serviceAccount.create",
    "tls.enabled",
    "ingress.tls",
]

CAPS_FLAGS = [
    "-n", "other", "--is-upgrade", "--kube-version", "1.25.0",
    "--api-versions", "monitoring.coreos.com/v1",
    "--api-versions", "monitoring.coreos.com/v1/ServiceMonitor",
    "--api-versions", "networking.istio.io/v1beta1",
]

NAME_FLAGS = [
    "--set", "nameOverride=nm",
    "--set", "fullnameOverride=a-full-name-override-long-enough-to-be-truncated-by-the-chart",
    "--set", "global.imageRegistry=registry.example.com",
    "--set-string", "image.tag=1.0",
    "--set", "resources=null",
]

TOKEN = re.compile(r"[A-Za-z0-9+/=_-]{4,}")


# ---------------------------------------------------------------- discovery


def load_yaml(path):
    try:
        with open(path) as f:
            return yaml.safe_load(f)
    except Exception:
        return None


def discover(src):
    """All chart directories under src; vendored subcharts are indexed but not tested."""
    tested, index = [], {}
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames.sort()
        if "Chart.yaml" not in filenames:
            continue
        meta = load_yaml(os.path.join(dirpath, "Chart.yaml"))
        if not isinstance(meta, dict) or not isinstance(meta.get("name"), str):
            continue
        rel = os.path.relpath(dirpath, src)
        upstream = rel.split(os.sep)[0]
        index.setdefault(meta["name"], []).append((upstream, dirpath))
        parent = os.path.dirname(dirpath)
        vendored = os.path.basename(parent) == "charts" and os.path.exists(
            os.path.join(os.path.dirname(parent), "Chart.yaml")
        )
        if not vendored:
            tested.append((rel, dirpath, meta))
    return tested, index


def dependencies(chart_dir, meta):
    deps = meta.get("dependencies") if isinstance(meta, dict) else None
    if not deps and os.path.exists(os.path.join(chart_dir, "requirements.yaml")):
        req = load_yaml(os.path.join(chart_dir, "requirements.yaml")) or {}
        deps = req.get("dependencies") if isinstance(req, dict) else None
    return [d for d in deps or [] if isinstance(d, dict) and isinstance(d.get("name"), str)]


def present(charts_dir, name):
    if not os.path.isdir(charts_dir):
        return False
    for entry in os.listdir(charts_dir):
        full = os.path.join(charts_dir, entry)
        if entry.endswith(".tgz") and entry.startswith(name + "-"):
            return True
        if os.path.isdir(full):
            meta = load_yaml(os.path.join(full, "Chart.yaml"))
            if isinstance(meta, dict) and meta.get("name") == name:
                return True
    return False


def fill_dependencies(chart_dir, meta, upstream, index, depth=0):
    """Copies sibling charts in for dependencies missing from charts/; returns the unresolved names."""
    missing = []
    if depth > 4:
        return missing
    charts_dir = os.path.join(chart_dir, "charts")
    for dep in dependencies(chart_dir, meta):
        name = dep["name"]
        if present(charts_dir, name):
            continue
        candidates = sorted(index.get(name, []), key=lambda c: (c[0] != upstream, len(c[1])))
        if not candidates:
            missing.append(name)
            continue
        target = os.path.join(charts_dir, name)
        shutil.copytree(candidates[0][1], target, symlinks=True)
        sub_meta = load_yaml(os.path.join(target, "Chart.yaml"))
        missing += fill_dependencies(target, sub_meta, candidates[0][0], index, depth + 1)
    # vendored subcharts may have their own unresolved dependencies
    if os.path.isdir(charts_dir):
        for entry in sorted(os.listdir(charts_dir)):
            full = os.path.join(charts_dir, entry)
            if os.path.isdir(full) and os.path.exists(os.path.join(full, "Chart.yaml")):
                missing += fill_dependencies(
                    full, load_yaml(os.path.join(full, "Chart.yaml")), upstream, index, depth + 1
                )
    return missing


# ---------------------------------------------------------------- flags


def lookup(values, dotted):
    node = values
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None, False
        node = node[part]
    return node, True


def feature_flags(values):
    flags = []
    for key in FEATURE_KEYS:
        val, found = lookup(values, key)
        if found and val is False:
            flags += ["--set", key + "=true"]
    return flags


def all_on_flags(values, prefix="", depth=0, out=None):
    out = [] if out is None else out
    if not isinstance(values, dict) or depth > 4:
        return out
    for key, val in values.items():
        if not isinstance(key, str) or re.search(r"[.,=\\\[\]{}]", key):
            continue
        path = prefix + key
        if key in ("enabled", "create") and val is False:
            out += ["--set", path + "=true"]
        elif isinstance(val, dict):
            all_on_flags(val, path + ".", depth + 1, out)
    return out


# ---------------------------------------------------------------- running


def run(binary, args, cwd, home):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELM_")}
    env.update(
        HELM_CACHE_HOME=home + "/cache",
        HELM_CONFIG_HOME=home + "/config",
        HELM_DATA_HOME=home + "/data",
        KUBECONFIG=home + "/missing",
        TZ="UTC",
    )
    try:
        p = subprocess.run([binary] + args, cwd=cwd, env=env, capture_output=True, timeout=120)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        return -9, "", "Error: timeout\n"


def error_line(stderr):
    for line in stderr.splitlines():
        if line.startswith("Error: "):
            return line
    return ""


def compare_text(expected, actual, again):
    """'same', 'masked' or 'diff'. `again()` gives another helm output. Helm is not
    always deterministic: random functions (lines on which two helm runs differ may
    differ in long base64-like tokens) and Go's map order (`show all` lists the CRDs
    of subcharts in map order: any helm run equal to ours counts)."""
    if expected == actual:
        return "same"
    el, al = expected.splitlines(), actual.splitlines()
    for _ in range(4):
        other = again()
        if other == actual:
            return "masked"
        ol = other.splitlines()
        if len(el) == len(al) == len(ol) and all(
            e == a or (e != o and TOKEN.sub("X", e) == TOKEN.sub("X", a))
            for e, a, o in zip(el, al, ol)
        ):
            return "masked"
        if other == expected:
            # helm is stable here; the difference is real
            return "diff"
    return "diff"


def check(job, opts):
    cid, args, cwd = job
    home = tempfile.mkdtemp(prefix="udiff-")
    try:
        hc, ho, he = run(opts.helm, args, cwd, home)
        rc, ro, re_ = run(opts.rudder, args, cwd, home)
        verdict = compare_text(ho, ro, lambda: run(opts.helm, args, cwd, home)[1])
    finally:
        shutil.rmtree(home, ignore_errors=True)
    problems = []
    if verdict == "diff":
        problems.append("stdout")
    if hc != rc:
        problems.append(f"exit {hc}/{rc}")
    if error_line(he) != error_line(re_):
        problems.append("Error line")
    other_stderr = [l for l in he.splitlines() if not l.startswith("Error: ")] != [
        l for l in re_.splitlines() if not l.startswith("Error: ")
    ]
    if other_stderr and opts.strict_stderr:
        problems.append("warnings")
    if problems or other_stderr:
        path = os.path.join(opts.work, "diffs", cid.replace("/", "__") + ".diff")
        with open(path, "w") as f:
            f.write("args: " + " ".join(args) + "\n")
            f.write(f"helm exit {hc}: {error_line(he)}\nrudder exit {rc}: {error_line(re_)}\n")
            f.writelines(
                difflib.unified_diff(
                    ho.splitlines(True), ro.splitlines(True), "helm", "rudder", n=2
                )
            )
            f.write("\n--- helm stderr\n" + he + "\n--- rudder stderr\n" + re_)
    return cid, problems, verdict, hc, other_stderr, error_line(he)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", default="/tmp/upstream")
    ap.add_argument("--work", default="/tmp/upstream-work")
    ap.add_argument("--rudder", default=os.path.join(ROOT, "target/debug/rudder"))
    ap.add_argument("--helm", default="/work/helm-bin/helm")
    ap.add_argument("-k", dest="filter", default="")
    ap.add_argument("-j", dest="jobs", type=int, default=2)
    ap.add_argument("--modes", default="default,crds,features,allon,caps,names,ci")
    ap.add_argument("--lint-every", type=int, default=4)
    ap.add_argument("--strict-stderr", action="store_true", help="count warning differences as mismatches")
    ap.add_argument("-v", action="store_true", help="list every case, not only mismatches")
    opts = ap.parse_args()
    # a private copy: concurrent `cargo build`s replace target/debug/rudder mid-run
    private = os.path.join(tempfile.mkdtemp(prefix="udiff-bin-"), "rudder")
    shutil.copy2(os.path.abspath(opts.rudder), private)
    opts.rudder = private

    tested, index = discover(opts.src)
    charts_root = os.path.join(opts.work, "charts")
    shutil.rmtree(opts.work, ignore_errors=True)
    os.makedirs(os.path.join(opts.work, "diffs"))
    jobs, unresolved = [], {}
    modes = opts.modes.split(",")
    for n, (rel, src_dir, meta) in enumerate(sorted(tested)):
        if opts.filter not in rel:
            continue
        dst = os.path.join(charts_root, rel)
        shutil.copytree(src_dir, dst, symlinks=True, dirs_exist_ok=True)
        missing = fill_dependencies(dst, meta, rel.split(os.sep)[0], index)
        if missing:
            unresolved[rel] = missing
        values = load_yaml(os.path.join(dst, "values.yaml")) or {}
        chart = os.path.relpath(dst, charts_root)
        variants = {
            "default": [],
            "crds": ["--include-crds"],
            "features": feature_flags(values),
            "allon": all_on_flags(values),
            "caps": CAPS_FLAGS,
            "names": NAME_FLAGS,
        }
        for mode in modes:
            if mode == "ci":
                # the values files charts ship for their own CI runs
                ci_dir = os.path.join(dst, "ci")
                if os.path.isdir(ci_dir):
                    for f in sorted(os.listdir(ci_dir))[:6]:
                        if f.endswith((".yaml", ".yml")):
                            jobs.append((f"{rel}#ci:{f}", ["template", "rel", chart, "-f", os.path.join(chart, "ci", f)], charts_root))
                continue
            flags = variants[mode]
            if mode in ("features", "allon") and not flags:
                continue
            jobs.append((f"{rel}#{mode}", ["template", "rel", chart] + flags, charts_root))
        if opts.lint_every and n % opts.lint_every == 0:
            jobs.append((f"{rel}#lint", ["lint", chart], charts_root))
            jobs.append((f"{rel}#lint-strict", ["lint", "--strict", "--with-subcharts", chart], charts_root))
            jobs.append((f"{rel}#show-all", ["show", "all", chart], charts_root))
            jobs.append((f"{rel}#dep-list", ["dependency", "list", chart], charts_root))

    counts = {"same": 0, "masked": 0, "mismatch": 0, "errors-both": 0, "stderr-only": 0}
    mismatches = []
    with concurrent.futures.ThreadPoolExecutor(opts.jobs) as pool:
        for cid, problems, verdict, hc, other_stderr, herr in pool.map(lambda j: check(j, opts), jobs):
            if problems:
                counts["mismatch"] += 1
                mismatches.append((cid, problems))
                print(f"MISMATCH {cid}: {', '.join(problems)}", flush=True)
                continue
            counts[verdict] += 1
            if hc != 0:
                counts["errors-both"] += 1
            if other_stderr:
                counts["stderr-only"] += 1
            if opts.v:
                print(f"ok       {cid}{' (masked)' if verdict == 'masked' else ''} {herr}", flush=True)

    print()
    for rel, missing in sorted(unresolved.items()):
        print(f"unresolved dependencies in {rel}: {', '.join(sorted(set(missing)))}")
    total = len(jobs)
    print(
        f"{total} combinations: {counts['same'] + counts['masked']} identical "
        f"({counts['masked']} after masking random tokens, {counts['errors-both']} failing identically), "
        f"{counts['mismatch']} mismatched; {counts['stderr-only']} differ only in warnings on stderr"
    )
    print(f"diffs in {os.path.join(opts.work, 'diffs')}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
