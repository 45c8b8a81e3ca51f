#!/bin/sh
# The narration of every shipped scenario is a golden file: `maillab demo
# NAME --plain` must print tests/golden/demo/NAME.txt byte for byte (and
# NAME.pt_BR.txt, where there is one, under --lang pt_BR), queue IDs
# aside: XXX the simulator takes them from queue files' inode numbers, as
# Postfix does, which differ from run to run, so both sides have each
# distinct ID replaced by QUEUEID1, QUEUEID2... in order of appearance
# (the same ID must still appear in the same places). Any other difference
# fails and is shown as a diff. Regenerate after a deliberate change with
#   sh tests/integration/demo_golden.sh --update
# and read the diff before committing it.
set -u
cd "$(dirname "$0")/../.." || exit 1
MAILLAB=${MAILLAB:-bin/maillab}
golden=tests/golden/demo
update=0
[ "${1:-}" = "--update" ] && update=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The same bytes whatever the caller's locale.
LANG=C.UTF-8 LC_ALL= LC_MESSAGES= LANGUAGE=
export LANG LC_ALL LC_MESSAGES LANGUAGE

# Queue IDs (Postfix short form: 10 to 12 upper-case hex digits) -> QUEUEIDn.
mask() {
	python3 -c '
import re, sys
ids = {}
def sub(m):
    return ids.setdefault(m.group(0), "QUEUEID%d" % (len(ids) + 1))
sys.stdout.write(re.sub(r"\b[0-9A-F]{10,12}\b", sub, sys.stdin.read()))
' < "$1" > "$2"
}
# same WANT GOT: masked diff into $tmp/diff
same() {
	mask "$1" "$tmp/want.masked" && mask "$2" "$tmp/got.masked" &&
	diff -u "$tmp/want.masked" "$tmp/got.masked" > "$tmp/diff"
}

# Does this build read mailboxes (POP3/IMAP sessions in it)?
fetch=0
"$MAILLAB" --root "$tmp/root" demo pop3 --plain 2>/dev/null | grep -q 'POP3 :110' && fetch=1

fail=0
checked=0
for scn in scenarios/*.scn; do
	name=$(basename "$scn" .scn)
	# XXX until POP3/IMAP are in the build, `fetch` is only told: such a
	# run has its own golden file, NAME[.pt_BR].nofetch.txt.
	suffix=.txt
	[ $fetch -eq 0 ] && grep -q '^fetch ' "$scn" && suffix=.nofetch.txt
	for lang in en pt_BR; do
		if [ "$lang" = en ]; then want="$golden/$name$suffix"; else want="$golden/$name.pt_BR$suffix"; fi
		# Portuguese goldens only where one was made on purpose.
		[ "$lang" = pt_BR ] && [ ! -f "$want" ] && [ $update -eq 0 ] && continue
		[ "$lang" = pt_BR ] && [ ! -f "$want" ] && [ "$name" != default ] && continue
		got="$tmp/$name.$lang.txt"
		if ! "$MAILLAB" --root "$tmp/root" --lang "$lang" demo "$name" --plain \
			> "$got" 2> "$tmp/err"; then
			echo "FAIL $name ($lang): maillab demo exited non-zero:"
			sed 's/^/     /' "$tmp/err"
			fail=1
			continue
		fi
		if [ $update -eq 1 ]; then
			mkdir -p "$golden"
			cp "$got" "$want"
			echo "wrote $want"
			continue
		fi
		if [ ! -f "$want" ]; then
			echo "FAIL $name ($lang): no golden file $want"
			echo "     (make one with: sh $0 --update)"
			fail=1
			continue
		fi
		if ! same "$want" "$got"; then
			echo "FAIL $name ($lang): the narration differs from $want:"
			cat "$tmp/diff"
			fail=1
			continue
		fi
		# The trace, exported and replayed, tells the same story.
		if [ "$lang" = en ]; then
			"$MAILLAB" --root "$tmp/root" demo "$name" --trace "$tmp/$name.jsonl" 2>"$tmp/err" &&
			"$MAILLAB" --root "$tmp/root" --lang en demo "$name" --replay "$tmp/$name.jsonl" \
				--plain > "$tmp/replayed.txt" 2>>"$tmp/err"
			if ! same "$want" "$tmp/replayed.txt"; then
				echo "FAIL $name: --trace then --replay tells another story:"
				cat "$tmp/err" "$tmp/diff"
				fail=1
				continue
			fi
		fi
		checked=$((checked + 1))
		echo "ok   $name ($lang)"
	done
done
# A golden file without its scenario is stale.
for g in "$golden"/*.txt; do
	[ -f "$g" ] || continue
	base=$(basename "$g" .txt)
	base=${base%.nofetch}
	base=${base%.pt_BR}
	if [ ! -f "scenarios/$base.scn" ]; then
		echo "FAIL $g: no scenario scenarios/$base.scn"
		fail=1
	fi
done
[ $update -eq 1 ] && exit 0
[ $checked -gt 0 ] || { echo "FAIL: no golden file was checked"; fail=1; }
exit $fail
