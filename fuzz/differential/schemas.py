"""values.schema.json: random schemas of every draft helm 4 reads, against
random values; `template` must fail (or pass) with helm's exact report."""
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import CHART_YAML, compare, describe_tails, invoke, write_chart

DRAFTS = [None, "http://json-schema.org/draft-04/schema#", "http://json-schema.org/draft-06/schema#",
          "http://json-schema.org/draft-07/schema#", "https://json-schema.org/draft-07/schema",
          "https://json-schema.org/draft/2019-09/schema", "https://json-schema.org/draft/2020-12/schema",
          "http://json-schema.org/schema#"]
TYPES = ["string", "integer", "number", "boolean", "object", "array", "null"]
FORMATS = ["ipv4", "ipv6", "hostname", "email", "uri", "date-time", "date", "uuid", "regex", "duration"]
SCALARS = [0, 1, -1, 2.5, 10, 1e3, "", "a", "abc", "1.2.3.4", "x@y.z", "2020-01-01", "::1", "not a host!",
           True, False, None, "http://x/y", "P1D", "aaaa"]
KEYS = ["a", "b", "c", "name", "x-y"]
# SUBSET=1: only the keywords rudder's quick check understands (type,
# properties, items, required, enum, additionalProperties) and annotations,
# no definitions: the cases where rudder may skip compiling the schema.
SUBSET = os.environ.get("SUBSET") == "1"
SUBSET_KINDS = [0, 1, 10, 11, 12, 13, 20, 24]


def gen_values(rng, depth=0):
    r = rng.random()
    if depth < 2 and r < 0.25:
        return {k: gen_values(rng, depth + 1) for k in rng.sample(KEYS, rng.randint(0, 3))}
    if depth < 2 and r < 0.4:
        return [gen_values(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return rng.choice(SCALARS)


def gen_schema(rng, depth=0):
    s = {}
    for _ in range(rng.randint(1, 3)):
        k = rng.randrange(24 if depth < 2 else 12)
        if SUBSET:
            k = rng.choice(SUBSET_KINDS if depth < 2 else [0, 1, 10, 11, 24])
        if k == 0:
            s["type"] = rng.choice(TYPES) if rng.random() < 0.7 else rng.sample(TYPES, 2)
        elif k == 1:
            s["enum"] = rng.sample(SCALARS, rng.randint(1, 3))
        elif k == 2:
            s["const"] = rng.choice(SCALARS)
        elif k == 3:
            s[rng.choice(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"])] = rng.choice([0, 1, 2.5, 10])
        elif k == 4:
            s["multipleOf"] = rng.choice([2, 0.5, 3])
        elif k == 5:
            s[rng.choice(["minLength", "maxLength"])] = rng.randint(0, 3)
        elif k == 6:
            s["pattern"] = rng.choice(["^a+$", "b", "^[0-9.]+$", "^$"])
        elif k == 7:
            s["format"] = rng.choice(FORMATS)
        elif k == 8:
            s[rng.choice(["minItems", "maxItems", "minProperties", "maxProperties"])] = rng.randint(0, 2)
        elif k == 9:
            s["uniqueItems"] = True
        elif k == 10:
            s["required"] = rng.sample(KEYS, rng.randint(1, 2))
        elif k == 11:
            s["type"] = "object"
            s["additionalProperties"] = False
        elif k == 12:
            s["properties"] = {key: gen_schema(rng, depth + 1) for key in rng.sample(KEYS, rng.randint(1, 3))}
        elif k == 13:
            s["items"] = gen_schema(rng, depth + 1)
        elif k == 14:
            s["contains"] = gen_schema(rng, depth + 1)
        elif k == 15:
            s[rng.choice(["allOf", "anyOf", "oneOf"])] = [gen_schema(rng, depth + 1) for _ in range(rng.randint(1, 3))]
        elif k == 16:
            s["not"] = gen_schema(rng, depth + 1)
        elif k == 17:
            s["if"] = gen_schema(rng, depth + 1)
            s["then"] = gen_schema(rng, depth + 1)
            if rng.random() < 0.5:
                s["else"] = gen_schema(rng, depth + 1)
        elif k == 18:
            s["patternProperties"] = {"^a": gen_schema(rng, depth + 1)}
        elif k == 19:
            s["propertyNames"] = gen_schema(rng, depth + 1)
        elif k == 20:
            s["additionalProperties"] = gen_schema(rng, depth + 1)
        elif k == 21:
            s["dependencies" if rng.random() < 0.5 else "dependentRequired"] = {"a": ["b"]}
        elif k == 22:
            s["$ref"] = "#/definitions/d" if rng.random() < 0.5 else "#/$defs/d"
        elif k == 24:
            s[rng.choice(["description", "title", "default", "form", "examples"])] = rng.choice(
                ["text", 1, True, ["x"], {"k": "v"}])
        elif k == 23:
            s["prefixItems" if rng.random() < 0.5 else "items"] = [gen_schema(rng, depth + 1) for _ in range(2)]
    return s


def gen(rng):
    schema = {"type": "object", "properties": {k: gen_schema(rng) for k in rng.sample(KEYS, rng.randint(1, 3))}}
    draft = rng.choice(DRAFTS)
    if draft:
        schema["$schema"] = draft
    if not SUBSET:
        defs = gen_schema(rng, 2)
        schema["definitions"] = {"d": defs}
        schema["$defs"] = {"d": defs}
    values = {k: gen_values(rng) for k in rng.sample(KEYS, rng.randint(0, 4))}
    return json.dumps(schema), json.dumps(values)


def run(binary, case, d):
    schema, values = case
    write_chart(d + "/t", values + "\n", {"cm.yaml": "kind: ConfigMap\n"}, CHART_YAML)
    with open(d + "/t/values.schema.json", "w") as f:
        f.write(schema)
    return invoke(binary, ["template", "x", d + "/t"], d)


def describe(case, h, r):
    describe_tails(case, h, r)


rng = random.Random(int(sys.argv[1]))
compare(sorted({gen(rng) for _ in range(int(sys.argv[2]))}), run, describe)
