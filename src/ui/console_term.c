/*
 * console_term: the console at a terminal, on GNU readline: line editing,
 * history (Up/Down; commands only, not message text), Tab completion of
 * the verbs (and of FROM:/TO: after MAIL/RCPT), Ctrl-D to leave. Inside
 * DATA it is a plain line mode: no completion, and the prompt says so.
 * Ctrl-C drops the line being typed, as in a shell, instead of killing
 * the console (and the session with it).
 */
#include "ui/console.h"

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "lib/i18n.h"
#include "lib/xalloc.h"

static struct console *cur;	/* readline's callbacks take no context */
static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;	/* the read() is interrupted; see on_signal_event */
}

/* Called by readline, outside the handler, when its read() got EINTR. */
static int on_signal_event(void)
{
	if (interrupted) {
		interrupted = 0;
		rl_replace_line("", 0);
		fputs("^C\n", rl_outstream);
		rl_on_new_line();
		rl_redisplay();
	}
	return 0;
}
static const char *const *gen_words;
static int gen_lower;

/* Verbs that take no argument: complete them without a trailing space,
 * so Enter sends exactly the command ("STARTTLS " would be a 501). */
static const char *const bare_verbs[] = {
	"DATA", "RSET", "NOOP", "QUIT", "HELP", "STARTTLS", NULL,
};

static const char *const mail_words[] = { "FROM:", NULL };
static const char *const rcpt_words[] = { "TO:", NULL };
static const char *const helo_words[] = { "localhost", NULL };
static const char *const auth_words[] = { "PLAIN", "LOGIN", NULL };

static char *cased(const char *w)
{
	char *s = xstrdup(w);
	size_t i;

	if (gen_lower)
		for (i = 0; s[i] != '\0'; i++)
			s[i] = (char)tolower((unsigned char)s[i]);
	return s;
}

static char *generator(const char *text, int state)
{
	static size_t i;
	size_t n = strlen(text);

	if (state == 0) {
		i = 0;
		/* Completing "ma" gives "mail from:": keep the learner's case. */
		gen_lower = n > 0 && islower((unsigned char)text[0]);
	}
	while (gen_words[i] != NULL) {
		const char *w = gen_words[i++];

		if (strncasecmp(w, text, n) == 0)
			return cased(w);
	}
	return NULL;
}

static int is_bare(const char *w)
{
	size_t i;

	for (i = 0; bare_verbs[i] != NULL; i++)
		if (strcasecmp(bare_verbs[i], w) == 0)
			return 1;
	return 0;
}

static char **complete(const char *text, int start, int end)
{
	char **m;
	const char *line = rl_line_buffer;

	(void)end;
	rl_attempted_completion_over = 1;	/* never file names */
	if (cur == NULL || console_in_data(cur))
		return NULL;
	if (start == 0) {
		gen_words = console_verbs(cur);
	} else if (strncasecmp(line, "MAIL ", 5) == 0 && start == 5) {
		gen_words = mail_words;
	} else if (strncasecmp(line, "RCPT ", 5) == 0 && start == 5) {
		gen_words = rcpt_words;
	} else if ((strncasecmp(line, "HELO ", 5) == 0 ||
		    strncasecmp(line, "EHLO ", 5) == 0) && start == 5) {
		gen_words = helo_words;
	} else if (strncasecmp(line, "AUTH ", 5) == 0 && start == 5) {
		gen_words = auth_words;
	} else {
		return NULL;
	}
	m = rl_completion_matches(text, generator);
	rl_completion_append_character = ' ';
	if (m != NULL && m[1] == NULL &&
	    (is_bare(m[0]) || m[0][strlen(m[0]) - 1] == ':'))
		rl_completion_append_character = '\0';
	return m;
}

static char *prompt_for(const struct console *c, int color)
{
	if (console_in_data(c))
		return xstrdup(color ?
			       "\001\033[1;34m\002C\001\033[0;2m\002 (DATA)\001\033[0;1;34m\002:\001\033[0m\002 " :
			       "C (DATA): ");
	return xstrdup(color ? "\001\033[1;34m\002C:\001\033[0m\002 " : "C: ");
}

int console_run_terminal(struct console *c, int color)
{
	struct sigaction sa, old_sa;
	char *line;

	cur = c;
	rl_readline_name = "maillab";
	rl_attempted_completion_function = complete;
	/* "MAIL FROM:" is one completion: only blanks separate words. */
	rl_basic_word_break_characters = " \t";
	/* A learner should see the choices at the first Tab, not the second
	 * (after the first initialisation, which reads ~/.inputrc). */
	rl_initialize();
	rl_variable_bind("show-all-if-ambiguous", "on");
	using_history();
	/* Our own SIGINT handler, without SA_RESTART, so readline's read()
	 * returns and calls rl_signal_event_hook. */
	rl_catch_signals = 0;
	rl_signal_event_hook = on_signal_event;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_sa);
	if (console_start(c) < 0) {
		sigaction(SIGINT, &old_sa, NULL);
		cur = NULL;
		return 0;
	}
	for (;;) {
		char *prompt = prompt_for(c, color);

		interrupted = 0;	/* a Ctrl-C while the server talked */
		line = readline(prompt);
		free(prompt);
		if (line == NULL) {
			/* Ctrl-D: leave the way a telnet user closes. */
			fputc('\n', stdout);
			console_leave(c);
			break;
		}
		if (!console_in_data(c) && line[0] != '\0')
			add_history(line);
		if (console_line(c, line) != 0) {
			free(line);
			break;
		}
		free(line);
	}
	clear_history();
	sigaction(SIGINT, &old_sa, NULL);
	cur = NULL;
	return 0;
}
