#!/bin/sh
# The console's explanations in Portuguese: pipe sessions against the
# centos world (the study note's telnet session, then a tour of other
# commands) with LANG=pt_BR.UTF-8 must print
# tests/golden/console/NAME.pt_BR.txt byte for byte (queue IDs masked),
# while the protocol itself stays English: the S: and C: lines of the
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

# Queue IDs (10 to 12 upper-case hex digits) -> QUEUEID1, QUEUEID2...
mask() {
	python3 -c '
import re, sys
ids = {}
def sub(m):
    return ids.setdefault(m.group(0), "QUEUEID%d" % (len(ids) + 1))
sys.stdout.write(re.sub(r"\b[0-9A-F]{10,12}\b", sub, sys.stdin.read()))
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

# run NAME LANG: a fresh centos world, the session piped into the console.
run() {
	root="$tmp/root-$1-$2"
	"$MAILLAB" --root "$root" init --world centos >/dev/null || return 1
	env LANG="$2" "$MAILLAB" --root "$root" console --host centos.localdomain \
		< "$tmp/$1.in" > "$tmp/$1.$2.raw" 2> "$tmp/$1.$2.err" || return 1
	mask < "$tmp/$1.$2.raw" > "$tmp/$1.$2.txt"
}

for name in study-note tour; do
	if ! run "$name" pt_BR.UTF-8 || ! run "$name" C.UTF-8; then
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
