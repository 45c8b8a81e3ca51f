/*
 * console_term: the console at a terminal, on GNU readline: line editing,
 * history (Up/Down; commands only, not message text, literals or the
 * answers to a challenge, which may hold a password), Tab completion of
 * the protocol's verbs (and of FROM:/TO: after MAIL/RCPT, the mechanism
 * after AUTH; for IMAP the next tag on an empty line and the command
 * after the tag), Ctrl-D to leave. Inside SMTP's DATA or an IMAP literal
 * it is a plain line mode: no completion, and the prompt says so. Ctrl-C
 * drops the line being typed, as in a shell, instead of killing the
 * console (and the session with it). While the learner types, what the
 * server says unasked (IMAP IDLE's "* 4 EXISTS") is shown above the
 * prompt.
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
#include "ui/console_frame.h"

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

static const char *const mail_words[] = { "FROM:", NULL };
static const char *const rcpt_words[] = { "TO:", NULL };
static const char *const helo_words[] = { "localhost", NULL };
static const char *const auth_words[] = { "PLAIN", "LOGIN", NULL };
static const char *const plain_words[] = { "PLAIN", NULL };
/* IMAP: what follows UID (RFC 3501 6.4.8, RFC 6851) and SELECT & co. */
static const char *const uid_words[] = {
	"FETCH", "SEARCH", "STORE", "COPY", "MOVE", "EXPUNGE", NULL,
};
static const char *const inbox_words[] = { "INBOX", NULL };
static char *tag_words[2];	/* the next IMAP tag */

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

/* Which word of the line the cursor is in (0-based), and the words
 * before it in w0, w1. */
static int word_index(const char *line, int start, char *w0, char *w1,
		      size_t len)
{
	int n = 0, i = 0;

	w0[0] = w1[0] = '\0';
	while (i < start) {
		int b;

		while (i < start && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i >= start)
			break;
		b = i;
		while (i < start && line[i] != ' ' && line[i] != '\t')
			i++;
		if (n == 0)
			snprintf(w0, len, "%.*s", i - b, line + b);
		else if (n == 1)
			snprintf(w1, len, "%.*s", i - b, line + b);
		n++;
	}
	return n;
}

/* The words that fit where the cursor is, or NULL. */
static const char *const *words_for(const char *line, int start)
{
	enum explain_proto proto = console_proto(cur);
	char w0[64], w1[64];
	int n = word_index(line, start, w0, w1, sizeof(w0));

	if (proto == EXPLAIN_IMAP) {
		/* RFC 3501 2.2.1: a tag, then the command. */
		if (n == 0) {
			free(tag_words[0]);
			tag_words[0] = console_next_tag(cur);
			return (const char *const *)tag_words;
		}
		if (n == 1)
			return console_verbs(cur);
		if (n == 2 && strcasecmp(w1, "UID") == 0)
			return uid_words;
		if (n == 2 && strcasecmp(w1, "AUTHENTICATE") == 0)
			return plain_words;
		if (n == 2 && (strcasecmp(w1, "SELECT") == 0 ||
			       strcasecmp(w1, "EXAMINE") == 0 ||
			       strcasecmp(w1, "STATUS") == 0))
			return inbox_words;
		return NULL;
	}
	if (n == 0)
		return console_verbs(cur);
	if (n != 1)
		return NULL;
	if (proto == EXPLAIN_POP3)
		return strcasecmp(w0, "AUTH") == 0 ? plain_words : NULL;
	if (strcasecmp(w0, "MAIL") == 0)
		return mail_words;
	if (strcasecmp(w0, "RCPT") == 0)
		return rcpt_words;
	if (strcasecmp(w0, "HELO") == 0 || strcasecmp(w0, "EHLO") == 0)
		return helo_words;
	if (strcasecmp(w0, "AUTH") == 0)
		return auth_words;
	return NULL;
}

static char **complete(const char *text, int start, int end)
{
	char **m;

	(void)end;
	rl_attempted_completion_over = 1;	/* never file names */
	if (cur == NULL || console_in_data(cur))
		return NULL;
	gen_words = words_for(rl_line_buffer, start);
	if (gen_words == NULL || gen_words[0] == NULL)
		return NULL;
	m = rl_completion_matches(text, generator);
	/* Verbs that take no argument complete without a trailing space, so
	 * Enter sends exactly the command ("STARTTLS " would be a 501). */
	rl_completion_append_character = ' ';
	if (m != NULL && m[1] == NULL &&
	    (console_frame_bare_verb(console_proto(cur), m[0]) ||
	     m[0][strlen(m[0]) - 1] == ':'))
		rl_completion_append_character = '\0';
	return m;
}

#define P_BLUE "\001\033[1;34m\002"
#define P_DIM "\001\033[0;2m\002"
#define P_RESET "\001\033[0m\002"

static char *prompt_for(const struct console *c, int color)
{
	long left = 0;
	const char *mode = console_mode(c, &left);
	char *what, *p;

	if (mode == NULL)
		return xstrdup(color ? P_BLUE "C:" P_RESET " " : "C: ");
	if (strcmp(mode, "literal") == 0)
		/* TRANSLATORS: the prompt inside an IMAP literal: "C (literal, 57 bytes left): " */
		what = xasprintf(_("literal, %ld bytes left"), left);
	else if (strcmp(mode, "rest") == 0)
		what = xstrdup(_("end of the command: Enter"));
	else if (strcmp(mode, "continue") == 0)
		what = xstrdup(_("answer"));
	else if (strcmp(mode, "idle") == 0)
		what = xstrdup(_("IDLE: DONE ends it"));
	else
		what = xstrdup(mode);	/* DATA: the protocol's word */
	p = color ? xasprintf(P_BLUE "C" P_DIM " (%s)" P_BLUE ":" P_RESET " ", what) :
		    xasprintf("C (%s): ", what);
	free(what);
	return p;
}

/* readline's idle hook: what the server says unasked, above the prompt. */
static void clear_prompt(void *ctx)
{
	(void)ctx;
	rl_save_prompt();
	rl_clear_visible_line();
}

static int on_idle(void)
{
	int r;

	/* With an event hook readline waits in select(), whose EINTR it
	 * takes for "no key yet": the Ctrl-C is seen here. */
	if (interrupted)
		on_signal_event();
	if (cur == NULL)
		return 0;
	r = console_poll(cur, clear_prompt, NULL);
	if (r != 0) {
		rl_restore_prompt();
		if (r < 0) {
			/* The server hung up: end the line being typed. */
			rl_done = 1;
			return 0;
		}
		rl_on_new_line();
		rl_redisplay();
	}
	return 0;
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
	/* Called about ten times a second while waiting for a key. */
	rl_event_hook = on_idle;
	for (;;) {
		char *prompt = prompt_for(c, color);

		interrupted = 0;	/* a Ctrl-C while the server talked */
		line = readline(prompt);
		free(prompt);
		if (console_closed(c)) {
			free(line);	/* the server hung up while we typed */
			break;
		}
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
	rl_event_hook = NULL;
	sigaction(SIGINT, &old_sa, NULL);
	free(tag_words[0]);
	tag_words[0] = NULL;
	cur = NULL;
	return 0;
}
