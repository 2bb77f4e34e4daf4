"""Execution errors raised deep inside `include`, `tpl`, `template` and
`block` chains, across files and subcharts: how helm wraps them (`error
calling include: ...`), which position it names, and what `--debug` (less
the snippet rudder adds) and `lint` print for them."""
import os, sys, random, json
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import invoke, compare, describe_tails as describe

FAILS = ['{{ fail "boom" }}', '{{ required "need x" .Values.missing }}', '{{ .Values.m.a.b.c }}',
         '{{ index .Values.l 5 }}', '{{ int (list 1) }}', '{{ include "nope" . }}', '{{ tpl "{{ fail \\"in tpl\\" }}" . }}',
         '{{ tpl "{{ .Values.m.a.b.c }}" . }}', '{{ toYaml (fromYaml "a: [") }}', '{{ len 3 }}', '{{ .Values.s.x }}',
         '{{ template "nope" }}', '{{ tpl "{{ include \\"h0\\" . }}" . }}', '{{ add "a" (list) }}', '{{ tpl (list 1) . }}',
         '{{ printf "%d" }}', '{{ $x := .Values.m }}{{ $x.a.b.c }}', '{{ tpl "{{ define \\"x\\" }}{{ end }}" . }}']
WRAPS = ['{{ include "%s" . }}', '{{ include "%s" . | nindent 2 }}', '{{ template "%s" . }}', '{{ tpl (include "%s" .) . }}',
         '{{ tpl "{{ include \\"%s\\" . }}" . }}', '{{ with .Values.m }}{{ include "%s" $ }}{{ end }}',
         '{{ range .Values.l }}{{ include "%s" $ }}{{ end }}', '{{ block "%s" . }}{{ end }}']


def gen(rng):
    depth = rng.randint(1, 3)
    helpers = ['{{- define "h%d" -}}\nx: %s\n{{- end }}' % (depth - 1, rng.choice(FAILS))]
    for i in range(depth - 2, -1, -1):
        helpers.append('{{- define "h%d" -}}\n%s\n{{- end }}' % (i, rng.choice(WRAPS) % ('h%d' % (i + 1))))
    where = rng.choice(['_helpers.tpl', 'sub'])
    top = rng.choice(WRAPS) % 'h0'
    flags = rng.choice([[], ['--debug'], ['lint'], ['lint', '--strict']])
    return json.dumps(['\n'.join(helpers), where, 'a: 1\nb: ' + top + '\n', flags])


def run(binary, c, d):
    helpers, where, top, flags = json.loads(c)
    root = d + '/p'
    os.makedirs(root + '/templates')
    open(root + '/Chart.yaml', 'w').write('apiVersion: v2\nname: p\nversion: 0.1.0\n')
    open(root + '/values.yaml', 'w').write('m: {}\nl: [1, 2]\ns: str\n')
    open(root + '/templates/a.yaml', 'w').write(top)
    if where == 'sub':
        os.makedirs(root + '/charts/sub/templates')
        open(root + '/charts/sub/Chart.yaml', 'w').write('apiVersion: v2\nname: sub\nversion: 0.1.0\n')
        open(root + '/charts/sub/templates/_helpers.tpl', 'w').write(helpers)
    else:
        open(root + '/templates/_helpers.tpl', 'w').write(helpers)
    if flags and flags[0] == 'lint':
        args = ['lint', root] + flags[1:]
    else:
        args = ['template', 'r', root] + flags
    code, out, err = invoke(binary, args, d)
    # rudder's --debug adds a snippet of the failing line (not helm's).
    err = err.split('\n\n --> ')[0].rstrip('\n') + '\n' if ' --> ' in err else err
    return code, out.replace(d, 'D'), err.replace(d, 'D')


rng = random.Random(int(sys.argv[1]))
compare(sorted({gen(rng) for _ in range(int(sys.argv[2]))}), run, describe)
