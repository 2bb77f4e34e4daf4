#!/usr/bin/env python3
"""The linker command for x86_64 Linux builds (see .cargo/config.toml): `cc`,
with layout/symbol-order.txt matched to the names the objects really have.

build.rs hands lld the list of functions typical runs execute
(`--symbol-ordering-file`, see build.rs) so that they sit together in the
binary. lld matches names exactly, but about 550 of the ~3,700 names are
ThinLTO's promoted local functions, named `<mangled>.llvm.<number>`, and that
number changes with any change to the code and with the checkout path: a
build in another directory missed ~280 names, each costing up to 64 KiB of
resident code (airflow's peak grew by ~0.5 MiB). Here a listed name that no
object defines is replaced by the defined names that differ from it only in
that suffix, so the list made in one checkout serves any other.

Anything unexpected (no list on the command line, no `nm`, an unreadable
object) links with the arguments unchanged: the layout only affects speed
and memory, never behaviour. `RUDDER_LINKER` names the real linker (`cc`).

The same link (the one carrying the list: build.rs passes it to the `rudder`
binary only) also takes glibc in statically, as rustc does for
`-C target-feature=+crt-static`, which cargo cannot ask for the binary alone
(the flag also reaches proc-macro crates, which then fail to build). A
dynamically linked rudder had ~1.9 MiB of libc, libm, libgcc_s and the
dynamic loader resident in every run (fault-around maps 64 KiB per fault)
and spent ~0.5-1 ms of every start in the dynamic loader; static, a run
peaks 1.0-1.4 MiB lower and starts ~0.7 ms sooner. Without a static glibc
(`cc -print-file-name=libc.a` finds none, e.g. Fedora without
glibc-static), with `RUDDER_LINK_DYNAMIC=1`, or when the static link
fails, it links dynamically as before. Name lookups stay glibc's (files and DNS are built into libc since
2.34); other NSS modules are loaded from the glibc the binary was built
against, so a binary built here is meant to run on this system.
"""
import os
import re
import subprocess
import sys
import tempfile

ORDER_FLAG = '-Wl,--symbol-ordering-file='
SUFFIX = re.compile(r'\.llvm\.\d+$')


def expand(args):
    """The arguments with `@file` response files read in (rustc uses one
    when the command line is long), as a flat list."""
    out = []
    for a in args:
        if a.startswith('@') and os.path.isfile(a[1:]):
            with open(a[1:]) as f:
                out.extend(unquote(line) for line in f.read().splitlines() if line)
        else:
            out.append(a)
    return out


def unquote(line):
    # rustc writes one argument per line, backslash-escaping `\` and `"`.
    if len(line) >= 2 and line[0] == line[-1] == '"':
        line = line[1:-1]
    return re.sub(r'\\(.)', r'\1', line)


def defined_names(objects):
    names = set()
    for i in range(0, len(objects), 200):
        p = subprocess.run(['nm', '--defined-only', '-P'] + objects[i:i + 200],
                           capture_output=True, text=True, check=True)
        for line in p.stdout.splitlines():
            name = line.split(' ', 1)[0]
            if name and not name.endswith(':'):
                names.add(name)
    return names


def resolved_order(order_path, objects):
    names = defined_names(objects)
    by_stem = {}
    for n in names:
        stem = SUFFIX.sub('', n)
        if stem != n:
            by_stem.setdefault(stem, []).append(n)
    out = []
    with open(order_path) as f:
        for line in f.read().splitlines():
            if line in names or not SUFFIX.search(line):
                out.append(line)
            else:
                out.extend(sorted(by_stem.get(SUFFIX.sub('', line), [])))
    return out


def with_rust_lld(args, flat):
    """rustc links with the toolchain's own lld only when it runs the default
    linker itself: ask for it here too (`-fuse-ld=lld` and its `gcc-ld`
    directory, found next to the standard library the link uses)."""
    if any(a.startswith('-fuse-ld=') for a in flat):
        return args
    for a in flat:
        m = re.match(r'(.*)/lib/rustlib/([^/]+)/lib/', a)
        if m:
            gcc_ld = f'{m.group(1)}/lib/rustlib/{m.group(2)}/bin/gcc-ld'
            if os.path.isfile(os.path.join(gcc_ld, 'ld.lld')):
                return ['-B' + gcc_ld, '-fuse-ld=lld'] + args
            break
    return args


