#!/bin/sh
# The console's explanations in Portuguese: pipe sessions against the
# centos world with LANG=pt_BR.UTF-8 - the study note's telnet session
# (SMTP), a tour of other SMTP commands, then wees reading the message
# over POP3 and over IMAP - must print tests/golden/console/NAME.pt_BR.txt
# byte for byte (queue IDs, dates, UIDVALIDITY and UIDL masked), while
# the protocols themselves stay English: the S: and C: lines of the
# Portuguese run are byte-identical to those of the English run.
# Regenerate after a deliberate change with
#   sh tests/integration/i18n_console.sh --update
# and read the diff before committing it.
set -u
cd "$(dirname "$0")/../.." || exit 1
MAILLAB=${MAILLAB:-bin/maillab}
golden=tests/golden/console
update=0
[ "${1:-}" = "--update" ] && update=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset LANGUAGE LC_ALL LC_MESSAGES
fail=0

# What differs from run to run: queue IDs (10 to 12 upper-case hex
# digits) -> QUEUEID1, QUEUEID2...; dates; the time in Message-Ids;
# UIDVALIDITY and the UIDL strings made from it.
mask() {
	python3 -c '
import re, sys
ids = {}
def sub(m):
    return ids.setdefault(m.group(0), "QUEUEID%d" % (len(ids) + 1))
t = re.sub(r"UIDVALIDITY \d+", "UIDVALIDITY N", sys.stdin.read())
t = re.sub(r"\b[0-9A-F]{10,12}\b", sub, t)
t = re.sub(r"[A-Z][a-z]{2}, [ 0-9]\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}( \(UTC\))?", "DATE", t)
t = re.sub(r"<\d{14}\.", "<STAMP.", t)
t = re.sub(r"^(S: \d+ )[0-9a-f]{16}$", r"\1UIDL", t, flags=re.M)
sys.stdout.write(t)
'
}

# The study note's session, typed as the note types it.
printf 'HELO localhost\nMAIL FROM: root\nRCPT TO: wees\nDATA\nOla Amigo\n.\nQUIT\n' \
	> "$tmp/study-note.in"
# More replies to explain: EHLO's extensions, VRFY, NOOP, a relay inside
# mynetworks, an unknown local user, RSET, DATA out of sequence, HELP, a
# typo, STARTTLS.
printf '%s\n' 'EHLO localhost' 'VRFY wees' 'NOOP' 'MAIL FROM:<root@centos.localdomain>' \
	'RCPT TO:<nosuchuser@centos.localdomain>' 'RCPT TO:<wees@elsewhere.example>' \
	'RSET' 'DATA' 'HELP' 'BOGUS' 'STARTTLS' 'QUIT' > "$tmp/tour.in"
# wees reads the study note's message: POP3 (nothing deleted), then IMAP.
printf '%s\n' 'USER wees' 'PASS wees' 'STAT' 'LIST' 'UIDL' 'TOP 1 0' 'RETR 1' \
	'DELE 1' 'RSET' 'NOOP' 'QUIT' > "$tmp/pop3.in"
printf '%s\n' 'a1 LOGIN wees wees' 'a2 SELECT INBOX' 'a3 FETCH 1 (FLAGS BODY[])' \
	'a4 STORE 1 +FLAGS (\Deleted)' 'a5 EXPUNGE' 'a6 LOGOUT' > "$tmp/imap.in"

# run NAME PROTO LANG: the session piped into the console, in the centos
# world of that language (made on first use: the sessions follow each
# other in it, as a learner's would).
run() {
	root="$tmp/root-$3"
	[ -d "$root" ] || "$MAILLAB" --root "$root" init --world centos >/dev/null || return 1
	env LANG="$3" "$MAILLAB" --root "$root" console --proto "$2" --host centos.localdomain \
		< "$tmp/$1.in" > "$tmp/$1.$3.raw" 2> "$tmp/$1.$3.err" || return 1
	mask < "$tmp/$1.$3.raw" > "$tmp/$1.$3.txt"
}

for session in study-note:smtp tour:smtp pop3:pop3 imap:imap; do
	name=${session%:*}
	proto=${session#*:}
	if ! run "$name" "$proto" pt_BR.UTF-8 || ! run "$name" "$proto" C.UTF-8; then
		echo "FAIL $name: maillab console exited non-zero:"
		cat "$tmp/$name".*.err
		fail=1
		continue
	fi
	want="$golden/$name.pt_BR.txt"
	if [ $update -eq 1 ]; then
		mkdir -p "$golden"
		cp "$tmp/$name.pt_BR.UTF-8.txt" "$want"
		echo "wrote $want"
		continue
	fi
	# The wire is the wire: the same S: and C: lines in both languages.
	grep '^[SC]: ' "$tmp/$name.C.UTF-8.txt" > "$tmp/wire.en"
	grep '^[SC]: ' "$tmp/$name.pt_BR.UTF-8.txt" > "$tmp/wire.pt"
	if [ ! -s "$tmp/wire.en" ]; then
		echo "FAIL $name: no S:/C: lines in the English run"
		fail=1
	elif ! diff -u "$tmp/wire.en" "$tmp/wire.pt" > "$tmp/diff"; then
		echo "FAIL $name: the SMTP lines differ between English and Portuguese:"
		cat "$tmp/diff"
		fail=1
	fi
	# The explanations are Portuguese, and exactly the reviewed ones.
	if cmp -s "$tmp/$name.C.UTF-8.txt" "$tmp/$name.pt_BR.UTF-8.txt"; then
		echo "FAIL $name: LANG=pt_BR.UTF-8 printed the English session"
		fail=1
	fi
	if [ ! -f "$want" ]; then
		echo "FAIL $name: no golden file $want (make one with: sh $0 --update)"
		fail=1
	elif ! diff -u "$want" "$tmp/$name.pt_BR.UTF-8.txt" > "$tmp/diff"; then
		echo "FAIL $name: the Portuguese session differs from $want:"
		cat "$tmp/diff"
		fail=1
	else
		echo "ok   $name (pt_BR)"
	fi
done
exit $fail
