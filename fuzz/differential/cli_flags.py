"""`template`'s own flags and arguments: release names and name templates,
--generate-name, --namespace, --kube-version and --api-versions in their
accepted and rejected forms, --is-upgrade, --output-dir (the files written
are compared too), --show-only and the deprecated or cluster-only flags,
over a chart whose templates print .Release and .Capabilities."""
import os, sys, random, json
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import invoke, compare, describe_tails as describe

TEMPLATE = '''apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}
  namespace: {{ .Release.Namespace }}
data:
  release: {{ .Release | toJson | quote }}
  kube: {{ .Capabilities.KubeVersion | toJson | quote }}
  kubeVersion: {{ .Capabilities.KubeVersion.Version | quote }}
  major: {{ .Capabilities.KubeVersion.Major | quote }}
  minor: {{ .Capabilities.KubeVersion.Minor | quote }}
  gitVersion: {{ .Capabilities.KubeVersion.GitVersion | quote }}
  has: {{ .Capabilities.APIVersions.Has "x.io/v1" | quote }}
  hasKind: {{ .Capabilities.APIVersions.Has "x.io/v1/Widget" | quote }}
  hasApps: {{ .Capabilities.APIVersions.Has "apps/v1/Deployment" | quote }}
  semver: {{ semverCompare ">=1.25.0-0" .Capabilities.KubeVersion.Version | quote }}
  template: {{ .Template.Name }} {{ .Template.BasePath }}
'''

NAMES = ['r', 'my-release', 'UPPER', 'a.b', 'x' * 54, 'x' * 53, '-bad', 'bad-', 'with_underscore', '1abc', '']
KUBE = ['1.20', 'v1.20.3', '1.20.3-gke.1', '1.25.0+k3s1', 'abc', '1', 'v1', '1.2.3.4', '', '1.x', 'v2.0.0-rc.1', '0.1.0', '1.37']
APIS = ['x.io/v1', 'x.io/v1/Widget', 'apps/v1/Deployment', 'a,b', 'monitoring.coreos.com/v1', 'v1', '']
BOOL_VALUES = ['true', 'false', '1', '0', 'T', 'F', 'TRUE', 'False', 'yes', '', 'tRue']
NAME_TEMPLATES = ['{{ "fixed" }}', 'n-{{ .Foo }}', '{{ "UP" }}', '{{', '']


def gen(rng):
    args = []
    r = rng.random()
    if r < 0.15:
        args += [rng.choice(['-g', '-g', '-g=true', '-g=0', '--generate-name=T'])]
    elif r < 0.3:
        args += ['--name-template', rng.choice(NAME_TEMPLATES)]
    elif r < 0.4:
        args += ['--release-name']
    else:
        args += [rng.choice(NAMES)]
    args += ['CHART']
    if rng.random() < 0.2:
        args += [rng.choice(NAMES)]  # a surplus argument
    if rng.random() < 0.4:
        args += ['--namespace', rng.choice(['ns', 'default', 'UP', ''])]
    if rng.random() < 0.4:
        args += ['--kube-version', rng.choice(KUBE)]
    for _ in range(rng.choice([0, 0, 1, 2])):
        args += [rng.choice(['--api-versions', '-a']), rng.choice(APIS)]
    for f, p in [('--is-upgrade', 0.2), ('--skip-tests', 0.1), ('--no-hooks', 0.1), ('--include-crds', 0.1),
                 ('--dry-run', 0.08), ('--dry-run=client', 0.05), ('--dry-run=server', 0.03), ('--validate', 0.03),
                 ('--create-namespace', 0.05), ('--atomic', 0.03), ('--wait', 0.03), ('--devel', 0.05),
                 ('--disable-openapi-validation', 0.03), ('--replace', 0.03), ('--skip-crds', 0.05)]:
        if rng.random() < p:
            if '=' not in f and f not in ('--dry-run', '--wait') and rng.random() < 0.3:
                # a Go bool flag takes `=VALUE` (strconv.ParseBool)
                f += '=' + rng.choice(BOOL_VALUES)
            args.append(f)
    if rng.random() < 0.15:
        args += ['--output-dir', rng.choice(['out', 'out/nested', ''])]
    if rng.random() < 0.15:
        args += ['-s', rng.choice(['templates/cm.yaml', 'templates/nope.yaml', 'templates/', 'cm.yaml'])]
    return json.dumps(args)


def run(binary, c, d):
    args = json.loads(c)
    root = d + '/t'
    os.makedirs(root + '/templates')
    open(root + '/Chart.yaml', 'w').write('apiVersion: v2\nname: t\nversion: 0.1.0\n')
    open(root + '/templates/cm.yaml', 'w').write(TEMPLATE)
    args = [root if a == 'CHART' else a for a in args]
    code, out, err = invoke(binary, ['template'] + args, d, cwd=d)
    written = []
    for base, _, files in sorted(os.walk(d)):
        for f in sorted(files):
            p = os.path.join(base, f)
            if '/out' in p:
                written.append((os.path.relpath(p, d), open(p).read()))
    return code, out + json.dumps(written), err.replace(d, 'D')


rng = random.Random(int(sys.argv[1]))
compare(sorted({gen(rng) for _ in range(int(sys.argv[2]))}), run, describe)
