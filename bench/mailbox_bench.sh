#!/bin/sh
# Mailbox access benchmark (issue 4, "Performance"): LOGIN + SELECT +
# FETCH 1:* (FLAGS), UID FETCH 1:* (RFC822.SIZE), POP3 STAT + LIST on a
# 50,000-message mbox, cold and warm, beside Dovecot when it is installed.
# The work is in mailbox_bench.py (its docstring says how it measures);
# figures and method are in docs/performance.md, "Mailbox access".
#
#   MAILBOX_BENCH_COUNT=50000 MAILBOX_BENCH_RUNS=3 sh bench/mailbox_bench.sh [-v]
top=$(cd "$(dirname "$0")/.." && pwd)
MAILLAB=${MAILLAB:-$top/bin/maillab}
if ! command -v python3 >/dev/null 2>&1; then
	echo "mailbox bench: python3 is not installed; skipped"
	exit 0
fi
if ! command -v socat >/dev/null 2>&1; then
	echo "mailbox bench: socat is not installed; skipped"
	exit 0
fi
exec python3 "$top/bench/mailbox_bench.py" --maillab "$MAILLAB" \
	--count "${MAILBOX_BENCH_COUNT:-50000}" \
	--runs "${MAILBOX_BENCH_RUNS:-3}" "$@"
