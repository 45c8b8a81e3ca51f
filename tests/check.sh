#!/bin/sh
# make check: every test, one stage after another, then one closing line
# "check: N passed, N failed". Each stage prints what it runs; a stage's
# failure never stops the others.
#   1. CUnit suites (bin/unit-tests)
#   2. golden transcripts (maillab replay transcripts/*/*.txt)
#   3. integration tests (tests/integration/*.sh, *.py): real clients, CLI
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
MAILLAB="$top/bin/maillab"
export MAILLAB
pass=0
fail=0
failed=""

tmp=$(mktemp -d /tmp/maillab-check.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "== unit tests (CUnit)"
bin/unit-tests > "$tmp/unit.out" 2>&1
rc=$?
cat "$tmp/unit.out"
# CUnit's summary row: "tests  TOTAL  RAN  PASSED  FAILED  INACTIVE"
set -- $(awk '$1 == "tests" && NF >= 5 { print $3, $5 }' "$tmp/unit.out")
if [ $# -eq 2 ]; then
	pass=$((pass + $1 - $2))
	fail=$((fail + $2))
fi
if [ $rc -ne 0 ] && [ "${2:-0}" -eq 0 ]; then
	fail=$((fail + 1)); failed="$failed unit-tests(exit $rc)"
fi

echo "== golden transcripts (maillab replay)"
for t in transcripts/*/*.txt; do
	[ -f "$t" ] || continue
	if "$MAILLAB" --root "$tmp/replay-root" replay "$t" > "$tmp/replay.out" 2>&1; then
		pass=$((pass + 1)); echo "ok   $t"
	else
		fail=$((fail + 1)); failed="$failed $t"; echo "FAIL $t"
		sed 's/^/     /' "$tmp/replay.out" | head -40
	fi
done

echo "== integration tests"
for t in tests/integration/*.sh tests/integration/*.py; do
	[ -f "$t" ] || continue
	case "$t" in *.py) run="python3";; *) run="sh";; esac
	if TMPDIR="$tmp" timeout 300 $run "$t" > "$tmp/it.out" 2>&1; then
		pass=$((pass + 1)); echo "ok   $t"
	else
		fail=$((fail + 1)); failed="$failed $t"; echo "FAIL $t"
		sed 's/^/     /' "$tmp/it.out" | tail -40
	fi
done

[ -n "$failed" ] && echo "failed:$failed"
echo "check: $pass passed, $fail failed"
[ $fail -eq 0 ]
