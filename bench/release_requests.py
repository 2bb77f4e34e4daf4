#!/usr/bin/env python3
"""Side by side: API requests and wall time of install/upgrade/uninstall of a
chart (default: kube-prometheus-stack from ../shared/corpus) for rudder and
helm against one kube-test-apiserver, plus an install with `--wait`.

usage: bench/release_requests.py RUDDER_BIN [HELM_BIN] [CHART] [-- extra install args]
Prints one line per step: `step  helm: N req  T s   rudder: N req  T s  ratio R`
(R = rudder requests / helm requests), then a total line and a verdict.
Exits 1 when rudder makes more requests than helm in any step or in total
(a benchmark check: the issue asks for no more requests than helm).
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVER = os.path.join(ROOT, "../shared/tools/kube-test-apiserver/kube-test-apiserver")
DEFAULT_CHART = os.path.join(ROOT, "../shared/corpus/charts/kube-prometheus-stack-88.5.3.tgz")
# The test server does not serve admissionregistration: disable the webhooks.
DEFAULT_SET = ["--set", "prometheusOperator.admissionWebhooks.enabled=false"]


def last_seq(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/__test/requests") as r:
        reqs = json.load(r)["requests"]
    return reqs[-1]["seq"] if reqs else 0


def run(binary, args, env, port):
    before = last_seq(port)
    t0 = time.monotonic()
    p = subprocess.run([binary] + args, env=env, capture_output=True, text=True)
    dt = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit(f"{binary} {' '.join(args)} failed:\n{p.stderr}")
    return last_seq(port) - before, dt


def ratio(rudder_requests, helm_requests):
    """rudder/helm as a number, e.g. `0.87x`; `n/a` when helm made none."""
    if helm_requests == 0:
        return "n/a" if rudder_requests == 0 else "inf"
    return f"{rudder_requests / helm_requests:.2f}x"


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    if not argv:
        sys.exit(__doc__)
    rudder = os.path.abspath(argv[0])
    helm = argv[1] if len(argv) > 1 else os.environ.get("HELM_BIN", "/work/helm-bin/helm")
    chart = argv[2] if len(argv) > 2 else DEFAULT_CHART
    if not extra and chart == DEFAULT_CHART:
        extra = DEFAULT_SET
    with tempfile.TemporaryDirectory() as d:
        ready = os.path.join(d, "port")
        srv = subprocess.Popen([SERVER, "--port", "0", "--ready-file", ready,
                                "--kubeconfig", os.path.join(d, "kc")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.time() + 15
            while not os.path.exists(ready):
                if time.time() > deadline:
                    sys.exit("server did not start")
                time.sleep(0.05)
            port = int(open(ready).read())
            env = dict(os.environ, KUBECONFIG=os.path.join(d, "kc"), HOME=d)
            steps = [
                ("install", lambda n, ns: ["install", n, chart, "-n", ns, "--create-namespace"] + extra),
                ("upgrade", lambda n, ns: ["upgrade", n, chart, "-n", ns, "--reuse-values", "--set", "bench=1"]),
                ("uninstall", lambda n, ns: ["uninstall", n, "-n", ns]),
                # helm's default --wait strategy (watcher) against rudder's watches
                ("inst-wait", lambda n, ns: ["install", n + "w", chart, "-n", ns + "-w",
                                             "--create-namespace", "--wait", "--timeout", "120s"] + extra),
            ]
            rows = []
            for step, args in steps:
                h = run(helm, args("bh", "bench-helm"), env, port)
                r = run(rudder, args("br", "bench-rudder"), env, port)
                rows.append((step, h, r))
                print(f"{step:10} helm: {h[0]:4} req {h[1]:6.2f} s   rudder: {r[0]:4} req {r[1]:6.2f} s"
                      f"   ratio {ratio(r[0], h[0])}")
        finally:
            srv.terminate()
            srv.wait()
    h_total = (sum(h[0] for _, h, _ in rows), sum(h[1] for _, h, _ in rows))
    r_total = (sum(r[0] for _, _, r in rows), sum(r[1] for _, _, r in rows))
    print(f"{'total':10} helm: {h_total[0]:4} req {h_total[1]:6.2f} s   rudder: {r_total[0]:4} req"
          f" {r_total[1]:6.2f} s   ratio {ratio(r_total[0], h_total[0])}")
    over = [step for step, h, r in rows if r[0] > h[0]]
    if r_total[0] > h_total[0]:
        over.append("total")
    if over:
        print(f"FAIL: rudder makes more API requests than helm ({', '.join(over)})")
        sys.exit(1)
    print("OK: rudder makes no more API requests than helm")


if __name__ == "__main__":
    main()
