#!/bin/sh
# The narration of every shipped scenario is a golden file: `maillab demo
# NAME --plain` must print tests/golden/demo/NAME.txt byte for byte (and
# NAME.pt_BR.txt, where there is one, under --lang pt_BR). Nothing is
# masked: the demo runs on the virtual clock, where queue IDs come from
# each host's counter rather than from inode numbers (src/mta/qfile_id.h),
# so they are the same at every run; a difference anywhere fails and is
# shown as a diff. Regenerate after a deliberate change with
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

# same WANT GOT: the diff into $tmp/diff
same() {
	diff -u "$1" "$2" > "$tmp/diff"
}

fail=0
checked=0
for scn in scenarios/*.scn; do
	name=$(basename "$scn" .scn)
	suffix=.txt
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
	base=${base%.pt_BR}
	if [ ! -f "scenarios/$base.scn" ]; then
		echo "FAIL $g: no scenario scenarios/$base.scn"
		fail=1
	fi
done
[ $update -eq 1 ] && exit 0
[ $checked -gt 0 ] || { echo "FAIL: no golden file was checked"; fail=1; }
exit $fail
