#!/bin/sh
# postfix(1) control commands on the centos world, as postfix-script runs
# them: check and status print nothing on a non-terminal (reference/
# commands/04-check-status.txt, copied to tests/data/pipeline) and log
# "running: PID: N"; after `postfix stop` status says "not running" and
# exits 1; stop/reload on a stopped system and start on a running one are
# fatal (exit 1); master logs its start and stop.
set -eu
cd "$(dirname "$0")/../.."
M=${MAILLAB:-bin/maillab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export MAILLAB_ROOT="$tmp/root"
"$M" init --world centos >/dev/null
LOG="$MAILLAB_ROOT/hosts/centos.localdomain/var/log/mail.log"
fail=0

# cmd, want exit, want stderr, want new log lines (without date and PID)
run() {
	before=$(wc -l <"$LOG" 2>/dev/null || echo 0)
	set +e
	$M postfix "$1" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	set -e
	tail -n +"$((before + 1))" "$LOG" | sed -e 's/^[^ ]* centos //' \
		-e 's/\[[0-9]*\]:/:/' -e 's/PID: [0-9]*/PID: N/' >"$tmp/log"
	printf '%s' "$3" >"$tmp/want_err"
	[ -z "$3" ] || echo >>"$tmp/want_err"
	printf '%s\n' "$4" | sed '/^$/d' >"$tmp/want_log"
	if [ "$rc" != "$2" ] || [ -s "$tmp/out" ] ||
	   ! cmp -s "$tmp/err" "$tmp/want_err" || ! cmp -s "$tmp/log" "$tmp/want_log"; then
		echo "FAIL: postfix $1 (exit $rc, want $2)"
		diff "$tmp/want_err" "$tmp/err" || true
		diff "$tmp/want_log" "$tmp/log" || true
		fail=1
	else
		echo "ok: postfix $1 -> $2"
	fi
}

# the reference: both print nothing and exit 0
for c in check status; do
	want=$(awk -v cmd="\$ postfix $c" '$0 == cmd { on = 1; next } on { print; exit }' \
		tests/data/pipeline/04-check-status.txt)
	[ "$want" = "[exit 0]" ] || { echo "FAIL: reference for $c: $want"; fail=1; }
done
run check 0 "" ""
run status 0 "" "postfix/postfix-script: the Postfix mail system is running: PID: N"
run stop 0 "" "postfix/postfix-script: stopping the Postfix mail system
postfix/master: terminating on signal 15"
run status 1 "" "postfix/postfix-script: the Postfix mail system is not running"
run stop 1 "postfix/postfix-script: fatal: the Postfix mail system is not running" \
	"postfix/postfix-script: fatal: the Postfix mail system is not running"
run reload 1 "postfix/postfix-script: fatal: the Postfix mail system is not running" \
	"postfix/postfix-script: fatal: the Postfix mail system is not running"
run start 0 "" "postfix/postfix-script: starting the Postfix mail system
postfix/master: daemon started -- version 3.7.11, configuration /etc/postfix"
run start 1 "postfix/postfix-script: fatal: the Postfix mail system is already running" \
	"postfix/postfix-script: fatal: the Postfix mail system is already running"
run status 0 "" "postfix/postfix-script: the Postfix mail system is running: PID: N"
run reload 0 "" "postfix/postfix-script: refreshing the Postfix mail system
postfix/master: reload -- version 3.7.11, configuration /etc/postfix"
exit $fail
