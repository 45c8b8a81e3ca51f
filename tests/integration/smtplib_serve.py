#!/usr/bin/env python3
"""A real client (Python's smtplib) against `maillab serve --stdio smtp`.

1. socat exposes serve on a free loopback port (as inetd would); smtplib
   sends a message, then another after STARTTLS (a real handshake with the
   host's self-signed certificate); each queue ID comes from the 250 reply
   to the final dot; serve brings the world up to date before it exits,
   so the message with that queue ID is delivered to wees's mailbox at
   once, as Postfix's qmgr and local would (mail.log says status=sent).
2. inetd style without socat: stdin/stdout of serve are the accepted TCP
   socket itself, so serve takes the client from getpeername() (the log
   says localhost[127.0.0.1]).

MAILLAB holds the binary (default bin/maillab). Loopback only.
"""
import os
import re
import shutil
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MAILLAB = os.path.abspath(os.environ.get("MAILLAB", os.path.join(TOP, "bin", "maillab")))
HOST = "centos.localdomain"


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


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
            # Our socat is up once its listening socket exists.
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


def find_queue_file(root, qid):
    spool = os.path.join(root, "hosts", HOST, "var", "spool", "postfix")
    for d, _, files in os.walk(spool):
        if qid in files:
            return os.path.join(d, qid)
    return None


def send_one(port, subject, body, tls=False):
    """Sends one message (after STARTTLS when tls); returns the queue ID
    from the reply to '.'."""
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.example", timeout=20)
    try:
        code, banner = s.ehlo()
        if code != 250:
            fail("EHLO got %d %r" % (code, banner))
        for ext in ("pipelining", "size", "8bitmime", "enhancedstatuscodes", "starttls"):
            if not s.has_extn(ext):
                fail("EHLO does not offer %s: %r" % (ext, banner))
        if tls:
            # The lab's certificate is self-signed, like Debian's snakeoil.
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            code, resp = s.starttls(context=ctx)
            if code != 220:
                fail("STARTTLS got %d %r" % (code, resp))
            code, banner = s.ehlo()
            if code != 250 or s.has_extn("starttls"):
                fail("EHLO after TLS got %d %r" % (code, banner))
            print("ok: STARTTLS, %s" % s.sock.version())
        code, resp = s.mail("root@%s" % HOST)
        if code != 250:
            fail("MAIL got %d %r" % (code, resp))
        code, resp = s.rcpt("wees@%s" % HOST)
        if code != 250:
            fail("RCPT got %d %r" % (code, resp))
        msg = ("From: root@%s\r\nTo: wees@%s\r\nSubject: %s\r\n\r\n%s\r\n"
               % (HOST, HOST, subject, body))
        code, resp = s.data(msg.encode())
        if code != 250:
            fail("end of DATA got %d %r" % (code, resp))
        m = re.search(rb"queued as ([0-9A-Za-z]+)", resp)
        if not m:
            fail("no queue ID in %r" % resp)
        code, resp = s.quit()
        if code != 221:
            fail("QUIT got %d %r" % (code, resp))
        return m.group(1).decode()
    finally:
        s.close()


def check_queued(root, qid, body):
    # serve delivers before it exits; give a slow disk a moment.
    mbox = os.path.join(root, "hosts", HOST, "var", "mail", "wees")
    log = os.path.join(root, "hosts", HOST, "var", "log", "mail.log")
    sent = "%s: to=<wees@%s>" % (qid, HOST)
    data = text = ""
    for _ in range(100):
        if os.path.exists(mbox):
            data = open(mbox, errors="replace").read()
        if os.path.exists(log):
            text = open(log, errors="replace").read()
        if ("id %s" % qid in data and sent in text and
                find_queue_file(root, qid) is None):
            break
        time.sleep(0.1)
    else:
        path = find_queue_file(root, qid)
        fail("%s was not delivered to %s (queue file: %s)" % (qid, mbox, path))
    msg = data[data.index("id %s" % qid):]
    if body not in msg.split("\nFrom ", 1)[0]:
        fail("the message %s in %s lacks %r" % (qid, mbox, body))
    line = [l for l in text.splitlines() if sent in l][0]
    if "status=sent (delivered to mailbox)" not in line:
        fail("mail.log: %s" % line)
    print("ok: %s delivered to var/mail/wees, gone from the queue" % qid)


def via_socat(root):
    cmd = "%s --root %s serve --stdio smtp --host %s" % (MAILLAB, root, HOST)
    proc, port = start_socat(cmd)
    try:
        body = "Ola Amigo via socat and smtplib"
        qid = send_one(port, "via socat", body)
        print("ok: socat session queued %s" % qid)
        check_queued(root, qid, body)
        body = "Ola Amigo over TLS"
        qid = send_one(port, "over TLS", body, tls=True)
        print("ok: TLS session queued %s" % qid)
        check_queued(root, qid, body)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def inetd_style(root):
    """serve's stdin and stdout are the accepted socket (inetd, systemd)."""
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    port = lsock.getsockname()[1]
    result = {}

    def server():
        conn, _ = lsock.accept()
        try:
            p = subprocess.Popen([MAILLAB, "--root", root, "serve", "--stdio", "smtp",
                                  "--host", HOST], stdin=conn, stdout=conn,
                                 stderr=subprocess.PIPE)
            conn.close()
            _, err = p.communicate(timeout=25)
            result["rc"] = p.returncode
            result["err"] = err
        except Exception as e:  # reported by the main thread
            result["exc"] = e

    t = threading.Thread(target=server)
    t.start()
    try:
        body = "Ola Amigo inetd style"
        qid = send_one(port, "inetd style", body)
        print("ok: inetd-style session queued %s" % qid)
    finally:
        t.join(30)
        lsock.close()
    if "exc" in result:
        fail("serve: %r" % result["exc"])
    if result.get("rc") != 0:
        fail("serve exited %r: %r" % (result.get("rc"), result.get("err")))
    check_queued(root, qid, body)
    log = os.path.join(root, "hosts", HOST, "var", "log", "mail.log")
    if os.path.exists(log):
        text = open(log, errors="replace").read()
        if "connect from localhost[127.0.0.1]" not in text:
            fail("mail.log does not show the TCP peer: %s" % text[-500:])
        print("ok: mail.log names the socket's peer")


def main():
    tmp = tempfile.mkdtemp(prefix="maillab-smtplib.")
    root = os.path.join(tmp, "root")
    try:
        r = subprocess.run([MAILLAB, "--root", root, "init", "--world", "centos"],
                           capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            fail("init: %s%s" % (r.stdout, r.stderr))
        if shutil.which("socat"):
            via_socat(root)
        else:
            print("socat not installed: only the inetd-style run")
        inetd_style(root)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("smtplib_serve ok")


if __name__ == "__main__":
    main()
