#!/bin/sh
# make bench: SMTP acceptance rate of `maillab listen` with fsync on,
# 4 KB messages, 20 and 200 concurrent sessions, one connection per
# message (as smtp-source does by default), side by side with
#   - the raw rate of the disk: create + write 4 KB + fsync + close of a
#     new file, one after another, in the same directory tree, same run;
#   - a real Postfix on the same machine, same run, when one is installed
#     and we are root (a private instance: its own config and queue
#     directories under the bench's temporary directory, its own port on
#     127.0.0.1; the system's Postfix is not touched).
# Both servers deliver with the discard transport, as the reference's
# "discard" row (reference/README.md, Performance baseline (a)).
# The load comes from Postfix's smtp-source when installed (rate), else
# from bench/smtp_load.c; smtp_load always gives the session latency
# (connect to the reply to QUIT, p50 and p99).
#
# The latency of one session alone (one client, 200 sessions in a row)
# is measured too. The machine may be shared: BENCH_ROUNDS rounds are run,
# each measuring the raw disk, maillab and Postfix one after the other (so
# that load from elsewhere falls on all three alike), each round printed,
# ratios taken within a round. Before each run the server's queue is left
# to drain (60 s at most).
#
# Environment: BENCH_MESSAGES (default 2000 per run), BENCH_ROUNDS
# (default 2), BENCH_TMPDIR (where the lab root and the fsync test live;
# default $TMPDIR or /tmp), BENCH_POSTFIX=no to skip Postfix.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
MAILLAB="$top/bin/maillab"
M=${BENCH_MESSAGES:-2000}
SIZE=4096
W=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/maillab-bench.XXXXXX")
chmod 755 "$W"
LPID=
PFDIR=

