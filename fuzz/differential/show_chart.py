"""`show chart` / `show values` / `show all` / `show readme` of charts whose
Chart.yaml fields take odd forms: numbers and booleans where strings are
expected, quoting-sensitive text, lists and maps of every field helm's
Metadata struct has, dependencies, unknown fields, and values files with
comments and odd layout (printed verbatim)."""
import os, sys, random, json
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import invoke, compare, describe_tails as describe

SCALARS = ['x', '"1.10"', '1.10', '2', 'true', '"yes"', 'yes', '~', '""', "'a: b'", '"a\\nb"', '0x1F', '1e3',
           '"@at"', '"- dash"', 'héllo', '"#hash"', '" lead"', "'single ''q'''", '2024-01-02', '|\n  block\n  text',
           '>-\n  folded\n  text', '[]', '{}', '"*star"', '"%p"', '"[x]"', '012']
FIELDS = ['description', 'appVersion', 'home', 'icon', 'kubeVersion', 'type', 'condition', 'tags', 'engine']


def scalar(rng):
    return rng.choice(SCALARS)


def gen(rng):
    lines = ['apiVersion: %s' % rng.choice(['v2', 'v2', 'v1', 'v3x']), 'name: %s' % rng.choice(['t', 't', '"t"']),
             'version: %s' % rng.choice(['0.1.0', '"1.0.0"', '1.2.3-rc.1+b.7', '0.1.0', 'v1.0.0'])]
    for f in rng.sample(FIELDS, rng.randint(0, 5)):
        lines.append('%s: %s' % (f, scalar(rng)))
    if rng.random() < 0.4:
        lines.append('keywords:')
        for _ in range(rng.randint(0, 3)):
            lines.append('  - %s' % scalar(rng).replace('\n', '\n    '))
    if rng.random() < 0.3:
        lines.append('sources: [%s]' % ', '.join(rng.choice(['a', '"b"', '1', 'http://x']) for _ in range(rng.randint(0, 3))))
    if rng.random() < 0.4:
        lines.append('maintainers:')
        for _ in range(rng.randint(1, 2)):
            m = {'name': rng.choice(['n', 'Ann O', '"q"']), 'email': rng.choice(['a@b.c', '1', None]), 'url': rng.choice(['http://u', None])}
            first = True
            for k, v in m.items():
                if v is None:
                    continue
                lines.append(('  - ' if first else '    ') + '%s: %s' % (k, v))
                first = False
    if rng.random() < 0.4:
        lines.append('annotations:')
        for k in rng.sample(['b', 'a', 'artifacthub.io/links', 'z.x/y', '"quoted key"', '1'], rng.randint(1, 3)):
            lines.append('  %s: %s' % (k, scalar(rng).replace('\n', '\n    ')))
    if rng.random() < 0.3:
        lines.append('deprecated: %s' % rng.choice(['true', 'false', '"true"']))
    if rng.random() < 0.2:
        lines.append('unknownField: %s' % scalar(rng))
    if rng.random() < 0.3:
        lines.append('dependencies:')
        lines.append('  - name: sub')
        lines.append('    version: %s' % rng.choice(['0.1.0', '~0.1', '">=0.1.0"', '*']))
        for k in rng.sample(['repository: https://example.com/charts', 'condition: sub.enabled', 'tags: [a, b]', 'alias: al',
                             'import-values: [x]', 'enabled: true', 'repository: "file://../sub"'], rng.randint(0, 3)):
            lines.append('    ' + k)
    values = rng.choice(['', '# only a comment\n', 'a: 1\n# trailing\n', 'a:   1\nb: [1,2]\n\n\n', 'x: "y"\r\n', 'k: v'])
    readme = rng.choice([None, '# Title\n', '', 'no newline'])
    cmd = rng.choice([['show', 'chart'], ['show', 'chart'], ['show', 'values'], ['show', 'all'], ['show', 'readme'],
                      ['show', 'values', '--jsonpath', '{.a}']])
    return json.dumps(['\n'.join(lines) + '\n', values, readme, cmd])


def run(binary, c, d):
    chart, values, readme, cmd = json.loads(c)
    root = d + '/t'
    os.makedirs(root + '/charts/sub')
    open(root + '/Chart.yaml', 'w').write(chart)
    open(root + '/values.yaml', 'w', newline='').write(values)
    if readme is not None:
        open(root + '/README.md', 'w').write(readme)
    open(root + '/charts/sub/Chart.yaml', 'w').write('apiVersion: v2\nname: sub\nversion: 0.1.0\n')
    code, out, err = invoke(binary, cmd + [root], d)
    return code, out, err.replace(d, 'D')


rng = random.Random(int(sys.argv[1]))
compare(sorted({gen(rng) for _ in range(int(sys.argv[2]))}), run, describe)
