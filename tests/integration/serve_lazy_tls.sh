#!/bin/sh
# maillab serve makes its TLS context only when the client asks for TLS
# (STARTTLS, STLS): a session that never does still sees STARTTLS/STLS
# offered, but no key is loaded, and on a fresh host not even the
# snakeoil pair is generated (src/net/tls.c makes it on first use). The
# first STARTTLS makes it. docs/performance.md ("Mailbox access") says
# what this saves on a warm IMAP/POP3 session.
set -u
cd "$(dirname "$0")/../.." || exit 1
M=${MAILLAB:-bin/maillab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
R="$tmp/root"
"$M" --root "$R" init --world centos >/dev/null || { echo "FAIL: init"; exit 1; }
H="$R/hosts/centos.localdomain"
CERT="$H/etc/ssl/certs/ssl-cert-snakeoil.pem"
KEY="$H/etc/ssl/private/ssl-cert-snakeoil.key"
fail=0
serve() { "$M" --root "$R" serve --stdio "$1" --host centos.localdomain 2>&1; }
out=$(printf 'a1 CAPABILITY\r\na2 LOGOUT\r\n' | serve imap)
case "$out" in
*"STARTTLS"*) echo "ok   imap: STARTTLS offered" ;;
*) echo "FAIL imap: STARTTLS not offered: $out"; fail=1 ;;
esac
out=$(printf 'CAPA\r\nQUIT\r\n' | serve pop3)
case "$out" in
*"STLS"*) echo "ok   pop3: STLS offered" ;;
*) echo "FAIL pop3: STLS not offered: $out"; fail=1 ;;
esac
if [ -e "$CERT" ] || [ -e "$KEY" ]; then
	echo "FAIL: a session without STARTTLS made the TLS pair"; fail=1
else
	echo "ok   no TLS context (no snakeoil pair) without STARTTLS"
fi
out=$(printf 'a1 STARTTLS\r\n' | serve imap)
case "$out" in
*"a1 OK Begin TLS negotiation now."*) echo "ok   imap: STARTTLS answered" ;;
*) echo "FAIL imap: STARTTLS: $out"; fail=1 ;;
esac
if [ -s "$CERT" ] && [ -s "$KEY" ]; then
	echo "ok   STARTTLS made the pair"
else
	echo "FAIL: STARTTLS did not make the TLS pair"; fail=1
fi
exit $fail
