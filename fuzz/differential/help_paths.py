#!/usr/bin/env python3
"""Help routing: command lines that ask for help (`-h`, `--help`,
`--help=true`, `help TOPIC`, a command group alone) among global flags,
aliases, mistyped or unknown commands, unknown flags, extra words and
`--help=false`. helm's output is compared after the renaming
testdata/help/regen.py applies (helm -> rudder where it names the command);
the lines of helm's `plugin` and `search hub`, which rudder lacks, are
dropped, and command lines naming those are not generated.

usage: help_paths.py SEED N
"""
import importlib.util, os, random, sys
from harness import compare, invoke

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "regen", os.path.join(HERE, "../../testdata/help/regen.py"))
regen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(regen)
rename = regen.rename

PATHS = [[], ["template"], ["install"], ["upgrade"], ["show"], ["show", "values"], ["show", "inspect"],
         ["inspect", "chart"], ["repo"], ["repo", "add"], ["repo", "index"], ["dependency"], ["dep", "build"],
         ["get"], ["get", "values"], ["search", "repo"], ["registry", "login"], ["uninstall"], ["del"],
         ["ls"], ["list"], ["history"], ["hist"], ["pull"], ["fetch"], ["push"], ["completion"],
         ["completion", "zsh"], ["env"], ["version"], ["lint"], ["package"], ["verify"], ["rollback"],
         ["status"], ["test"], ["create"]]
TYPOS = ["templat", "tmplate", "instal", "lis", "s", "re", "shw", "Template", "x", "upgrad", "depend", "hepl"]
GLOBALS = [["--debug"], ["-n", "ns"], ["--namespace=ns"], ["--kube-context", "c"], ["--burst-limit", "5"],
           ["--qps=2"], ["--kube-as-group", "g"]]
NOISE = [["-h"], ["--help"], ["--help=true"], ["--help=false"], ["--help=1"], ["word"], ["--badflag"],
         ["-Z"], ["--"], ["--debug"], ["-n", "x"], ["extra", "args"]]


def gen(rng):
    argv = []
    for _ in range(rng.randint(0, 2)):
        argv += rng.choice(GLOBALS)
    r = rng.random()
    if r < 0.15:
        argv += ["help"] + rng.choice(PATHS + [[t] for t in TYPOS])
    elif r < 0.3:
        argv += [rng.choice(TYPOS)]
    else:
        argv += rng.choice(PATHS)
    for _ in range(rng.randint(0, 3)):
        argv += rng.choice(NOISE)
    if not any(a in ("-h", "--help", "--help=true", "--help=1", "help") for a in argv) and rng.random() < 0.7:
        argv.insert(rng.randint(0, len(argv)), rng.choice(["-h", "--help"]))
    return argv


def strip(text):
    return "".join(l for l in text.splitlines(True)
                   if not l.startswith("  plugin      ") and not l.startswith("  hub         "))


def render(binary, argv, d):
    code, out, err = invoke(binary, argv, d)
    if "rudder" not in binary:
        out, err = strip(rename(out)), strip(rename(err))
    # the homes are per run
    return code, out.replace(d, "$HOME"), err.replace(d, "$HOME")


def main():
    seed, n = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    cases = [gen(rng) for _ in range(n)]
    # commands that would run for real without help are not compared
    safe = [c for c in cases if any(a in ("-h", "--help", "--help=true", "--help=1") for a in c)
            or (c and c[0] == "help") or any(t in c for t in TYPOS)]
    compare(safe, render, describe)


def describe(case, h, r):
    print("DIFF", repr(case), "exit", h[0], r[0])
    for name, a, b in (("stdout", h[1], r[1]), ("stderr", h[2], r[2])):
        if a != b:
            al, bl = a.splitlines(), b.splitlines()
            i = next((i for i, (x, y) in enumerate(zip(al, bl)) if x != y), min(len(al), len(bl)))
            print(f"  {name} line {i + 1}: helm {al[i:i + 2]!r}")
            print(f"  {name} line {i + 1}: rudder {bl[i:i + 2]!r}")


main()
