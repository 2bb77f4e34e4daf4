#!/usr/bin/env python3
"""Regenerates layout/symbol-order.txt: the functions typical rudder runs execute.

usage: bench/code_layout.py [--rudder BIN] [--corpus DIR] [-j JOBS]

Peak RSS includes the binary's resident code, and the kernel faults code in
64 KiB at a time. build.rs hands the list to the linker (lld's
--symbol-ordering-file) so that the executed functions sit together at the
start of .text instead of being spread over all of it (see build.rs).

The list is the union of the functions callgrind sees executed while the
given release binary runs: every `template`, `lint`, `show` and `dependency
list` case of ../shared/corpus (run in the corpus directory, as
corpus-check runs them), `template` of the charts under testdata/charts, and
`version`. Functions executed by more runs come first (start-up and the
engine's core), then the rest; among equally often run ones, those of the
very same runs together, then in name order so the file is stable.
Only symbols defined in the binary are kept (mangled names, as the linker
wants them). Regenerate after larger refactors; stale names are ignored by
the linker, they just no longer help.

Use a binary from `cargo build --release`, not the one `cargo test --release`
leaves in target/release: a test build unifies the dev-dependencies'
features into the shared dependencies, which changes every symbol hash, so
a list taken from it matches almost nothing in a normal build. Check a list
with `nm BIN | awk '{print $3}' | sort | comm -12 - <(sort layout/symbol-order.txt) | wc -l`.
"""
import argparse
import collections
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FN_RE = re.compile(r'^c?fn=\(\d+\) (.+)$')
KINDS = {'template', 'lint', 'show', 'dependency'}


def runs(rudder, corpus):
    cases = os.path.join(corpus, 'cases')
    if os.path.isdir(cases):
        for case in sorted(os.listdir(cases)):
            with open(os.path.join(cases, case, 'argv.json')) as f:
                argv = json.load(f)
            if argv and argv[0] in KINDS:
                yield corpus, [rudder] + argv
    charts = os.path.join(ROOT, 'testdata', 'charts')
    for chart in sorted(os.listdir(charts)):
        if os.path.isfile(os.path.join(charts, chart, 'Chart.yaml')):
            yield ROOT, [rudder, 'template', 'x', os.path.join(charts, chart)]
    yield ROOT, [rudder, 'version']


def executed(cwd, argv, tmp, n):
    out = os.path.join(tmp, f'{n}.callgrind')
    env = dict(os.environ, HELM_CACHE_HOME=tmp, HELM_CONFIG_HOME=tmp, HELM_DATA_HOME=tmp)
    subprocess.run(['valgrind', '--tool=callgrind', '--demangle=no', f'--callgrind-out-file={out}'] + argv,
                   cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    names = set()
    if os.path.exists(out):
        with open(out, errors='replace') as f:
            for line in f:
                m = FN_RE.match(line.rstrip('\n'))
                if m:
                    names.add(m.group(1))
        os.unlink(out)
    return names


def defined_functions(binary):
    nm = subprocess.run(['nm', '--defined-only', binary], capture_output=True, text=True, check=True).stdout
    return {p[2] for p in (l.split() for l in nm.splitlines()) if len(p) == 3 and p[1] in 'tTwW'}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--rudder', default=os.path.join(ROOT, 'target', 'release', 'rudder'))
    ap.add_argument('--corpus', default=os.path.join(ROOT, '..', 'shared', 'corpus'))
    ap.add_argument('-j', type=int, default=2)
    args = ap.parse_args()
    rudder = os.path.abspath(args.rudder)
    defined = defined_functions(rudder)
    run_sets = collections.defaultdict(set)
    with tempfile.TemporaryDirectory() as tmp:
        todo = list(runs(rudder, os.path.abspath(args.corpus)))
        with concurrent.futures.ThreadPoolExecutor(args.j) as pool:
            futures = {pool.submit(executed, cwd, argv, tmp, i): i for i, (cwd, argv) in enumerate(todo)}
            for fut in concurrent.futures.as_completed(futures):
                for name in fut.result() & defined:
                    run_sets[name].add(futures[fut])
    # Most-run first; among functions run equally often, those run by the
    # very same runs together (the runs are in case order, so the cases of
    # one chart are neighbours): a run then touches a few dense stretches
    # of its rarer functions instead of ones interleaved with other charts'.
    order = sorted(run_sets, key=lambda s: (-len(run_sets[s]), sorted(run_sets[s]), s))
    os.makedirs(os.path.join(ROOT, 'layout'), exist_ok=True)
    with open(os.path.join(ROOT, 'layout', 'symbol-order.txt'), 'w') as f:
        f.write(''.join(s + '\n' for s in order))
    print(f'{len(order)} functions from {len(todo)} runs -> layout/symbol-order.txt', file=sys.stderr)


if __name__ == '__main__':
    main()
