#!/usr/bin/env python3
"""Writes fake-default.jsonl: a hand-made trace of the default scenario
(alice@a.example -> bob@b.example, fetched over IMAP), as the simulator
is expected to trace it, built from the real bytes in
reference/transcripts (smtp/01-study-note, 06a-starttls, imap/01-session)
with the lab's own host names. It lets the narrator, the TUI and the
exporters be tested before (and apart from) the simulator; both ends of
each virtual link trace every line, as sim.h says."""
import json, sys

T0 = 1795903190000   # 2026-11-28T21:59:50Z
events = []
t = T0

def ev(host, process, protocol, direction, text, peer=None, note=None, dt=10):
    global t
    t += dt
    events.append(dict(time_ms=t, host=host, process=process, peer=peer,
                       protocol=protocol, direction=direction, text=text,
                       note=note))

def say(text, note):
    ev(None, "scenario", "scenario", "none", text, note=note, dt=0)

def log(host, proc, pid, text):
    short = host.split(".")[0]
    ev(host, "postfix/" + proc if proc != "dovecot" else "dovecot", "log",
       "none", text)

def talk(c_host, c_proc, c_peer, s_host, s_proc, s_peer, lines, proto="smtp"):
    """lines: ('C'|'S', text); each traced by both ends."""
    for side, text in lines:
        if side == "C":
            ev(c_host, c_proc, proto, "out", text, peer=c_peer)
            ev(s_host, s_proc, proto, "in", text, peer=s_peer)
        else:
            ev(s_host, s_proc, proto, "out", text, peer=s_peer)
            ev(c_host, c_proc, proto, "in", text, peer=c_peer)

EHLO_B = ["250-%s", "250-PIPELINING", "250-SIZE 10240000", "250-VRFY",
          "250-ETRN", "250-STARTTLS", "250-ENHANCEDSTATUSCODES",
          "250-8BITMIME", "250-DSN", "250-SMTPUTF8", "250 CHUNKING"]
def ehlo(name):
    return [("S", l % name if "%s" in l else l) for l in EHLO_B]

A, B = "mail.a.example", "mail.b.example"
MUA_A, MUA_B = "client.a.example", "client.b.example"
QA, QB = "4B1C2D3E4F5", "9D8E7F6A5B4"

say("send alice@a.example -> bob@b.example port 25",
    "Alice's MUA submits the message to her own server, mail.a.example, over SMTP.")
c = (MUA_A, "MUA", "mail.a.example[192.0.2.10]:25")
s = (A, "postfix/smtpd", "client.a.example[192.0.2.100]")
log(A, "smtpd", 0, "connect from client.a.example[192.0.2.100]")
talk(*c, *s, [("S", "220 mail.a.example ESMTP Postfix (Debian/GNU)"),
              ("C", "EHLO client.a.example")] + ehlo(A) +
     [("C", "MAIL FROM:<alice@a.example>")])
log(A, "smtpd", 0, QA + ": client=client.a.example[192.0.2.100]")
body = ["From: alice@a.example", "To: bob@b.example", "Subject: Hello Bob", "",
        "Hi Bob,", "", "the mail flow, one hop at a time.", "Alice"]
talk(*c, *s, [("S", "250 2.1.0 Ok"), ("C", "RCPT TO:<bob@b.example>"),
              ("S", "250 2.1.5 Ok"), ("C", "DATA"),
              ("S", "354 End data with <CR><LF>.<CR><LF>")] +
     [("C", l) for l in body] + [("C", ".")])
log(A, "cleanup", 0, QA + ": message-id=<20261128215950." + QA + "@mail.a.example>")
talk(*c, *s, [("S", "250 2.0.0 Ok: queued as " + QA), ("C", "QUIT"),
              ("S", "221 2.0.0 Bye")])
log(A, "smtpd", 0, "disconnect from client.a.example[192.0.2.100] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5")

say("run", "Postfix on mail.a.example queues it, asks DNS for b.example's MX and relays it; mail.b.example delivers it to bob's mailbox.")
log(A, "qmgr", 0, QA + ": from=<alice@a.example>, size=412, nrcpt=1 (queue active)")
ev(A, "dns", "dns", "none", "b.example. IN MX 10 mail.b.example. (198.51.100.20)")
c = (A, "postfix/smtp", "mail.b.example[198.51.100.20]:25")
s = (B, "postfix/smtpd", "mail.a.example[192.0.2.10]")
log(B, "smtpd", 0, "connect from mail.a.example[192.0.2.10]")
talk(*c, *s, [("S", "220 mail.b.example ESMTP Postfix (Debian/GNU)"),
              ("C", "EHLO mail.a.example")] + ehlo(B) +
     [("C", "MAIL FROM:<alice@a.example> SIZE=412")])
