#!/bin/sh
# postconf.sh: `maillab postconf -c tests/data/config ...` must print what
# Postfix 3.7.11's postconf prints on the same files (reference/commands/02,
# 03, 11): stdout, then stderr, then "[exit N]", compared with
# tests/data/config/expected/NAME.txt. Exits non-zero and shows the diff on
# any difference.
#
# The expected files were made by the real postconf (Debian 12 package
# postfix 3.7.11-0+deb12u1, unpacked, not installed):
#   POSTCONF_REAL=/path/usr/sbin/postconf LD_LIBRARY_PATH=/path/usr/lib/postfix \
#     sh tests/integration/postconf.sh
# rewrites them. The machine is pinned (host "vm", the interfaces of the
# machine reference/ was captured on) so that -d is the same everywhere.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
MAILLAB=${MAILLAB:-$top/bin/maillab}
D=tests/data/config
E=$D/expected
MAILLAB_HOSTNAME=vm
MAILLAB_NETWORKS="127.0.0.1/8 192.0.2.2/24 ::1/128 fd00::2/64 fe80::fc:ff:fe00:1/64"
export MAILLAB_HOSTNAME MAILLAB_NETWORKS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/postconf-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
real=${POSTCONF_REAL:-}
fail=0
n=0

# pc ARGS...: one command, shown as reference/commands shows it.
pc() {
	pc_raw "$@" | sed -e "s|^$real: |postconf: |" \
		-e "s|usage: $real |usage: postconf |" \
		-e "s|$tmp/CONF2|CONF2|g" -e "s|$tmp/CONF|CONF|g" \
		-e 's|^process_id = [0-9]*$|process_id = N|'
}
pc_raw() {
	echo "\$ postconf $*"
	if [ -n "$real" ]; then
		"$real" "$@" > "$tmp/out" 2> "$tmp/err"
	else
		"$MAILLAB" postconf "$@" > "$tmp/out" 2> "$tmp/err"
	fi
	rc=$?
	cat "$tmp/out" "$tmp/err"
	echo "[exit $rc]"
}

# check NAME: compares what the commands before printed ($tmp/got).
check() {
	n=$((n + 1))
	if [ -n "$real" ]; then
		cp "$tmp/got" "$E/$1.txt"
		echo "wrote $E/$1.txt"
	elif diff -u "$E/$1.txt" "$tmp/got" > "$tmp/diff"; then
		echo "ok   $1"
	else
		echo "FAIL $1"
		cat "$tmp/diff"
		fail=$((fail + 1))
	fi
}

c="-c $D"

# reference/commands/02-postconf.txt
pc $c -n > "$tmp/got"; check n
pc $c myhostname mydestination myorigin mynetworks relay_domains inet_interfaces message_size_limit smtpd_banner > "$tmp/got"; check names
pc $c -d myhostname mydomain myorigin mydestination mynetworks mynetworks_style relay_domains inet_interfaces inet_protocols message_size_limit mailbox_size_limit smtpd_banner mail_name default_process_limit queue_directory mail_spool_directory home_mailbox alias_maps alias_database local_recipient_maps smtpd_relay_restrictions smtpd_recipient_restrictions smtpd_client_restrictions smtpd_helo_required disable_vrfy_command strict_rfc821_envelopes maximal_queue_lifetime bounce_queue_lifetime queue_run_delay minimal_backoff_time maximal_backoff_time smtpd_error_sleep_time smtpd_soft_error_limit smtpd_hard_error_limit line_length_limit header_size_limit recipient_delimiter enable_long_queue_ids hash_queue_depth hash_queue_names smtpd_forbid_bare_newline compatibility_level > "$tmp/got"; check d-names
{ pc $c -h myhostname; pc $c -x mydestination; pc $c mydestination; pc $c no_such_parameter; } > "$tmp/got"; check h-x-unknown
pc $c -M smtp/inet > "$tmp/got"; check M-smtp

# Every parameter: defaults (1043 with Debian's master.cf), explicit, expanded.
pc $c -d > "$tmp/got"; check d-all
pc $c > "$tmp/got"; check all
pc $c -x > "$tmp/got"; check x-all
pc $c -dx > "$tmp/got"; check dx-all
{ pc $c -nh; pc $c -nx; pc $c -hx myhostname relayhost smtpd_banner; } > "$tmp/got"; check nh-nx

# -f folds long lines at column 80
{ pc $c -f; pc $c -Mf; pc $c -hf proxy_read_maps; } > "$tmp/got"; check fold

# reference/commands/11-master-cf.txt
{ pc $c -M; pc $c -Mf smtp/inet; pc $c -M nosuch/inet smtp; } > "$tmp/got"; check M-all

# reference/commands/03-postconf-edit.txt, on a scratch copy
mkdir -p "$tmp/CONF"
cp $D/main.cf $D/master.cf "$tmp/CONF/"
{
	pc -c "$tmp/CONF" -e 'myhostname = mail.example.com'
	pc -c "$tmp/CONF" -e 'message_size_limit = 20480000'
	pc -c "$tmp/CONF" -e mynetworks=127.0.0.0/8
	pc -c "$tmp/CONF" -# relayhost
	pc -c "$tmp/CONF" -X recipient_delimiter
	echo "\$ cat CONF/main.cf"
	cat "$tmp/CONF/main.cf"
	pc -c "$tmp/CONF" -n
	# Postfix appends several new names in random (hash) order: one each.
	pc -c "$tmp/CONF" relay_transport=error
	pc -c "$tmp/CONF" 'default_transport = error' mydestination=
	pc -c "$tmp/CONF" -e 'relayhost=x' 'relayhost = y' -X
	echo "\$ grep -n -e transport -e mydestination CONF/main.cf"
	grep -n -e transport -e mydestination "$tmp/CONF/main.cf" | cat -A
} > "$tmp/got"; check edit

# Mistakes people make, and Postfix's words for them (edits on a copy).
mkdir -p "$tmp/CONF2"
cp $D/main.cf $D/master.cf "$tmp/CONF2/"
{
	pc -c $D/badline -n
	pc -c $D/badline -d mail_name
	pc -c $D/nesting -x myhostname
	pc -c $D/unused -n
	pc -c $D/unused -x myhostname
	pc -c $D/nowhere -n
	pc -c "$tmp/CONF2" -e novalue
	pc -c "$tmp/CONF2" -e '= x'
	pc $c -d -n
	pc $c -M -n
	pc -c "$tmp/CONF2" -X a=1
	pc -c "$tmp/CONF2" -# relayhost -e x=1
	pc $c -Z
	echo "\$ cmp main.cf CONF2/main.cf"
	cmp $D/main.cf "$tmp/CONF2/main.cf" && echo same
} > "$tmp/got"; check errors

echo "postconf: $((n - fail)) passed, $fail failed"
[ $fail -eq 0 ]
