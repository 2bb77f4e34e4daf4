#!/usr/bin/env python3
"""Regenerates rudder's help texts and help goldens from the real helm.

usage: testdata/help/regen.py [HELM]   (default /work/helm-bin/helm)

Runs `helm [COMMAND...] --help` for every command of helm's tree, with a
fixed environment (HOME=/home/user, no HELM_* or XDG_* variables), and
rewrites helm's name where it names the command (`helm repo add`,
`source <(helm completion bash)`) to `rudder`; the ecosystem's name (Helm),
its directories (`~/.cache/helm`) and phrases about helm's own records
("helm annotations") stay. It writes:

- goldens/<command_path>.txt: what `rudder [COMMAND...] --help` prints
  under the same environment (checked by tests/it/help.rs);
- ../../src/cli/help_texts.rs: per command, the text above the usage
  (cobra's Long, or the Short when there is none), the arguments of the
  usage line, the examples and helm's usage text of each flag, which the
  help renderer prints; which flags a command has (their names, types and
  shorthands), aliases and subcommands come from rudder's own definitions.
"""
import json, os, re, subprocess, sys

HELM = sys.argv[1] if len(sys.argv) > 1 and __name__ == '__main__' else '/work/helm-bin/helm'
HERE = os.path.dirname(os.path.abspath(__file__))
GOLDENS = os.path.join(HERE, 'goldens')
TEXTS = os.path.join(HERE, '..', '..', 'src', 'cli', 'help_texts.rs')

ENV = {k: v for k, v in os.environ.items()
       if not k.startswith(('HELM_', 'XDG_', 'KUBE')) and k not in ('HOME', 'GNUPGHOME', 'NO_COLOR')}
ENV['HOME'] = '/home/user'
ENV['TERM'] = 'dumb'

# `helm` is the command's name unless it is part of a path, a URL or file
# name, or one of these phrases about helm's own data.
HOME_DIRS = ('.cache/', '.config/', 'share/', 'Caches/', 'Preferences/', 'Library/', '%TEMP%\\', '%APPDATA%\\')
KEEP_AFTER = (' annotations', ' operations', ' release history')


def rename(text):
    def sub(m):
        before = text[max(0, m.start() - 1):m.start()]
        after = text[m.end():m.end() + 20]
        if before in ('.', '$', '-') and not after.startswith(('\n', ' ')):
            return m.group(0)
        if text[:m.start()].endswith(HOME_DIRS):
            return m.group(0)
        if after.startswith(('/', '.sh')):
            return m.group(0)
        if after.startswith(KEEP_AFTER):
            return m.group(0)
        return 'rudder'
    return re.sub(r'(?<![A-Za-z0-9])helm(?![A-Za-z0-9-])', sub, text)


def help_of(path):
    p = subprocess.run([HELM] + path + ['--help'], env=ENV, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f'helm {" ".join(path)} --help failed: {p.stderr}')
    return p.stdout


def tree(path):
    out = help_of(path)
    found = [(path, out)]
    m = re.search(r'\nAvailable Commands:\n((?:  .*\n)+)', out)
    if m:
        for line in m.group(1).splitlines():
            name = line.split()[0]
            if name != 'help':
                found += tree(path + [name])
    return found


def parts(path, out):
    """(head, use_args, examples) of one help output."""
    head, _, rest = out.partition('Usage:\n')
    head = head[:-2] if head.endswith('\n\n') else head
    usage = rest.split('\n', 1)[0].strip()
    cmd = ' '.join(['helm'] + path)
    use_args = None
    if usage != cmd + ' [command]':
        assert usage.startswith(cmd), (usage, cmd)
        use_args = usage[len(cmd):]
        if use_args.endswith(' [flags]'):
            use_args = use_args[:-len(' [flags]')]
        use_args = use_args.strip()
    examples = ''
    # cobra's Example section follows the usage line (and aliases); an
    # "Examples:" inside the long text above it is part of that text.
    m = re.search(r'\n\nExamples:\n(.*?)\n\n(?:Available Commands|Flags|Global Flags):', rest, re.S)
    if m:
        examples = m.group(1)
    return rename(head), use_args, rename(examples)


# Flags whose default helm computes from the environment; the renderer
# computes it too, so the generated usage text stops before it.
ENVIRONMENT_DEFAULTS = ('content-cache', 'registry-config', 'repository-cache',
                        'repository-config', 'keyring')
FLAG_RE = re.compile(r'^  (?:-., |    )--([A-Za-z0-9-]+)')


def flag_usages(out):
    """(flag name, usage text) of every flag listed in `Flags:` (first) and
    `Global Flags:` (second) of one help output."""
    sections = []
    for title in ('Flags', 'Global Flags'):
        m = re.search(r'(?:^|\n)' + title + r':\n(.*?)(?:\n\n|$)', out, re.S)
        found = []
        if m:
            lines = m.group(1).split('\n')
            heads = []
            for line in lines:
                fm = FLAG_RE.match(line)
                if not fm:
                    continue
                end = fm.end()
                # an optional type (and NoOptDefVal) after one space
                if line[end:end + 1] == ' ' and line[end + 1:end + 2] != ' ':
                    end = line.index(' ', end + 1) if ' ' in line[end + 1:] else len(line)
                heads.append(end)
            col = max(heads) + 3
            for line in lines:
                fm = FLAG_RE.match(line)
                if fm:
                    found.append([fm.group(1), line[col:]])
                elif found:
                    found[-1][1] += '\n' + line[col:]
        for f in found:
            if f[0] in ENVIRONMENT_DEFAULTS:
                f[1] = re.sub(r' \(default "[^"]*"\)$', '', f[1])
        sections.append([(n, rename(u)) for n, u in found])
    return sections


