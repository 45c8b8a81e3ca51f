#!/usr/bin/env python3
"""POP3 through the listener, with real clients: a message sent with
smtplib is delivered by the listener's queue manager and fetched with
poplib (plain on loopback, STLS, POP3_SSL on 995+offset), with curl
(pop3:// and pop3s://) and openssl s_client -starttls pop3. A bad
password gets Dovecot's words. The ports follow the host's Dovecot
protocols setting."""
import os
import poplib
import shutil
import smtplib
import ssl
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "listen_helpers"))
from common import Listener, cleanup, mail_log, make_root, run  # noqa: E402

HOST = "centos.localdomain"


def tls_ctx():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def wait_mail(root, user, text, timeout=10):
    path = os.path.join(root, "hosts", HOST, "var/mail", user)
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with open(path, errors="replace") as f:
                if text in f.read():
                    return True
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    return False


def main(check):
    tmp, root = make_root()
    li = Listener(root)
    try:
        check("pop3 and pop3s announced", ("pop3", "127.0.0.1") in li.ports and
              ("pop3s", "127.0.0.1") in li.ports, li.lines)
        pop3, pop3s = li.port("pop3"), li.port("pop3s")
        check("real ports 110/995 + offset", pop3 == li.offset + 110 and pop3s == li.offset + 995)

        s = smtplib.SMTP("127.0.0.1", li.port(), timeout=10)
        s.sendmail("root@centos.localdomain", ["alice@centos.localdomain"],
                   b"Subject: for alice\r\n\r\nfetch me over POP3\r\n")
        s.quit()
        check("the listener delivered it", wait_mail(root, "alice", "fetch me over POP3"))

        p = poplib.POP3("127.0.0.1", pop3, timeout=10)
        check("greeting", p.getwelcome() == b"+OK Dovecot (Debian) ready.", p.getwelcome())
        capa = p.capa()
        check("STLS offered", "STLS" in capa, capa)
        p.user("alice")
        p.pass_("alicepw")
        count, size = p.stat()
        check("plain login on loopback, one message", count == 1, (count, size))
        resp, lines, octets = p.retr(1)
        check("RETR gives the message", b"fetch me over POP3" in lines, lines)
        p.quit()

        p = poplib.POP3("127.0.0.1", pop3, timeout=10)
        p.stls(tls_ctx())
        check("no STLS under TLS", "STLS" not in p.capa())
        p.user("alice")
        p.pass_("alicepw")
        check("STLS then login", p.stat()[0] == 1)
        p.quit()

        p = poplib.POP3_SSL("127.0.0.1", pop3s, context=tls_ctx(), timeout=10)
        check("POP3S greeting", p.getwelcome().startswith(b"+OK Dovecot"))
        p.user("alice")
        p.pass_("alicepw")
        check("POP3S login", p.stat()[0] == 1)
        p.quit()

        p = poplib.POP3("127.0.0.1", pop3, timeout=10)
        p.user("alice")
        t0 = time.time()
        try:
            p.pass_("wrong")
            got = b"+OK"
        except poplib.error_proto as e:
            got = e.args[0]
        check("bad password: Dovecot's reply", got == b"-ERR [AUTH] Authentication failed.", got)
        check("after Dovecot's delay", time.time() - t0 > 1.5, time.time() - t0)
        p.quit()

        if shutil.which("curl"):
            out = subprocess.run(["curl", "-s", "--max-time", "20", "-u", "alice:alicepw",
                                  "pop3://127.0.0.1:%d/1" % pop3], capture_output=True, timeout=30)
            check("curl pop3://", b"fetch me over POP3" in out.stdout, out)
            out = subprocess.run(["curl", "-s", "-k", "--max-time", "20", "-u", "alice:alicepw",
                                  "pop3s://127.0.0.1:%d/1" % pop3s], capture_output=True, timeout=30)
            check("curl pop3s://", b"fetch me over POP3" in out.stdout, out)
            out = subprocess.run(["curl", "-s", "--ssl-reqd", "-k", "--max-time", "20", "-u",
                                  "alice:alicepw", "pop3://127.0.0.1:%d/1" % pop3],
                                 capture_output=True, timeout=30)
            check("curl pop3:// with STLS required", b"fetch me over POP3" in out.stdout, out)
        if shutil.which("openssl"):
            out = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % pop3,
                                  "-starttls", "pop3", "-quiet"],
                                 input=b"USER alice\r\nPASS alicepw\r\nSTAT\r\nQUIT\r\n",
                                 capture_output=True, timeout=20)
            text = out.stdout.decode(errors="replace")
            check("s_client -starttls pop3", "+OK Logged in." in text and "+OK 1 " in text, text[-400:])
        time.sleep(0.2)
        log = mail_log(root, HOST)
        check("Dovecot's login line, TLS", "pop3-login: Login: user=<alice>, method=PLAIN" in log and
              ", TLS, session=<" in log, log[-800:])
    finally:
        li.stop()
        cleanup(tmp)


if __name__ == "__main__":
    run(main)
