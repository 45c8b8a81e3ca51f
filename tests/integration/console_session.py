#!/usr/bin/env python3
"""`maillab console` with stdin not a terminal: the study note's session
typed into the simulated centos.localdomain, and the same through
`console --connect` to `serve --stdio` exposed with socat on a loopback
port. The output is the stable transcript form (C:/S: lines, "   = "
explanations, "== " events), the same both ways except the header.
MAILLAB holds the binary (default bin/maillab).
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAILLAB = os.path.abspath(os.environ.get("MAILLAB", os.path.join(TOP, "bin", "maillab")))
HOST = "centos.localdomain"
TYPED = "HELO localhost\nMAIL FROM: root\nRCPT TO: wees\nDATA\nOla Amigo\n.\nQUIT\n"
WANT = """\
S: 220 centos.localdomain ESMTP Postfix (Debian/GNU)
C: HELO localhost
S: 250 centos.localdomain
C: MAIL FROM: root
S: 250 2.1.0 Ok
C: RCPT TO: wees
S: 250 2.1.5 Ok
C: DATA
S: 354 End data with <CR><LF>.<CR><LF>
C: Ola Amigo
C: .
S: 250 2.0.0 Ok: queued as <QID>
C: QUIT
S: 221 2.0.0 Bye
== server closed connection
"""


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def console(args, typed, timeout=30):
    env = dict(os.environ, NO_COLOR="1")
    r = subprocess.run([MAILLAB, "--lang", "en"] + args, input=typed, text=True,
                       capture_output=True, timeout=timeout, env=env)
    if r.returncode != 0:
        fail("console %s exited %d: %s" % (args, r.returncode, r.stderr))
    return r.stdout


def masked(out):
    return re.sub(r"queued as [0-9A-Za-z]+", "queued as <QID>", out)


def check_plain(label, out, header):
    lines = masked(out).split("\n", 1)
    if lines[0] != header:
        fail("%s: header %r, want %r" % (label, lines[0], header))
    if lines[1] != WANT:
        fail("%s: got\n%s\nwant\n%s" % (label, lines[1], WANT))
    if "\033[" in out:
        fail("%s: colour escapes in non-terminal output" % label)
    print("ok: %s, --no-explain" % label)


def check_explained(label, out):
    lines = out.splitlines()
    for i, l in enumerate(lines):
        if l.startswith("S: "):
            if i + 1 >= len(lines) or not lines[i + 1].startswith("   = "):
                fail("%s: no explanation under %r" % (label, l))
    text = "\n".join(lines)
    for want in ("443 is HTTPS", "strict_rfc821_envelopes", "2.1.5 = success: destination address valid",
                 "354 = start the message", "mailq", "221 = service closing"):
        if want not in text:
            fail("%s: no %r in the explanations:\n%s" % (label, want, text))
    print("ok: %s, explained" % label)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def start_socat(cmd):
    """socat on a free loopback port; another port if someone took it
    between our probe and socat's bind. Returns (proc, port)."""
    err = b""
    for _ in range(5):
        port = free_port()
        proc = subprocess.Popen(["socat", "TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr,fork" % port,
                                 "EXEC:" + cmd], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        end = time.monotonic() + 10.0
        while time.monotonic() < end and proc.poll() is None:
            if ":%04X " % port in open("/proc/net/tcp").read().upper():
                time.sleep(0.1)
                if proc.poll() is None:     # not someone else's socket
                    return proc, port
                break
            time.sleep(0.05)
        if proc.poll() is None:
            proc.kill()
        err = proc.communicate()[1]
    fail("socat would not listen: %r" % err)


def main():
    tmp = tempfile.mkdtemp(prefix="maillab-console.")
    root = os.path.join(tmp, "root")
    socat = None
    try:
        r = subprocess.run([MAILLAB, "--root", root, "init", "--world", "centos"],
                           capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            fail("init: %s%s" % (r.stdout, r.stderr))
        sim = ["--root", root, "console", "--host", HOST]
        check_plain("simulated", console(sim + ["--no-explain"], TYPED),
                    "# maillab console: host %s, client 127.0.0.1 (localhost)" % HOST)
        check_explained("simulated", console(sim, TYPED))
        # Ctrl-D (end of input) without QUIT: the console closes its side.
        out = console(sim + ["--no-explain"], "NOOP\n")
        if not out.endswith("C: NOOP\nS: 250 2.0.0 Ok\n== client closed connection\n"):
            fail("end of input: got\n%s" % out)
        print("ok: end of input closes the connection")

        if not shutil.which("socat"):
            print("socat not installed: --connect not tested")
            return
        cmd = "%s --root %s serve --stdio smtp --host %s" % (MAILLAB, root, HOST)
        socat, port = start_socat(cmd)
        target = "127.0.0.1:%d" % port
        check_plain("--connect", console(["console", "--connect", target, "--no-explain"], TYPED),
                    "# maillab console: connected to %s" % target)
        check_explained("--connect", console(["console", "--connect", target], TYPED))
        r = subprocess.run([MAILLAB, "console", "--connect", "127.0.0.1:1"], input="",
                           capture_output=True, text=True, timeout=10)
        if r.returncode != 1 or "cannot connect" not in r.stderr:
            fail("a closed port: exit %d, %r" % (r.returncode, r.stderr))
        print("ok: a closed port is reported")
    finally:
        if socat is not None:
            socat.terminate()
            try:
                socat.wait(timeout=5)
            except subprocess.TimeoutExpired:
                socat.kill()
                socat.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    print("console_session ok")


if __name__ == "__main__":
    main()