def rust_str(s):
    hashes = '#'
    while '"' + hashes in s:
        hashes += '#'
    return f'r{hashes}"{s}"{hashes}'


# Command lines that show help, or fail near it, in other ways: checked by
# tests/it/help.rs against cases/<n>.{out,err,code}.
CASES = [
    [], ['-h'], ['--help'], ['show'], ['repo'], ['repo', 'foo'], ['dependency'],
    ['help'], ['help', 'template'], ['help', 'repo', 'add'], ['help', 'repo', 'foo'],
    ['help', 'foo'], ['help', 'foo', 'bar'], ['--debug', 'help', 'lint'],
    ['templat'], ['Template'], ['lis'], ['s'], ['temp'], ['xyz'],
    ['template', '-h'], ['template', 'x', 'y', 'z', '--help'], ['repo', 'add', '--help'],
    ['-n', 'ns', 'show', 'values', '--help'], ['show', 'values', '-h', '--badflag'],
    ['show', '--badflag'], ['uninstall', '-h'], ['del', '--help'], ['hist', '-h'],
    ['get', 'values', '--help'], ['completion', 'bash', '--help'], ['create', '--help=false'],
    # cobra finds the command before the help flag exists: it takes a word
    ['--help', 'install'], ['-h', 'list', 'word'], ['--burst-limit', '--help', '5', 'templat'],
    ['show', 'inspect', '-h', '--badflag'], ['-n', 'ns', 'repo', '--help', 'index'],
    ['help', '--help'], ['help', 'rollback', '-Z'], ['--qps=2', 'help', 'upgrad', '-n', 'x'],
    ['install', '-n', '--help', 'x'], ['completion', 'zsh', '--help=1', 'word'],
    ['--badflag'], ['repo', '-h', '--help=false'], ['list', 'extra'], ['dependency', 'build', 'a', 'b'],
    ['lint'], ['lint', '--strict', '--kube-version', 'bad'],
    ['completion', 'zsh', 'word'], ['completion', 'bash', '--', '--debug'],
    ['-h', 'completion', 'zsh', '--', '--debug'], ['template', '-n', 'x', '--debug'],
]
CASES_DIR = os.path.join(HERE, 'cases')


def write_cases():
    os.makedirs(CASES_DIR, exist_ok=True)
    for f in os.listdir(CASES_DIR):
        os.remove(os.path.join(CASES_DIR, f))
    with open(os.path.join(CASES_DIR, 'argv.json'), 'w') as f:
        json.dump(CASES, f, indent=0)
        f.write('\n')
    for n, argv in enumerate(CASES):
        p = subprocess.run([HELM] + argv, env=ENV, capture_output=True, text=True)
        base = os.path.join(CASES_DIR, str(n))
        for ext, data in (('out', rename(p.stdout)), ('err', rename(p.stderr)), ('code', f'{p.returncode}\n')):
            with open(f'{base}.{ext}', 'w') as f:
                f.write(data)


def main():
    write_cases()
    os.makedirs(GOLDENS, exist_ok=True)
    for f in os.listdir(GOLDENS):
        os.remove(os.path.join(GOLDENS, f))
    entries = []
    usages = []
    for path, out in tree([]) + [(['help'], help_of(['help']))]:
        local, inherited = flag_usages(out)
        usages += [(' '.join(path), n, u) for n, u in local if n != 'help']
        if not path:
            usages += [('', n, u) for n, u in inherited]
        name = '_'.join(path) or 'root'
        with open(os.path.join(GOLDENS, name + '.txt'), 'w') as f:
            f.write(rename(out))
        head, use_args, examples = parts(path, out)
        entries.append((' '.join(path), head, use_args, examples))
    lines = [
        '//! Generated by testdata/help/regen.py from the help output of helm 4.3.1;',
        '//! do not edit. Per command path: the text above the usage line, the',
        '//! arguments of the usage line (`None`: not runnable) and the examples.',
        '',
        'pub struct HelpText {',
        '    pub path: &\'static str,',
        '    pub head: &\'static str,',
        '    pub use_args: Option<&\'static str>,',
        '    pub examples: &\'static str,',
        '}',
        '',
        'pub const HELP_TEXTS: &[HelpText] = &[',
    ]
    for path, head, use_args, examples in entries:
        ua = 'None' if use_args is None else f'Some({rust_str(use_args)})'
        lines += [
            '    HelpText {',
            f'        path: {rust_str(path)},',
            f'        head: {rust_str(head)},',
            f'        use_args: {ua},',
            f'        examples: {rust_str(examples)},',
            '    },',
        ]
    lines.append('];')
    lines += [
        '',
        '/// (command path, flag, usage text with its default): helm\'s words for',
        '/// each flag; the root\'s entries are the global flags.',
        'pub const FLAG_USAGES: &[(&str, &str, &str)] = &[',
    ]
    for path, name, usage in usages:
        lines.append(f'    ({rust_str(path)}, {rust_str(name)}, {rust_str(usage)}),')
    lines.append('];')
    with open(TEXTS, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print(f'{len(entries)} commands')


if __name__ == '__main__':
    main()
