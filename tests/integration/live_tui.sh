#!/bin/sh
# The live classroom mode (issue 6, point 5) as a person sees it, under
# tmux: `maillab listen --tui` in an 80x24 and a 132x43 window, a real
# client (Python smtplib, then poplib) against it, the pane captured and
# checked for the client as an outside node ("client 127.0.0.1"), its
# lines (EHLO, "250 2.0.0 Ok: queued as"), the mailbox count changing,
# the listening line; then q: the listener stops cleanly (mail.log's
# "terminating on signal 15", the queue kept) and the terminal is given
# back (no alternate screen). Polls with timeouts, never fixed sleeps.
set -u
if ! command -v tmux >/dev/null 2>&1; then
	echo "skip: tmux is not installed; the live TUI test needs it (apt-get install tmux)"
	exit 0
fi
cd "$(dirname "$0")/../.." || exit 1
MAILLAB=${MAILLAB:-bin/maillab}
case "$MAILLAB" in /*) ;; *) MAILLAB="$(pwd)/$MAILLAB" ;; esac
tmp=$(mktemp -d)
T="tmux -L livetest-$$"
trap '$T kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
S=live
ROOT="$tmp/root"
LOG="$ROOT/hosts/centos.localdomain/var/log/mail.log"

"$MAILLAB" --root "$ROOT" init --world centos >/dev/null || { echo "FAIL: init"; exit 1; }

no() { echo "FAIL: $*"; echo "---- screen:"; cat "$tmp/screen"; echo "----"; fail=1; }
grab() { $T capture-pane -p -t "$S" > "$tmp/screen" 2>/dev/null; }
# wait_for TEXT [SECONDS]: poll the screen until it shows TEXT.
wait_for() {
	i=0
	while [ $i -lt $((${2:-10} * 20)) ]; do
		grab
		grep -qF -- "$1" "$tmp/screen" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}
has() { grep -qF -- "$1" "$tmp/screen"; }
keys() { $T send-keys -t "$S" "$@"; }
alt_off() { [ "$($T display -p -t "$S" '#{alternate_on}')" = 0 ]; }

# start COLSxROWS: the live picture in a fresh tmux session, on a free
# port offset (another one when the first is taken).
start() {
	size=$1
	tries=0
	while [ $tries -lt 10 ]; do
		tries=$((tries + 1))
		OFF=$(awk 'BEGIN { srand(); print 20000 + int(rand() * 20000) }')
		OFF=$(( (OFF + $$ + tries * 997) % 20000 + 20000 ))
		SMTP=$((OFF + 25))
		POP3=$((OFF + 110))
		$T kill-session -t "$S" 2>/dev/null
		cat > "$tmp/run.sh" <<EOS
echo \$\$ > "$tmp/pid"
env LANG=C.UTF-8 "$MAILLAB" --root "$ROOT" --lang en listen --tui --port-offset $OFF
echo "EXIT=\$?"
sleep 60
EOS
		$T new-session -d -s "$S" -x "${size%x*}" -y "${size#*x}" "sh $tmp/run.sh"
		i=0
		while [ $i -lt 200 ]; do
			grab
			has "Waiting for a client" && return 0
			has "EXIT=" && break
			sleep 0.05
			i=$((i + 1))
		done
		has "Address already in use" || break
	done
	no "$size: the live picture did not come up"
	return 1
}

# The listener's own pid (the child of run.sh).
listener_pid() { pgrep -P "$(cat "$tmp/pid")" 2>/dev/null | head -1; }

send_mail() {
	python3 - "$SMTP" "$1" <<'EOF'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
s.ehlo("student.example")
s.sendmail("root@centos.localdomain", ["alice@centos.localdomain"],
           ("Subject: %s\r\n\r\nhello from class\r\n" % sys.argv[2]).encode())
s.quit()
EOF
}

fetch_all() {
	python3 - "$POP3" <<'EOF'
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
p.user("alice")
p.pass_("alicepw")
n = len(p.list()[1])
for i in range(1, n + 1):
    p.retr(i)
    p.dele(i)
p.quit()
EOF
}

# back_until TEXT: b (one step back) until TEXT shows, at most 60 steps.
back_until() {
	n=0
	while [ $n -lt 60 ]; do
		grab
		has "$1" && return 0
		keys b
		sleep 0.03
		n=$((n + 1))
	done
	grab
	has "$1"
}

# stop SIZE: q, then the listener is gone and the terminal sane.
stop() {
	pid=$(listener_pid)
	keys q
	wait_for "EXIT=0" 10 || no "$1: q did not stop the listener with 0"
	alt_off || no "$1: q left the terminal in the alternate screen"
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		no "$1: the listener (pid $pid) still runs after q"
	fi
	grep -q "terminating on signal 15" "$LOG" || no "$1: mail.log lacks master's terminating line"
}

# ---- 80x24
if start 80x24; then
	keys +
	has "listening: 127.0.0.1 smtp:$SMTP" || no "80x24: the status line does not say where smtp listens"
	has "telnet 127.0.0.1 $SMTP" || no "80x24: no hint how to connect"
	has "centos.localdomain" && has "MTA Postfix" || no "80x24: no box for the host"
	send_mail "first" || no "80x24: the smtplib session failed"
	wait_for "client 127.0.0.1" 10 || no "80x24: the client is not shown as an outside node"
	wait_for "alice: 0" 10 || no "80x24: alice's mailbox did not show at 0 before the delivery"
	wait_for "alice: 1" 15 || no "80x24: alice's mailbox count did not reach 1"
	has "live" || no "80x24: the title does not say live"
	keys b
	wait_for "paused" 5 || no "80x24: stepping back did not pause"
	back_until "250 2.0.0 Ok: queued as" || no "80x24: never showed the queued-as reply"
	back_until "C: ehlo student.example" || no "80x24: never showed the client's EHLO"
	has "SMTP :25" || no "80x24: no SMTP :25 label"
	has "client 127.0.0.1 <-- SMTP :25" || no "80x24: the client's arrow is not lit"
	keys Enter
	wait_for "alice: 1" 10 || no "80x24: Enter did not follow again"
	stop 80x24
fi

# ---- 132x43: the second message, then a POP3 fetch empties the box
if start 132x43; then
	keys +
	# the world's count: the first run's message is there already
	wait_for "alice: 1" 5 || no "132x43: alice's mailbox does not show the message already in it"
	send_mail "second" || no "132x43: the smtplib session failed"
	wait_for "alice: 2" 15 || no "132x43: alice's mailbox count did not reach 2"
	has "client 127.0.0.1" || no "132x43: no outside node for the client"
	has "Events" && has "mail.log" && has "Queues and mailboxes" || no "132x43: not every pane"
	has "250 2.0.0 Ok: queued as" || no "132x43: the queued-as reply is not on the screen"
	fetch_all || no "132x43: the POP3 fetch failed"
	wait_for "alice: 0" 15 || no "132x43: alice's mailbox did not go back to 0 after the fetch"
	has "POP3 :110" || has "+OK" || no "132x43: the POP3 session is not shown"
	stop 132x43
fi

[ $fail -eq 0 ] && echo "ok   live TUI: 80x24 and 132x43"
exit $fail
