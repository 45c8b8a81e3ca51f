#!/bin/sh
# --help in Portuguese: with LANG=pt_BR.UTF-8 every maillab command of its
# own prints its usage in Portuguese ("Uso:", no English "Usage:"), and
# the command list of `maillab --help` is all translated; with LANG=C.UTF-8
# the same commands speak English. The Postfix tools maillab imitates
# (postconf, postqueue, ...) print Postfix's own English usage, byte for
# byte the same whatever the language.
set -u
cd "$(dirname "$0")/../.." || exit 1
MAILLAB=${MAILLAB:-bin/maillab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset LANGUAGE LC_ALL LC_MESSAGES
MAILLAB_ROOT="$tmp/root"
export MAILLAB_ROOT
"$MAILLAB" init >/dev/null || { echo "FAIL: maillab init"; exit 1; }
fail=0

# help LANG CMD...: the usage text, stdout and stderr together.
help() {
	l=$1; shift
	env LANG="$l" "$MAILLAB" "$@" --help 2>&1
}

help pt_BR.UTF-8 > "$tmp/main.pt"
help C.UTF-8 > "$tmp/main.en"
grep -q '^Uso: maillab' "$tmp/main.pt" || { echo "FAIL: maillab --help is not Portuguese"; cat "$tmp/main.pt"; fail=1; }
grep -q '^Usage: maillab' "$tmp/main.en" || { echo "FAIL: maillab --help is not English under LANG=C.UTF-8"; fail=1; }
# Each command's one-line description differs from the English one.
sed -n 's/^  \([a-z]*\)  *\(.*\)/\1 \2/p' "$tmp/main.en" > "$tmp/list.en"
sed -n 's/^  \([a-z]*\)  *\(.*\)/\1 \2/p' "$tmp/main.pt" > "$tmp/list.pt"
if [ ! -s "$tmp/list.en" ]; then
	echo "FAIL: no command list in maillab --help"; fail=1
fi
while read -r cmd text; do
	if grep -qxF "$cmd $text" "$tmp/list.pt"; then
		echo "FAIL: maillab --help: '$cmd' is described in English: $text"
		fail=1
	fi
done < "$tmp/list.en"

for cmd in init demo console serve listen replay clock fault; do
	help pt_BR.UTF-8 "$cmd" > "$tmp/$cmd.pt"
	help C.UTF-8 "$cmd" > "$tmp/$cmd.en"
	if ! grep -q '^Uso: ' "$tmp/$cmd.pt" || grep -q 'Usage' "$tmp/$cmd.pt"; then
		echo "FAIL: maillab $cmd --help is not Portuguese:"; sed 's/^/     /' "$tmp/$cmd.pt"; fail=1
	elif ! grep -q '^Usage: ' "$tmp/$cmd.en"; then
		echo "FAIL: maillab $cmd --help is not English under LANG=C.UTF-8:"; sed 's/^/     /' "$tmp/$cmd.en"; fail=1
	else
		echo "ok   maillab $cmd --help"
	fi
done
# --lang beats the environment, both ways.
env LANG=C.UTF-8 "$MAILLAB" --lang pt_BR demo --help 2>&1 | grep -q '^Uso: ' ||
	{ echo "FAIL: --lang pt_BR did not win over LANG=C.UTF-8"; fail=1; }
env LANG=pt_BR.UTF-8 "$MAILLAB" --lang en demo --help 2>&1 | grep -q '^Usage: ' ||
	{ echo "FAIL: --lang en did not win over LANG=pt_BR.UTF-8"; fail=1; }

# Postfix's tools keep Postfix's words.
for cmd in postconf postqueue postsuper postcat postmap sendmail postfix; do
	help pt_BR.UTF-8 "$cmd" > "$tmp/$cmd.pt"
	help C.UTF-8 "$cmd" > "$tmp/$cmd.en"
	if ! cmp -s "$tmp/$cmd.en" "$tmp/$cmd.pt"; then
		echo "FAIL: maillab $cmd --help must print Postfix's own text in any language:"
		diff -u "$tmp/$cmd.en" "$tmp/$cmd.pt"
		fail=1
	elif ! grep -q "^$cmd: fatal: usage: \|^$cmd: .*usage" "$tmp/$cmd.en"; then
		echo "FAIL: maillab $cmd --help: no Postfix usage line:"; cat "$tmp/$cmd.en"; fail=1
	fi
done
exit $fail
