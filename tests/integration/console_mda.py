#!/usr/bin/env python3
"""`maillab console --proto pop3|imap` with stdin not a terminal: a POP3
and an IMAP session typed into the simulated centos.localdomain (alice's
mail sent before with smtplib), printed as a stable transcript; the same
lines through `console --connect` to `serve --stdio pop3|imap` behind
socat give the same transcript (after the header line). With
explanations, every status line gets one and no payload line does (a
message, a literal, a LIST line). MAILLAB holds the binary.
"""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "mda_helpers"))
from common import HOST, MAILLAB, fail, need_socat, new_root, send_mail, start_serve, stop  # noqa: E402

POP3_TYPED = "USER alice\nPASS alicepw\nSTAT\nLIST\nRETR 1\nDELE 1\nRSET\nQUIT\n"
POP3_WANT = """\
S: +OK Dovecot (Debian) ready.
C: USER alice
S: +OK
C: PASS alicepw
S: +OK Logged in.
C: STAT
S: +OK 1 <SIZE>
C: LIST
S: +OK 1 messages:
S: 1 <SIZE>
S: .
C: RETR 1
S: +OK <SIZE> octets
S: Return-Path: <bob@centos.localdomain>
S: X-Original-To: alice@centos.localdomain
S: Delivered-To: alice@centos.localdomain
S: Received: from client.example (localhost [127.0.0.1])
S: \\tby centos.localdomain (Postfix) with ESMTP id <QID>
S: \\tfor <alice@centos.localdomain>; <DATE>
S: From: bob@centos.localdomain
S: To: alice@centos.localdomain
S: Subject: hello over smtp
S: Message-Id: <<MSGID>@centos.localdomain>
S: Date: <DATE>
S: 
S: Ola Alice.
S: ..a line that starts with a dot
S: .
C: DELE 1
S: +OK Marked to be deleted.
C: RSET
S: +OK
C: QUIT
S: +OK Logging out.
== server closed connection
"""

# An APPEND typed as telnet would: the literal's lines, then an empty line
# that ends the command; IDLE and DONE; a line without a tag.
LITERAL = ["From: alice@centos.localdomain", "Subject: typed", "", "Typed in the console."]
SIZE = sum(len(l) + 2 for l in LITERAL)
IMAP_TYPED = "\n".join(["a1 LOGIN alice alicepw", "a2 SELECT INBOX",
                        "a3 FETCH 1 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])",
                        "a4 APPEND INBOX {%d}" % SIZE] + LITERAL +
                       ["", "a5 IDLE", "DONE", "NOOP", "a6 LOGOUT"]) + "\n"
IMAP_WANT = """\
S: * OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot (Debian) ready.
C: a1 LOGIN alice alicepw
S: a1 OK [CAPABILITY <CAPS>] Logged in
C: a2 SELECT INBOX
S: * FLAGS (\\\\Answered \\\\Flagged \\\\Deleted \\\\Seen \\\\Draft)
S: * OK [PERMANENTFLAGS (\\\\Answered \\\\Flagged \\\\Deleted \\\\Seen \\\\Draft \\\\*)] Flags permitted.
S: * 1 EXISTS
S: * 0 RECENT
S: * OK [UNSEEN 1] First unseen.
S: * OK [UIDVALIDITY <N>] UIDs valid
S: * OK [UIDNEXT 2] Predicted next UID
S: a2 OK [READ-WRITE] Select completed (<TIME>).
C: a3 FETCH 1 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])
S: * 1 FETCH (FLAGS () BODY[HEADER.FIELDS (SUBJECT)] {28}
S: Subject: hello over smtp
S: 
S: )
S: a3 OK Fetch completed (<TIME>).
C: a4 APPEND INBOX {%d}
S: + OK
C: From: alice@centos.localdomain
C: Subject: typed
C: 
C: Typed in the console.
C: 
S: * 2 EXISTS
S: * 1 RECENT
S: a4 OK [APPENDUID <N> 2] Append completed (<TIME>).
C: a5 IDLE
S: + idling
C: DONE
S: a5 OK Idle completed (<TIME>).
C: NOOP
S: NOOP BAD Error in IMAP command: Invalid command name (<TIME>).
C: a6 LOGOUT
S: * BYE Logging out
S: a6 OK Logout completed (<TIME>).
== server closed connection
""" % SIZE


def console(args, typed):
    env = dict(os.environ, NO_COLOR="1")
    r = subprocess.run([MAILLAB, "--lang", "en"] + args, input=typed, text=True,
                       capture_output=True, timeout=60, env=env)
    if r.returncode != 0:
        fail("console %s exited %d: %s" % (args, r.returncode, r.stderr))
    return r.stdout


def masked(out):
    out = re.sub(r"queued as [0-9A-Za-z]+|id [0-9A-F]{10,12}\b", lambda m: m.group(0).split()[0] + " <QID>", out)
    out = re.sub(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), +\d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}( \(\w+\))?", "<DATE>", out)
    out = re.sub(r"<\d{14}\.[0-9A-F]+@", "<<MSGID>@", out)
    out = re.sub(r"\(\d+\.\d+ \+ \d+\.\d+( \+ \d+\.\d+)? secs\)", "(<TIME>)", out)
    out = re.sub(r"(UIDVALIDITY|APPENDUID) \d+", r"\1 <N>", out)
    out = re.sub(r"\[CAPABILITY IMAP4rev1 SASL-IR [^]]*SPECIAL-USE\]", "[CAPABILITY <CAPS>]", out)
    return out