cleanup() {
	if [ -n "$LPID" ] && kill -0 "$LPID" 2>/dev/null; then
		kill "$LPID" 2>/dev/null || true
		wait "$LPID" 2>/dev/null || true
	fi
	if [ -n "$PFDIR" ]; then
		script -qc "postfix -c $PFDIR/etc stop" /dev/null >/dev/null 2>&1 || true
	fi
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

[ -x "$MAILLAB" ] || { echo "bench: build first (make)" >&2; exit 1; }
cc -O2 -o "$W/smtp_load" "$top/bench/smtp_load.c"
SMTP_SOURCE=$(command -v smtp-source || true)

now() { date +%s.%N; }

# rate TOOL-ARGS...: accepted messages per second for one run against
# 127.0.0.1:$1 with $2 sessions; sets RATE, P50, P99.
run_load() {
	port=$1 sessions=$2
	out=$("$W/smtp_load" -s "$sessions" -m "$M" -l $SIZE \
		-f perf-sender@centos.localdomain -t wees@centos.localdomain "$port")
	P50=$(echo "$out" | sed 's/.*p50_ms=\([0-9.]*\).*/\1/')
	P99=$(echo "$out" | sed 's/.*p99_ms=\([0-9.]*\).*/\1/')
	RATE=$(echo "$out" | sed 's/.*rate=\([0-9.]*\).*/\1/')
	FAILED=$(echo "$out" | sed 's/.*failed=\([0-9]*\).*/\1/')
	if [ -n "$SMTP_SOURCE" ]; then
		t0=$(now)
		"$SMTP_SOURCE" -4 -s "$sessions" -m "$M" -l $SIZE -M client.example \
			-f perf-sender@centos.localdomain -t wees@centos.localdomain \
			"127.0.0.1:$port" >/dev/null 2>&1 || true
		t1=$(now)
		RATE=$(echo "$M $t0 $t1" | awk '{ printf "%.1f", $1 / ($3 - $2) }')
	fi
}

ROUNDS=${BENCH_ROUNDS:-2}

# one_session PORT: p50/p99 of 200 sessions one after another; sets LAT.
one_session() {
	out=$("$W/smtp_load" -s 1 -m 200 -l $SIZE \
		-f perf-sender@centos.localdomain -t wees@centos.localdomain "$1")
	LAT="$(echo "$out" | sed 's/.*p50_ms=\([0-9.]*\).*/\1/')/$(echo "$out" | sed 's/.*p99_ms=\([0-9.]*\).*/\1/')"
}

# drain DIR...: waits (60 s at most) until no file is left in the dirs,
# so that one run's deliveries do not take the next run's CPU.
drain() {
	i=0
	while [ $i -lt 600 ] && [ -n "$(find "$@" -type f 2>/dev/null | head -1)" ]; do
		sleep 0.1; i=$((i + 1))
	done
}

# The disk: create + write 4 KB + fsync + close, one after another, 3 s.
raw_fsync() {
	python3 - "$W/fsync" <<'EOF'
import os, sys, time
d = sys.argv[1]
os.makedirs(d)
data = b"x" * 4096
n, t0 = 0, time.time()
while time.time() - t0 < 3:
    fd = os.open(os.path.join(d, "f%d" % n), os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    os.write(fd, data)
    os.fsync(fd)
    os.close(fd)
    n += 1
print("%.1f" % (n / (time.time() - t0)))
EOF
	rm -rf "$W/fsync"
}

# ---- maillab listen ----
ROOT="$W/root"
"$MAILLAB" --root "$ROOT" init --world centos >/dev/null
"$MAILLAB" --root "$ROOT" postconf --host centos.localdomain -e local_transport=discard >/dev/null
MLQ="$ROOT/hosts/centos.localdomain/var/spool/postfix"
start_maillab() {
	for try in 1 2 3 4 5 6 7 8 9 10; do
		OFF=$(awk -v s="$$$try$r" 'BEGIN { srand(s); print 20000 + int(rand() * 20000) }')
		"$MAILLAB" --root "$ROOT" listen --host centos.localdomain --port-offset "$OFF" \
			> "$W/listen.out" 2> "$W/listen.err" &
		LPID=$!
		i=0
		while [ $i -lt 100 ] && ! grep -q "ready (pid" "$W/listen.out" 2>/dev/null \
			&& kill -0 "$LPID" 2>/dev/null; do
			sleep 0.1; i=$((i + 1))
		done
		grep -q "ready (pid" "$W/listen.out" && break
		wait "$LPID" 2>/dev/null || true
		LPID=
	done
	[ -n "$LPID" ] || { echo "bench: the listener did not start" >&2; cat "$W/listen.err" >&2; exit 1; }
	LPORT=$((OFF + 25))
}
stop_maillab() {
	kill "$LPID"; wait "$LPID" 2>/dev/null || true; LPID=
}

# ---- a real Postfix, when there is one and we may start it ----
HAVE_PF=no
PFSETUP="$W/postfix"
if [ "${BENCH_POSTFIX:-yes}" != no ] && command -v postfix >/dev/null && \
   [ "$(id -u)" = 0 ] && command -v script >/dev/null && id postfix >/dev/null 2>&1; then
	HAVE_PF=yes
	mkdir -p "$PFSETUP/etc" "$PFSETUP/spool" "$PFSETUP/data"
	chown postfix "$PFSETUP/data"
	cat > "$PFSETUP/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $PFSETUP/spool
data_directory = $PFSETUP/data
myhostname = centos.localdomain
mydestination = centos.localdomain
local_recipient_maps =
local_transport = discard
default_transport = discard
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_tls_security_level = none
alias_maps =
alias_database =
maillog_file = $PFSETUP/maillog
maillog_file_prefixes = $PFSETUP
EOF
fi
# Its smtpd on our port + 1, nothing chrooted (the spool is not set up
# for it); stopped with "postfix stop" (its master's PID file) after use.
start_postfix() {
	PFPORT=$((LPORT + 1))
	awk -v port="$PFPORT" '
		/^smtp[ \t]+inet/ { sub(/^smtp[ \t]+inet/, "127.0.0.1:" port " inet") }
		/^[^# \t]/ && NF >= 8 && $5 == "y" { $5 = "n" }
		{ print }' /etc/postfix/master.cf > "$PFSETUP/etc/master.cf"
	PFDIR="$PFSETUP"
	if script -qc "postfix -c $PFDIR/etc start" /dev/null >/dev/null 2>&1; then
		sleep 1
		return 0
	fi
	echo "bench: the private Postfix did not start; skipped" >&2
	PFDIR=
	return 1
}
stop_postfix() {
	script -qc "postfix -c $PFDIR/etc stop" /dev/null >/dev/null 2>&1 || true
	PFDIR=
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == "-" || b + 0 == 0 || a == "-") print "-"; else printf "%.2f", a / b }'; }
row() { printf "%-12s %9s %10s %13s %18s\n" "$@"; }

echo "SMTP acceptance, $M messages of $SIZE bytes per run, one connection each, fsync on"
echo "load: ${SMTP_SOURCE:+smtp-source (rate) + }bench/smtp_load (latency); $(nproc) cores; $ROUNDS rounds"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	RAW=$(raw_fsync)
	start_maillab
	one_session $LPORT; ML1=$LAT
	drain "$MLQ/incoming" "$MLQ/active"
	run_load $LPORT 20;  ML20=$RATE;  ML20_50=$P50;  ML20_99=$P99;  MLF20=$FAILED
	drain "$MLQ/incoming" "$MLQ/active"
	run_load $LPORT 200; ML200=$RATE; ML200_50=$P50; ML200_99=$P99; MLF200=$FAILED
	stop_maillab
	drain "$MLQ/incoming" "$MLQ/active"
	PF20=- PF200=- PF20_50=- PF20_99=- PF200_50=- PF200_99=- PF1=-/-
	if [ $HAVE_PF = yes ] && start_postfix; then
		one_session $PFPORT; PF1=$LAT
		drain "$PFDIR/spool/incoming" "$PFDIR/spool/active"
		run_load $PFPORT 20;  PF20=$RATE;  PF20_50=$P50;  PF20_99=$P99
		drain "$PFDIR/spool/incoming" "$PFDIR/spool/active"
		run_load $PFPORT 200; PF200=$RATE; PF200_50=$P50; PF200_99=$P99
		stop_postfix
	fi
	echo
	echo "round $r: raw create+fsync of a 4 KB file $RAW/s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
	row "" "msg/s" "x Postfix" "of raw fsync" "p50/p99 ms"
	row "maillab   1" "" "" "" "$ML1"
	row "maillab  20" "$ML20" "$(ratio "$ML20" "$PF20")" "$(ratio "$ML20" "$RAW")" "$ML20_50/$ML20_99"
	row "maillab 200" "$ML200" "$(ratio "$ML200" "$PF200")" "$(ratio "$ML200" "$RAW")" "$ML200_50/$ML200_99"
	row "Postfix   1" "" "" "" "$PF1"
	row "Postfix  20" "$PF20" "" "$(ratio "$PF20" "$RAW")" "$PF20_50/$PF20_99"
	row "Postfix 200" "$PF200" "" "$(ratio "$PF200" "$RAW")" "$PF200_50/$PF200_99"
	[ "$MLF20" = 0 ] && [ "$MLF200" = 0 ] || echo "note: maillab refused or lost $MLF20 + $MLF200 messages"
	r=$((r + 1))
done
echo
echo "aims (issue 5): at least 3x Postfix, at least 0.70 of the raw fsync rate"
