"""Shared driver of the differential scripts: isolated helm homes, one run
per binary in its own temporary directory, a pool of three, and the
DIFF report."""
import concurrent.futures
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
HELM = os.environ.get("HELM_BIN", "/work/helm-bin/helm")
RUDDER = os.environ.get("RUDDER_BIN", os.path.join(HERE, "../../target/release/rudder"))
CHART_YAML = "apiVersion: v2\nname: t\nversion: 0.1.0\n"


def invoke(binary, args, home, cwd=None):
    """(exit, stdout, stderr) of BINARY ARGS with helm's homes under HOME,
    no cluster and UTC; ("timeout", "", "") after 15 s."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELM_")}
    env.update(HELM_CACHE_HOME=home + "/h/c", HELM_CONFIG_HOME=home + "/h/cf",
               HELM_DATA_HOME=home + "/h/d", TZ="UTC", KUBECONFIG=home + "/nokube")
    try:
        p = subprocess.run([binary] + list(args), capture_output=True, text=True, env=env,
                           errors="replace", timeout=15, cwd=cwd)
    except subprocess.TimeoutExpired:
        return "timeout", "", ""
    return p.returncode, p.stdout, p.stderr


def write_chart(d, values, templates, chart=CHART_YAML):
    """A chart in D: Chart.yaml, values.yaml and templates/NAME = TEXT."""
    os.makedirs(os.path.join(d, "templates"), exist_ok=True)
    with open(os.path.join(d, "Chart.yaml"), "w") as f:
        f.write(chart)
    with open(os.path.join(d, "values.yaml"), "w") as f:
        f.write(values)
    for name, text in templates.items():
        with open(os.path.join(d, "templates", name), "w") as f:
            f.write(text)


def _pair(render, case):
    with tempfile.TemporaryDirectory() as d:
        h = render(HELM, case, d)
    if h[0] == "timeout":
        return case, h, h
    with tempfile.TemporaryDirectory() as d:
        r = render(RUDDER, case, d)
    return case, h, r


def compare(cases, render, describe):
    """Renders every case with both binaries (render(BINARY, CASE, DIR) ->
    (exit, stdout, stderr)); prints each difference with describe(CASE, HELM,
    RUDDER) and a final count."""
    bad = 0
    with concurrent.futures.ThreadPoolExecutor(3) as ex:
        for case, h, r in ex.map(lambda c: _pair(render, c), cases):
            if h != r:
                bad += 1
                describe(case, h, r)
                sys.stdout.flush()
    print(bad, "of", len(cases), "differ")


def describe_tails(case, h, r):
    """A DIFF report with the ends of stdout and stderr (where lint and
    template put what differs)."""
    print("DIFF", repr(case))
    print("  helm  ", h[0], repr(h[1][-700:]), repr(h[2][-300:]))
    print("  rudder", r[0], repr(r[1][-700:]), repr(r[2][-300:]))
