#!/usr/bin/env python3
"""Regenerates layout/rudder.profdata: the profile rustc optimises release builds with.

usage: bench/pgo_profile.py [--corpus DIR] [--vectors DIR] [--profdata TOOL]

Profile-guided optimisation: rustc (`-Cprofile-use`, set for x86_64 Linux in
.cargo/config.toml) lays out branches, inlines and places functions by how
often a training run took them. This script makes that profile:

1. builds `rudder` instrumented (`-Cprofile-generate`; build.rs then
   sets `--cfg rudder_profile_generate`, so that `template` leaves through
   the normal exit, where the profile is written) into
   target/pgo-generate;
2. runs the training workload with it: the same runs as
   bench/code_layout.py (every `template`, `lint`, `show` and `dependency
   list` case of ../shared/corpus, run in the corpus directory, `template`
   of each chart under testdata/charts, and `version`), plus the
   template-language vectors of ../shared/vectors when present (so that
   functions the charts do not call are not taken for never used);
3. merges the raw profiles with `llvm-profdata merge` into
   layout/rudder.profdata.

The merge needs an llvm-profdata that reads the raw format of rustc's LLVM:
the rustup component `llvm-tools` has the matching one; Debian's
llvm-profdata-19 (`apt-get install llvm-19`) reads rustc 1.95's (LLVM 22).
The newest one found is used unless --profdata names one.

Regenerate after changes to hot code (functions whose control flow changed
lose their profile and are optimised as if never run), then rebuild and
regenerate the code layout (bench/code_layout.py), in that order: the
layout lists the optimised build's names. A changed profile rebuilds the
rudder crate (build.rs watches it); the dependencies keep the profile they
were built with until `cargo clean`.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'bench'))
from code_layout import runs  # noqa: E402  (the same runs as the layout)


def find_profdata():
    """The newest llvm-profdata on this machine (rustup's llvm-tools first)."""
    sysroot = subprocess.run(['rustc', '--print', 'sysroot'], capture_output=True,
                             text=True, check=True).stdout.strip()
    found = glob.glob(os.path.join(sysroot, 'lib', 'rustlib', '*', 'bin', 'llvm-profdata'))
    if found:
        return found[0]
    versioned = glob.glob('/usr/lib/llvm-*/bin/llvm-profdata')
    versioned.sort(key=lambda p: int(p.split('/llvm-')[1].split('/')[0]))
    if versioned:
        return versioned[-1]
    return shutil.which('llvm-profdata')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--corpus', default=os.path.join(ROOT, '..', 'shared', 'corpus'))
    ap.add_argument('--vectors', default=os.path.join(ROOT, '..', 'shared', 'vectors'))
    ap.add_argument('--profdata', default=None, help='llvm-profdata to merge with')
    a = ap.parse_args()
    profdata = a.profdata or find_profdata()
    if not profdata:
        sys.exit('no llvm-profdata found: `rustup component add llvm-tools` or `apt-get install llvm-19`')

    target = os.path.join(ROOT, 'target', 'pgo-generate')
    raw = tempfile.mkdtemp(prefix='rudder-pgo-')
    # RUDDER_NO_PGO: the instrumented build must not use the old profile
    # (rustc refuses -Cprofile-use with -Cprofile-generate).
    env = dict(os.environ, CARGO_TARGET_DIR=target, RUDDER_NO_PGO='1',
               RUSTFLAGS=f'-Cprofile-generate={raw}')
    subprocess.run(['cargo', 'build', '--release', '--bin', 'rudder'], cwd=ROOT, env=env, check=True)
    rudder = os.path.join(target, 'release', 'rudder')

    # %4m: four pooled files that the runs merge into as they exit.
    run_env = dict(os.environ, LLVM_PROFILE_FILE=os.path.join(raw, 'rudder-%4m.profraw'))
    corpus = os.path.abspath(a.corpus)
    count = 0
    with tempfile.TemporaryDirectory() as home:
        run_env.update(HELM_CACHE_HOME=home, HELM_CONFIG_HOME=home, HELM_DATA_HOME=home,
                       KUBECONFIG=os.path.join(home, 'none'))
        for cwd, argv in runs(rudder, corpus):
            subprocess.run(argv, cwd=cwd, env=run_env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            count += 1
    vectors = os.path.abspath(a.vectors)
    runner = os.path.join(ROOT, '..', 'shared', 'tools', 'run_vectors.py')
    if os.path.isdir(vectors) and os.path.exists(runner):
        subprocess.run([sys.executable, runner, rudder, vectors], env=run_env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    else:
        print(f'no vectors at {vectors}: profiling the runs alone', file=sys.stderr)

    profiles = sorted(glob.glob(os.path.join(raw, '*.profraw')))
    if not profiles:
        sys.exit(f'the instrumented runs wrote no profile into {raw}')
    out = os.path.join(ROOT, 'layout', 'rudder.profdata')
    subprocess.run([profdata, 'merge', '--sparse', '-o', out + '.tmp'] + profiles, check=True)
    os.replace(out + '.tmp', out)
    shutil.rmtree(raw)
    print(f'{out}: {count} runs (and the vectors), merged with {profdata}; '
          f'{os.path.getsize(out)} bytes')


if __name__ == '__main__':
    main()