log(B, "smtpd", 0, QB + ": client=mail.a.example[192.0.2.10]")
rcvd = ["Received: from client.a.example (client.a.example [192.0.2.100])",
        "\tby mail.a.example (Postfix) with ESMTP id " + QA,
        "\tfor <bob@b.example>; Sat, 28 Nov 2026 21:59:50 +0000 (UTC)"]
talk(*c, *s, [("S", "250 2.1.0 Ok"), ("C", "RCPT TO:<bob@b.example>"),
              ("S", "250 2.1.5 Ok"), ("C", "DATA"),
              ("S", "354 End data with <CR><LF>.<CR><LF>")] +
     [("C", l) for l in rcvd + body[:3] +
      ["Message-Id: <20261128215950." + QA + "@mail.a.example>",
       "Date: Sat, 28 Nov 2026 21:59:50 +0000 (UTC)"] + body[3:]] + [("C", ".")])
log(B, "cleanup", 0, QB + ": message-id=<20261128215950." + QA + "@mail.a.example>")
talk(*c, *s, [("S", "250 2.0.0 Ok: queued as " + QB), ("C", "QUIT"),
              ("S", "221 2.0.0 Bye")])
log(A, "smtp", 0, QA + ": to=<bob@b.example>, relay=mail.b.example[198.51.100.20]:25, delay=0.5, delays=0.3/0.01/0.1/0.09, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as " + QB + ")")
log(A, "qmgr", 0, QA + ": removed")
log(B, "smtpd", 0, "disconnect from mail.a.example[192.0.2.10] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5")
log(B, "qmgr", 0, QB + ": from=<alice@a.example>, size=640, nrcpt=1 (queue active)")
log(B, "local", 0, QB + ": to=<bob@b.example>, relay=local, delay=0.05, delays=0.03/0.01/0/0.01, dsn=2.0.0, status=sent (delivered to mailbox)")
log(B, "qmgr", 0, QB + ": removed")

say("fetch bob@b.example imap", "Bob's MUA logs in to Dovecot on mail.b.example over IMAP and reads the message.")
c = (MUA_B, "MUA", "mail.b.example[198.51.100.20]:143")
s = (B, "dovecot/imap", "client.b.example[198.51.100.30]")
CAPA = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE"
talk(*c, *s, [("S", "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot (Debian) ready."),
              ("C", "a1 LOGIN bob bob")], proto="imap")
ev(B, "dovecot", "log", "none", "imap-login: Login: user=<bob>, method=PLAIN, rip=198.51.100.30, lip=198.51.100.20, mpid=14367, secured, session=<rPZTWV1htIB/AAAB>")
msg = ["Return-Path: <alice@a.example>", "X-Original-To: bob@b.example",
       "Delivered-To: bob@b.example",
       "Received: from mail.a.example (mail.a.example [192.0.2.10])",
       "\tby mail.b.example (Postfix) with ESMTP id " + QB,
       "\tfor <bob@b.example>; Sat, 28 Nov 2026 21:59:51 +0000 (UTC)"] + rcvd + body[:3] + [
       "Message-Id: <20261128215950." + QA + "@mail.a.example>",
       "Date: Sat, 28 Nov 2026 21:59:50 +0000 (UTC)"] + body[3:]
size = sum(len(l) + 2 for l in msg)
talk(*c, *s, [("S", "a1 OK [CAPABILITY " + CAPA + "] Logged in"),
              ("C", "a2 SELECT INBOX"),
              ("S", "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)"),
              ("S", "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted."),
              ("S", "* 1 EXISTS"), ("S", "* 1 RECENT"),
              ("S", "* OK [UNSEEN 1] First unseen."),
              ("S", "* OK [UIDVALIDITY 1795903190] UIDs valid"),
              ("S", "* OK [UIDNEXT 2] Predicted next UID"),
              ("S", "a2 OK [READ-WRITE] Select completed (0.001 + 0.000 secs)."),
              ("C", "a3 FETCH 1 BODY[]"),
              ("S", "* 1 FETCH (FLAGS (\\Seen \\Recent) BODY[] {%d}" % size)] +
     [("S", l) for l in msg] + [("S", ")"),
              ("S", "a3 OK Fetch completed (0.001 + 0.000 secs)."),
              ("C", "a4 LOGOUT"), ("S", "* BYE Logging out"),
              ("S", "a4 OK Logout completed (0.001 + 0.000 secs).")], proto="imap")
ev(B, "dovecot", "log", "none", "imap(bob)<14367><rPZTWV1htIB/AAAB>: Disconnected: Logged out in=52 out=1873 deleted=0 expunged=0 trashed=0 hdr_count=0 hdr_bytes=0 body_count=1 body_bytes=%d" % size)

out = open(sys.argv[1], "w") if len(sys.argv) > 1 else sys.stdout
for i, e in enumerate(events, 1):
    out.write(json.dumps(dict(seq=i, **e), ensure_ascii=False) + "\n")
