#!/usr/bin/env python3
"""A real client (Python's poplib) against `maillab serve --stdio pop3`
behind socat on a loopback port, as Dovecot serves POP3 on port 110.

Mail for alice is sent first with smtplib through `serve --stdio smtp`
(delivered at once to /var/mail/alice). Then poplib: a wrong password
(-ERR [AUTH], after Dovecot's delay), USER/PASS, CAPA, STAT, LIST, UIDL,
TOP, RETR of the message sent, DELE and QUIT (the UPDATE state removes
it); a second session sees one message less and the same UIDL for the
rest; STLS (a real TLS handshake) then AUTH-free USER/PASS over TLS.
MAILLAB holds the binary (default bin/maillab). Loopback only.
"""
import os
import poplib
import shutil
import ssl
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "mda_helpers"))
from common import HOST, fail, need_socat, new_root, send_mail, start_serve, stop  # noqa: E402

ALICE = "alice@" + HOST


def login(port, password="alicepw"):
    p = poplib.POP3("127.0.0.1", port, timeout=20)
    if not p.getwelcome().startswith(b"+OK Dovecot (Debian) ready."):
        fail("greeting %r" % p.getwelcome())
    p.user("alice")
    p.pass_(password)
    return p


def main():
    need_socat()
    tmp, root = new_root()
    proc = None
    try:
        send_mail(root, ALICE, "first over smtp", "Ola Alice, one.")
        send_mail(root, ALICE, "second over smtp", "Ola Alice, two.")
        print("ok: two messages sent with smtplib and delivered")
        proc, port = start_serve(root, "pop3")

        p = poplib.POP3("127.0.0.1", port, timeout=20)
        p.user("alice")
        try:
            p.pass_("wrongpw")
            fail("a wrong password was accepted")
        except poplib.error_proto as e:
            if str(e) != "b'-ERR [AUTH] Authentication failed.'":
                fail("wrong password: %s" % e)
        p.quit()
        print("ok: wrong password: -ERR [AUTH] Authentication failed.")

        p = login(port)
        caps = p.capa()
        for c in ("TOP", "UIDL", "RESP-CODES", "PIPELINING"):
            if c not in caps:
                fail("CAPA lacks %s: %r" % (c, caps))
        if "STLS" in caps or "USER" in caps:
            fail("CAPA after login still lists STLS/USER: %r" % caps)
        count, size = p.stat()
        if count != 2:
            fail("STAT: %d messages, want 2" % count)
        resp, listing, _ = p.list()
        sizes = [int(l.split()[1]) for l in listing]
        if sum(sizes) != size or resp != b"+OK 2 messages:":
            fail("LIST %r %r vs STAT %d" % (resp, listing, size))
        uidl_before = p.uidl()[1]
        resp, lines, octets = p.retr(1)
        text = b"\r\n".join(lines)
        if b"Subject: first over smtp" not in text or b"Ola Alice, one." not in text:
            fail("RETR 1: %r" % text)
        if resp != b"+OK %d octets" % sizes[0]:
            fail("RETR said %r, LIST said %d" % (resp, sizes[0]))
        top = p.top(2, 0)[1]
        if b"Subject: second over smtp" not in top or b"Ola Alice, two." in top:
            fail("TOP 2 0: %r" % top)
        print("ok: CAPA, STAT, LIST, UIDL, RETR, TOP")
        if not p.dele(1).startswith(b"+OK Marked to be deleted."):
            fail("DELE 1")
        try:
            p.retr(1)
            fail("RETR of a deleted message worked")
        except poplib.error_proto as e:
            if "Message is deleted." not in str(e):
                fail("RETR deleted: %s" % e)
        if p.quit() != b"+OK Logging out, messages deleted.":
            fail("QUIT after DELE")
        print("ok: DELE, QUIT: messages deleted")

        p = login(port)
        count, _ = p.stat()
        uidl_after = p.uidl()[1]
        if count != 1 or uidl_after[0].split()[1] != uidl_before[1].split()[1]:
            fail("after DELE+QUIT: %d messages, UIDL %r (before %r)"
                 % (count, uidl_after, uidl_before))
        if b"Ola Alice, two." not in b"\r\n".join(p.retr(1)[1]):
            fail("the remaining message is not the second one")
        p.quit()
        print("ok: a new session sees one message, its UIDL unchanged")

        p = poplib.POP3("127.0.0.1", port, timeout=20)
        if "STLS" not in p.capa():
            fail("no STLS before login")
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE     # the lab's snakeoil, as Debian's
        p.stls(context=ctx)
        if "STLS" in p.capa():
            fail("STLS still offered under TLS")
        p.user("alice")
        p.pass_("alicepw")
        if p.stat()[0] != 1:
            fail("STAT over TLS")
        version = p.sock.version()
        p.quit()
        print("ok: STLS (%s), login over TLS" % version)

        log = open(os.path.join(root, "hosts", HOST, "var", "log", "mail.log")).read()
        if "dovecot: pop3-login: Login: user=<alice>, method=PLAIN, rip=127.0.0.1" not in log:
            fail("mail.log lacks Dovecot's login line")
        if "del=1/2" not in log:
            fail("mail.log lacks the session with del=1/2")
        print("ok: mail.log has Dovecot's lines")
    finally:
        if proc is not None:
            stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)
    print("poplib_serve ok")


if __name__ == "__main__":
    main()
