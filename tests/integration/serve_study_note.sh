#!/bin/sh
# The study note's telnet session, piped into `maillab serve --stdio smtp`
# on a fresh centos world, gets the replies a real Postfix 3.7 gave
# (reference/transcripts/smtp/01-study-note.txt) line for line, CRLF and
# all; the message passes the host's queue and is delivered to
# var/mail/wees before serve exits, as Postfix's qmgr and local would.
set -eu
cd "$(dirname "$0")/../.."
MAILLAB=${MAILLAB:-bin/maillab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
R=$tmp/root

"$MAILLAB" --root "$R" init --world centos >/dev/null
printf 'HELO localhost\r\nMAIL FROM: root\r\nRCPT TO: wees\r\nDATA\r\nOla Amigo\r\n.\r\nQUIT\r\n' |
	"$MAILLAB" --root "$R" serve --stdio smtp --host centos.localdomain >"$tmp/out"

printf '%s\r\n' '220 centos.localdomain ESMTP Postfix (Debian/GNU)' \
	'250 centos.localdomain' '250 2.1.0 Ok' '250 2.1.5 Ok' \
	'354 End data with <CR><LF>.<CR><LF>' '250 2.0.0 Ok: queued as QID' \
	'221 2.0.0 Bye' >"$tmp/want"
sed 's/queued as [0-9A-Za-z]*/queued as QID/' "$tmp/out" >"$tmp/got"
if ! cmp -s "$tmp/got" "$tmp/want"; then
	echo "serve --stdio replies differ from the study note's (masked queue ID):"
	diff "$tmp/want" "$tmp/got" | cat -A
	exit 1
fi
echo "ok: the study note's replies, line for line"

qid=$(sed -n 's/.*queued as \([0-9A-Za-z]*\).*/\1/p' "$tmp/out")
case "$qid" in
[0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F][0-9A-F]) ;;
*) echo "queue ID $qid is not 11 upper-case hex digits as Postfix's"; exit 1;;
esac
# serve brings the world up to date before it exits: the message went
# through the queue and local delivered it, as on Postfix.
f=$(find "$R/hosts/centos.localdomain/var/spool/postfix" -type f -name "$qid" | head -1)
if [ -n "$f" ]; then
	echo "$qid is still queued ($f): serve should deliver before it exits"
	exit 1
fi
mbox=$R/hosts/centos.localdomain/var/mail/wees
grep -q "id $qid" "$mbox" && grep -q '^Ola Amigo$' "$mbox" ||
	{ echo "$mbox lacks message $qid:"; cat "$mbox"; exit 1; }
grep -q "$qid: to=<wees@centos.localdomain>, orig_to=<wees>, relay=local, .*status=sent (delivered to mailbox)" \
	"$R/hosts/centos.localdomain/var/log/mail.log" ||
	{ echo "mail.log lacks the delivery of $qid"; exit 1; }
echo "ok: queued as $qid and delivered to var/mail/wees: 'Ola Amigo'"
