#!/usr/bin/env python3
"""The demo's exports: --svg is valid XML (xml.etree) with one arrow per
protocol line, --trace is one JSON object a line with the documented
keys, and --html is well-formed too. For each scenario that runs."""
import glob, json, os, subprocess, sys, tempfile
import xml.etree.ElementTree as ET

top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
os.chdir(top)
maillab = os.environ.get("MAILLAB", "bin/maillab")
SVG = "{http://www.w3.org/2000/svg}"
KEYS = {"seq", "time_ms", "time", "step", "host", "process", "peer",
        "protocol", "direction", "text", "note", "dup"}
LINE_PROTOCOLS = {"smtp", "lmtp", "pop3", "imap"}
env = dict(os.environ, LANG="C.UTF-8", LC_ALL="", LANGUAGE="")
failed = 0
checked = 0

def fail(msg):
    global failed
    print("FAIL", msg)
    failed += 1

with tempfile.TemporaryDirectory() as tmp:
    for scn in sorted(glob.glob("scenarios/*.scn")):
        name = os.path.basename(scn)[:-4]
        svg, trace, html = (os.path.join(tmp, name + ext) for ext in (".svg", ".jsonl", ".html"))
        r = subprocess.run([maillab, "--root", os.path.join(tmp, "root"), "demo", name,
                            "--svg", svg, "--trace", trace, "--html", html],
                           capture_output=True, text=True, env=env)
        if r.returncode != 0:
            fail("%s: exit %d: %s" % (name, r.returncode, r.stderr))
            continue
        if r.stdout:
            fail("%s: exports to files printed to stdout" % name)
        events = []
        for i, line in enumerate(open(trace, encoding="utf-8"), 1):
            ev = json.loads(line)
            if set(ev) != KEYS:
                fail("%s: trace line %d has keys %s" % (name, i, sorted(ev)))
            if ev["seq"] != i:
                fail("%s: trace line %d has seq %s" % (name, i, ev["seq"]))
            events.append(ev)
        lines = [e for e in events if e["protocol"] in LINE_PROTOCOLS
                 and e["direction"] != "none" and not e["dup"]]
        try:
            root = ET.parse(svg).getroot()
        except ET.ParseError as e:
            fail("%s: SVG is not XML: %s" % (name, e))
            continue
        if root.tag != SVG + "svg":
            fail("%s: root element is %s" % (name, root.tag))
        arrows = [g for g in root.iter(SVG + "g")
                  if g.get("class", "").split()[:1] == ["line"]]
        if len(arrows) != len(lines):
            fail("%s: %d arrows for %d protocol lines" % (name, len(arrows), len(lines)))
        for g in arrows:
            if g.find(SVG + "line") is None or g.find(SVG + "title") is None:
                fail("%s: arrow without its line or title" % name)
                break
        try:
            ET.parse(html)
        except ET.ParseError as e:
            fail("%s: HTML is not well-formed: %s" % (name, e))
        checked += 1
        print("ok  ", name, len(arrows), "arrows")

if checked == 0:
    fail("no scenario could be exported")
sys.exit(1 if failed else 0)
