#!/usr/bin/env python3
"""Differential fuzz of --set / --set-string / --set-json / --set-literal / -f and coalescing."""
import os, sys, random
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import invoke, write_chart, compare
import base64, re
VALUES = """a: 1
b:
  c: x
  d: [1, 2]
  e: null
list: [a, b]
objs:
  - name: one
    v: 1
  - name: two
n: null
s: "str"
t: true
"""
KEYS = ['a', 'b', 'b.c', 'b.d', 'b.d[0]', 'b.d[3]', 'b.e', 'b.new', 'list', 'list[1]', 'list[0].x', 'objs[0].v', 'objs[1]', 'objs[2].name', 'n', 'n.x', 's', 's.x', 'x', 'x.y.z', 'x[0]', 'x[0][1]', 'a\\.b', 'k\\,v', 'u[-1]', 'q[a]', 'name', '"q"', 'a.', '.a', 'a..b', 'a[0', 'a]', '[0]', 'emp']
VALS = ['1', '0', '-1', '1.5', '1e3', '007', '0x1F', 'true', 'false', 'null', '~', '', 'abc', '{x,y}', '{a,b', '{}', '[1]', 'a\\,b', 'a=b', 'héllo', '9223372036854775807', '9223372036854775808', '-9223372036854775809', '+5', '1_000', 'yes', 'no', 'NaN', '.inf', '" q "', "'1'", 'a b', '{1,2,3}', '1,b=2']
JSONV = ['1', '"s"', '[1,2]', '{"a":1}', 'null', 'true', '1.5', '{"a":{"b":null}}', '[]', '{}', 'bad', '1e400', '12345678901234567890']
def gen(rng):
    args = []
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(['--set', '--set', '--set', '--set-string', '--set-json', '--set-literal'])
        parts = []
        for _ in range(rng.randint(1, 2) if kind != '--set-literal' else 1):
            k = rng.choice(KEYS)
            v = rng.choice(JSONV if kind == '--set-json' else VALS)
            parts.append('%s=%s' % (k, v))
        if rng.random() < 0.05: parts.append(rng.choice(KEYS))  # no '='
        args += [kind, ','.join(parts)]
    return tuple(args)
def run(binary, args, d):
    write_chart(d, VALUES, {"a.yaml": 'a: {{ .Values | toJson | b64enc }}\nb: {{ .Values | toYaml | b64enc }}\nc: {{ .Values | toString | b64enc }}\n'})
    return invoke(binary, ["template", "t", d] + list(args), d)

def describe(a, h, r):
    def dec(x):
        if x[0]:
            return x[2][:400]
        m = re.search(r'b: (\S+)', x[1])
        return base64.b64decode(m.group(1)).decode()[:400] if m else x[1][:300]
    print("DIFF", a); print("  helm  ", h[0], repr(dec(h))); print("  rudder", r[0], repr(dec(r)))


rng = random.Random(int(sys.argv[1]))
compare(sorted(set(gen(rng) for _ in range(int(sys.argv[2])))), run, describe)
