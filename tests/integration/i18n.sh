#!/bin/sh
# Every learner-facing string is translated: po/pt_BR.po covers a fresh
# xgettext of the sources, with no fuzzy or untranslated entry, and the
# catalogue is found from the build tree (LANG and --lang both work).
set -eu
cd "$(dirname "$0")/../.."
MAILLAB=${MAILLAB:-bin/maillab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

xgettext --from-code=UTF-8 -k_ -kN_ -kngettext:1,2 --package-name=maillab \
	-o "$tmp/fresh.pot" $(find src -name '*.[ch]' | sort)
# msgcmp fails when a msgid of the sources has no translation in pt_BR.po.
msgcmp po/pt_BR.po "$tmp/fresh.pot"
stats=$(msgfmt --check --statistics -o /dev/null po/pt_BR.po 2>&1)
echo "pt_BR: $stats"
case "$stats" in
*fuzzy*|*untranslated*) echo "pt_BR.po has fuzzy or untranslated entries" >&2; exit 1;;
esac

# --lang and LANG select Portuguese; English stays English.
"$MAILLAB" --lang pt_BR --help | grep -q '^Uso: maillab'
LANG=pt_BR.UTF-8 LANGUAGE= LC_ALL= "$MAILLAB" --help | grep -q '^Uso: maillab'
LANG=C.UTF-8 LANGUAGE= LC_ALL= "$MAILLAB" --help | grep -q '^Usage: maillab'
LANG=pt_BR.UTF-8 "$MAILLAB" --lang en --help | grep -q '^Usage: maillab'
echo "i18n ok"
