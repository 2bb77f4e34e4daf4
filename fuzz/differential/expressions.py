#!/usr/bin/env python3
"""Differential fuzz: random template expressions through helm and rudder."""
import os, sys, random, json, re
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import invoke, write_chart, compare
VALUES = """i: 3
f: 2.5
neg: -4
big: 10000000000
s: hello
e: ""
ns: "42"
fs: "1.5"
b: true
n: null
l: [1, "two", 3.5, null, [4], {k: v}]
ls: [b, a, c, a]
li: [3, 1, 2]
m: {a: 1, b: "x", c: [1,2], d: {e: f}}
em: {}
el: []
date: "2024-02-29T13:04:05Z"
u: "héllo wörld"
sp: "  padded  "
ver: "1.2.3"
"""
POOL = ['0','1','-3','2.5','-0.5','1e3','7.0','"3"','"2.5"','"abc"','""','"0x1F"','" 7 "','"a,b,c"','"Hello World"',
 'true','false','nil','(list 1 "b" 3)','(list)','(dict "a" 1 "b" "x")','(dict)','.Values.i','.Values.f','.Values.neg',
 '.Values.big','.Values.s','.Values.e','.Values.ns','.Values.fs','.Values.b','.Values.n','.Values.l','.Values.ls','.Values.li',
 '.Values.m','.Values.em','.Values.el','.Values.missing','.Values.u','.Values.sp','.Values.ver','.Values.date','"é"','"a.b"',
 '(int64 5)','(float64 3)','"-1"','"1_000"','"+5"','"007"','(list "x" "y")','(list 2 1)','"^a.*"','"%d-%s"','"%v"','"10m"','"1h30m"', '"2024-01-02"', '9223372036854775807', '-9223372036854775808', '18446744073709551615', '0.1', '1e100', '"true"', '"NaN"', '"Inf"', '(toDate "2006-01-02" "2024-03-04")']
FUNCS = """abbrev abbrevboth add add1 add1f addf adler32sum all any atoi b32dec b32enc b64dec b64enc biggest camelcase cat ceil coalesce concat contains
date dateInZone dateModify date_in_zone date_modify deepCopy deepEqual default dict dig div divf duration durationRound empty fail float64 floor fromJson fromJsonArray
fromToml fromYaml fromYamlArray get hasKey hasPrefix hasSuffix htmlDate htmlDateInZone indent initials int int64 join kebabcase keys kindIs kindOf list lower max maxf merge
mergeOverwrite min minf mod mul mulf mustDateModify mustDeepCopy mustFromJson mustMerge mustRegexFind mustRegexFindAll mustRegexMatch mustRegexReplaceAll
mustRegexReplaceAllLiteral mustRegexSplit mustSlice mustToDate mustToDuration mustToJson mustToPrettyJson mustToRawJson mustToToml mustToYaml nindent nospace
omit pick pluck plural quote regexFind regexFindAll regexMatch regexQuoteMeta regexReplaceAll regexReplaceAllLiteral regexSplit repeat replace required semver seq set
sha1sum sha256sum sha512sum slice snakecase sortAlpha split splitList splitn squote sub subf substr swapcase title toDate toDecimal toJson toPrettyJson toRawJson
toString toStrings toToml toYaml toYamlPretty trim trimAll trimPrefix trimSuffix trimall trunc tuple typeIs typeOf unixEpoch unset until untitle upper urlJoin urlParse values wrap wrapWith
append prepend first last rest initial uniq without has compact reverse chunk mustAppend mustPrepend mustFirst mustLast mustRest mustInitial mustUniq mustWithout mustHas mustCompact mustReverse mustChunk
semverCompare base dir ext clean isAbs osBase osDir osExt osClean osIsAbs sortAlpha ternary fromJson toYaml
eq ne lt le gt ge and or not len index print printf println html js urlquery slice call
b64enc randInt seq intersect union difference fromYaml regexMatch uniq dict kindOf mustRegexFind float64 toString atoi int
""".split()
def expr(rng):
    f = rng.choice(FUNCS)
    n = rng.choice([0,1,1,2,2,2,3,3])
    args = [rng.choice(POOL) for _ in range(n)]
    if rng.random() < 0.15 and n >= 1:
        # pipeline form
        return "%s | %s %s" % (args[-1], f, " ".join(args[:-1]))
    if rng.random() < 0.15:
        g = rng.choice(FUNCS); m = rng.choice([1,2])
        inner = "(%s %s)" % (g, " ".join(rng.choice(POOL) for _ in range(m)))
        args.insert(rng.randrange(len(args)+1), inner)
    return ("%s %s" % (f, " ".join(args))).strip()
TEMPLATE = "a: {{ typeOf (%s) | b64enc }}\nb: {{ (%s) | toString | b64enc }}\nc: {{ (%s) | toJson | b64enc }}\n"
def run(binary, e, d):
    write_chart(d, VALUES, {"a.yaml": TEMPLATE % (e, e, e)})
    code, out, err = invoke(binary, ["template", "t", d], d)
    return code, out, [l for l in err.splitlines() if l.startswith("Error:")]

def describe(e, h, r):
    print("DIFF", e)
    print("  helm  ", h[0], h[2] or h[1][:300].replace("\n", " | "))
    print("  rudder", r[0], r[2] or r[1][:300].replace("\n", " | "))


def main():
    seed = int(sys.argv[1]); count = int(sys.argv[2])
    rng = random.Random(seed)
    exprs = sorted(set(expr(rng) for _ in range(count)))
    if len(sys.argv) > 3:
        exprs = [l.rstrip("\n") for l in open(sys.argv[3]) if l.strip()]
    compare(exprs, run, describe)


main()
