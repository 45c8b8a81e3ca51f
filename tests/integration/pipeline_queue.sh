#!/bin/sh
# The queue management session of reference/commands/05-queue.txt and
# 06-postsuper-d-all.txt (copied to tests/data/pipeline) on the centos
# world: a message deferred by relayhost = [127.0.0.1]:2, then mailq,
# postqueue -p, postsuper -h / -H / -r / -d, postqueue -f / -i, postcat.
# Output is compared with the reference after masking what differs by
# nature (queue IDs, dates, sizes, PIDs).
set -eu
cd "$(dirname "$0")/../.."
M=${MAILLAB:-bin/maillab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export MAILLAB_ROOT="$tmp/root"
"$M" init --world centos >/dev/null
H="$MAILLAB_ROOT/hosts/centos.localdomain"
fail=0

mask() {
	sed -e 's/\b[0-9A-F]\{10,12\}\b/QID/g' \
	    -e 's/[A-Z][a-z][a-z] [A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]\{8\}\( 20[0-9][0-9]\)\{0,1\}/DATE/g' \
	    -e 's/^\(QID[!*]\{0,1\}\) *[0-9][0-9]* DATE/\1 SIZE DATE/' \
	    -e 's/^-- [0-9]* Kbytes/-- N Kbytes/' \
	    -e 's|/[0-9A-F]/QID|/X/QID|g'
}
# The reference's output of the command after "$ CMD" up to "[exit N]".
ref() {
	awk -v cmd="$ $2" '$0 == cmd { on = 1; next } on && /^\[exit/ { exit } on { print }' \
		"tests/data/pipeline/$1" | sed -n "${3:-1},\$p" | mask
}
check() {
	if ! diff -u "$tmp/want" "$tmp/got" >"$tmp/diff"; then
		echo "FAIL: $1"; cat "$tmp/diff"; fail=1
	else
		echo "ok: $1"
	fi
}
loglines() {
	# the mail.log lines added since mark, without timestamps and PIDs
	tail -n +"$(( $1 + 1 ))" "$H/var/log/mail.log" |
		sed -e 's/^[^ ]* centos //' -e 's/\[[0-9]*\]:/[P]:/' | mask |
		sed -e 's/delay=[0-9.]*, delays=[0-9.\/]*/delay=D, delays=D/'
}
mark() { wc -l <"$H/var/log/mail.log"; }

printf 'Subject: relay test\n\nThis goes to an unreachable relayhost.\n' |
	"$M" sendmail -f root@centos.localdomain someone@example.com
grep -q 'status=deferred (connect to 127.0.0.1\[127.0.0.1\]:2: Connection refused)' \
	"$H/var/log/mail.log" || { echo "FAIL: not deferred"; fail=1; }
ID=$("$M" mailq | sed -n 2p | cut -c1-11 | tr -d ' *!')

# the reference shows the message from smtpd: the sender line and the
# recipient lines are the same; compare the whole listing
"$M" mailq | mask >"$tmp/got"; ref 05-queue.txt mailq >"$tmp/want"; check "mailq"
"$M" postqueue -p | mask >"$tmp/got"; ref 05-queue.txt "postqueue -p" >"$tmp/want"; check "postqueue -p"
test -f "$H/var/spool/postfix/deferred/$(echo "$ID" | cut -c1)/$ID" || { echo "FAIL: not in hashed deferred/"; fail=1; }
test -f "$H/var/spool/postfix/defer/$(echo "$ID" | cut -c1)/$ID" || { echo "FAIL: no defer log"; fail=1; }

"$M" postcat -q "$ID" | head -1 | mask >"$tmp/got"
ref 05-queue.txt "postcat -q ACCB9104558" | head -1 >"$tmp/want"; check "postcat first line"
"$M" postcat -q "$ID" | grep -c '^\*\*\* ' | grep -qx 4 || { echo "FAIL: postcat sections"; fail=1; }

m=$(mark)
"$M" postsuper -h "$ID" 2>&1 | mask >"$tmp/got"; ref 05-queue.txt "postsuper -h ACCB9104558" >"$tmp/want"; check "postsuper -h ID"
"$M" mailq | mask >"$tmp/got"
awk '/^\$ postsuper -h ACCB9104558/{f=1} f && /^\$ mailq/{on=1; next} on && /^\[exit/{exit} on{print}' \
	tests/data/pipeline/05-queue.txt | mask >"$tmp/want"; check "mailq shows held"
"$M" postsuper -H ALL 2>&1 | mask >"$tmp/got"; ref 05-queue.txt "postsuper -H ALL" >"$tmp/want"; check "postsuper -H ALL"
"$M" postsuper -h ALL 2>&1 | mask >"$tmp/got"; ref 05-queue.txt "postsuper -h ALL" >"$tmp/want"; check "postsuper -h ALL"
"$M" postsuper -H "$ID" 2>&1 | mask >"$tmp/got"; ref 05-queue.txt "postsuper -H ACCB9104558" >"$tmp/want"; check "postsuper -H ID"
loglines "$m" >"$tmp/got"
cat >"$tmp/want" <<'X'
postfix/postsuper[P]: QID: placed on hold
postfix/postsuper[P]: Placed on hold: 1 message
postfix/postsuper[P]: Released from hold: 1 message
postfix/postsuper[P]: Placed on hold: 1 message
postfix/postsuper[P]: QID: released from hold
postfix/postsuper[P]: Released from hold: 1 message
X
check "postsuper log lines"

m=$(mark)
"$M" postqueue -f >"$tmp/got" 2>&1; : >"$tmp/want"; check "postqueue -f prints nothing"
loglines "$m" >"$tmp/got"
cat >"$tmp/want" <<'X'
postfix/qmgr[P]: QID: from=<root@centos.localdomain>, size=376, nrcpt=1 (queue active)
postfix/smtp[P]: connect to 127.0.0.1[127.0.0.1]:2: Connection refused
postfix/smtp[P]: QID: to=<someone@example.com>, relay=none, delay=D, delays=D, dsn=4.4.1, status=deferred (connect to 127.0.0.1[127.0.0.1]:2: Connection refused)
X
sed -i 's/size=[0-9]*/size=376/' "$tmp/got"
check "postqueue -f retries at once"

"$M" postqueue -i "$ID" >"$tmp/got" 2>&1; : >"$tmp/want"; check "postqueue -i"
"$M" postsuper -r ALL 2>&1 | mask >"$tmp/got"; ref 05-queue.txt "postsuper -r ALL" >"$tmp/want"; check "postsuper -r ALL"
test -f "$H/var/spool/postfix/maildrop/$ID" || { echo "FAIL: requeued file not in maildrop/"; fail=1; }
"$M" postsuper -d "$ID" 2>&1 | mask >"$tmp/got"; ref 05-queue.txt "postsuper -d ACCB9104558" >"$tmp/want"; check "postsuper -d ID"
"$M" mailq >"$tmp/got"; echo "Mail queue is empty" >"$tmp/want"; check "mailq empty"

# 06: postsuper -d ALL deferred, and -d ALL
printf 'Subject: deferred 2\n\nbody\n' | "$M" sendmail -f root someone@example.net
"$M" postsuper -d ALL deferred 2>&1 | mask >"$tmp/got"
ref 06-postsuper-d-all.txt "postsuper -d ALL deferred" >"$tmp/want"; check "postsuper -d ALL deferred"
printf 'Subject: deferred 3\n\nbody\n' | "$M" sendmail -f root someone@example.net
"$M" postsuper -d ALL 2>&1 | mask >"$tmp/got"
ref 06-postsuper-d-all.txt "postsuper -d ALL" >"$tmp/want"; check "postsuper -d ALL"
"$M" mailq >"$tmp/got"; echo "Mail queue is empty" >"$tmp/want"; check "mailq empty again"
"$M" postqueue -p; echo "rc=$?" >"$tmp/rc"; grep -qx 'rc=0' "$tmp/rc" || fail=1

exit $fail
