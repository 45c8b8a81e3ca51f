#!/usr/bin/env python3
"""Real outbound relay (issue 5, point 5): two listeners on two lab roots
relay to each other over real TCP. Root A (the "centos" world) sends
everything not its own to relayhost = [127.0.0.1]:PORT-of-B; root B (the
"default" world) sends everything not its own to A. The queue managers
connect with the SMTP client engine, use STARTTLS when offered, and each
message lands in the other root's mailbox. With B stopped, A defers with
Postfix's words ("connect to ...: Connection refused", dsn=4.4.1)."""
import os
import re
import smtplib
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "listen_helpers"))
from common import Listener, cleanup, host_dir, mail_log, make_root, run, set_main_cf  # noqa: E402

A_HOST = "centos.localdomain"
B_HOST = "mail.b.example"


def wait_for(cond, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.1)
    return False


def mailbox(root, host, user):
    try:
        with open(os.path.join(host_dir(root, host), "var/mail", user), errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def send(port, frm, to, text):
    s = smtplib.SMTP("127.0.0.1", port, timeout=10)
    r = s.sendmail(frm, [to], ("Subject: %s\r\n\r\n%s\r\n" % (text, text)).encode())
    s.quit()
    return r


def main(check):
    tmp_a, root_a = make_root("centos")
    tmp_b, root_b = make_root("default")
    la = lb = None
    try:
        lb = Listener(root_b, hosts=(B_HOST,))
        la = Listener(root_a, hosts=(A_HOST,))
        pa, pb = la.port(), lb.port()
        set_main_cf(root_a, A_HOST, relayhost="[127.0.0.1]:%d" % pb)
        set_main_cf(root_b, B_HOST, relayhost="[127.0.0.1]:%d" % pa)
        la.proc.send_signal(1)  # SIGHUP: postfix reload
        lb.proc.send_signal(1)
        time.sleep(0.5)

        check("A accepts mail for b.example",
              send(pa, "wees@centos.localdomain", "bob@b.example", "from A to B") == {})
        check("delivered into B's mailbox over real TCP",
              wait_for(lambda: "from A to B" in mailbox(root_b, B_HOST, "bob")),
              mail_log(root_a, A_HOST)[-1500:])
        log_a = mail_log(root_a, A_HOST)
        m = re.search(r"postfix/smtp\[\d+\]: [0-9A-F]+: to=<bob@b\.example>, "
                      r"relay=127\.0\.0\.1\[127\.0\.0\.1\]:%d, .*status=sent "
                      r"\(250 2\.0\.0 Ok: queued as ([0-9A-F]+)\)" % pb, log_a)
        check("A logs status=sent with B's queue ID", m is not None, log_a[-1200:])
        check("STARTTLS used (B offers it, A's smtp_tls_security_level = may)",
              "Untrusted TLS connection established to 127.0.0.1[127.0.0.1]:%d" % pb in log_a)
        box = mailbox(root_b, B_HOST, "bob")
        check("B's Received: says ESMTPS from A's HELO name",
              re.search(r"Received: from centos\.localdomain \(localhost \[127\.0\.0\.1\]\)\n"
                        r"\tby mail\.b\.example \(Postfix\) with ESMTPS id", box) is not None,
              box[:600])
        if m:
            check("B logged the same queue ID", m.group(1) + ": client=localhost[127.0.0.1]"
                  in mail_log(root_b, B_HOST))

        check("B accepts mail for centos.localdomain",
              send(pb, "bob@b.example", "wees@centos.localdomain", "from B to A") == {})
        check("and relays it back to A",
              wait_for(lambda: "from B to A" in mailbox(root_a, A_HOST, "wees")),
              mail_log(root_b, B_HOST)[-1500:])

        # B goes away: A defers as Postfix does
        lb.stop()
        check("A still accepts", send(pa, "wees@centos.localdomain", "bob@b.example",
                                      "while B is down") == {})
        want = ("status=deferred (connect to 127.0.0.1[127.0.0.1]:%d: Connection refused)" % pb)
        check("A defers: connect to ...: Connection refused",
              wait_for(lambda: want in mail_log(root_a, A_HOST)), mail_log(root_a, A_HOST)[-800:])
        check("dsn=4.4.1, relay=none", re.search(
            r"to=<bob@b\.example>, relay=none, .*dsn=4\.4\.1, status=deferred",
            mail_log(root_a, A_HOST)) is not None)
    finally:
        if la:
            la.stop()
        if lb:
            lb.stop()
        cleanup(tmp_a)
        cleanup(tmp_b)


if __name__ == "__main__":
    run(main)
