"""Shared by poplib_serve.py, imaplib_serve.py and console_mda.py: a
fresh centos lab root, `maillab serve --stdio PROTO` behind socat on a
free loopback port, and mail sent to it the way a MUA sends it (Python's
smtplib through `serve --stdio smtp`), delivered at once by serve."""
import os
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
MAILLAB = os.path.abspath(os.environ.get("MAILLAB", os.path.join(TOP, "bin", "maillab")))
HOST = "centos.localdomain"


def fail(msg):
    print("FAIL: " + msg)
    sys.stdout.flush()
    sys.exit(1)


def need_socat():
    if shutil.which("socat") is None:
        print("socat not installed: skipped")
        sys.exit(0)


def new_root():
    """A fresh centos world (users alice/alicepw, bob/bobpw, wees/wees);
    returns (tmpdir, root)."""
    tmp = tempfile.mkdtemp(prefix="maillab-mda.")
    root = os.path.join(tmp, "root")
    r = subprocess.run([MAILLAB, "--root", root, "init", "--world", "centos"],
                       capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        fail("init: %s%s" % (r.stdout, r.stderr))
    return tmp, root


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_serve(root, proto):
    """socat TCP-LISTEN:PORT,fork EXEC:'maillab serve --stdio PROTO' on a
    free loopback port (another if someone took it between our probe and
    socat's bind). Returns (proc, port)."""
    cmd = "%s --root %s serve --stdio %s --host %s" % (MAILLAB, root, proto, HOST)
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
                if proc.poll() is None:
                    return proc, port
                break
            time.sleep(0.05)
        if proc.poll() is None:
            proc.kill()
        err = proc.communicate()[1]
    fail("socat would not listen: %r" % err)


def stop(proc):
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def send_mail(root, to, subject, body, sender="bob@" + HOST):
    """Sends one message with smtplib through serve --stdio smtp and waits
    until local has delivered it to the user's mbox (serve delivers before
    it exits)."""
    proc, port = start_serve(root, "smtp")
    try:
        s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.example", timeout=20)
        msg = ("From: %s\r\nTo: %s\r\nSubject: %s\r\n\r\n%s\r\n"
               % (sender, to, subject, body))
        s.sendmail(sender, [to], msg.encode())
        s.quit()
    finally:
        stop(proc)
    mbox = os.path.join(root, "hosts", HOST, "var", "mail", to.split("@")[0])
    data = ""
    for _ in range(100):
        if os.path.exists(mbox):
            data = open(mbox, errors="replace").read()
            if "Subject: %s\n" % subject in data:
                return
        time.sleep(0.1)
    fail("the message %r was not delivered to %s: %r" % (subject, mbox, data[-500:]))