def check(label, out, want, header):
    first, rest = out.split("\n", 1)
    if not first.startswith(header):
        fail("%s: header %r" % (label, first))
    got = masked(rest)
    sizes = set(re.findall(r"\+OK 1 (\d+)\n|^S: 1 (\d+)$|\+OK (\d+) octets", got, re.M))
    got = re.sub(r"(\+OK 1 |^S: 1 |\+OK )(\d+)( octets|$)", r"\1<SIZE>\3", got, flags=re.M)
    if got != want:
        import difflib
        fail("%s differs:\n%s" % (label, "\n".join(difflib.unified_diff(
            want.split("\n"), got.split("\n"), "want", "got", lineterm=""))))
    print("ok: %s" % label)
    return sizes


def explained(label, out):
    """Status lines explained, payload not: a "   = " line follows every
    +OK/-ERR/tagged/untagged status line, never a message line."""
    lines = out.split("\n")
    for i, l in enumerate(lines[:-1]):
        nxt = lines[i + 1]
        status = re.match(r"S: (\+OK|-ERR|\* |[a-z]\d+ |\+ )", l) is not None
        payload = l.startswith("S: Return-Path") or l.startswith("S: Subject:") or \
            l.startswith("S: 1 ")
        if status and not nxt.startswith("   = "):
            fail("%s: no explanation under %r" % (label, l))
        if payload and nxt.startswith("   = "):
            fail("%s: payload explained: %r" % (label, l))
    print("ok: %s: status lines explained, payload not" % label)


def main():
    need_socat()
    tmp, root = new_root()
    procs = []
    try:
        send_mail(root, "alice@" + HOST, "hello over smtp",
                  "Ola Alice.\r\n.a line that starts with a dot", sender="bob@" + HOST)
        header = "# maillab console: host %s, client 127.0.0.1 (localhost)" % HOST
        check("console --proto pop3", console(["--root", root, "console", "--proto", "pop3",
                                               "--host", HOST, "--no-explain"], POP3_TYPED),
              POP3_WANT, header)
        out = console(["--root", root, "console", "--proto", "pop3", "--host", HOST], POP3_TYPED)
        explained("pop3 explanations", out)
        proc, port = start_serve(root, "pop3")
        procs.append(proc)
        check("console --connect (pop3)", console(["console", "--connect", "127.0.0.1:%d" % port,
                                                   "--proto", "pop3", "--no-explain"], POP3_TYPED),
              POP3_WANT, "# maillab console: connected to 127.0.0.1:%d" % port)

        check("console --proto imap", console(["--root", root, "console", "--proto", "imap",
                                               "--host", HOST, "--no-explain"], IMAP_TYPED),
              IMAP_WANT, header)
        # The message the console appended is there for the next session.
        proc, port = start_serve(root, "imap")
        procs.append(proc)
        want = IMAP_WANT.replace("* 1 EXISTS", "* 2 EXISTS").replace(
            "[UIDNEXT 2]", "[UIDNEXT 3]").replace("* 2 EXISTS\nS: * 1 RECENT", "* 3 EXISTS\nS: * 1 RECENT").replace(
            "APPENDUID <N> 2", "APPENDUID <N> 3")
        out = console(["console", "--connect", "127.0.0.1:%d" % port, "--proto", "imap",
                       "--no-explain"], IMAP_TYPED)
        check("console --connect (imap)", out, want,
              "# maillab console: connected to 127.0.0.1:%d" % port)
        out = console(["--root", root, "console", "--proto", "imap", "--host", HOST], IMAP_TYPED)
        explained("imap explanations", out)

        # A real TLS handshake after the server's yes (RFC 2595, 3501 6.2.1).
        out = console(["console", "--connect", "127.0.0.1:%d" % port, "--proto", "imap",
                       "--no-explain"], "c1 STARTTLS\nc2 CAPABILITY\nc3 LOGOUT\n")
        if not re.search(r"S: c1 OK Begin TLS negotiation now.\n== TLS established \(TLSv1\.[23], ", out) \
           or "LITERAL+ AUTH=PLAIN\nS: c2 OK" not in out:
            fail("IMAP STARTTLS through console --connect:\n" + out)
        proc, port = start_serve(root, "pop3")
        procs.append(proc)
        out = console(["console", "--connect", "127.0.0.1:%d" % port, "--proto", "pop3",
                       "--no-explain"], "STLS\nCAPA\nQUIT\n")
        if not re.search(r"S: \+OK Begin TLS negotiation now.\n== TLS established \(TLSv1\.[23], ", out) \
           or "S: USER\nS: SASL PLAIN\nS: .\n" not in out or "S: STLS" in out:
            fail("POP3 STLS through console --connect:\n" + out)
        print("ok: console --connect: STARTTLS and STLS with a real handshake")
    finally:
        for p in procs:
            stop(p)
        shutil.rmtree(tmp, ignore_errors=True)
    print("console_mda ok")


if __name__ == "__main__":
    main()