def static_libs_available(real):
    """Whether `real` can link glibc and libgcc's unwinder statically."""
    for lib in ('libc.a', 'libgcc_eh.a'):
        try:
            p = subprocess.run([real, f'-print-file-name={lib}'], capture_output=True,
                               text=True, check=True)
        except (OSError, subprocess.CalledProcessError):
            return False
        if not os.path.isabs(p.stdout.strip()):
            return False
    return True


def static_form(arg):
    """What replaces `arg` of a dynamically linked executable's link in
    rustc's link of the same objects with `+crt-static` (`None`: `arg`
    itself): libgcc's static unwinder for libgcc_s, no switch back to
    shared libraries, no PIE."""
    if arg == '-lgcc_s':
        return ['-lgcc_eh', '-lgcc', '-lc']
    if arg in ('-Wl,-Bdynamic', '-pie', '-no-pie'):
        return []
    return None


def statically(args):
    """`args` with `static_form` applied, linked `-static -no-pie`."""
    out = []
    for a in args:
        form = static_form(a)
        out += [a] if form is None else form
    return out + ['-static', '-no-pie']


def static_rsp(text):
    """A response file's text with `static_form` applied to its lines."""
    kept = []
    for line in text.splitlines():
        if line:
            form = static_form(unquote(line))
            kept += [line] if form is None else form
    return '\n'.join(kept) + '\n'


def temp_file(temps, prefix, suffix, text):
    """A new temporary file holding `text` (its path noted in `temps`)."""
    fd, path = tempfile.mkstemp(prefix=prefix, suffix=suffix)
    temps.append(path)
    with os.fdopen(fd, 'w') as f:
        f.write(text)
    return path


def main():
    real = os.environ.get('RUDDER_LINKER', 'cc')
    args = sys.argv[1:]
    flat = expand(args)
    args = with_rust_lld(args, flat)
    orders = [a for a in flat if a.startswith(ORDER_FLAG)]
    if len(orders) != 1:
        os.execvp(real, [real] + args)
    static = os.environ.get('RUDDER_LINK_DYNAMIC', '') in ('', '0') \
        and '-lgcc_s' in flat and static_libs_available(real)
    order_path = orders[0][len(ORDER_FLAG):]
    objects = [a for a in flat if a.endswith('.o') and os.path.isfile(a)]
    temps = []
    try:
        lines = resolved_order(order_path, objects)
        resolved = temp_file(temps, 'rudder-order-', '.txt', '\n'.join(lines) + '\n')
        new_args = []
        static_args = []
        for a in args:
            s_a = a
            if a.startswith(ORDER_FLAG):
                a = s_a = ORDER_FLAG + resolved
            elif a.startswith('@') and os.path.isfile(a[1:]):
                with open(a[1:]) as f:
                    text = f.read()
                if ORDER_FLAG in text:
                    # The same response file with only the list's path changed.
                    text = text.replace(ORDER_FLAG + order_path, ORDER_FLAG + resolved)
                    a = s_a = '@' + temp_file(temps, 'rudder-link-', '.rsp', text)
                if static:
                    # And with the libraries linked statically.
                    s_a = '@' + temp_file(temps, 'rudder-link-', '.rsp', static_rsp(text))
            new_args.append(a)
            static_args.append(s_a)
    except (OSError, subprocess.CalledProcessError, UnicodeDecodeError):
        new_args = args
        static = False
    code = 1
    if static:
        code = subprocess.run([real] + statically(static_args)).returncode
        if code != 0:
            # Whatever made the static link fail (a partial static glibc),
            # the binary still links as it did before.
            print('layout/link.py: the static link failed; linking dynamically',
                  file=sys.stderr)
    if not static or code != 0:
        code = subprocess.run([real] + new_args).returncode
    for t in temps:
        os.unlink(t)
    sys.exit(code)


if __name__ == '__main__':
    main()
