#!/bin/sh
# The TUI in Portuguese, as a person sees it under tmux: LANG=pt_BR.UTF-8
# (the locale need not be generated on this machine) gives accented
# labels, key help and explanations, drawn as whole characters (no "?",
# "_" or "M-" escapes in place of "ç", "ã", "é"), while the protocol
# lines on screen stay English. Only this test's own tmux server and
# session are touched.
set -u
if ! command -v tmux >/dev/null 2>&1; then
	echo "SKIP: tmux is not installed; the TUI test needs it (apt-get install tmux)"
	exit 0
fi
cd "$(dirname "$0")/../.." || exit 1
MAILLAB=${MAILLAB:-bin/maillab}
case "$MAILLAB" in /*) ;; *) MAILLAB="$(pwd)/$MAILLAB" ;; esac
tmp=$(mktemp -d)
sock="maillab-i18n-tui-$$"
S="i18n-tui-$$"
# -u: tmux itself treats the pane as UTF-8 whatever the caller's locale.
T="tmux -u -L $sock"
trap '$T kill-session -t "$S" 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0

no() { echo "FAIL: $*"; echo "---- screen:"; cat "$tmp/screen"; echo "----"; fail=1; }
grab() { $T capture-pane -p -t "$S" > "$tmp/screen" 2>/dev/null; }
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

cat > "$tmp/run.sh" <<EOS
env -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u LC_CTYPE LANG=pt_BR.UTF-8 \
	"$MAILLAB" --root "$tmp/root" demo --tui
echo "EXIT=\$?"
sleep 60
EOS
$T new-session -d -s "$S" -x 80 -y 24 "sh $tmp/run.sh"
wait_for "MTA Postfix" 10 || no "the picture did not come up"
has "Aperte espaço para o próximo passo" || no "no Portuguese hint before the first step"
has "Alice escreve para Bob" || no "no Portuguese scenario title"
has "espaço:passo" && has "q:sai" || no "the key bar is not Portuguese (or is cut off at 80 columns)"
step_until "250 2.0.0 Ok: queued as" || no "never showed the queued-as reply"
has "O ponto sozinho termina a mensagem" || no "no Portuguese explanation under the reply"
has "C: MAIL FROM:<alice@a.example>" || has "S: 250 2.0.0 Ok: queued as" || no "protocol lines are not English"
keys End; wait_for "bob: 1" || no "bob's mailbox count did not reach 1"
keys Tab; wait_for "Filas e caixas postais" || no "Tab did not show the queues pane in Portuguese"
has "/var/mail/bob: 1 mensagem" || no "the queues pane does not count in Portuguese"
keys '?'; wait_for "Teclas" || no "? did not open the Portuguese help"
has "um passo atrás" && has "próxima aba" || no "the help lacks the Portuguese keys"
has "protocolo, depois host" || no "the help box cuts its longest Portuguese line"
# Accents are whole characters, not replacement marks.
grep -q 'pr_xima\|pr?xima\|M-CM-\|\\303' "$tmp/screen" && no "accented characters are mangled"
keys x; sleep 0.2
keys q; wait_for "EXIT=0" || no "q did not exit with 0"
exit $fail
