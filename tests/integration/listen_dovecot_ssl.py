#!/usr/bin/env python3
"""The listener's POP3/IMAP TLS follows the host's Dovecot ssl settings
(issue 5 point 3): ssl_cert = </path and ssl_key = </path in
etc/dovecot/conf.d/10-ssl.conf are read as Dovecot reads them, so
openssl s_client -starttls imap (and pop3, and imaps) sees the custom
certificate's subject, not the snakeoil one; a path that does not exist
is doveconf's error naming the config file and line, and the listener
still serves the rest (plain IMAP and POP3 without STARTTLS, SMTP);
ssl = no serves no TLS at all."""
import imaplib
import os
import poplib
import shutil
import smtplib
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "listen_helpers"))
from common import Listener, cleanup, host_dir, make_root, run  # noqa: E402

HOST = "centos.localdomain"
SUBJECT_CN = "imap.custom.test"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def ssl_conf(root, text):
    write(os.path.join(host_dir(root, HOST), "etc/dovecot/conf.d/10-ssl.conf"), text)


def served_subject(args, port):
    """The subject line openssl s_client prints for the served certificate."""
    out = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port] + args,
                         input=b"", capture_output=True, timeout=20)
    text = out.stdout.decode(errors="replace")
    for line in text.splitlines():
        if line.startswith("subject="):
            return line
    return text[-400:] + out.stderr.decode(errors="replace")[-400:]


def main(check):
    if shutil.which("openssl") is None:
        print("skip: no openssl")
        return
    tmp, root = make_root()
    hd = host_dir(root, HOST)
    try:
        os.makedirs(os.path.join(hd, "etc/ssl/lab"), exist_ok=True)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=%s/O=maillab ssl test" % SUBJECT_CN,
                        "-keyout", os.path.join(hd, "etc/ssl/lab/custom.key"),
                        "-out", os.path.join(hd, "etc/ssl/lab/custom.pem")],
                       check=True, capture_output=True, timeout=60)
        ssl_conf(root, "# maillab test: a custom pair\n"
                 "ssl = yes\n"
                 "ssl_cert = </etc/ssl/lab/custom.pem\n"
                 "ssl_key = </etc/ssl/lab/custom.key\n")

        li = Listener(root)
        try:
            subj = served_subject(["-starttls", "imap"], li.port("imap"))
            check("STARTTLS imap serves the custom certificate", SUBJECT_CN in subj and
                  "maillab ssl test" in subj, subj)
            subj = served_subject([], li.port("imaps"))
            check("imaps serves it too", SUBJECT_CN in subj, subj)
            subj = served_subject(["-starttls", "pop3"], li.port("pop3"))
            check("STLS pop3 serves it too", SUBJECT_CN in subj, subj)
            subj = served_subject(["-starttls", "smtp"], li.port("smtp"))
            check("Postfix keeps its own (snakeoil) certificate", SUBJECT_CN not in subj and
                  "subject=" in subj, subj)
        finally:
            li.stop()

        # A missing file: doveconf's complaint, the rest is served.
        ssl_conf(root, "ssl = yes\n"
                 "ssl_cert = </etc/ssl/lab/missing.pem\n"
                 "ssl_key = </etc/ssl/lab/custom.key\n")
        li = Listener(root)
        try:
            check("no imaps without a certificate", ("imaps", "127.0.0.1") not in li.ports and
                  ("pop3s", "127.0.0.1") not in li.ports, li.ports)
            m = imaplib.IMAP4("127.0.0.1", li.port("imap"), timeout=10)
            check("IMAP still served, without STARTTLS", "STARTTLS" not in m.capabilities,
                  m.capabilities)
            typ, _ = m.login("bob", "bobpw")
            check("plain LOGIN on loopback", typ == "OK")
            m.logout()
            p = poplib.POP3("127.0.0.1", li.port("pop3"), timeout=10)
            p.user("bob")
            check("POP3 still served", p.pass_("bobpw").startswith(b"+OK"))
            p.quit()
            s = smtplib.SMTP("127.0.0.1", li.port("smtp"), timeout=10)
            check("SMTP still served", s.ehlo()[0] == 250)
            s.quit()
        finally:
            li.stop()
        conf = os.path.join(hd, "etc/dovecot/conf.d/10-ssl.conf")
        want = ("Error in configuration file %s line 2: ssl_cert: Can't open file %s: "
                "No such file or directory" % (conf, os.path.join(hd, "etc/ssl/lab/missing.pem")))
        check("doveconf's error names the file and line", want in li.stderr, li.stderr)

        # ssl = no: no TLS service at all.
        ssl_conf(root, "ssl = no\n")
        li = Listener(root)
        try:
            check("ssl = no: no imaps, no pop3s", ("imaps", "127.0.0.1") not in li.ports and
                  ("pop3s", "127.0.0.1") not in li.ports, li.ports)
            m = imaplib.IMAP4("127.0.0.1", li.port("imap"), timeout=10)
            check("ssl = no: no STARTTLS", "STARTTLS" not in m.capabilities, m.capabilities)
            m.logout()
        finally:
            li.stop()
        check("ssl = no: nothing on stderr", li.stderr == "", li.stderr)
    finally:
        cleanup(tmp)


if __name__ == "__main__":
    run(main)
