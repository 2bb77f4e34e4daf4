#!/usr/bin/env python3
"""Mutation fuzz of template text: random edits of valid bodies, compare errors."""
import random, sys
import os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from control import body, run, describe
from harness import compare
PIECES = ['{{', '}}', '{{-', '-}}', ' ', '"', '`', "'", '(', ')', '|', ':=', '=', '$', '.', ',', 'end', 'else', 'if', 'range', 'with', 'define', 'template', 'block', 'break', 'continue', '/*', '*/', '\n', '\\', '$x', '.Values', 'nil', '1.2.3', '0x', '1e', '-', '"\\q"', "'ab'", '@', '#', '{{end}}', '{{else}}', 'and', 'not', '$.', '..', 'a.b', '.1']
def mutate(rng, b):
    for _ in range(rng.randint(1, 3)):
        op = rng.random()
        i = rng.randint(0, len(b))
        if op < 0.4 and b:
            j = min(len(b), i + rng.randint(1, 4))
            b = b[:i] + b[j:]
        elif op < 0.8:
            b = b[:i] + rng.choice(PIECES) + b[i:]
        else:
            j = min(len(b), i + rng.randint(1, 3))
            b = b[:i] + rng.choice(PIECES) + b[j:]
    return b
def main():
    seed = int(sys.argv[1]); count = int(sys.argv[2])
    rng = random.Random(seed)
    compare(sorted(set(mutate(rng, body(rng)) for _ in range(count))), run, describe)


main()
