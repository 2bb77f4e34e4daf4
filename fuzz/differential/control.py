#!/usr/bin/env python3
"""Differential fuzz of template control structures: random template bodies."""
import os, sys, random
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import invoke, write_chart, compare
VALUES = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'values.yaml')).read()
TEXTS = ["x", " ", "\n", "  y\n", "a: b\n", "\t", "z ", "\n\n", " - ", "}}", "{", "-"]
ATOMS = ['.Values.i', '.Values.s', '.Values.l', '.Values.m', '.Values.n', '.Values.e', '.Values.b', '.Values.missing', '.Values.m.a', '.Values.m.d.e',
         '.', '$', '"s"', '1', '0', '-2', '2.5', 'true', 'false', 'nil', '(list 1 2)', '(dict "k" "v")', '(list)', '.Release.Name', '.Chart.Name',
         '$.Values.f', '.Values.ls', '(index .Values.l 1)', '(len .Values.l)', '3', '.Values.em', '.Values.el', '(until 3)', '.Template.Name']
FUNCS1 = ['print', 'len', 'not', 'quote', 'upper', 'toString', 'toJson', 'typeOf', 'default "d"', 'empty', 'first', 'kindOf', 'printf "%v"', 'html', 'js', 'urlquery', 'int', 'toYaml', 'nindent 2', 'indent 1', 'trim']
FUNCS2 = ['eq', 'ne', 'lt', 'gt', 'and', 'or', 'print', 'add', 'index', 'hasKey', 'has', 'cat', 'list', 'default']
class G:
    def __init__(s, rng): s.r = rng; s.vars = [['$']]; s.defs = []
    def var(s):
        vs = [v for sc in s.vars for v in sc]
        return s.r.choice(vs)
    def atom(s):
        if s.r.random() < 0.25: return s.var()
        return s.r.choice(ATOMS)
    def expr(s, d=0):
        c = s.r.random()
        if c < 0.4 or d > 2: return s.atom()
        if c < 0.6: return "%s %s" % (s.r.choice(FUNCS1), s.atom())
        if c < 0.8: return "%s %s %s" % (s.r.choice(FUNCS2), s.atom(), s.atom())
        if c < 0.9: return "%s | %s" % (s.expr(d+1), s.r.choice(FUNCS1))
        return "(%s).%s" % (s.atom(), s.r.choice(['a', 'k', 'Name', 'x']))
    def act(s, body):
        l = s.r.choice(['{{', '{{', '{{- ', '{{-'  if False else '{{- '])
        r = s.r.choice(['}}', '}}', ' -}}'])
        sp = s.r.choice([' ', ' ', ''])
        if l == '{{' and sp == '' and body[:1] == '-': sp = ' '
        return l + sp + body + sp + r
    def block(s, d):
        n = s.r.randint(0, 3)
        return ''.join(s.item(d) for _ in range(n))
    def branches(s, kw, d, else_chance):
        """`if`/`with` with an optional `else if`/`else with` and `else`."""
        out = s.act(kw + ' ' + s.expr()) + s.block(d+1)
        if s.r.random() < 0.3: out += s.act('else %s %s' % (kw, s.expr())) + s.block(d+1)
        if s.r.random() < else_chance: out += s.act('else') + s.block(d+1)
        return out + s.act('end')
    def item(s, d):
        c = s.r.random()
        if c < 0.25 or d > 3: return s.r.choice(TEXTS)
        if c < 0.45: return s.act(s.expr())
        if c < 0.55:
            return s.branches('if', d, 0.5)
        if c < 0.65:
            k = 'k%d' % d; v = 'v%d' % d
            form = s.r.choice(['range %s' , 'range $%s := %%s' % v, 'range $%s, $%s := %%s' % (k, v)])
            src = s.r.choice(['.Values.l', '.Values.m', '.Values.ls', '.Values.el', '.Values.n', '3', '(until 2)', '.Values.i', '"str"', '$', s.atom()])
            s.vars.append(['$' + v] + (['$' + k] if ',' in form else []) if '$' in form else [])
            body = s.block(d+1)
            if s.r.random() < 0.2: body += s.act(s.r.choice(['break', 'continue']))
            body += s.block(d+1)
            s.vars.pop()
            out = s.act(form % src) + body
            if s.r.random() < 0.3: out += s.act('else') + s.block(d+1)
            return out + s.act('end')
        if c < 0.72:
            return s.branches('with', d, 0.4)
        if c < 0.8:
            name = '$x%d' % s.r.randint(0, 2)
            if s.r.random() < 0.6 or name not in [v for sc in s.vars for v in sc]:
                s.vars[-1].append(name)
                return s.act('%s := %s' % (name, s.expr()))
            return s.act('%s = %s' % (name, s.expr()))
        if c < 0.85: return s.r.choice(['{{/* c */}}', '{{- /* c */ -}}', '{{- /* c */}}', '{{/* c */ -}}', '{{ /* c */ }}'])
        if c < 0.92 and d == 0:
            name = 'd%d' % len(s.defs); s.defs.append(name)
            saved = s.vars; s.vars = [['$']]
            body = s.block(3)
            s.vars = saved
            return s.act('define "%s"' % name) + body + s.act('end')
        if c < 0.96 and s.defs:
            return s.act('template "%s" %s' % (s.r.choice(s.defs), s.r.choice(['.', '$', '.Values', '.Values.m', 'nil', '1'])))
        if d == 0:
            saved = s.vars; s.vars = [['$']]
            body = s.block(3); s.vars = saved
            return s.act('block "b%d" %s' % (s.r.randint(0, 9), s.r.choice(['.', '.Values']))) + body + s.act('end')
        return s.act('include "%s" %s' % (s.r.choice(s.defs or ['nope']), s.r.choice(['.', '$', '.Values.m']))) if s.r.random() < 0.5 else s.r.choice(TEXTS)
def body(rng):
    g = G(rng)
    return ''.join(g.item(0) for _ in range(rng.randint(1, 6)))
def run(binary, b, d):
    write_chart(d, VALUES, {"_b.tpl": b, "a.yaml": 'a: {{ include "t/templates/_b.tpl" . | b64enc }}\n'})
    return invoke(binary, ["template", "t", d], d)

def describe(b, h, r):
    print("DIFF", repr(b))
    print("  helm  ", h[0], repr(h[2][:400]) if h[0] else repr(h[1][:300]))
    print("  rudder", r[0], repr(r[2][:400]) if r[0] else repr(r[1][:300]))


def main():
    seed = int(sys.argv[1]); count = int(sys.argv[2])
    rng = random.Random(seed)
    compare(sorted(set(body(rng) for _ in range(count))), run, describe)


if __name__ == '__main__':
    main()
