#!/bin/sh
# doveadm.sh: `maillab doveadm` on a fresh lab root (the default world):
# `doveadm user` prints what reference/commands/14-spool-files.txt shows
# for a system user, `pw` makes SHA512-CRYPT hashes that `pw -t` and the
# host's etc/dovecot/users accept, `mailbox list` lists INBOX and folders.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
MAILLAB=${MAILLAB:-$top/bin/maillab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
fail() { echo "FAIL: $*" >&2; exit 1; }

# user: the field/value table, mail_location with %u expanded.
"$MAILLAB" --root "$root" doveadm --host mail.a.example user alice > "$tmp/user"
printf 'field\tvalue\nuid\t1000\ngid\t1000\nhome\t/home/alice\nmail\tmbox:~/mail:INBOX=/var/mail/alice\nsystem_groups_user\talice\n' > "$tmp/want"
cmp -s "$tmp/user" "$tmp/want" || { diff "$tmp/want" "$tmp/user"; fail "doveadm user alice"; }

rc=0
"$MAILLAB" --root "$root" doveadm user nosuchuser 2> "$tmp/err" || rc=$?
[ "$rc" -eq 67 ] || fail "unknown user: exit $rc, want 67"
grep -qx "userdb lookup: user nosuchuser doesn't exist" "$tmp/err" || fail "unknown user message"

# pw: {SHA512-CRYPT}$6$<16 salt>$<86>, verified by -t, a new salt each time.
h1=$("$MAILLAB" doveadm pw -s SHA512-CRYPT -p secret)
h2=$("$MAILLAB" doveadm pw -s SHA512-CRYPT -p secret)
echo "$h1" | grep -Eq '^\{SHA512-CRYPT\}\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$' || fail "pw format: $h1"
[ "$h1" != "$h2" ] || fail "pw: same salt twice"
"$MAILLAB" doveadm pw -t "$h1" -p secret | grep -q '(verified)$' || fail "pw -t"
if "$MAILLAB" doveadm pw -t "$h1" -p wrong 2>/dev/null; then fail "pw -t accepted a wrong password"; fi

# The lab password of alice (= the user name) matches the users file.
hash=$(grep '^alice:' "$root/hosts/mail.a.example/etc/dovecot/users" | cut -d: -f2)
"$MAILLAB" doveadm pw -t "$hash" -p alice >/dev/null || fail "alice's lab password"

# mailbox list: INBOX, then folders under ~/mail.
mkdir -p "$root/hosts/mail.a.example/home/alice/mail"
: > "$root/hosts/mail.a.example/home/alice/mail/Archive"
"$MAILLAB" --root "$root" doveadm --host mail.a.example mailbox list -u alice > "$tmp/list"
printf 'INBOX\nArchive\n' | cmp -s - "$tmp/list" || { cat "$tmp/list"; fail "mailbox list"; }
echo "doveadm ok"
