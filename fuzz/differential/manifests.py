"""Rendered manifests as `template` splits, sorts and prints them: documents
with odd separators, comments and blank lines, kinds of helm's install order
and unknown ones, hook annotations, tests, CRDs, with --show-only,
--skip-tests, --no-hooks, --include-crds and --is-upgrade."""
import os, sys, random, json
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import invoke, compare, describe_tails as describe

KINDS = ['Namespace', 'ConfigMap', 'Secret', 'Service', 'Deployment', 'Job', 'CronJob', 'ServiceAccount',
         'ClusterRole', 'RoleBinding', 'CustomResourceDefinition', 'Ingress', 'APIService', 'Pod',
         'StatefulSet', 'Widget', 'configmap', 'List', 'PriorityClass', 'NetworkPolicy', 'HorizontalPodAutoscaler']
HOOKS = ['pre-install', 'post-install', 'pre-upgrade', 'post-upgrade', 'pre-delete', 'test', 'test-success',
         'pre-install,post-upgrade', 'post-install, pre-upgrade', 'bogus', '', 'crd-install', 'pre-rollback']
SEPS = ['---\n', '---\n', '\n---\n', '--- \n', '---  \n', '---\n\n', '---  # c\n', '----\n', ' ---\n',
        '---', '\n\n---\n', '---\t\n', '--- x: 1\n', '...\n---\n', '---\r\n']
LEAD = ['', '', '\n', '# lead comment\n', '  \n', '\n\n', '# a\n# b\n']


def doc(rng):
    r = rng.random()
    if r < 0.05:
        return rng.choice(['', '# only a comment', '   ', 'null', '{}', 'x: [1', 'plain', '- a\n- b', '"str"'])
    lines = []
    if rng.random() < 0.9:
        lines.append('apiVersion: %s' % rng.choice(['v1', 'apps/v1', 'batch/v1', 'x/v1']))
    if rng.random() < 0.93:
        lines.append('kind: %s' % rng.choice(KINDS))
    lines.append('metadata:')
    lines.append('  name: %s' % rng.choice(['a', 'b', 'c', 'zz', 'a-1']))
    if rng.random() < 0.4:
        lines.append('  annotations:')
        lines.append('    "helm.sh/hook": %s' % json.dumps(rng.choice(HOOKS)))
        if rng.random() < 0.5:
            lines.append('    helm.sh/hook-weight: %s' % json.dumps(rng.choice(['1', '-5', 'x', '10', '0'])))
        if rng.random() < 0.3:
            lines.append('    helm.sh/hook-delete-policy: before-hook-creation')
    if rng.random() < 0.3:
        lines.append('data:\n  k: %s' % rng.choice(['v', '"---"', '|\n    ---\n    x', '"a\\nb"']))
    if rng.random() < 0.2:
        lines.insert(rng.randint(0, len(lines)), '# inner comment')
    return '\n'.join(lines) + rng.choice(['', '\n', '\n\n'])


def gen(rng):
    files = {}
    for i in range(rng.randint(1, 4)):
        name = rng.choice(['a.yaml', 'b.yaml', 'c.yml', 'tests/t.yaml', 'z.txt', 'sub/d.yaml', 'NOTES.txt', '_h.tpl', 'e.json'])
        parts = [rng.choice(LEAD)]
        for j in range(rng.randint(0, 4)):
            if j or rng.random() < 0.5:
                parts.append(rng.choice(SEPS))
            parts.append(doc(rng))
        files[name] = ''.join(parts)
    crds = {}
    if rng.random() < 0.3:
        crds[rng.choice(['c.yaml', 'sub/c.yaml', 'c.json', 'c.txt'])] = rng.choice(['---\napiVersion: v1\nkind: CustomResourceDefinition\nmetadata:\n  name: w\n', 'kind: X\n---\nkind: Y\n', '# c\n', ''])
    flags = []
    for f, p in [('--skip-tests', 0.2), ('--no-hooks', 0.2), ('--include-crds', 0.3), ('--is-upgrade', 0.15)]:
        if rng.random() < p:
            flags.append(f)
    if rng.random() < 0.25:
        for _ in range(rng.randint(1, 2)):
            flags += ['-s', rng.choice(['templates/' + n for n in files] + ['templates/missing.yaml', 'crds/c.yaml', 't/templates/a.yaml'])]
    return json.dumps([files, crds, flags], sort_keys=True)


def run(binary, c, d):
    files, crds, flags = json.loads(c)
    root = d + '/t'
    for name, text in files.items():
        os.makedirs(os.path.dirname(root + '/templates/' + name), exist_ok=True)
        open(root + '/templates/' + name, 'w').write(text)
    for name, text in crds.items():
        os.makedirs(os.path.dirname(root + '/crds/' + name), exist_ok=True)
        open(root + '/crds/' + name, 'w').write(text)
    open(root + '/Chart.yaml', 'w').write('apiVersion: v2\nname: t\nversion: 0.1.0\n')
    code, out, err = invoke(binary, ['template', 'r', root] + flags, d)
    return code, out, err.replace(d, 'D')


rng = random.Random(int(sys.argv[1]))
compare(sorted({gen(rng) for _ in range(int(sys.argv[2]))}), run, describe)
