#!/bin/sh
# make bench: every bench/*_bench.sh in turn. Benchmarks report figures as
# ratios against a peer measured in the same run (a real Postfix/Dovecot
# when installed, else the machine's raw rate); they are never pass/fail
# tests and never part of make check.
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
MAILLAB="$top/bin/maillab"
export MAILLAB
rc=0
for b in bench/*_bench.sh; do
	[ -f "$b" ] || continue
	echo "== $b"
	sh "$b" || rc=1
done
exit $rc
