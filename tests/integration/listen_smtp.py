#!/usr/bin/env python3
"""The real listener, driven by real clients: Python's smtplib (plain and
STARTTLS), several concurrent sessions, a client that goes silent, and
openssl s_client -starttls smtp. Each test starts its own listener on a
free loopback port offset and stops it."""
import os
import random
import re
import shutil
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
import time

MAILLAB = os.environ.get("MAILLAB", os.path.join(os.path.dirname(__file__), "../../bin/maillab"))
HOST = "centos.localdomain"


def start_listener(root):
    for _ in range(20):
        offset = random.randrange(20000, 40000)
        p = subprocess.Popen([MAILLAB, "--root", root, "listen", "--host", HOST,
                              "--port-offset", str(offset)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines = []
        deadline = time.time() + 10
        while time.time() < deadline:
            line = p.stdout.readline()
            if not line:
                break
            lines.append(line.strip())
            if line.startswith("listening: smtp [::1]"):
                break
        m = [re.match(r"listening: smtp 127\.0\.0\.1:(\d+) \(real port 25\) for (\S+)", l) for l in lines]
        m = [x for x in m if x]
        if m:
            return p, int(m[0].group(1)), lines
        p.kill()
        p.wait()
        err = p.stderr.read()
        if "Address already in use" not in err:
            raise SystemExit("listener did not start: %r %r" % (lines, err))
    raise SystemExit("no free port offset found")


def stop(p):
    p.terminate()
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        raise SystemExit("listener did not stop on SIGTERM")
    if p.returncode != 0:
        raise SystemExit("listener exited %d: %s" % (p.returncode, p.stderr.read()))


def queued_ids(root):
    ids = set()
    spool = os.path.join(root, "hosts", HOST, "var/spool/postfix")
    for q in ("incoming", "active", "deferred", "hold"):
        for dirpath, _, files in os.walk(os.path.join(spool, q)):
            ids.update(files)
    return ids


def main():
    failures = 0
    tmp = tempfile.mkdtemp(prefix="maillab-listen-")
    root = os.path.join(tmp, "root")
    subprocess.run([MAILLAB, "--root", root, "init", "--world", "centos"], check=True,
                   stdout=subprocess.DEVNULL)
    p, port, lines = start_listener(root)
    try:
        def check(name, cond, detail=""):
            nonlocal failures
            print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + detail))
            if not cond:
                failures += 1

        check("announces ::1 too", any("[::1]:" in l for l in lines), repr(lines))

        # 1. plain smtplib: the study note's message
        s = smtplib.SMTP("127.0.0.1", port, timeout=10)
        code, banner = s.getreply() if False else (220, b"")
        code, msg = s.ehlo("localhost")
        check("EHLO 250", code == 250, "%d %r" % (code, msg))
        check("STARTTLS offered", s.has_extn("starttls"), repr(msg))
        r = s.sendmail("root@centos.localdomain", ["wees@centos.localdomain"],
                       b"Subject: hi\r\n\r\nOla Amigo\r\n")
        check("sendmail accepted", r == {}, repr(r))
        s.quit()

        # 2. STARTTLS then a message
        s = smtplib.SMTP("127.0.0.1", port, timeout=10)
        s.ehlo("localhost")
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        code, _ = s.starttls(context=ctx)
        check("STARTTLS 220", code == 220)
        code, msg = s.ehlo("localhost")
        check("no STARTTLS after TLS", not s.has_extn("starttls"), repr(msg))
        code, msg = s.mail("root@centos.localdomain")
        check("MAIL over TLS", code == 250, repr(msg))
        code, msg = s.rcpt("wees@centos.localdomain")
        check("RCPT over TLS", code == 250, repr(msg))
        code, msg = s.data(b"Subject: tls\r\n\r\nover TLS\r\n")
        check("DATA over TLS queued", code == 250 and b"queued as" in msg, repr(msg))
        s.quit()

        # 3. an unknown user and relay from loopback (inside mynetworks)
        s = smtplib.SMTP("127.0.0.1", port, timeout=10)
        s.helo("localhost")
        s.mail("root@centos.localdomain")
        code, msg = s.rcpt("nosuchuser@centos.localdomain")
        check("unknown user 550", code == 550 and b"User unknown in local recipient table" in msg,
              "%d %r" % (code, msg))
        s.quit()

        # 4. a silent client does not stall the others
        silent = socket.create_connection(("127.0.0.1", port))
        silent.recv(100)
        t0 = time.time()
        for i in range(20):
            s = smtplib.SMTP("127.0.0.1", port, timeout=10)
            s.noop()
            s.quit()
        check("20 sessions beside a silent one", time.time() - t0 < 10)
        silent.close()

        # 5. openssl s_client -starttls smtp
        if shutil.which("openssl"):
            out = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port,
                                  "-starttls", "smtp", "-quiet"],
                                 input=b"EHLO localhost\r\nQUIT\r\n", capture_output=True,
                                 timeout=20)
            text = out.stdout.decode(errors="replace")
            check("s_client EHLO under TLS", "250-centos.localdomain" in text and "221 2.0.0 Bye" in text,
                  text[-500:])
        # 6. plain text after "220 Ready to start TLS": dropped, logged as
        #    reference/transcripts/smtp/06e-plaintext-after-starttls.log
        c = socket.create_connection(("127.0.0.1", port), timeout=10)
        f = c.makefile("rb")
        f.readline()
        c.sendall(b"EHLO localhost\r\n")
        while f.readline().startswith(b"250-"):
            pass
        c.sendall(b"STARTTLS\r\n")
        f.readline()
        c.sendall(b"EHLO localhost\r\n")
        try:
            rest = f.read()
        except OSError:
            rest = b""
        check("plain text after STARTTLS: nothing more said", rest == b"", rest)
        f.close()
        c.close()
        time.sleep(0.3)
        log = open(os.path.join(root, "hosts", HOST, "var/log/mail.log")).read()
        want = ["SSL_accept error from localhost[127.0.0.1]: -1",
                "warning: TLS library problem: error:0A00010B:SSL routines::wrong version number:",
                "lost connection after STARTTLS from localhost[127.0.0.1]",
                "disconnect from localhost[127.0.0.1] ehlo=1 starttls=0/1 commands=1/2"]
        check("06e's log lines", all(w in log for w in want),
              [w for w in want if w not in log])

        # 7. the STARTTLS command injection defence (RFC 3207 4.2): what
        #    was pipelined after STARTTLS in plain text is not executed
        c = socket.create_connection(("127.0.0.1", port), timeout=10)
        f = c.makefile("rb")
        f.readline()
        c.sendall(b"EHLO localhost\r\n")
        while f.readline().startswith(b"250-"):
            pass
        c.sendall(b"STARTTLS\r\nMAIL FROM:<injected@example.com>\r\n")
        ready = f.readline()
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        t = ctx.wrap_socket(c, server_hostname="centos.localdomain")
        tf = t.makefile("rb")
        t.sendall(b"NOOP\r\n")
        first = tf.readline()
        check("injected MAIL not executed", ready.startswith(b"220 2.0.0") and
              first == b"250 2.0.0 Ok\r\n", (ready, first))
        t.sendall(b"RCPT TO:<wees@centos.localdomain>\r\n")
        check("no transaction from the injection", tf.readline().startswith(b"503 5.5.1"))
        tf.close()
        t.close()
        f.close()
    finally:
        stop(p)
    print("%d failed" % failures)
    shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
