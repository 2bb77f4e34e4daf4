import os, sys, random, json
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import invoke, compare, describe_tails as describe
CHART_LINES = ['apiVersion: v2', 'apiVersion: v1', 'apiVersion: v3', 'name: t', 'name: T_bad', 'name: ""', 'version: 0.1.0', 'version: 1', 'version: abc', 'version: 1.2.3-rc.1+b', 'appVersion: "1.0"', 'appVersion: 1.0', 'description: d', 'icon: http://x/i.png', 'icon: ftp:/bad', 'type: library', 'type: application', 'type: other', 'kubeVersion: ">=1.20"', 'kubeVersion: "bad"', 'deprecated: true', 'home: h', 'sources: [s]', 'maintainers: [{name: m, email: bad}]', 'maintainers: [{email: a@b.c}]', 'keywords: [k]', 'dependencies: [{name: d, version: 1.0.0, repository: "https://x"}]', 'dependencies: [{name: d, version: "bad"}]', 'annotations: {a: b}', 'annotations: {a: 1}', 'extra: field', 'name: t\nname: u', ': bad yaml', 'engine: gotpl']
VALUES = ['a: 1', 'a: [1', 'image: {repository: r, tag: t}', '', 'a: !!binary x', 'list: [1, 2]', '- 1', 'a: b: c', 'enabled: true', 'x: null']
TEMPLATES = ['apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: "{{ .Values.a }}"\n',
 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n', 'kind: ConfigMap\nmetadata:\n  name: x\n', 'apiVersion: v1\nmetadata:\n  name: x\n', '{{ .Values.missing.deep }}', '{{ fail "boom" }}',
 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: other\n', 'a: [1\n', '{{ if }}', '{{ required "need x" .Values.x }}', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n', '', '# just comment', 'apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata:\n  name: d\n', 'apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: p\n', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  a: {{ .Values.a | quote }}\n', '{{ toYaml .Values }}', 'apiVersion: v1\nkind: List\nitems: []\n', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-x\n  labels:\n    a: {{ .Values.a }}\n']
def gen(rng):
    chart = ['apiVersion: v2', 'name: t', 'version: 0.1.0'] if rng.random() < 0.6 else []
    for _ in range(rng.randint(0, 3)):
        chart.append(rng.choice(CHART_LINES))
    vals = rng.choice(VALUES)
    tpls = tuple(rng.choice(TEMPLATES) for _ in range(rng.randint(0, 2)))
    extra = rng.choice(['', 'schema', 'notes', 'nochart', 'crds', 'helpers', 'badschema'])
    flags = tuple(rng.choice([[], [], ['--strict'], ['--with-subcharts'], ['--set', 'a=2'], ['--quiet'], ['--strict', '--quiet']]))
    return ('\n'.join(chart) + '\n', vals + '\n', tpls, extra, flags)
def run(binary, c, d):
    chart, vals, tpls, extra, flags = c
    d = d + '/t'
    os.makedirs(d + "/templates", exist_ok=True)
    if extra != 'nochart': open(d + "/Chart.yaml", "w").write(chart)
    open(d + "/values.yaml", "w").write(vals)
    for i, t in enumerate(tpls): open(d + "/templates/t%d.yaml" % i, "w").write(t)
    if extra == 'schema': open(d + "/values.schema.json", "w").write('{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]}')
    if extra == 'badschema': open(d + "/values.schema.json", "w").write('{"type": ')
    if extra == 'notes': open(d + "/templates/NOTES.txt", "w").write('{{ .Values.nope.x }}')
    if extra == 'crds': os.makedirs(d + '/crds'); open(d + "/crds/c.yaml", "w").write('apiVersion: v1\nkind: X\n')
    if extra == 'helpers': open(d + "/templates/_h.tpl", "w").write('{{ define "h" }}{{ .x }}{{ end }}')
    code, out, err = invoke(binary, ["lint", d] + list(flags), os.path.dirname(d), cwd=os.path.dirname(d))
    return code, out.replace(d, 'CHART'), err.replace(d, 'CHART')
rng = random.Random(int(sys.argv[1]))
compare(sorted({gen(rng) for _ in range(int(sys.argv[2]))}), run, describe)
