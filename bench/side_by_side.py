#!/usr/bin/env python3
"""Times rudder and the real helm side by side, in one run, on the same commands.

usage: bench/side_by_side.py [--rudder BIN] [--helm BIN] [-n RUNS] [SUITE...]

Suites: template (largest corpus charts), show, search (big index, warm and cold),
merge (`repo index --merge` of the big index; slow for helm, run it with -n 3). Each command
runs once to warm up, then RUNS times alternately for both binaries; we report the
median wall time and the median peak RSS of each, and the rudder/helm ratios.
Output goes to /dev/null. Needs ../shared/corpus.

Peak RSS is measured in separate runs under GNU time (/usr/bin/time), not
from wait4 on our own child: Linux records the RSS high-water mark of the
address space a process replaces at exec, and a child forked (or vforked)
from this Python process replaces Python's (~15 MiB), so wait4 never
reports less than that. A child of the small `time` process starts from
time's. Without GNU time, wait4 is used and the floor is reported.
"""
import argparse, gzip, json, os, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, '..', 'shared', 'corpus')


def case_argv(case_id):
    with open(os.path.join(CORPUS, 'cases', case_id, 'argv.json')) as f:
        return json.load(f)


SUITES = {
    'template': [
        ('kube-prometheus-stack --include-crds', case_argv, 'kube-prometheus-stack-crds'),
        ('kube-prometheus-stack', case_argv, 'kube-prometheus-stack-default'),
        ('airflow', case_argv, 'airflow-default'),
        ('bitnami argo-cd', case_argv, 'bitnami-argo-cd-default'),
        ('nginx', case_argv, 'nginx-default'),
    ],
    'show': [
        ('show values kube-prometheus-stack', lambda _: ['show', 'values', 'charts/kube-prometheus-stack-88.5.3.tgz'], None),
    ],
    'search': [
        ('search repo nginx', lambda _: ['search', 'repo', 'nginx'], None),
        ('search repo bitnami/redis --versions', lambda _: ['search', 'repo', 'bitnami/redis', '--versions'], None),
        ("search repo --regexp 'post(gres|gis)'", lambda _: ['search', 'repo', '--regexp', 'post(gres|gis)'], None),
        # cold: rudder's derived search cache is deleted before every run
        ('search repo nginx (cold)', lambda _: ['search', 'repo', 'nginx'], 'cold'),
    ],
    'merge': [
        ('repo index EMPTY --merge bigindex', lambda _: ['repo', 'index', MERGE_DIR, '--merge', MERGE_SRC], None),
    ],
}


# set up by main() for the 'merge' suite
MERGE_DIR = MERGE_SRC = None


def drop_derived_caches(env):
    cache = env.get('HELM_REPOSITORY_CACHE')
    if cache and os.path.isdir(cache):
        for f in os.listdir(cache):
            if f.endswith('.rudder-search'):
                os.remove(os.path.join(cache, f))


