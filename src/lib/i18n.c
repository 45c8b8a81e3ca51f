#include "i18n.h"

#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xalloc.h"

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/local/share/locale"
#endif

/* The build tree keeps its catalogues in build/locale beside bin/. */
static char *build_tree_localedir(const char *argv0)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct stat st;
	char *slash, *dir;

	(void)argv0;
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash == NULL)
		return NULL;
	*slash = '\0';
	dir = xasprintf("%s/../build/locale", exe);
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return dir;
	free(dir);
	return NULL;
}

/* The language the environment asks for ("pt_BR"), as setlocale reads it. */
static const char *env_language(void)
{
	static char lang[32];
	const char *names[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
	size_t i, n;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v = getenv(names[i]);

		if (v == NULL || *v == '\0')
			continue;
		n = strcspn(v, ".@");
		if (n >= sizeof(lang))
			return NULL;
		memcpy(lang, v, n);
		lang[n] = '\0';
		return lang;
	}
	return NULL;
}

void i18n_init(const char *lang, const char *argv0)
{
	char *dir;

	if (lang != NULL && *lang != '\0') {
		/* LANGUAGE outranks the rest for gettext; a UTF-8 LC_CTYPE keeps accents intact. */
		setenv("LANGUAGE", lang, 1);
		if (strcmp(lang, "en") == 0 || strcmp(lang, "C") == 0)
			setenv("LANGUAGE", "en", 1);
	}
	if (setlocale(LC_ALL, "") == NULL) {
		/*
		 * LANG=pt_BR.UTF-8 on a machine without that locale generated:
		 * keep UTF-8 output and still honour the language asked for.
		 */
		const char *env = env_language();

		setlocale(LC_ALL, "C.UTF-8");
		if (env != NULL && (getenv("LANGUAGE") == NULL || *getenv("LANGUAGE") == '\0'))
			setenv("LANGUAGE", env, 1);
	}
	if (lang != NULL && *lang != '\0') {
		char *loc = xasprintf("%s.UTF-8", lang);

		if (strcmp(lang, "en") != 0 && setlocale(LC_MESSAGES, loc) == NULL)
			setlocale(LC_MESSAGES, "C.UTF-8");
		free(loc);
	}
	/* Glibc ignores LANGUAGE in the "C" locale; C.UTF-8 honours it. */
	if (strcmp(setlocale(LC_MESSAGES, NULL), "C") == 0)
		setlocale(LC_MESSAGES, "C.UTF-8");
	dir = build_tree_localedir(argv0);
	bindtextdomain("maillab", dir ? dir : LOCALEDIR);
	bind_textdomain_codeset("maillab", "UTF-8");
	textdomain("maillab");
	free(dir);
}
