#!/usr/bin/env python3
"""Differential check of template serialisation functions: renders
`v: {{ EXPR | b64enc }}` with the real helm and with rudder for every line of
an expressions file and prints the ones whose exit code, stdout or stderr
differ.

Usage: python3 testdata/serialization-diff/diff.py exprs.txt [values.yaml]
(expects /work/helm-bin/helm and target/debug/rudder)
"""
import subprocess, tempfile, os, sys
exprs = [l.rstrip('\n') for l in open(sys.argv[1]) if l.strip()]
values = open(sys.argv[2]).read() if len(sys.argv) > 2 else "a: 1\n"
def run(binary, expr):
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(d + "/templates")
        open(d + "/Chart.yaml", "w").write("apiVersion: v2\nname: t\nversion: 0.1.0\n")
        open(d + "/values.yaml", "w").write(values)
        open(d + "/templates/a.yaml", "w").write("v: {{ %s | b64enc }}\n" % expr)
        p = subprocess.run([binary, "template", "t", d], capture_output=True, text=True)
        return p.returncode, p.stdout, p.stderr.strip()
bad = 0
for e in exprs:
    h = run("/work/helm-bin/helm", e)
    r = run("/work/main/target/debug/rudder", e)
    if h != r:
        bad += 1
        print("DIFF", e)
        import base64
        def dec(x):
            try:
                return base64.b64decode(x[1].split("v: ",1)[1].strip()).decode()
            except Exception:
                return x
        print("  helm  ", repr(dec(h)) if h[0]==0 else h)
        print("  rudder", repr(dec(r)) if r[0]==0 else r)
print(bad, "of", len(exprs), "differ")
