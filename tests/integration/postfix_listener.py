#!/usr/bin/env python3
"""postfix(1) against a running `maillab listen`, which is the host's
master as postfix-script sees it: status reports its PID, reload sends
SIGHUP (the listener logs master's "reload -- version 3.7.11, ..."), stop
sends SIGTERM and waits (master's "terminating on signal 15"); after that
status says "not running" and exits 1, as on a stopped Postfix."""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "listen_helpers"))
from common import MAILLAB, Listener, cleanup, host_dir, make_root, run  # noqa: E402

HOST = "centos.localdomain"


def log_lines(root, since):
    with open(os.path.join(host_dir(root, HOST), "var/log/mail.log")) as f:
        lines = f.read().splitlines()[since:]
    # Postfix's lines only: the listener is Dovecot's master too and logs
    # its own reaction to the signals
    out = [re.sub(r"\[\d+\]:", ":", l.split(" ", 2)[2]) for l in lines]
    return [l for l in out if l.startswith("postfix/")]


def count(root):
    with open(os.path.join(host_dir(root, HOST), "var/log/mail.log")) as f:
        return len(f.read().splitlines())


def postfix(root, cmd):
    p = subprocess.run([MAILLAB, "--root", root, "postfix", cmd], capture_output=True,
                       text=True, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout + p.stderr


def main(check):
    tmp, root = make_root()
    li = Listener(root)
    try:
        n = count(root)
        rc, out = postfix(root, "status")
        check("status: running, exit 0, silent", (rc, out) == (0, ""), (rc, out))
        got = log_lines(root, n)
        check("status logs the listener's PID",
              got == ["postfix/postfix-script: the Postfix mail system is running: PID: %d"
                      % li.pid], got)
        n = count(root)
        rc, out = postfix(root, "reload")
        time.sleep(0.5)
        check("reload: exit 0, silent", (rc, out) == (0, ""), (rc, out))
        got = log_lines(root, n)
        check("reload: postfix-script, then the listener's master line", got == [
            "postfix/postfix-script: refreshing the Postfix mail system",
            "postfix/master: reload -- version 3.7.11, configuration /etc/postfix"], got)
        check("the listener still runs", li.proc.poll() is None, li.proc.poll())
        n = count(root)
        rc, out = postfix(root, "stop")
        check("stop: exit 0, silent", (rc, out) == (0, ""), (rc, out))
        try:
            li.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        check("the listener has stopped", li.proc.poll() is not None, li.proc.poll())
        got = log_lines(root, n)
        check("stop: postfix-script, then master's last line", got == [
            "postfix/postfix-script: stopping the Postfix mail system",
            "postfix/master: terminating on signal 15"], got)
        rc, out = postfix(root, "status")
        check("status after stop: exit 1", rc == 1, (rc, out))
    finally:
        li.stop()
        cleanup(tmp)


run(main)
