"""`dependency list` over charts whose dependencies are present, missing,
of another version, unpacked, misnamed or broken in charts/, with version
constraints of every form and repositories of every kind; `template` of the
same chart (which checks the dependencies too) runs alongside."""
import io, os, sys, random, json, tarfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import invoke, compare, describe_tails as describe

VERSIONS = ['0.1.0', '~0.1.0', '^0.1', '>=0.1.0 <1.0.0', '0.x', '1.0.0', '*', '', '>0.1.0', '0.1.0 || 2.0.0', 'bad']
REPOS = ['https://example.com/charts', 'file://../sub', '@stable', 'oci://r.example/c', '', 'alias:foo']


def gen(rng):
    deps = []
    present = []
    for name in rng.sample(['a', 'b', 'c', 'longer-name'], rng.randint(1, 3)):
        dep = {'name': name, 'version': rng.choice(VERSIONS), 'repository': rng.choice(REPOS)}
        if rng.random() < 0.2:
            dep['alias'] = name + 'x'
        if rng.random() < 0.1:
            del dep['version']
        deps.append(dep)
        r = rng.random()
        if r < 0.25:
            continue  # missing
        form = rng.choice(['tgz', 'tgz', 'dir', 'tgz-other-name', 'broken-tgz', 'dir-no-chart'])
        present.append([name, rng.choice(['0.1.0', '0.1.0', '1.0.0', '0.2.0-rc.1']), form])
    if rng.random() < 0.2:
        present.append(['extra', '0.1.0', 'tgz'])
    lock = rng.random() < 0.2
    return json.dumps([deps, present, lock])


def chart_tgz(name, version, top):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w:gz') as tar:
        data = ('apiVersion: v2\nname: %s\nversion: %s\n' % (name, version)).encode()
        info = tarfile.TarInfo(top + '/Chart.yaml')
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def run(binary, c, d):
    deps, present, lock = json.loads(c)
    root = d + '/p'
    os.makedirs(root + '/charts')
    os.makedirs(root + '/templates')
    open(root + '/Chart.yaml', 'w').write(json.dumps({'apiVersion': 'v2', 'name': 'p', 'version': '0.1.0', 'dependencies': deps}))
    open(root + '/templates/t.yaml', 'w').write('a: 1\n')
    if lock:
        open(root + '/Chart.lock', 'w').write('dependencies: []\ndigest: sha256:0\ngenerated: "2024-01-01T00:00:00Z"\n')
    for name, version, form in present:
        if form == 'tgz':
            open('%s/charts/%s-%s.tgz' % (root, name, version), 'wb').write(chart_tgz(name, version, name))
        elif form == 'tgz-other-name':
            open('%s/charts/%s-%s.tgz' % (root, name, version), 'wb').write(chart_tgz(name + 'z', version, name))
        elif form == 'broken-tgz':
            open('%s/charts/%s-%s.tgz' % (root, name, version), 'wb').write(b'not a gzip')
        elif form == 'dir':
            os.makedirs('%s/charts/%s' % (root, name))
            open('%s/charts/%s/Chart.yaml' % (root, name), 'w').write('apiVersion: v2\nname: %s\nversion: %s\n' % (name, version))
        else:
            os.makedirs('%s/charts/%s' % (root, name))
    a = invoke(binary, ['dependency', 'list', root], d)
    b = invoke(binary, ['template', 'r', root], d)
    out = a[1] + '\n--template--\n' + str(b[0]) + b[1]
    return a[0], out.replace(d, 'D'), (a[2] + b[2]).replace(d, 'D')


rng = random.Random(int(sys.argv[1]))
compare(sorted({gen(rng) for _ in range(int(sys.argv[2]))}), run, describe)
