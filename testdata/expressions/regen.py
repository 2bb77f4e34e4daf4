#!/usr/bin/env python3
"""Regenerates goldens.jsonl: every expression of cases.txt rendered by the real helm.

usage: testdata/expressions/regen.py [HELM]   (default /work/helm-bin/helm)

Each case is a chart (values.yaml here) whose one template prints the
expression's Go type, its `toString` and its `toJson`, each base64-encoded
so that any text stays valid YAML:

    a: {{ typeOf (EXPR) | b64enc }}
    b: {{ (EXPR) | toString | b64enc }}
    c: {{ (EXPR) | toJson | b64enc }}

A golden keeps the exit code, stdout and stderr.
tests/it/expressions.rs renders the same charts with rudder and compares.
The cases were found by a differential run of random expressions against
helm; keep them to expressions whose output does not depend on time or
randomness.
"""
import json, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = "a: {{ typeOf (%s) | b64enc }}\nb: {{ (%s) | toString | b64enc }}\nc: {{ (%s) | toJson | b64enc }}\n"


def render(binary, expr, values):
    """Exit code, stdout and stderr of `template` on the case's chart."""
    with tempfile.TemporaryDirectory() as d:
        chart = os.path.join(d, "t")
        os.makedirs(os.path.join(chart, "templates"))
        with open(os.path.join(chart, "Chart.yaml"), "w") as f:
            f.write("apiVersion: v2\nname: t\nversion: 0.1.0\n")
        with open(os.path.join(chart, "values.yaml"), "w") as f:
            f.write(values)
        with open(os.path.join(chart, "templates", "a.yaml"), "w") as f:
            f.write(TEMPLATE % (expr, expr, expr))
        env = {k: v for k, v in os.environ.items() if not k.startswith("HELM_")}
        env.update(HELM_CACHE_HOME=d + "/c", HELM_CONFIG_HOME=d + "/cf", HELM_DATA_HOME=d + "/d",
                   KUBECONFIG=d + "/missing", TZ="UTC")
        p = subprocess.run([binary, "template", "t", chart], env=env, capture_output=True, text=True)
        return {"exit": p.returncode, "stdout": p.stdout, "stderr": p.stderr}


def main():
    helm = sys.argv[1] if len(sys.argv) > 1 else "/work/helm-bin/helm"
    # `--check BINARY`: print the cases where BINARY differs from the goldens.
    if helm == "--check":
        values = open(os.path.join(HERE, "values.yaml")).read()
        for line in open(os.path.join(HERE, "goldens.jsonl")):
            g = json.loads(line)
            got = render(sys.argv[2], g["expr"], values)
            if any(got[k] != g[k] for k in got):
                print("DIFF", g["expr"])
        return
    values = open(os.path.join(HERE, "values.yaml")).read()
    exprs = [l.rstrip("\n") for l in open(os.path.join(HERE, "cases.txt")) if l.strip()]
    with open(os.path.join(HERE, "goldens.jsonl"), "w") as out:
        for e in exprs:
            out.write(json.dumps(dict(expr=e, **render(helm, e, values))) + "\n")


if __name__ == "__main__":
    main()
