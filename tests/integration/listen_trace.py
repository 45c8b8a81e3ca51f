#!/usr/bin/env python3
"""The trace of real sessions (issue 5, point 9): `maillab listen --trace
F.jsonl` writes, while the clients are still connected, the same events
the simulation emits: each SMTP line in and out with its host, process
and peer, mail.log's lines, the queue manager's and the delivery's; POP3
likewise. Passwords never appear (POP3 PASS, SASL responses)."""
import base64
import json
import os
import poplib
import smtplib
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "listen_helpers"))
from common import Listener, cleanup, make_root, run  # noqa: E402

HOST = "centos.localdomain"


def events(path):
    out = []
    with open(path) as f:
        for line in f:
            out.append(json.loads(line))
    return out


def main(check):
    tmp, root = make_root()
    trace = os.path.join(tmp, "trace.jsonl")
    li = Listener(root, extra=["--trace", trace])
    try:
        s = smtplib.SMTP("127.0.0.1", li.port(), timeout=10)
        s.ehlo("client.example")
        # live: the file has the session so far while it is still open
        time.sleep(0.2)
        live = events(trace)
        check("live: EHLO traced before the session ends",
              any(e["direction"] == "in" and e["text"].upper() == "EHLO CLIENT.EXAMPLE" for e in live),
              live[-5:])
        s.sendmail("root@centos.localdomain", ["alice@centos.localdomain"],
                   b"Subject: traced\r\n\r\nfollow me\r\n")
        s.quit()
        deadline = time.time() + 10
        while time.time() < deadline and not any(
                "status=sent" in (e["text"] or "") for e in events(trace)):
            time.sleep(0.1)

        p = poplib.POP3("127.0.0.1", li.port("pop3"), timeout=10)
        p.user("alice")
        p.pass_("alicepw")
        p.stat()
        p.quit()
        # SASL PLAIN with an initial response, over POP3
        c = socket.create_connection(("127.0.0.1", li.port("pop3")), timeout=10)
        f = c.makefile("rb")
        f.readline()
        secret = base64.b64encode(b"\0alice\0alicepw").decode()
        c.sendall(("AUTH PLAIN %s\r\n" % secret).encode())
        f.readline()
        c.sendall(b"QUIT\r\n")
        f.readline()
        f.close()
        c.close()
        time.sleep(0.3)
        ev = events(trace)
        smtp = [e for e in ev if e["protocol"] == "smtp"]
        check("every event has the demo's keys",
              all(set(e) >= {"seq", "time_ms", "time", "host", "process", "peer", "protocol",
                             "direction", "text", "note"} for e in ev))
        check("seq numbers in order", [e["seq"] for e in ev] == list(range(1, len(ev) + 1)))
        check("server lines out, as smtpd", any(
            e["direction"] == "out" and e["process"] == "postfix/smtpd" and
            e["host"] == HOST and e["peer"] == "localhost[127.0.0.1]" and
            e["text"].startswith("220 centos.localdomain ESMTP") for e in smtp))
        check("client lines in", any(e["direction"] == "in" and
                                     e["text"].upper().startswith("MAIL FROM:<ROOT@CENTOS.LOCALDOMAIN>")
                                     for e in smtp), [e["text"] for e in smtp if e["direction"] == "in"])
        queued = [e for e in smtp if e["direction"] == "out" and "queued as" in e["text"]]
        check("the queue ID reply", len(queued) == 1, queued)
        qid = queued[0]["text"].split()[-1] if queued else "?"
        logs = [e["text"] for e in ev if e["protocol"] == "log"]
        check("mail.log lines traced", any(t.startswith("connect from localhost[127.0.0.1]")
                                           for t in logs), logs[:5])
        check("queue manager and delivery traced",
              any(t.startswith(qid + ": from=<root@centos.localdomain>") for t in logs) and
              any(t.startswith(qid + ": to=<alice@centos.localdomain>") and "status=sent" in t
                  for t in logs), [t for t in logs if qid in t])
        pop = [e for e in ev if e["protocol"] == "pop3"]
        check("POP3 lines traced", any(e["direction"] == "in" and e["text"] == "USER alice"
                                       for e in pop), pop[:6])
        check("PASS masked", any(e["text"] == "PASS ***" for e in pop))
        check("SASL response masked", any(e["text"] == "AUTH PLAIN ***" for e in pop))
        raw = open(trace).read()
        check("no password anywhere in the trace", "alicepw" not in raw and secret not in raw)
    finally:
        li.stop()
        cleanup(tmp)


if __name__ == "__main__":
    run(main)
