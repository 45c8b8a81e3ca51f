#!/usr/bin/env python3
"""SMTP AUTH and the relay policy through the listener (issue 5, point 4
and "Safety"), as Thunderbird or swaks would use them: Debian's
submission and submissions lines uncommented in master.cf (their -o
overrides: TLS required, SASL on, auth only under TLS, relay only for
authenticated clients), AUTH PLAIN and LOGIN checked against the host's
etc/dovecot/users, Postfix's replies for each failure, and a client
outside mynetworks refused relay on port 25."""
import base64
import os
import re
import shutil
import smtplib
import socket
import ssl
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "listen_helpers"))
from common import Listener, cleanup, host_dir, mail_log, make_root, run, set_main_cf  # noqa: E402

HOST = "centos.localdomain"


def tls_ctx():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def enable_submission(root):
    """Uncomments Debian's submission and submissions entries."""
    path = os.path.join(host_dir(root, HOST), "etc/postfix/master.cf")
    out, on = [], False
    with open(path) as f:
        for line in f:
            if re.match(r"#(submission|submissions)\s+inet", line):
                on = True
                out.append(line[1:])
                continue
            if on and re.match(r"#  -o ", line):
                out.append(line[1:])
                continue
            on = on and line.startswith("#     ")
            out.append(line)
    with open(path, "w") as f:
        f.writelines(out)


