#!/usr/bin/env python3
"""Regenerate the serialisation goldens from the real helm.

For every cases/NAME.yaml (a values file) this renders a chart whose template
prints base64 of toYaml/toYamlPretty/toJson/toPrettyJson/toRawJson/toToml of
.Values (base64 keeps the exact bytes through helm's manifest trimming) and
writes golden/NAME.json with the decoded strings, or {"error": stderr} when
helm rejects the values file.

Usage: python3 testdata/encode/gen.py [/path/to/helm]
"""
import base64, json, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
HELM = sys.argv[1] if len(sys.argv) > 1 else "/work/helm-bin/helm"
FUNCS = ["toYaml", "toYamlPretty", "toJson", "toPrettyJson", "toRawJson", "toToml"]

def main():
    os.makedirs(os.path.join(HERE, "golden"), exist_ok=True)
    for name in sorted(os.listdir(os.path.join(HERE, "cases"))):
        if not name.endswith(".yaml"):
            continue
        with open(os.path.join(HERE, "cases", name), encoding="utf-8") as f:
            values = f.read()
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "templates"))
            with open(os.path.join(d, "Chart.yaml"), "w") as f:
                f.write("apiVersion: v2\nname: t\nversion: 0.1.0\n")
            with open(os.path.join(d, "values.yaml"), "w", encoding="utf-8") as f:
                f.write(values)
            tpl = "".join("%s: {{ %s .Values | b64enc }}\n" % (fn, fn) for fn in FUNCS)
            with open(os.path.join(d, "templates", "t.yaml"), "w") as f:
                f.write(tpl)
            p = subprocess.run([HELM, "template", "t", d], capture_output=True, text=True)
        out = {}
        if p.returncode != 0:
            out["error"] = p.stderr.strip()
        else:
            for line in p.stdout.splitlines():
                k, _, v = line.partition(": ")
                if k in FUNCS:
                    out[k] = base64.b64decode(v).decode("utf-8")
        with open(os.path.join(HERE, "golden", name[:-5] + ".json"), "w", encoding="utf-8") as f:
            json.dump(out, f, indent=1, ensure_ascii=False, sort_keys=True)
            f.write("\n")

main()
