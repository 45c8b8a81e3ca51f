#!/usr/bin/env python3
"""Timing details of the real listener that the reference's Postfix shows
(reference/transcripts/smtp/05h, 05j, 05k and reference/logs):
a client talking before the greeting is logged as improper pipelining
after CONNECT; input sent while smtpd sleeps on errors stays unread, so
the hang-up after "421 too many errors" is a reset; the queue manager
takes a message only after smtpd has logged the pipelined QUIT; and
`postfix reload|stop` leave Dovecot's master lines out of mail.log while
a plain SIGHUP (both masters) logs them."""
import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "listen_helpers"))
from common import (ENV, MAILLAB, Listener, cleanup, mail_log, make_root,  # noqa: E402
                    run, set_main_cf)

HOST = "centos.localdomain"
SIGHUP_LINE = "dovecot: master: Warning: SIGHUP received - reloading configuration"


def wait_for(cond, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return False


def read_reply(f):
    """One SMTP reply (all its lines) as bytes."""
    out = b""
    while True:
        line = f.readline()
        out += line
        if len(line) < 4 or line[3:4] != b"-":
            return out


def postfix(root, *args):
    return subprocess.run([MAILLAB, "--root", root, "postfix", "--host", HOST] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ENV)


def pipelining_before_greeting(check, li, root):
    want = ("improper command pipelining after CONNECT from localhost[127.0.0.1]: "
            "HELO localhost\\r\\n")
    got = False
    # A timing property: the client's bytes must be in before the
    # listener's next loop turn; allow for a busy machine.
    for _ in range(3):
        s = socket.create_connection(("127.0.0.1", li.port()), timeout=10)
        s.sendall(b"HELO localhost\r\n")
        f = s.makefile("rb")
        banner = read_reply(f)
        helo = read_reply(f)
        s.sendall(b"QUIT\r\n")
        read_reply(f)
        s.close()
        check("05j: banner, then the HELO's reply",
              banner.startswith(b"220 ") and helo.startswith(b"250 "), (banner, helo))
        got = wait_for(lambda: want in mail_log(root, HOST), 3)
        if got:
            break
    check("05j: improper command pipelining after CONNECT logged", got,
          mail_log(root, HOST)[-600:])


def reset_after_too_many_errors(check, li, root):
    set_main_cf(root, HOST, smtpd_soft_error_limit="1", smtpd_hard_error_limit="2",
                smtpd_error_sleep_time="1s")
    check("postfix reload", postfix(root, "reload").returncode == 0)
    time.sleep(0.3)
    s = socket.create_connection(("127.0.0.1", li.port()), timeout=10)
    f = s.makefile("rb")
    read_reply(f)
    s.sendall(b"HELO localhost\r\n")
    read_reply(f)
    s.sendall(b"FOO1\r\n")
    r1 = read_reply(f)
    s.sendall(b"FOO2\r\n")
    r2 = read_reply(f)
    # Sent while smtpd sleeps before its 421: never read.
    s.sendall(b"FOO3\r\n")
    last = read_reply(f)
    reset = False
    try:
        s.settimeout(5)
        while s.recv(4096):
            pass
    except ConnectionResetError:
        reset = True
    s.close()
    check("05k: 500 twice, then 421 too many errors",
          r1.startswith(b"500 ") and r2.startswith(b"500 ") and
          last == b"421 4.7.0 centos.localdomain Error: too many errors\r\n", (r1, r2, last))
    check("05k: the unread FOO3 makes the hang-up a reset", reset)
    check("05k: FOO3 was not counted",
          wait_for(lambda: "helo=1 unknown=0/2 commands=1/3" in mail_log(root, HOST), 3),
          mail_log(root, HOST)[-600:])
    set_main_cf(root, HOST, smtpd_soft_error_limit=None, smtpd_hard_error_limit=None,
                smtpd_error_sleep_time=None)
    postfix(root, "reload")


def qmgr_after_disconnect(check, li, root):
    s = socket.create_connection(("127.0.0.1", li.port()), timeout=10)
    f = s.makefile("rb")
    read_reply(f)
    s.sendall(b"EHLO localhost\r\n")
    read_reply(f)
    s.sendall(b"MAIL FROM:<root@centos.localdomain>\r\nRCPT TO:<wees@centos.localdomain>\r\n"
              b"DATA\r\n")
    for _ in range(3):
        read_reply(f)
    s.sendall(b"Subject: pipelined\r\n\r\nbody\r\n.\r\nQUIT\r\n")
    queued, bye = read_reply(f), read_reply(f)
    s.close()
    check("05h: queued and bye", queued.startswith(b"250 ") and bye.startswith(b"221 "),
          (queued, bye))
    qid = queued.split()[-1].decode()
    check("05h: delivered", wait_for(lambda: qid + ": removed" in mail_log(root, HOST)),
          mail_log(root, HOST)[-800:])
    lines = mail_log(root, HOST).splitlines()
    disc = [i for i, l in enumerate(lines) if "smtpd[" in l and "disconnect from" in l]
    active = [i for i, l in enumerate(lines) if qid + ": from=<" in l and "qmgr[" in l]
    check("05h: smtpd's disconnect before qmgr's from=",
          disc and active and disc[-1] < active[0], "\n".join(lines[-8:]))


def reload_and_stop(check, li, root):
    before = mail_log(root, HOST).count(SIGHUP_LINE)
    r = postfix(root, "reload")
    check("postfix reload: exit 0", r.returncode == 0, r.stdout)
    check("postfix reload: master's reload line",
          wait_for(lambda: "postfix/master[" in mail_log(root, HOST) and
                   "reload -- version 3.7.11" in mail_log(root, HOST)))
    time.sleep(0.3)
    check("postfix reload: no Dovecot reload line",
          mail_log(root, HOST).count(SIGHUP_LINE) == before, mail_log(root, HOST)[-600:])
    li.signal(signal.SIGHUP)
    check("kill -HUP: both masters reload (Dovecot logs it)",
          wait_for(lambda: mail_log(root, HOST).count(SIGHUP_LINE) == before + 1),
          mail_log(root, HOST)[-600:])
    r = postfix(root, "stop")
    check("postfix stop: exit 0", r.returncode == 0, r.stdout)
    check("postfix stop: the listener ended", li.stop() == 0)
    log = mail_log(root, HOST)
    check("postfix stop: master's terminating line",
          "postfix/master[" in log and "terminating on signal 15" in log, log[-600:])
    check("postfix stop: no Dovecot 'Killed with signal' line",
          "Killed with signal" not in log, log[-600:])


def main(check):
    tmp, root = make_root()
    li = Listener(root)
    try:
        pipelining_before_greeting(check, li, root)
        qmgr_after_disconnect(check, li, root)
        reset_after_too_many_errors(check, li, root)
        reload_and_stop(check, li, root)
    finally:
        li.stop()
        cleanup(tmp)


run(main)
