#!/usr/bin/env python3
"""Side by side: API requests and wall time of install/upgrade/uninstall of a
chart (default: kube-prometheus-stack from ../shared/corpus) for rudder and
helm against one kube-test-apiserver.

usage: bench/release_requests.py RUDDER_BIN [HELM_BIN] [CHART] [-- extra install args]
Prints one line per step: `step  helm: N req  T s   rudder: N req  T s`.
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
            ]
            for step, args in steps:
                h = run(helm, args("bh", "bench-helm"), env, port)
                r = run(rudder, args("br", "bench-rudder"), env, port)
                print(f"{step:10} helm: {h[0]:4} req {h[1]:6.2f} s   rudder: {r[0]:4} req {r[1]:6.2f} s")
        finally:
            srv.terminate()
            srv.wait()


if __name__ == "__main__":
    main()