def main(check):
    tmp, root = make_root()
    enable_submission(root)
    trace = os.path.join(tmp, "trace.jsonl")
    li = Listener(root, extra=["--trace", trace])
    try:
        check("submission and submissions bound", ("submission", "127.0.0.1") in li.ports and
              ("submissions", "127.0.0.1") in li.ports, li.lines)
        sub, subs = li.port("submission"), li.port("submissions")

        # 587: no AUTH in plain text (smtpd_tls_auth_only), then after STARTTLS
        s = smtplib.SMTP("127.0.0.1", sub, timeout=10)
        code, msg = s.ehlo("client.example")
        check("587 before TLS: STARTTLS, no AUTH", s.has_extn("starttls") and not s.has_extn("auth"),
              msg)
        code, msg = s.docmd("MAIL FROM:<alice@centos.localdomain>")
        check("587 before TLS: encryption required",
              code == 530 and b"Must issue a STARTTLS command first" in msg, (code, msg))
        s.starttls(context=tls_ctx())
        code, msg = s.ehlo("client.example")
        check("587 under TLS: AUTH PLAIN LOGIN", s.has_extn("auth") and
              "PLAIN" in s.esmtp_features.get("auth", "") and "LOGIN" in s.esmtp_features.get("auth", ""),
              msg)
        code, msg = s.docmd("MAIL FROM:<alice@centos.localdomain>")
        s.docmd("RSET")
        code, msg = s.docmd("AUTH PLAIN " + base64.b64encode(b"\0alice\0wrong").decode())
        check("wrong password: 535 5.7.8",
              code == 535 and msg == b"5.7.8 Error: authentication failed: authentication failure",
              (code, msg))
        s.login("alice", "alicepw")
        check("AUTH PLAIN alice", True)
        r = s.sendmail("alice@centos.localdomain", ["someone@example.org", "bob@centos.localdomain"],
                       b"Subject: from Thunderbird\r\n\r\nrelayed for an authenticated user\r\n")
        check("authenticated relay accepted", r == {}, r)
        s.quit()

        # AUTH LOGIN, the other mechanism
        s = smtplib.SMTP("127.0.0.1", sub, timeout=10)
        s.starttls(context=tls_ctx())
        s.ehlo("client.example")
        s.user, s.password = "bob", "bobpw"
        code, msg = s.auth("LOGIN", s.auth_login)
        check("AUTH LOGIN bob: 235", code == 235 and b"Authentication successful" in msg, (code, msg))
        s.quit()

        # unauthenticated: relay refused by submission's restrictions
        s = smtplib.SMTP("127.0.0.1", sub, timeout=10)
        s.starttls(context=tls_ctx())
        s.ehlo("client.example")
        s.mail("alice@centos.localdomain")
        code, msg = s.rcpt("someone@example.org")
        check("587 without AUTH: relay refused", code == 554 and b"Access denied" in msg,
              (code, msg))
        s.quit()

        # 465: TLS from the first byte, then AUTH
        s = smtplib.SMTP_SSL("127.0.0.1", subs, context=tls_ctx(), timeout=10)
        s.ehlo("client.example")
        check("465: AUTH offered at once", s.has_extn("auth") and not s.has_extn("starttls"))
        s.login("alice", "alicepw")
        r = s.sendmail("alice@centos.localdomain", ["bob@centos.localdomain"],
                       b"Subject: over smtps\r\n\r\nimplicit TLS\r\n")
        check("465: sent", r == {}, r)
        s.quit()

        # port 25: AUTH is not enabled there (reference smtp/07)
        s = smtplib.SMTP("127.0.0.1", li.port(), timeout=10)
        s.ehlo("client.example")
        code, msg = s.docmd("AUTH PLAIN " + base64.b64encode(b"\0alice\0alicepw").decode())
        check("25: 503 5.5.1 Error: authentication not enabled",
              code == 503 and msg == b"5.5.1 Error: authentication not enabled", (code, msg))
        s.quit()

        if shutil.which("swaks"):
            out = subprocess.run(["swaks", "--server", "127.0.0.1", "--port", str(sub), "--tls",
                                  "--auth", "LOGIN", "--auth-user", "alice", "--auth-password",
                                  "alicepw", "--from", "alice@centos.localdomain", "--to",
                                  "bob@centos.localdomain", "--helo", "client.example",
                                  "--h-Subject", "via swaks"],
                                 capture_output=True, text=True, timeout=30)
            check("swaks --tls --auth", out.returncode == 0 and
                  "235 2.7.0 Authentication successful" in out.stdout and "queued as" in out.stdout,
                  out.stdout[-600:] + out.stderr[-300:])
        if shutil.which("curl"):
            msgfile = os.path.join(tmp, "curl.eml")
            with open(msgfile, "w") as f:
                f.write("Subject: via curl\r\n\r\nsent by curl\r\n")
            out = subprocess.run(["curl", "-s", "-k", "--ssl-reqd", "--max-time", "20",
                                  "smtp://127.0.0.1:%d" % sub, "--user", "alice:alicepw",
                                  "--mail-from", "alice@centos.localdomain", "--mail-rcpt",
                                  "bob@centos.localdomain", "--upload-file", msgfile],
                                 capture_output=True, timeout=30)
            check("curl smtp:// with STARTTLS and AUTH", out.returncode == 0, out)
            out = subprocess.run(["curl", "-s", "-k", "--max-time", "20",
                                  "smtps://127.0.0.1:%d" % subs, "--user", "alice:alicepw",
                                  "--mail-from", "alice@centos.localdomain", "--mail-rcpt",
                                  "bob@centos.localdomain", "--upload-file", msgfile],
                                 capture_output=True, timeout=30)
            check("curl smtps:// with AUTH", out.returncode == 0, out)

        time.sleep(0.3)
        log = mail_log(root, HOST)
        check("sasl_username in the log",
              re.search(r"postfix/submission/smtpd\[\d+\]: [0-9A-F]+: client=localhost\[127\.0\.0\.1\], "
                        r"sasl_method=PLAIN, sasl_username=alice", log), log[-1500:])
        check("failed AUTH logged as Postfix does",
              "warning: localhost[127.0.0.1]: SASL PLAIN authentication failed: authentication failure"
              in log, [l for l in log.splitlines() if "SASL" in l][:3])
        check("no password in mail.log", "alicepw" not in log and "bobpw" not in log)
        with open(trace) as f:
            traced = f.read()
        secrets = ["alicepw", "bobpw", base64.b64encode(b"\0alice\0alicepw").decode(),
                   base64.b64encode(b"alicepw").decode(), base64.b64encode(b"bobpw").decode(),
                   base64.b64encode(b"\0alice\0wrong").decode()]
        check("no password in the trace", not any(x in traced for x in secrets),
              [x for x in secrets if x in traced])
        check("AUTH lines traced masked", '"text":"AUTH PLAIN ***"' in traced)
    finally:
        li.stop()

    # a client outside mynetworks may not relay through port 25
    set_main_cf(root, HOST, mynetworks="127.0.0.1/32")
    li = Listener(root)
    try:
        c = socket.create_connection(("127.0.0.1", li.port()), timeout=10,
                                     source_address=("127.0.0.9", 0))
        f = c.makefile("rb")
        f.readline()
        c.sendall(b"HELO outside.example\r\nMAIL FROM:<someone@outside.example>\r\n"
                  b"RCPT TO:<victim@example.com>\r\nRCPT TO:<bob@centos.localdomain>\r\nQUIT\r\n")
        replies = [f.readline() for _ in range(5)]
        check("outside mynetworks: 454 4.7.1 Relay access denied",
              replies[2] == b"454 4.7.1 <victim@example.com>: Relay access denied\r\n", replies)
        check("outside mynetworks: local mail still accepted", replies[3] == b"250 2.1.5 Ok\r\n", replies)
        f.close()
        c.close()
    finally:
        li.stop()
        cleanup(tmp)


if __name__ == "__main__":
    run(main)
