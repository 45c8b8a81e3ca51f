#!/usr/bin/env python3
"""Durability under load (issue 5, point 6): several SMTP clients send
without pause while the listener is killed with SIGKILL 20 times and
restarted on the same ports. Every message that got "250 2.0.0 Ok: queued
as ID" must be found afterwards, delivered to the mailbox with its own
content (or still queued). As in Postfix, a queue file in incoming/ is
ready only once marked u+x: what a kill leaves there unmarked is a
message being received, never delivered; a marked file must be whole
(its end record last). Nothing may end up in corrupt/, and every
delivered message is whole."""
import os
import re
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "listen_helpers"))
from common import Listener, cleanup, host_dir, make_root, run, set_main_cf  # noqa: E402

HOST = "centos.localdomain"
KILLS = int(os.environ.get("MAILLAB_DURABILITY_KILLS", "20"))
CLIENTS = 6
QUEUED = re.compile(rb"^250 2\.0\.0 Ok: queued as ([0-9A-F]+)\r\n")


class Load:
    def __init__(self, port):
        self.port = port
        self.acked = {}          # queue ID -> token
        self.lock = threading.Lock()
        self.stop = False
        self.errors = 0
        self.sent = 0
        self.threads = [threading.Thread(target=self.client, args=(i,), daemon=True)
                        for i in range(CLIENTS)]

    def start(self):
        for t in self.threads:
            t.start()

    def finish(self):
        self.stop = True
        for t in self.threads:
            t.join(20)

    def one(self, token):
        """One message, one connection; the queue ID when acknowledged."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        try:
            f = s.makefile("rb")
            if not f.readline().startswith(b"220"):
                return None
            s.sendall(b"EHLO load.example\r\n")
            while True:
                line = f.readline()
                if not line.startswith(b"250-"):
                    break
            body = (b"Subject: %s\r\n\r\n" % token) + (b"durable " * 8 + b"\r\n") * 60 + token + b"\r\n"
            s.sendall(b"MAIL FROM:<load@example.org>\r\nRCPT TO:<wees@centos.localdomain>\r\nDATA\r\n")
            if not f.readline().startswith(b"250") or not f.readline().startswith(b"250"):
                return None
            if not f.readline().startswith(b"354"):
                return None
            s.sendall(body + b".\r\n")
            m = QUEUED.match(f.readline())
            if m is None:
                return None
            s.sendall(b"QUIT\r\n")
            return m.group(1).decode()
        finally:
            s.close()

    def client(self, n):
        i = 0
        while not self.stop:
            i += 1
            token = b"token-%d-%d" % (n, i)
            try:
                qid = self.one(token)
            except OSError:
                qid = None
            with self.lock:
                self.sent += 1
                if qid is not None:
                    self.acked[qid] = token.decode()
                else:
                    self.errors += 1
            if qid is None:
                time.sleep(0.02)


def spool(root, q):
    return os.path.join(host_dir(root, HOST), "var/spool/postfix", q)


def files_in(root, q):
    out = []
    for dirpath, _, files in os.walk(spool(root, q)):
        out += [os.path.join(dirpath, f) for f in files]
    return out


def mailbox_ids(root):
    """queue ID -> list of message texts delivered with it (Maildir)."""
    out = {}
    for sub in ("new", "cur"):
        d = os.path.join(host_dir(root, HOST), "home/wees/Maildir", sub)
        for name in os.listdir(d) if os.path.isdir(d) else []:
            with open(os.path.join(d, name), errors="replace") as f:
                msg = f.read()
            m = re.search(r"\(Postfix\) with E?SMTPS?A? id ([0-9A-F]+)", msg)
            if m:
                out.setdefault(m.group(1), []).append(msg)
    return out


def main(check):
    tmp, root = make_root()
    # Maildir: a kill in the middle of an mbox append leaves the dot lock
    # behind (a separate matter); delivery into Maildir takes no lock.
    set_main_cf(root, HOST, home_mailbox="Maildir/")
    li = Listener(root)
    offset = li.offset
    load = Load(li.port())
    try:
        load.start()
        half, unmarked = [], set()
        for k in range(KILLS):
            time.sleep(0.4)
            li.kill9()
            # What a kill leaves in incoming/: ready files (u+x) must be
            # whole, the end record last ('E', length 0); unmarked ones
            # were being received.
            for p in files_in(root, "incoming"):
                try:
                    with open(p, "rb") as f:
                        data = f.read()
                    if not os.stat(p).st_mode & 0o100:
                        unmarked.add(os.path.basename(p))
                    elif not data.endswith(b"E\x00"):
                        half.append(p)
                except FileNotFoundError:
                    pass
            li = Listener(root, offset=offset)
        time.sleep(0.4)
        load.finish()
        print("     %d kills, %d sessions, %d acknowledged, %d cut or refused" %
              (KILLS, load.sent, len(load.acked), load.errors))
        check("load got through between kills", len(load.acked) > 50, len(load.acked))
        check("no half-written ready file in incoming/ after a kill", half == [], half[:5])
        print("     %d files in incoming/ were being received at a kill" % len(unmarked))
        # let the last listener deliver what is queued
        deadline = time.time() + 120  # returns as soon as drained; SAN with a big backlog is slow
        while time.time() < deadline:
            if not files_in(root, "incoming") and not files_in(root, "active"):
                break
            time.sleep(0.2)
        li.stop()
        delivered = mailbox_ids(root)
        queued = {os.path.basename(p) for q in ("incoming", "active", "deferred", "hold")
                  for p in files_in(root, q)}
        # The queue manager's verdict on a message (delivered, bounced,
        # deferred) proves it was on disk after the kills too.
        with open(os.path.join(host_dir(root, HOST), "var/log/mail.log"), errors="replace") as f:
            handled = set(re.findall(r"postfix/local\[\d+\]: ([0-9A-F]+): to=", f.read()))
        lost = [q for q in load.acked if q not in delivered and q not in queued and q not in handled]
        check("every acknowledged queue ID found (%d)" % len(load.acked), lost == [],
              "lost: %s" % lost[:10])
        wrong = [q for q, tok in load.acked.items()
                 if q in delivered and not any(tok in m for m in delivered[q])]
        check("each with its own content", wrong == [], wrong[:5])
        check("nothing in corrupt/", files_in(root, "corrupt") == [], files_in(root, "corrupt")[:5])
        left = [p for p in files_in(root, "incoming") + files_in(root, "active")
                if os.stat(p).st_mode & 0o100]
        check("every ready file delivered by the last listener", left == [], left[:5])
        never = [q for q in delivered if q in unmarked and q not in load.acked]
        broken = [q for q, msgs in delivered.items()
                  if not all(re.search(r"\ntoken-\d+-\d+\n*$", m) for m in msgs)]
        check("every delivered message whole", broken == [], broken[:5])
        check("nothing cut off by a kill was delivered", never == [], never[:5])
        undelivered = [q for q in load.acked if q not in delivered]
        if undelivered:
            print("     note: %d acknowledged messages not in the mailbox (bounced or deferred): %s"
                  % (len(undelivered), undelivered[:5]))
    finally:
        load.stop = True
        li.stop()
        if os.environ.get("MAILLAB_KEEP"):
            print("     kept", root)
        else:
            cleanup(tmp)


if __name__ == "__main__":
    run(main)
