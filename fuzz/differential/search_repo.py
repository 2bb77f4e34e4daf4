"""`search repo` over the corpus's big repository index (34,142 bitnami
chart versions) and the corpus index: keywords (names, repo prefixes, words
of descriptions and keywords, odd case), `--regexp` (valid and invalid
patterns), `--version` constraints in every form helm's semver library
takes or refuses, `--versions`, `--devel`, `-o table/json/yaml`,
`--max-col-width` and `--fail-on-no-result`.

Needs ../shared/corpus (its bigindex/ and index.yaml); the repository cache
is unpacked once into a temporary directory that both binaries read."""
import gzip, json, os, random, shutil, subprocess, sys, tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import HELM, RUDDER, compare, describe_tails as describe

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../../shared/corpus')

WORDS = ['redis', 'Redis', 'REDIS', 'bitnami/redis', 'bitnami/', 'corpus/', 'post', 'postgresql', 'sql', 'mongo',
         'kafka', 'nginx', 'prometheus', 'apache', 'database', 'cache', 'web server', 'a', 'x', 'zz-none', 'bitnami/re',
         'wordpress', 'kube', 'operator', 'metrics', 'argo', 'airflow', 'corpus/nginx', 'bitnami/nginx', 'ngin',
         'in', '-', '.', 'etcd', 'mysql', 'maria', 'drupal', 'Bitnami', 'monitoring', 'grafana']
REGEXPS = ['post(gres|gis)', '^bitnami/re', 'redis$', 'n.inx', '[a-c]', 'mongo(db)?', '(', '[z-a]', 'a{2,}', '\\bkafka',
           '(?i)REDIS', 'x*', '^corpus/', 'sql|maria', '\\d', '.*', 'a++', '(?P<n>redis)']


def constraint(rng):
    n = lambda: str(rng.randint(0, 30))
    forms = [lambda: n(), lambda: n() + '.' + n(), lambda: '%s.%s.%s' % (n(), n(), n()), lambda: '~' + n(),
             lambda: '^%s.%s' % (n(), n()), lambda: '>=%s <%s' % (n(), n()), lambda: '>=%s, <%s' % (n(), n()),
             lambda: n() + '.x', lambda: n() + '.*', lambda: '%s - %s' % (n(), n()), lambda: '%s || %s' % (n(), n()),
             lambda: '!=%s.0.0' % n(), lambda: '<' + n(), lambda: '=%s.%s.%s' % (n(), n(), n()), lambda: 'v' + n(),
             lambda: rng.choice(['x', '*', '>>1', 'abc', '1.2.3-0', '>=1.0.0-0', '', ' ', '~1.2.3-rc', '>= 10',
                                 '^0', '^0.0', '1.2.3.4', '>1 <1', '~>2', '=>1', '1 2'])]
    return rng.choice(forms)()


def gen(rng):
    args = ['search', 'repo']
    if rng.random() < 0.15:
        args += ['--regexp', rng.choice(REGEXPS)]
    elif rng.random() < 0.9:
        args.append(rng.choice(WORDS))
    if rng.random() < 0.35:
        args.append(rng.choice(['--versions', '-l']))
    if rng.random() < 0.2:
        args.append('--devel')
    if rng.random() < 0.45:
        args += ['--version', constraint(rng)]
    if rng.random() < 0.3:
        args += ['-o', rng.choice(['table', 'json', 'yaml', 'JSON', 'xml'])]
    if rng.random() < 0.2:
        args += ['--max-col-width', str(rng.choice([0, 1, 5, 10, 30, 200]))]
    if rng.random() < 0.1:
        args.append('--fail-on-no-result')
    return json.dumps(args)


def setup(d):
    cache = os.path.join(d, 'cache')
    os.makedirs(cache)
    with gzip.open(os.path.join(CORPUS, 'bigindex/bitnami-history-index.yaml.gz')) as src, \
            open(os.path.join(cache, 'bitnami-index.yaml'), 'wb') as dst:
        shutil.copyfileobj(src, dst)
    shutil.copy(os.path.join(CORPUS, 'index.yaml'), os.path.join(cache, 'corpus-index.yaml'))
    shutil.copy(os.path.join(CORPUS, 'bigindex/repositories.yaml'), os.path.join(d, 'repositories.yaml'))


def main():
    seed, n = int(sys.argv[1]), int(sys.argv[2])
    if not os.path.isdir(os.path.join(CORPUS, 'bigindex')):
        print('skipped: no ../shared/corpus/bigindex')
        return
    rng = random.Random(seed)
    cases = [gen(rng) for _ in range(n)]
    with tempfile.TemporaryDirectory() as repo:
        setup(repo)

        def render(binary, case, d):
            env = {k: v for k, v in os.environ.items() if not k.startswith('HELM_')}
            env.update(HELM_CACHE_HOME=d + '/c', HELM_CONFIG_HOME=d + '/cf', HELM_DATA_HOME=d + '/d', TZ='UTC',
                       HELM_REPOSITORY_CONFIG=repo + '/repositories.yaml', HELM_REPOSITORY_CACHE=repo + '/cache')
            try:
                p = subprocess.run([binary] + json.loads(case), capture_output=True, text=True, env=env,
                                   errors='replace', timeout=60)
            except subprocess.TimeoutExpired:
                return 'timeout', '', ''
            return p.returncode, p.stdout, p.stderr

        compare(cases, render, describe)


if __name__ == '__main__':
    main()
