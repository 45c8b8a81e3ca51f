#!/bin/sh
# maillab postlog, Postfix's postlog(1): a record per command line (the
# words joined by spaces) or per line of standard input, in mail.log as
# "TAG[PID]: [warning: |error: |...]TEXT"; with maillog_file set, in that
# file in postlogd's format, as reference/commands/12-maillog-file.txt:
#   Nov 28 22:05:56 centos postfix/maillab-test[14938]: a line written with postlog(1)
# A bad priority or option: Postfix's fatal usage, exit 1.
set -u
cd "$(dirname "$0")/../.." || exit 1
M=${MAILLAB:-bin/maillab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
R="$tmp/root"
LOG="$R/hosts/centos.localdomain/var/log/mail.log"
"$M" --root "$R" init --world centos >/dev/null || { echo "FAIL: init"; exit 1; }
fail=0
# expect NAME REGEX: the last line of mail.log (date and PID masked)
last() {
	tail -n "${2:-1}" "$1" | sed -e 's/^[^ ]* centos /DATE centos /' \
		-e 's/^[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]\{8\} centos /DATE centos /' \
		-e 's/\[[0-9]*\]:/[PID]:/'
}
check() {
	if [ "$2" = "$3" ]; then
		echo "ok   $1"
	else
		echo "FAIL $1"; echo "     got:  $2"; echo "     want: $3"; fail=1
	fi
}
"$M" --root "$R" postlog -t postfix/maillab-test 'a line written with postlog(1)' </dev/null
check "exit 0" "$?" 0
check "-t TAG TEXT" "$(last "$LOG")" "DATE centos postfix/maillab-test[PID]: a line written with postlog(1)"
"$M" --root "$R" postlog one two '  three' </dev/null
check "words joined, default tag" "$(last "$LOG")" "DATE centos postfix/postlog[PID]: one two   three"
printf 'first\nsecond\n' | "$M" --root "$R" postlog -p warn -t script
check "stdin lines, -p warn" "$(last "$LOG" 2 | tr '\n' '|')" \
	"DATE centos script[PID]: warning: first|DATE centos script[PID]: warning: second|"
"$M" --root "$R" postlog -p ERR 'no disk' </dev/null
check "-p ERR (case-insensitive)" "$(last "$LOG")" "DATE centos postfix/postlog[PID]: error: no disk"
"$M" --root "$R" postlog -pcrit -i 'down' </dev/null
check "-pcrit is fatal" "$(last "$LOG")" "DATE centos postfix/postlog[PID]: fatal: down"
printf 'tab\there\n' | "$M" --root "$R" postlog
check "control characters become ?" "$(last "$LOG")" "DATE centos postfix/postlog[PID]: tab?here"
out=$("$M" --root "$R" postlog -p loud x 2>&1 </dev/null); rc=$?
check "bad severity: exit 1" "$rc" 1
check "bad severity: stderr" "$out" 'postfix/postlog: fatal: bad severity: "loud"'
check "bad severity: logged" "$(last "$LOG")" 'DATE centos postfix/postlog[PID]: fatal: bad severity: "loud"'
out=$("$M" --root "$R" postlog -x 2>&1 </dev/null); rc=$?
check "bad option: exit 1" "$rc" 1
check "bad option: stderr" "$out" "postlog: invalid option -- 'x'
postfix/postlog: fatal: usage: postlog [-c config_dir] [-i] [-p priority] [-t tag] [-v] [text]"
# maillog_file: postlogd's format in that file
"$M" --root "$R" postconf --host centos.localdomain -e maillog_file=/var/log/postfix.log
"$M" --root "$R" postlog -t postfix/maillab-test 'a line written with postlog(1)' </dev/null
PLOG="$R/hosts/centos.localdomain/var/log/postfix.log"
check "maillog_file: postlogd's format" "$(last "$PLOG")" \
	"DATE centos postfix/maillab-test[PID]: a line written with postlog(1)"
tail -n 1 "$PLOG" | grep -q '^[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]\{8\} centos ' ||
	{ echo "FAIL maillog_file: not 'Mon DD HH:MM:SS': $(tail -n 1 "$PLOG")"; fail=1; }
LANG=pt_BR.UTF-8 "$M" postlog --help | grep -q '^Uso: maillab postlog' ||
	{ echo "FAIL postlog --help is not translated"; fail=1; }
exit $fail
