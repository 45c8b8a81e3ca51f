#!/bin/sh
# postconf_master_edit.sh: `maillab postconf -c DIR -Me/-MX/-M# ...` must
# edit master.cf and answer exactly as Postfix 3.7.11's postconf does.
# tests/data/postconf_master/NN.args holds one case's arguments (one a
# line); NN.out the real postconf's exit status, stdout and stderr; NN.diff
# `diff -u` of master.cf before and after. They were made by the real
# postconf (Debian 12, postfix 3.7.11-0+deb12u1) on master.cf.base, the
# centos world's master.cf.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
MAILLAB=${MAILLAB:-$top/bin/maillab}
D=tests/data/postconf_master
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0
for args in $D/[0-9]*.args; do
	c=${args%.args}
	n=$((n + 1))
	rm -rf "$tmp/etc"
	mkdir "$tmp/etc"
	cp $D/master.cf.base "$tmp/etc/master.cf"
	cp $D/main.cf.base "$tmp/etc/main.cf"
	# one argument a line, spaces kept
	(
		set -f
		IFS='
'
		# shellcheck disable=SC2046
		"$MAILLAB" postconf -c "$tmp/etc" $(cat "$args") > "$tmp/stdout" 2> "$tmp/stderr"
		echo "rc=$?" > "$tmp/out"
	)
	cat "$tmp/stdout" "$tmp/stderr" >> "$tmp/out"
	diff -u --label master.cf --label master.cf.new $D/master.cf.base "$tmp/etc/master.cf" > "$tmp/diff"
	if ! cmp -s "$tmp/out" "$c.out" || ! cmp -s "$tmp/diff" "$c.diff"; then
		fail=$((fail + 1))
		echo "FAIL $c: $(tr '\n' ' ' < "$args")"
		diff "$c.out" "$tmp/out"
		diff "$c.diff" "$tmp/diff"
	fi
	if [ -e "$tmp/etc/master.cf.tmp" ]; then
		fail=$((fail + 1))
		echo "FAIL $c: master.cf.tmp left behind"
	fi
done
echo "postconf -M edits: $((n - fail)) passed, $fail failed"
[ $fail -eq 0 ] && [ $n -gt 0 ]
