#!/usr/bin/env python3
"""IMAP through the listener, with real clients: a message sent with
smtplib is delivered by the listener's queue manager and read with
imaplib (plain on loopback, STARTTLS, IMAP4_SSL on 993+offset), with
curl (imap:// and imaps://) and openssl s_client -starttls imap; a client
in IDLE is told of new mail as it arrives."""
import imaplib
import os
import shutil
import smtplib
import socket
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


def send(port, subject, body):
    s = smtplib.SMTP("127.0.0.1", port, timeout=10)
    s.sendmail("root@centos.localdomain", ["bob@centos.localdomain"],
               ("Subject: %s\r\n\r\n%s\r\n" % (subject, body)).encode())
    s.quit()


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
        check("imap and imaps announced", ("imap", "127.0.0.1") in li.ports and
              ("imaps", "127.0.0.1") in li.ports, li.lines)
        imap, imaps = li.port("imap"), li.port("imaps")
        check("real ports 143/993 + offset", imap == li.offset + 143 and imaps == li.offset + 993)
        send(li.port(), "for bob", "read me over IMAP")
        check("the listener delivered it", wait_mail(root, "bob", "read me over IMAP"))

        m = imaplib.IMAP4("127.0.0.1", imap, timeout=10)
        check("greeting", m.welcome.startswith(b"* OK [CAPABILITY IMAP4rev1") and
              m.welcome.endswith(b"Dovecot (Debian) ready."), m.welcome)
        check("STARTTLS offered", "STARTTLS" in m.capabilities, m.capabilities)
        typ, _ = m.login("bob", "bobpw")
        check("plain LOGIN on loopback", typ == "OK")
        typ, data = m.select("INBOX")
        check("SELECT INBOX: 1 message", typ == "OK" and data == [b"1"], (typ, data))
        typ, data = m.fetch("1", "(BODY[TEXT])")
        check("FETCH the body", typ == "OK" and b"read me over IMAP" in data[0][1], data)
        m.logout()

        m = imaplib.IMAP4("127.0.0.1", imap, timeout=10)
        m.starttls(tls_ctx())
        typ, _ = m.login("bob", "bobpw")
        check("STARTTLS then LOGIN", typ == "OK")
        m.logout()

        m = imaplib.IMAP4_SSL("127.0.0.1", imaps, ssl_context=tls_ctx(), timeout=10)
        typ, _ = m.login("bob", "bobpw")
        check("IMAPS LOGIN", typ == "OK")
        m.logout()

        m = imaplib.IMAP4("127.0.0.1", imap, timeout=10)
        try:
            m.login("bob", "wrong")
            got = "OK"
        except imaplib.IMAP4.error as e:
            got = str(e)
        check("bad password: Dovecot's reply", "[AUTHENTICATIONFAILED] Authentication failed." in got, got)

        # IDLE: new mail is announced while the client waits
        c = socket.create_connection(("127.0.0.1", imap), timeout=15)
        f = c.makefile("rb")
        f.readline()
        c.sendall(b"a1 LOGIN bob bobpw\r\na2 SELECT INBOX\r\n")
        while not f.readline().startswith(b"a2 "):
            pass
        c.sendall(b"a3 IDLE\r\n")
        idling = f.readline()
        check("IDLE: + idling", idling.startswith(b"+ idling"), idling)
        send(li.port(), "while idling", "a second one")
        t0 = time.time()
        line = f.readline()
        check("IDLE: * 2 EXISTS pushed (%.1f s)" % (time.time() - t0), line == b"* 2 EXISTS\r\n", line)
        c.sendall(b"DONE\r\n")
        while True:
            line = f.readline()
            if line.startswith(b"a3 ") or not line:
                break
        check("DONE ends IDLE", line.startswith(b"a3 OK Idle completed"), line)
        c.sendall(b"a4 LOGOUT\r\n")
        f.close()
        c.close()

        if shutil.which("curl"):
            out = subprocess.run(["curl", "-s", "--max-time", "20", "-u", "bob:bobpw",
                                  "imap://127.0.0.1:%d/INBOX;UID=1" % imap],
                                 capture_output=True, timeout=30)
            check("curl imap://", b"read me over IMAP" in out.stdout, out)
            out = subprocess.run(["curl", "-s", "-k", "--max-time", "20", "-u", "bob:bobpw",
                                  "imaps://127.0.0.1:%d/INBOX;UID=1" % imaps],
                                 capture_output=True, timeout=30)
            check("curl imaps://", b"read me over IMAP" in out.stdout, out)
            out = subprocess.run(["curl", "-s", "--ssl-reqd", "-k", "--max-time", "20", "-u",
                                  "bob:bobpw", "imap://127.0.0.1:%d/INBOX;UID=1" % imap],
                                 capture_output=True, timeout=30)
            check("curl imap:// with STARTTLS required", b"read me over IMAP" in out.stdout, out)
        if shutil.which("openssl"):
            out = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % imap,
                                  "-starttls", "imap", "-quiet"],
                                 input=b"a1 LOGIN bob bobpw\r\na2 LOGOUT\r\n",
                                 capture_output=True, timeout=20)
            text = out.stdout.decode(errors="replace")
            check("s_client -starttls imap", "a1 OK" in text and "Logged in" in text, text[-400:])
        time.sleep(0.2)
        log = mail_log(root, HOST)
        check("Dovecot's login line", "imap-login: Login: user=<bob>, method=PLAIN" in log, log[-600:])
    finally:
        li.stop()
        cleanup(tmp)


if __name__ == "__main__":
    run(main)
