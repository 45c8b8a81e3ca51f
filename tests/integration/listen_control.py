#!/usr/bin/env python3
"""The listener under control, as Postfix's master is: the pid file in the
lab root (locked while it runs, a second listener refused, a stale file
after kill -9 ignored), SIGHUP re-reads main.cf and master.cf without
dropping open sessions (a service uncommented in master.cf gets bound, a
removed one closed), SIGTERM stops cleanly (exit 0, pid file gone, open
sessions cut, the queue kept), and master's lines in mail.log."""
import fcntl
import os
import signal
import smtplib
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "listen_helpers"))
from common import (ENV, MAILLAB, Listener, cleanup, host_dir, mail_log, make_root,  # noqa: E402
                    run, set_main_cf)

HOST = "centos.localdomain"


def banner(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    f = s.makefile("rb")
    line = f.readline()
    s.close()
    return line.decode()


def wait_for(cond, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return False


def queue_lock_free(root):
    """Nobody holds the host's queue lock (master.pid, as Postfix's)."""
    path = os.path.join(host_dir(root, HOST), "var/spool/postfix/pid/master.pid")
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.lockf(fd, fcntl.LOCK_UN)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def pid_file(root):
    try:
        with open(os.path.join(root, "run/listen.pid")) as f:
            return int(f.read().strip())
    except (FileNotFoundError, ValueError):
        return None


def main(check):
    tmp, root = make_root()
    li = Listener(root)
    try:
        port = li.port()
        check("pid file names the listener", pid_file(root) == li.pid, pid_file(root))
        check("the queue is owned while it runs", not queue_lock_free(root))
        check("ready line", any("ready (pid %d)" % li.pid in l for l in li.lines), li.lines)

        second = subprocess.run([MAILLAB, "--root", root, "listen", "--port-offset",
                                 str(li.offset + 1)], capture_output=True, text=True,
                                env=ENV, timeout=20)
        check("second listener refused", second.returncode == 1 and
              ("already runs" in second.stderr and str(li.pid) in second.stderr),
              (second.returncode, second.stderr))
        check("the first keeps its pid file", pid_file(root) == li.pid)

        # a session open across the reload keeps working with its settings
        s = smtplib.SMTP("127.0.0.1", port, timeout=10)
        s.ehlo("before.example")
        set_main_cf(root, HOST, smtpd_banner="$myhostname ESMTP reloaded banner")
        mcf = os.path.join(host_dir(root, HOST), "etc/postfix/master.cf")
        with open(mcf) as f:
            orig_master = f.read()
        with open(mcf, "a") as f:
            f.write("submission inet n       -       y       -       -       smtpd\n"
                    "  -o syslog_name=postfix/submission\n")
        li.signal(signal.SIGHUP)
        check("reload logged", wait_for(lambda: "postfix/master" in mail_log(root, HOST) and
                                        "reload -- version 3.7.11, configuration /etc/postfix"
                                        in mail_log(root, HOST)), mail_log(root, HOST)[-500:])
        check("submission bound on reload",
              wait_for(lambda: ("submission", "127.0.0.1") in li.ports), li.lines)
        code, _ = s.noop()
        check("open session survives the reload", code == 250, code)
        r = s.sendmail("root@centos.localdomain", ["wees@centos.localdomain"],
                       b"Subject: across reload\r\n\r\nstill here\r\n")
        check("and still queues mail", r == {}, r)
        s.quit()
        check("new sessions see the new main.cf",
              banner(port).startswith("220 centos.localdomain ESMTP reloaded banner"),
              banner(port))
        if ("submission", "127.0.0.1") in li.ports:
            sub = li.port("submission")
            check("submission answers with its port", sub == li.offset + 587, sub)
            check("submission greets", banner(sub).startswith("220 "))

        # remove it again: the socket goes away, smtp stays
        with open(mcf, "w") as f:
            f.write(orig_master)
        nreloads = mail_log(root, HOST).count("reload -- version")
        li.signal(signal.SIGHUP)
        wait_for(lambda: mail_log(root, HOST).count("reload -- version") > nreloads)
        if ("submission", "127.0.0.1") in li.ports:
            refused = False
            try:
                socket.create_connection(("127.0.0.1", li.port("submission")), timeout=5).close()
            except ConnectionRefusedError:
                refused = True
            check("submission closed when removed from master.cf", refused)
        check("smtp still served after the second reload", banner(port).startswith("220 "))

        # SIGTERM with a session open: clean exit, session cut, pid file gone
        idle = socket.create_connection(("127.0.0.1", port), timeout=10)
        idle.recv(200)
        t0 = time.time()
        rc = li.stop()
        check("SIGTERM: exit 0", rc == 0, (rc, li.stderr))
        check("SIGTERM: quick", time.time() - t0 < 5, time.time() - t0)
        idle.settimeout(5)
        try:
            data = idle.recv(100)
        except OSError:
            data = b""
        check("open session cut at stop", data == b"", data)
        idle.close()
        check("pid file removed", not os.path.exists(os.path.join(root, "run/listen.pid")))
        check("queue lock released at stop", queue_lock_free(root))
        log = mail_log(root, HOST)
        check("daemon started logged", "postfix/master" in log and
              "daemon started -- version 3.7.11, configuration /etc/postfix" in log)
        check("terminating on signal 15 logged", "terminating on signal 15" in log, log[-400:])
        check("the lost session logged", "lost connection after CONNECT from localhost[127.0.0.1]"
              in log, log[-800:])
        refused = False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=5).close()
        except ConnectionRefusedError:
            refused = True
        check("port closed after stop", refused)

        # kill -9 leaves a stale pid file; the next listener is not fooled
        li = Listener(root)
        li.kill9()
        check("stale pid file left by kill -9", os.path.exists(os.path.join(root, "run/listen.pid")))
        # its queue manager process died with it: the queue lock is free
        check("queue manager gone with the listener", wait_for(lambda: queue_lock_free(root), 5))
        li = Listener(root)
        check("restart after kill -9", pid_file(root) == li.pid)
        # SIGINT (Ctrl-C) stops it as SIGTERM does
        li.signal(signal.SIGINT)
        try:
            li.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        check("SIGINT: exit 0", li.proc.returncode == 0, li.proc.returncode)
    finally:
        li.stop()
        cleanup(tmp)


if __name__ == "__main__":
    run(main)
