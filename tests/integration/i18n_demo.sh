#!/bin/sh
# The narration of every scenario in Portuguese: `maillab demo NAME
# --plain` with LANG=pt_BR.UTF-8 shows the same protocol and log lines
# as the English run, byte for byte (C:, S:, log:, queue:, config:;
# queue IDs masked in order of appearance), while every line of
# narration around them is Portuguese: no English sentence is left
# (checked by its small words: the, and, is, to, of...), and the closing
# summary and the scenario's own texts are translated.
set -u
cd "$(dirname "$0")/../.." || exit 1
MAILLAB=${MAILLAB:-bin/maillab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset LANGUAGE LC_ALL LC_MESSAGES
fail=0
checked=0

mask() {
	python3 -c '
import re, sys
ids = {}
def sub(m):
    return ids.setdefault(m.group(0), "QUEUEID%d" % (len(ids) + 1))
sys.stdout.write(re.sub(r"\b[0-9A-F]{10,12}\b", sub, sys.stdin.read()))
' < "$1"
}
wire='^ *(C|S|log|queue|config): '

for scn in scenarios/*.scn; do
	name=$(basename "$scn" .scn)
	for l in C.UTF-8 pt_BR.UTF-8; do
		if ! env LANG=$l "$MAILLAB" --root "$tmp/root" demo "$name" --plain \
			> "$tmp/$name.$l" 2> "$tmp/err"; then
			echo "FAIL $name ($l): maillab demo exited non-zero:"; cat "$tmp/err"
			fail=1
			continue 2
		fi
	done
	mask "$tmp/$name.C.UTF-8" | grep -E "$wire" > "$tmp/wire.en"
	mask "$tmp/$name.pt_BR.UTF-8" | grep -E "$wire" > "$tmp/wire.pt"
	if ! diff -u "$tmp/wire.en" "$tmp/wire.pt" > "$tmp/diff"; then
		echo "FAIL $name: protocol or log lines differ between English and Portuguese:"
		cat "$tmp/diff"
		fail=1
	fi
	grep -vE "$wire" "$tmp/$name.pt_BR.UTF-8" > "$tmp/narr.pt"
	# Quoted text ("Undelivered Mail Returned to Sender") and hyphenated
	# terms (store-and-forward) are quotes, not narration.
	if python3 -c '
import re, sys
small = set("the and is are to of with its it this that then when has was for".split())
bad = 0
for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
    text = re.sub(r"\"[^\"]*\"", "", line)
    words = [w for w in re.split(r"[\s,.;:()]+", text) if w and "-" not in w]
    if any(w in small for w in words):
        print("%d:%s" % (n, line.rstrip()))
        bad = 1
sys.exit(1 - bad)
' "$tmp/narr.pt" > "$tmp/english"; then
		echo "FAIL $name: English narration under LANG=pt_BR.UTF-8:"
		sed 's/^/     /' "$tmp/english"
		fail=1
	fi
	if ! grep -q '^== Onde tudo está agora' "$tmp/narr.pt"; then
		echo "FAIL $name: the closing summary is not Portuguese"
		fail=1
	fi
	# The scenario's own title is the pt_BR one.
	title=$(sed -n 's/^title\.pt_BR  *//p' "$scn")
	if [ -z "$title" ] || ! grep -qF "$title" "$tmp/narr.pt"; then
		echo "FAIL $name: no title.pt_BR in $scn, or it is not shown"
		fail=1
	fi
	checked=$((checked + 1))
done
[ $checked -gt 0 ] || { echo "FAIL: no scenario was checked"; fail=1; }
[ $fail -eq 0 ] && echo "ok   $checked scenarios narrated in Portuguese, same wire"
exit $fail
