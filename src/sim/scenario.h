/*
 * scenario: what a demo shows, read from a small line-based file
 * (scenarios/NAME.scn, documented in docs/scenarios.md): which world,
 * who sends what to whom over which port (25, or 587 with STARTTLS and
 * AUTH), faults to inject, clock jumps, and which retrieval (POP3 or IMAP)
 * ends it. The learner-facing text lives in the file itself in every
 * language it offers (say.en / say.pt_BR lines); scenario_say() picks one.
 *
 * This module only parses and holds the description. Running it is the
 * simulator's job; narrating it is src/ui's. It depends on neither.
 */
#ifndef MAILLAB_SCENARIO_H
#define MAILLAB_SCENARIO_H

#include <stddef.h>

#include "lib/clock.h"
#include "lib/err.h"

/* One text in several languages: say.en, say.pt_BR, ... */
struct scenario_text {
	char **lang;		/* "en", "pt_BR" */
	char **text;		/* lines of the same language are joined by ' ' */
	size_t n;
};

enum scenario_op {
	SCENARIO_SET,		/* set HOST PARAM = VALUE (postconf -e) */
	SCENARIO_ALIAS,		/* alias HOST NAME: TARGETS (/etc/aliases) */
	SCENARIO_MASTER,	/* master HOST LINE (a master.cf service) */
	SCENARIO_SEND,		/* send FROM -> TO... [options]; a MUA submits */
	SCENARIO_SESSION,	/* session HOST PORT; C: lines typed as in telnet */
	SCENARIO_DOWN,		/* down HOST: the host stops answering */
	SCENARIO_UP,		/* up HOST: it answers again */
	SCENARIO_WAIT,		/* wait DURATION: the virtual clock jumps */
	SCENARIO_RUN,		/* run: until the world is idle */
	SCENARIO_FETCH,		/* fetch USER@DOMAIN imap|pop3: a MUA reads */
};

struct scenario_action {
	enum scenario_op op;
	int line;		/* in the file, for messages */
	char *host;		/* SET ALIAS MASTER SESSION DOWN UP; SEND: "server" */
	char *param;		/* SET: parameter; ALIAS: the alias name */
	char *value;		/* SET: value; ALIAS: targets as written;
				   MASTER: the master.cf line */
	char *from;		/* SEND: envelope sender */
	char **to;		/* SEND: recipients */
	size_t nto;
	int port;		/* SEND SESSION FETCH: 0 = the usual one */
	int starttls;		/* SEND FETCH: STARTTLS before anything else */
	char *auth_user;	/* SEND: AUTH PLAIN as this user, or NULL */
	char *auth_pass;
	char *client;		/* SEND SESSION: "name[addr]" the client is seen as */
	char *helo;		/* SEND SESSION: HELO/EHLO name */
	char *subject;		/* SEND */
	char **lines;		/* SEND: body lines; SESSION: the C: lines */
	size_t nlines;
	char *user;		/* FETCH: "bob@b.example" */
	char *proto;		/* FETCH: "imap" or "pop3" */
	char *password;		/* FETCH: NULL = the lab's (the user name) */
	mtime_t ms;		/* WAIT */
	struct scenario_text say;	/* narration shown before the action */
};

struct scenario {
	char *name;		/* "default" */
	char *world;		/* "default", "centos" or a world file */
	struct scenario_text title;
	struct scenario_text intro;	/* say lines before the first action */
	struct scenario_action *act;
	size_t nact;
};

/*
 * Parses a scenario from memory. `name` is used in error texts ("NAME,
 * line N: ..."). Returns the scenario (caller frees with scenario_free)
 * or NULL with e set; a scenario must have a `scenario` name, a `world`
 * and at least one action.
 */
struct scenario *scenario_parse(const char *name, const char *text,
				size_t len, struct err *e);
/* Reads and parses a file; NULL with e naming the file on failure. */
struct scenario *scenario_load(const char *path, struct err *e);
void scenario_free(struct scenario **sp);

/*
 * The text in `lang` ("pt_BR", "pt", "en"): the exact language, else one
 * sharing its first two letters, else English, else the first given;
 * NULL when there is none. Borrowed from t.
 */
const char *scenario_text_get(const struct scenario_text *t, const char *lang);

/* "set", "send", ... for messages and traces. */
const char *scenario_op_name(enum scenario_op op);
/* The action as one line of the file's own syntax ("send alice@a.example
 * -> bob@b.example port 25", "wait 5d"); caller frees. */
char *scenario_describe(const struct scenario_action *a);

/*
 * Parses "90s", "30m", "4h", "5d", "1w" and sums of them ("5d2h"; a bare
 * number is seconds) into milliseconds. Returns 0, or -1 for a malformed
 * duration.
 */
int scenario_duration(const char *s, mtime_t *ms_out);

/*
 * Where the shipped scenarios are: $MAILLAB_SCENARIOS, else the build
 * tree's scenarios/ beside bin/, else SCENARIODIR. Caller frees.
 */
char *scenario_dir(void);
/*
 * Finds a scenario by name ("default") in scenario_dir(), or takes `arg`
 * as a path when it contains a '/' or ends in ".scn". Caller frees.
 */
char *scenario_path(const char *arg);
/* The names of the shipped scenarios, sorted; NULL-terminated, caller
 * frees with scenario_list_free. */
char **scenario_list(void);
void scenario_list_free(char ***vp);

#endif
