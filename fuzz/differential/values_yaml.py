#!/usr/bin/env python3
"""Differential fuzz of values.yaml parsing: scalars, structures, anchors, tags."""
import os, sys, random, base64, re
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import invoke, write_chart, compare
SCALARS = ['1', '-1', '+1', '0', '00', '007', '0o17', '0x1F', '0X1f', '0b101', '1_000', '1,000', '1.0', '1.', '.5', '-.5', '1e3', '1E3', '1e+3', '1.5e-3', '6.8523015e+5', '685_230.15', '190:20:30', '1:30', '-1:30',
 '.inf', '-.Inf', '.NaN', '.nan', 'NaN', 'inf', 'true', 'True', 'TRUE', 'yes', 'Yes', 'no', 'on', 'off', 'y', 'n', 'Y', 'N', 'null', 'Null', 'NULL', '~', '', '2001-12-14t21:59:43.10-05:00', '2002-12-14', '2001-12-14 21:59:43.10 -5',
 '"quoted"', "'single'", '"esc\\n\\t\\u00e9\\x41"', "'it''s'", 'plain text', 'a: b', '"a: b"', '!!str 1', '!!int "3"', '!!float 1', '!!bool yes', '!!null ""', '!!binary aGVsbG8=', '!!map {}', '!!seq []', '!custom x', '&a 1', '9223372036854775807', '9223372036854775808', '-9223372036854775808', '18446744073709551616', '1e400', '0.1', '123456789012345678', '12345678901234567890123', '3.14159265358979323846', '1e21', '1e20', '100000000000000000000', '0.000001', '0.0000001',
 '|\n  lit\n  text', '>\n  folded\n  text\n', '|-\n  x', '|+\n  x\n\n', '>2\n   indented', '[1, two, 3.0]', '{a: 1, b: [x]}', '[]', '{}', '- 1', 'é', '"\\U0001F600"', 'x #comment', '"#notcomment"', '@bad', '`bad', '%bad', '? complex', '*undefined', '=', '<<: {a: 1}', '-', '- - x', 'a,b']
def gen(rng):
    lines = []
    for i in range(rng.randint(1, 3)):
        s = rng.choice(SCALARS)
        if '\n' in s:
            s = s.replace('\n', '\n  ')
        lines.append('k%d: %s' % (i, s))
    if rng.random() < 0.2:
        lines.append('base: &b {x: 1, y: [1, 2]}\nder:\n  <<: *b\n  y: 3')
    if rng.random() < 0.1:
        lines.append('lst:\n- &e 5\n- *e\n- {<<: [{a: 1}, {a: 2, b: 3}]}')
    text = '\n'.join(lines)
    if rng.random() < 0.5:
        # Comment lines anywhere, at any indentation: inside block and
        # quoted scalars they are content (rudder cuts only real comments).
        split = text.split('\n')
        for _ in range(rng.randint(1, 3)):
            at = rng.randint(0, len(split))
            split.insert(at, ' ' * rng.choice([0, 1, 2, 4]) + rng.choice(['# c', '#', '# a: b', "# it's \"x"]))
        text = '\n'.join(split)
    return text + '\n'
def run(binary, values, d):
    write_chart(d, values, {"a.yaml": 'a: {{ .Values | toJson | b64enc }}\nb: {{ .Values | toYaml | b64enc }}\nc: {{ .Values | toString | b64enc }}\nd: {{ range $k, $v := .Values }}{{ $k }}={{ typeOf $v }},{{ end }}\n'})
    return invoke(binary, ["template", "t", d], d)

def describe(v, h, r):
    def dec(x):
        if x[0]:
            return x[2][:400]
        out = []
        for k in 'abcd':
            m = re.search(k + r': (\S+)', x[1])
            if m and k != 'd':
                out.append(base64.b64decode(m.group(1)).decode()[:300])
            elif m:
                out.append(m.group(1)[:300])
        return out
    print("DIFF", repr(v)); print("  helm  ", h[0], repr(dec(h))); print("  rudder", r[0], repr(dec(r)))


rng = random.Random(int(sys.argv[1]))
cases = sorted(set(gen(rng) for _ in range(int(sys.argv[2]))))
if len(sys.argv) > 3:
    cases = ['k: %s\n' % (s.replace('\n', '\n  ')) for s in SCALARS]
compare(cases, run, describe)