def run_once(binary, argv, env):
    start = time.perf_counter()
    proc = subprocess.Popen([binary] + argv, cwd=CORPUS, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_maxrss / 1024.0, os.waitstatus_to_exitcode(status)


GNU_TIME = '/usr/bin/time'


def peak_rss(binary, argv, env, scratch):
    """Peak RSS in MiB of one run (see the module doc), or None without GNU time."""
    if not os.access(GNU_TIME, os.X_OK):
        return None
    out = os.path.join(scratch, 'maxrss')
    subprocess.run([GNU_TIME, '-f', '%M', '-o', out, binary] + argv, cwd=CORPUS, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with open(out) as f:
            return int(f.read().split()[-1]) / 1024.0
    except (OSError, ValueError, IndexError):
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--rudder', default=os.path.join(ROOT, 'target', 'release', 'rudder'))
    ap.add_argument('--helm', default=os.environ.get('HELM_BIN', os.path.join(ROOT, '.helm-oracle', 'helm')))
    ap.add_argument('-n', type=int, default=10)
    ap.add_argument('suites', nargs='*', default=['template', 'show'])
    a = ap.parse_args()
    a.rudder, a.helm = os.path.abspath(a.rudder), os.path.abspath(a.helm)
    if not os.path.isdir(CORPUS):
        sys.exit('bench: ../shared/corpus is absent')
    scratch = tempfile.mkdtemp(prefix='rudder-bench-')
    env = {k: v for k, v in os.environ.items() if not k.startswith('HELM_')}
    for d in ('cache', 'config', 'data'):
        os.makedirs(os.path.join(scratch, d))
    env.update(HELM_CACHE_HOME=os.path.join(scratch, 'cache'), HELM_CONFIG_HOME=os.path.join(scratch, 'config'),
               HELM_DATA_HOME=os.path.join(scratch, 'data'), KUBECONFIG=os.path.join(scratch, 'none'))
    if 'search' in a.suites:
        cache = os.path.join(scratch, 'search-cache')
        os.makedirs(cache)
        with gzip.open(os.path.join(CORPUS, 'bigindex', 'bitnami-history-index.yaml.gz')) as src, \
                open(os.path.join(cache, 'bitnami-index.yaml'), 'wb') as dst:
            shutil.copyfileobj(src, dst)
        shutil.copy(os.path.join(CORPUS, 'index.yaml'), os.path.join(cache, 'corpus-index.yaml'))
        env.update(HELM_REPOSITORY_CONFIG=os.path.join(CORPUS, 'bigindex', 'repositories.yaml'),
                   HELM_REPOSITORY_CACHE=cache)
    if 'merge' in a.suites:
        global MERGE_DIR, MERGE_SRC
        MERGE_DIR = os.path.join(scratch, 'merge-empty')
        os.makedirs(MERGE_DIR)
        MERGE_SRC = os.path.join(scratch, 'merge-big.yaml')
        with gzip.open(os.path.join(CORPUS, 'bigindex', 'bitnami-history-index.yaml.gz')) as src, \
                open(MERGE_SRC, 'wb') as dst:
            shutil.copyfileobj(src, dst)
    if not os.access(GNU_TIME, os.X_OK):
        print(f'bench: {GNU_TIME} not found: peak RSS from wait4, never below this script\'s own')
    print(f'{"command":40} {"helm s":>8} {"rudder s":>9} {"time x":>7} {"helm MiB":>9} {"rudder MiB":>11} {"mem x":>6}')
    for suite in a.suites:
        for label, make_argv, arg in SUITES[suite]:
            argv = make_argv(arg)
            results = {'helm': [], 'rudder': []}
            peaks = {'helm': [], 'rudder': []}
            for name, binary in (('helm', a.helm), ('rudder', a.rudder)):
                run_once(binary, argv, env)  # warm-up
            for _ in range(a.n):
                for name, binary in (('helm', a.helm), ('rudder', a.rudder)):
                    if arg == 'cold':
                        drop_derived_caches(env)
                    results[name].append(run_once(binary, argv, env))
                    if arg == 'cold':
                        drop_derived_caches(env)
                    peak = peak_rss(binary, argv, env, scratch)
                    peaks[name].append(peak if peak is not None else results[name][-1][1])
            hw = statistics.median(r[0] for r in results['helm'])
            rw = statistics.median(r[0] for r in results['rudder'])
            hm = statistics.median(peaks['helm'])
            rm = statistics.median(peaks['rudder'])
            bad = [n for n in results if any(r[2] != 0 for r in results[n])]
            note = f'  (non-zero exit: {",".join(bad)})' if bad else ''
            print(f'{label:40} {hw:8.3f} {rw:9.4f} {rw / hw:7.3f} {hm:9.1f} {rm:11.1f} {rm / hm:6.3f}{note}')
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == '__main__':
    main()
