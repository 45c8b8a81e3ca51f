/*
 * i18n: gettext for learner-facing text. Wrap every explanation, narration,
 * help and error a learner reads in _(); mark static tables with N_() and
 * translate at use. Wire protocol text, Postfix-style log lines and output
 * that imitates Postfix's tools never go through here.
 */
#ifndef MAILLAB_I18N_H
#define MAILLAB_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

/*
 * Sets up the locale and the message catalogue. lang (from --lang) wins
 * over LANGUAGE/LC_ALL/LC_MESSAGES/LANG when not NULL. argv0 helps find
 * the catalogues in the build tree (BIN/../build/locale) before the
 * installed ones.
 */
void i18n_init(const char *lang, const char *argv0);

#endif
