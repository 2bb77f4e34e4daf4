import os, sys, random, json
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import invoke, compare, describe_tails as describe
def gen(rng):
    subs = []
    deps = []
    for i in range(rng.randint(1, 3)):
        name = ['sub', 'lib', 'other'][i]
        dep = {'name': name, 'version': '0.1.0'}
        if rng.random() < 0.3: dep['condition'] = rng.choice(['%s.enabled' % name, 'flags.%s' % name, 'missing.flag', '%s.enabled,flags.x' % name])
        if rng.random() < 0.3: dep['tags'] = rng.sample(['front', 'back', 'x'], rng.randint(1, 2))
        if rng.random() < 0.25: dep['alias'] = rng.choice(['al', 'al2', name + 'x'])
        if rng.random() < 0.3: dep['import-values'] = rng.choice([['data'], [{'child': 'data', 'parent': 'imported'}], [{'child': 'data.k', 'parent': 'imp.k'}], ['missing'], [{'child': 'exports.data', 'parent': 'e'}]])
        if rng.random() < 0.15: dep['enabled'] = rng.choice([True, False])
        deps.append(dep)
        sv = {'local': rng.choice([1, 'x', None, {'a': 1}]), 'enabled': rng.choice([True, False]), 'global': rng.choice([{'g': 'sub'}, {}, {'shared': {'b': 2}}]),
              'exports': {'data': {'k': 'exported'}} if rng.random() < 0.5 else None, 'data': {'k': 'child', 'n': rng.choice([1, None])}, 'list': [1, 2]}
        sv = {k: v for k, v in sv.items() if v is not None or rng.random() < 0.5}
        subs.append((name, sv, rng.choice(['application', 'library'] if i > 0 else ['application'])))
    pv = {'global': rng.choice([{'g': 'parent', 'shared': {'a': 1}}, {}, None, {'g': None}]),
          'flags': {s[0]: rng.choice([True, False, 'yes', None]) for s in subs},
          'tags': rng.choice([{}, {'front': False}, {'back': True, 'front': True}, None]),
          'imported': rng.choice([None, {'k': 'parent'}, 'scalar']), 'imp': rng.choice([None, {'k': 'p'}])}
    for s in subs:
        if rng.random() < 0.5:
            target = rng.choice([s[0], 'al', 'al2'])
            pv[target] = rng.choice([{'local': 'fromparent', 'enabled': rng.choice([True, False])}, {'list': None}, {'data': {'k': None}}, 'scalar', None, {'global': {'g': 'override'}}])
    pv = {k: v for k, v in pv.items() if v is not None or rng.random() < 0.5}
    sets = rng.choice([[], ['--set', 'global.g=cli'], ['--set', 'sub.enabled=true'], ['--set', 'tags.front=true'], ['--set', 'sub.local=null'], ['--set', 'flags.sub=false']])
    return json.dumps([deps, subs, pv, sets])
def run(binary, c, d):
    deps, subs, pv, sets = json.loads(c)
    root = d + '/p'
    os.makedirs(root + '/templates')
    open(root + '/Chart.yaml', 'w').write(json.dumps({'apiVersion': 'v2', 'name': 'p', 'version': '0.1.0', 'dependencies': deps}))
    open(root + '/values.yaml', 'w').write(json.dumps(pv))
    open(root + '/templates/p.yaml', 'w').write('p: {{ .Values | toJson | b64enc }}\n')
    for name, sv, typ in subs:
        sd = root + '/charts/' + name
        os.makedirs(sd + '/templates')
        open(sd + '/Chart.yaml', 'w').write(json.dumps({'apiVersion': 'v2', 'name': name, 'version': '0.1.0', 'type': typ}))
        open(sd + '/values.yaml', 'w').write(json.dumps(sv))
        open(sd + '/templates/%s.yaml' % name, 'w').write('%s: {{ .Values | toJson | b64enc }}\nchart: {{ .Chart.Name }}\n' % name)
    code, out, err = invoke(binary, ["template", "t", root] + sets, d)
    return code, out, err.replace(d, 'D')
rng = random.Random(int(sys.argv[1]))
compare(sorted({gen(rng) for _ in range(int(sys.argv[2]))}), run, describe)
