#!/bin/sh
# The TUI as a person sees it, under tmux: started in 80x24 and 132x43,
# keys sent, the pane captured and checked for what should be on it: the
# domain boxes, the arrow label "SMTP :25", the reply "250 2.0.0 Ok:
# queued as", bob's mailbox count going from 0 to 1, the panes, help,
# filter, resizing, no colour (NO_COLOR, TERM=vt100), and the terminal
# given back after q and after SIGTERM.
set -u
if ! command -v tmux >/dev/null 2>&1; then
	echo "SKIP: tmux is not installed; the TUI test needs it (apt-get install tmux)"
	exit 0
fi
cd "$(dirname "$0")/../.." || exit 1
MAILLAB=${MAILLAB:-bin/maillab}
case "$MAILLAB" in /*) ;; *) MAILLAB="$(pwd)/$MAILLAB" ;; esac
tmp=$(mktemp -d)
sock="maillab-tui-test-$$"
T="tmux -L $sock"
trap '$T kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0
S=demo

no() { echo "FAIL: $*"; echo "---- screen:"; cat "$tmp/screen"; echo "----"; fail=1; }
grab() { $T capture-pane -p -t "$S" > "$tmp/screen" 2>/dev/null; }
# wait_for TEXT [SECONDS]: poll the screen until it shows TEXT.
wait_for() {
	i=0
	while [ $i -lt $((${2:-5} * 10)) ]; do
		grab
		grep -qF -- "$1" "$tmp/screen" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
has() { grep -qF -- "$1" "$tmp/screen"; }
keys() { $T send-keys -t "$S" "$@"; }
# start COLSxROWS ENV...: the demo in a fresh tmux session.
start() {
	size=$1; shift
	$T kill-session -t "$S" 2>/dev/null
	cat > "$tmp/run.sh" <<EOS
echo \$\$ > "$tmp/pid"
env LANG=C.UTF-8 $* "$MAILLAB" --root "$tmp/root" --lang en demo --tui
echo "EXIT=\$?"
sleep 60
EOS
	$T new-session -d -s "$S" -x "${size%x*}" -y "${size#*x}" "sh $tmp/run.sh"
	wait_for "MTA Postfix" 10 || no "$size: the picture did not come up"
}
# step_until TEXT: space until TEXT shows (at most 80 steps).
step_until() {
	n=0
	while [ $n -lt 80 ]; do
		grab
		has "$1" && return 0
		keys Space
		sleep 0.05
		n=$((n + 1))
	done
	grab
	has "$1"
}
alt_off() { [ "$($T display -p -t "$S" '#{alternate_on}')" = 0 ]; }

# ---- 80x24
start 80x24
has "a.example: mail.a.example" || no "80x24: no box for a.example"
has "b.example: mail.b.example" || no "80x24: no box for b.example"
has "┌" && has "┘" || no "80x24: no box corners"
has "bob: 0" || no "80x24: bob's mailbox should start at 0"
step_until "250 2.0.0 Ok: queued as" || no "80x24: never showed the queued-as reply"
has "SMTP :25" || no "80x24: no SMTP :25 arrow label"
has "The lone dot ends the message" || no "80x24: no explanation under the reply"
keys End; wait_for "bob: 1" || no "80x24: bob's mailbox count did not reach 1"
keys b; keys b; sleep 0.2; grab
keys Home; wait_for "bob: 0" || no "80x24: stepping back to the start did not empty bob's mailbox"
keys End
keys Tab; wait_for "Queues and mailboxes" || no "80x24: Tab did not show the queues pane"
has "/var/mail/bob: 1 message" || no "80x24: queues pane lacks bob's mailbox"
keys Tab; wait_for "─ mail.log" || no "80x24: Tab did not show mail.log"
has "postfix/local: " || no "80x24: mail.log lacks the delivery by local"
keys Tab; wait_for "─ Events" || no "80x24: Tab did not show the events"
keys f; wait_for "Events: smtp" || no "80x24: f did not filter by protocol"
keys '?'; wait_for "Keys" || no "80x24: ? did not open the help"
has "one step back" || no "80x24: help lacks the keys"
keys x; sleep 0.2; grab; has "one step back" && no "80x24: help did not close"
# Resize to 132x43: four panes at once.
$T resize-window -t "$S" -x 132 -y 43
wait_for "Queues and mailboxes" || no "resize: no queues pane after growing"
has "─ mail.log" && has "─ Events" && has "─ Protocol" || no "resize: 132x43 should show all four panes"
keys q; wait_for "EXIT=0" || no "q did not exit with 0"
alt_off || no "q left the terminal in the alternate screen"

# ---- 132x43 from the start
start 132x43
step_until "250 2.0.0 Ok: queued as" || no "132x43: never showed the queued-as reply"
has "SMTP :25" || no "132x43: no SMTP :25 arrow label"
has "Queues and mailboxes" && has "─ mail.log" && has "─ Events" || no "132x43: not all panes shown"
keys Enter; sleep 1; keys p; grab
has "paused" || no "132x43: p did not pause"
keys End; wait_for "bob: 1" || no "132x43: bob's mailbox count did not reach 1"
keys q; wait_for "EXIT=0" || no "132x43: q did not exit with 0"

# ---- no colour, an old terminal (its line drawing is its own: no corners to check)
start 80x24 TERM=vt100 NO_COLOR=1
has "MTA Postfix" && has "a.example: mail.a.example" || no "vt100: no picture"
keys Space Space; sleep 0.2; grab
has "SMTP :25" || no "vt100: no SMTP :25 label"
keys q; wait_for "EXIT=0" || no "vt100: q did not exit with 0"

# ---- too small, then SIGTERM: the terminal comes back sane
start 80x24
$T resize-window -t "$S" -x 60 -y 20
wait_for "at least 80x24" || no "60x20: no message about the size"
kill -TERM "$(cat "$tmp/pid" | xargs pgrep -P)" 2>/dev/null
wait_for "EXIT=" || no "SIGTERM: the demo did not end"
alt_off || no "SIGTERM left the terminal in the alternate screen"

exit $fail
