#!/usr/bin/env python3
"""A real client (Python's imaplib) against `maillab serve --stdio imap`
behind socat on a loopback port, as Dovecot serves IMAP on port 143.

Mail for alice is sent first with smtplib through `serve --stdio smtp`
(delivered at once to /var/mail/alice). Then imaplib: a wrong password
(NO [AUTHENTICATIONFAILED]), LOGIN, CAPABILITY, LIST, SELECT, SEARCH,
FETCH of the message sent (BODY.PEEK[] leaves \\Seen alone, RFC822 sets
it), STORE +FLAGS, CREATE, COPY, APPEND, EXPUNGE of a \\Deleted message,
LOGOUT; a second session finds the flags and the folder kept, with the
same UIDVALIDITY; STARTTLS (a real TLS handshake) then LOGIN over TLS.
MAILLAB holds the binary (default bin/maillab). Loopback only.
"""
import imaplib
import os
import re
import shutil
import ssl
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "mda_helpers"))
from common import HOST, fail, need_socat, new_root, send_mail, start_serve, stop  # noqa: E402

ALICE = "alice@" + HOST


def ok(typ, data, what):
    if typ != "OK":
        fail("%s: %s %r" % (what, typ, data))
    return data


def fetch_flags(m, num):
    data = ok(*m.fetch(num, "(FLAGS)"), what="FETCH FLAGS")
    return re.search(rb"FLAGS \(([^)]*)\)", data[0]).group(1).split()


