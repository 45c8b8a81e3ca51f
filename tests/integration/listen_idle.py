#!/usr/bin/env python3
"""10,000 idle connections in one listener process (issue 5, points 2 and
7): a client process with a raised RLIMIT_NOFILE opens them all, every one
gets its 220 greeting, they stay open and idle, and meanwhile a normal
client is served at once. The listener's RSS growth per idle connection
is measured and printed (docs/listener.md keeps the figure); the issue's
aim is at most 16 KB each."""
import os
import resource
import selectors
import smtplib
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "listen_helpers"))
from common import Listener, cleanup, make_root, run  # noqa: E402

# Under AddressSanitizer (make check SAN=1) memory and time mean little:
# fewer connections, and the per-connection figure is only printed.
SAN = os.environ.get("SAN") == "1"
N = int(os.environ.get("MAILLAB_IDLE_CONNECTIONS", "2000" if SAN else "10000"))
BATCH = 500
# RSS per idle connection the test accepts (the issue aims at 16 KB)
MAX_KB_PER_CONN = 16


def raise_nofile(want):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def open_greeted(port, n, deadline):
    """Opens n connections, BATCH at a time, each read up to its greeting;
    returns (sockets, greeted count)."""
    socks, greeted = [], 0
    sel = selectors.DefaultSelector()
    while len(socks) < n and time.time() < deadline:
        batch = []
        for _ in range(min(BATCH, n - len(socks))):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
            batch.append(s)
            sel.register(s, selectors.EVENT_READ, bytearray())
        socks += batch
        waiting = len(batch)
        while waiting and time.time() < deadline:
            for key, _ in sel.select(timeout=1):
                buf = key.data
                try:
                    data = key.fileobj.recv(512)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                buf += data
                if b"\r\n" in buf or not data:
                    if buf.startswith(b"220 ") and b"\r\n" in buf:
                        greeted += 1
                    sel.unregister(key.fileobj)
                    waiting -= 1
        for s in batch:
            try:
                sel.unregister(s)
            except (KeyError, ValueError):
                pass
    return socks, greeted


def main(check):
    have = raise_nofile(N + 200)
    if have < N + 100:
        print("     only %d descriptors allowed; opening %d" % (have, have - 200))
    n = min(N, have - 200)
    tmp, root = make_root()
    li = Listener(root)
    socks = []
    try:
        port = li.port()
        time.sleep(0.2)
        rss0 = li.rss_kb()
        t0 = time.time()
        socks, greeted = open_greeted(port, n, time.time() + 90)
        spent = time.time() - t0
        check("%d connections opened and greeted (%.1f s)" % (greeted, spent), greeted == n,
              "%d of %d" % (greeted, n))
        time.sleep(0.5)
        rss1 = li.rss_kb()
        per = (rss1 - rss0) / max(greeted, 1)
        print("     listener RSS %d KB -> %d KB with %d idle connections: %.2f KB each" %
              (rss0, rss1, greeted, per))
        if not SAN:
            check("at most %d KB per idle connection" % MAX_KB_PER_CONN, per <= MAX_KB_PER_CONN, per)
        t1 = time.time()
        c = smtplib.SMTP("127.0.0.1", port, timeout=10)
        r = c.sendmail("root@centos.localdomain", ["wees@centos.localdomain"],
                       b"Subject: among the idle\r\n\r\nhi\r\n")
        c.quit()
        check("a normal client is served among them (%.2f s)" % (time.time() - t1),
              r == {} and time.time() - t1 < 5)
        alive = 0
        for s in socks[:50]:
            try:
                s.setblocking(True)
                s.settimeout(5)
                s.sendall(b"NOOP\r\n")
                if s.recv(100) == b"250 2.0.0 Ok\r\n":
                    alive += 1
            except OSError:
                pass
        check("the idle ones still answer", alive == min(50, len(socks)), alive)
        t2 = time.time()
        rc = li.stop(timeout=60)
        check("clean stop with them all open (%.1f s)" % (time.time() - t2), rc == 0, rc)
    finally:
        li.stop()
        for s in socks:
            s.close()
        cleanup(tmp)


if __name__ == "__main__":
    run(main)
