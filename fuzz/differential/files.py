import os, sys, random, base64, re
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import invoke, write_chart, compare
FILES = {'a.txt': 'hello\nworld\n', 'b.conf': 'x=1', 'dir/c.yaml': 'k: v\n', 'dir/sub/d.json': '{"a":1}', 'dir/e.txt': 'no newline', '.hidden': 'h', 'dir/.h2': 'h2',
         'sp ace.txt': 's', 'empty.txt': '', 'crlf.txt': 'a\r\nb\r\n', 'bin.dat': '\x00\x01\xff', 'uni/é.txt': 'é', 'x.tpl': '{{ .Values }}', '.helmignore': '*.dat\nignored/\n', 'ignored/z.txt': 'z', 'README.md': '# r'}
PATS = ['*', '**', '*.txt', '**.txt', '**/*.txt', 'dir/*', 'dir/**', 'dir/*/*', '?.txt', '[ab].*', '{a,b}.*', 'dir/**/*.json', '*.{txt,conf}', '.*', '**/.h*', 'uni/*', 'nomatch', '', 'dir', 'dir/', '\\*', '[!a].txt', 'a.txt', '**/', 'ignored/*', 'charts/*', 'templates/*', 'values.yaml', 'Chart.yaml']
EXPRS = ['.Files.Glob "{p}" | toJson', '(.Files.Glob "{p}").AsConfig', '(.Files.Glob "{p}").AsSecrets', 'range $k, $v := .Files.Glob "{p}" }}{{ $k }}:{{ len $v }},{{ end', '.Files.Get "{f}"', '.Files.GetBytes "{f}" | toString', '.Files.Lines "{f}" | toJson', '.Files.Get "{f}" | len', 'len (.Files.Glob "{p}")', '(.Files.Glob "{p}").Glob "{p2}" | toJson']
def gen(rng):
    e = rng.choice(EXPRS)
    return e.replace('{p}', rng.choice(PATS)).replace('{p2}', rng.choice(PATS)).replace('{f}', rng.choice(list(FILES) + ['missing', 'dir', 'Chart.yaml', 'templates/a.yaml', 'values.yaml', '/a.txt', './a.txt', 'dir/../a.txt', 'ignored/z.txt', 'bin.dat']))
def run(binary, e, d):
    write_chart(d, "a: 1\n", {"a.yaml": 'a: {{ include "x" . | b64enc }}\n{{- define "x" }}{{ %s }}{{ end }}\n' % e})
    for f, c in FILES.items():
        os.makedirs(os.path.dirname(os.path.join(d, f)), exist_ok=True)
        with open(os.path.join(d, f), 'wb') as out:
            out.write(c.encode('latin-1') if f == 'bin.dat' else c.encode())
    return invoke(binary, ["template", "t", d], d)

def describe(v, h, r):
    def dec(x):
        if x[0]:
            return x[2][:400]
        m = re.search(r'a: (\S+)', x[1])
        return base64.b64decode(m.group(1)).decode('utf8', 'replace')[:400] if m else x[1][:300]
    print("DIFF", v); print("  helm  ", h[0], repr(dec(h))); print("  rudder", r[0], repr(dec(r)))


rng = random.Random(int(sys.argv[1]))
compare(sorted(set(gen(rng) for _ in range(int(sys.argv[2])))), run, describe)