def main():
    need_socat()
    tmp, root = new_root()
    proc = None
    try:
        send_mail(root, ALICE, "first over smtp", "Ola Alice, one.")
        send_mail(root, ALICE, "second over smtp", "Ola Alice, two.")
        send_mail(root, ALICE, "third over smtp", "Ola Alice, three.")
        print("ok: three messages sent with smtplib and delivered")
        proc, port = start_serve(root, "imap")

        m = imaplib.IMAP4("127.0.0.1", port, timeout=20)
        if not m.welcome.startswith(b"* OK [CAPABILITY IMAP4rev1"):
            fail("greeting %r" % m.welcome)
        try:
            m.login("alice", "wrongpw")
            fail("a wrong password was accepted")
        except imaplib.IMAP4.error as e:
            if "[AUTHENTICATIONFAILED] Authentication failed." not in str(e):
                fail("wrong password: %s" % e)
        print("ok: wrong password: NO [AUTHENTICATIONFAILED]")
        data = ok(*m.login("alice", "alicepw"), what="LOGIN")
        if b"Logged in" not in data[-1]:
            fail("LOGIN: %r" % data)
        caps = ok(*m.capability(), what="CAPABILITY")[0].decode().upper().split()
        for c in ("IMAP4REV1", "IDLE", "UIDPLUS", "MOVE", "NAMESPACE"):
            if c not in caps:
                fail("capabilities after login lack %s: %r" % (c, caps))
        boxes = ok(*m.list(), what="LIST")
        if not any(b'"/" INBOX' in b for b in boxes):
            fail("LIST: %r" % boxes)
        n = int(ok(*m.select("INBOX"), what="SELECT")[0])
        if n != 3:
            fail("SELECT INBOX: %d messages, want 3" % n)
        uidvalidity = m.untagged_responses.get("UIDVALIDITY", [b"?"])[0]
        hits = ok(*m.search(None, "SUBJECT", '"second over smtp"'), what="SEARCH")
        if hits != [b"2"]:
            fail("SEARCH SUBJECT: %r" % hits)
        print("ok: LOGIN, CAPABILITY, LIST, SELECT, SEARCH")

        data = ok(*m.fetch("1", "(BODY.PEEK[])"), what="FETCH BODY.PEEK[]")
        if b"Ola Alice, one." not in data[0][1]:
            fail("BODY.PEEK[] of 1: %r" % data)
        if b"\\Seen" in fetch_flags(m, "1"):
            fail("BODY.PEEK[] set \\Seen")
        data = ok(*m.fetch("1", "(RFC822)"), what="FETCH RFC822")
        if b"Subject: first over smtp" not in data[0][1]:
            fail("RFC822 of 1: %r" % data)
        if b"\\Seen" not in fetch_flags(m, "1"):
            fail("RFC822 did not set \\Seen")
        ok(*m.store("2", "+FLAGS", "(\\Flagged)"), what="STORE +FLAGS")
        print("ok: FETCH (PEEK keeps \\Seen off, RFC822 sets it), STORE")

        ok(*m.create("Archive"), what="CREATE")
        typ, data = m.copy("2", "Archive")
        ok(typ, data, "COPY")
        msg = (b"From: Alice <%s>\r\nTo: Bob <bob@%s>\r\nSubject: appended\r\n\r\n"
               b"Appended with imaplib.\r\n" % (ALICE.encode(), HOST.encode()))
        typ, data = m.append("Archive", "(\\Seen)", None, msg)
        ok(typ, data, "APPEND")
        if b"[APPENDUID" not in data[0]:
            fail("APPEND without APPENDUID: %r" % data)
        st = ok(*m.status("Archive", "(MESSAGES UNSEEN)"), what="STATUS")
        if b"MESSAGES 2" not in st[0] or b"UNSEEN 1" not in st[0]:
            fail("STATUS Archive: %r" % st)
        print("ok: CREATE, COPY, APPEND (APPENDUID), STATUS")

        ok(*m.store("3", "+FLAGS", "(\\Deleted)"), what="STORE \\Deleted")
        typ, data = m.expunge()
        ok(typ, data, "EXPUNGE")
        if data != [b"3"]:
            fail("EXPUNGE: %r" % data)
        if m.logout()[0] != "BYE":
            fail("LOGOUT")
        print("ok: EXPUNGE, LOGOUT")

        m = imaplib.IMAP4("127.0.0.1", port, timeout=20)
        ok(*m.login("alice", "alicepw"), what="LOGIN again")
        n = int(ok(*m.select("INBOX", readonly=True), what="EXAMINE")[0])
        if n != 2:
            fail("after EXPUNGE: %d messages, want 2" % n)
        if m.untagged_responses.get("UIDVALIDITY", [b"!"])[0] != uidvalidity:
            fail("UIDVALIDITY changed")
        if b"\\Seen" not in fetch_flags(m, "1") or b"\\Flagged" not in fetch_flags(m, "2"):
            fail("flags not kept: %r %r" % (fetch_flags(m, "1"), fetch_flags(m, "2")))
        uids = ok(*m.uid("SEARCH", None, "ALL"), what="UID SEARCH")
        if uids != [b"1 2"]:
            fail("UIDs after EXPUNGE: %r" % uids)
        n = int(ok(*m.select("Archive"), what="SELECT Archive")[0])
        if n != 2:
            fail("Archive: %d messages" % n)
        m.logout()
        print("ok: a new session: flags, UIDs, UIDVALIDITY and the folder kept")

        m = imaplib.IMAP4("127.0.0.1", port, timeout=20)
        if "STARTTLS" not in m.capabilities:
            fail("no STARTTLS before login: %r" % (m.capabilities,))
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE     # the lab's snakeoil, as Debian's
        ok(*m.starttls(ssl_context=ctx), what="STARTTLS")
        if "STARTTLS" in m.capabilities:
            fail("STARTTLS still offered under TLS")
        ok(*m.login("alice", "alicepw"), what="LOGIN over TLS")
        version = m.sock.version()
        m.logout()
        print("ok: STARTTLS (%s), LOGIN over TLS" % version)

        log = open(os.path.join(root, "hosts", HOST, "var", "log", "mail.log")).read()
        if "dovecot: imap-login: Login: user=<alice>, method=PLAIN, rip=127.0.0.1" not in log:
            fail("mail.log lacks Dovecot's login line")
        print("ok: mail.log has Dovecot's lines")
    finally:
        if proc is not None:
            stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)
    print("imaplib_serve ok")


if __name__ == "__main__":
    main()
