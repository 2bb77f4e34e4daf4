#!/usr/bin/env python3
"""Regenerate the values-loading goldens from the real helm.

Each cases/NAME.yaml is used as a chart's values.yaml; golden/NAME.txt gets
either `ok <toJson .Values>` or `err <helm's error line without "Error: ">`.

Usage: python3 testdata/values-yaml/gen.py [/path/to/helm]
"""
import base64, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
HELM = sys.argv[1] if len(sys.argv) > 1 else "/work/helm-bin/helm"

os.makedirs(os.path.join(HERE, "golden"), exist_ok=True)
for name in sorted(os.listdir(os.path.join(HERE, "cases"))):
    if not name.endswith(".yaml"):
        continue
    with open(os.path.join(HERE, "cases", name), "rb") as f:
        values = f.read()
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "templates"))
        with open(os.path.join(d, "Chart.yaml"), "w") as f:
            f.write("apiVersion: v2\nname: t\nversion: 0.1.0\n")
        with open(os.path.join(d, "values.yaml"), "wb") as f:
            f.write(values)
        with open(os.path.join(d, "templates", "t.yaml"), "w") as f:
            f.write("v: {{ toJson .Values | b64enc }}\n")
        p = subprocess.run([HELM, "template", "t", d], capture_output=True, text=True)
    if p.returncode == 0:
        line = [l for l in p.stdout.splitlines() if l.startswith("v: ")][0]
        out = "ok " + base64.b64decode(line[3:]).decode("utf-8")
    else:
        out = "err " + p.stderr.strip().splitlines()[0].removeprefix("Error: ")
    with open(os.path.join(HERE, "golden", name[:-5] + ".txt"), "w", encoding="utf-8") as f:
        f.write(out + "\n")
