/* CUnit suite for src/sim/scenario.c: the scenario file parser. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "sim/scenario.h"

void test_scenario_register(void);

static const char full[] =
	"# a comment\n"
	"scenario demo1\n"
	"world default\n"
	"title.en  Alice to Bob\n"
	"title.pt_BR Alice para Bob\n"
	"say.en  First line,\n"
	"say.en  second line.\n"
	"say.pt_BR Primeira.\n"
	"\n"
	"set mail.b.example smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n"
	"alias mail.b.example info: bob, alice\n"
	"down mail.b.example\r\n"
	"send alice@a.example -> bob@b.example, carol@b.example port 587 starttls auth alice alice helo pc.a.example\n"
	"  subject Hello there\n"
	"  body Hi Bob,\n"
	"  body\n"
	"  body bye\n"
	"  say.en   Alice sends.\n"
	"  say.pt_BR Alice envia.\n"
	"session centos.localdomain 25 client localhost[127.0.0.1]\n"
	"  C: HELO localhost\n"
	"  C: MAIL FROM: root\n"
	"  C: \n"
	"run\n"
	"wait 5d\n"
	"up mail.b.example\n"
	"fetch bob@b.example imap\n"
	"fetch alice@a.example pop3 port 995 password secret\n";

static void test_parse_full(void)
{
	struct err e = { "", 0 };
	struct scenario *sc = scenario_parse("t.scn", full, strlen(full), &e);
	const struct scenario_action *a;

	CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
	CU_ASSERT_STRING_EQUAL(sc->name, "demo1");
	CU_ASSERT_STRING_EQUAL(sc->world, "default");
	CU_ASSERT_STRING_EQUAL(scenario_text_get(&sc->title, "en"), "Alice to Bob");
	CU_ASSERT_STRING_EQUAL(scenario_text_get(&sc->title, "pt_BR"), "Alice para Bob");
	CU_ASSERT_STRING_EQUAL(scenario_text_get(&sc->intro, "en"),
			       "First line, second line.");
	CU_ASSERT_EQUAL_FATAL(sc->nact, 10);

	a = &sc->act[0];
	CU_ASSERT_EQUAL(a->op, SCENARIO_SET);
	CU_ASSERT_STRING_EQUAL(a->host, "mail.b.example");
	CU_ASSERT_STRING_EQUAL(a->param, "smtpd_relay_restrictions");
	CU_ASSERT_STRING_EQUAL(a->value, "permit_mynetworks, reject_unauth_destination");
	a = &sc->act[1];
	CU_ASSERT_EQUAL(a->op, SCENARIO_ALIAS);
	CU_ASSERT_STRING_EQUAL(a->param, "info");
	CU_ASSERT_STRING_EQUAL(a->value, "bob, alice");
	a = &sc->act[2];
	CU_ASSERT_EQUAL(a->op, SCENARIO_DOWN);
	CU_ASSERT_STRING_EQUAL(a->host, "mail.b.example");

	a = &sc->act[3];
	CU_ASSERT_EQUAL(a->op, SCENARIO_SEND);
	CU_ASSERT_STRING_EQUAL(a->from, "alice@a.example");
	CU_ASSERT_EQUAL_FATAL(a->nto, 2);
	CU_ASSERT_STRING_EQUAL(a->to[0], "bob@b.example");
	CU_ASSERT_STRING_EQUAL(a->to[1], "carol@b.example");
	CU_ASSERT_EQUAL(a->port, 587);
	CU_ASSERT_EQUAL(a->starttls, 1);
	CU_ASSERT_STRING_EQUAL(a->auth_user, "alice");
	CU_ASSERT_STRING_EQUAL(a->auth_pass, "alice");
	CU_ASSERT_STRING_EQUAL(a->helo, "pc.a.example");
	CU_ASSERT_STRING_EQUAL(a->subject, "Hello there");
	CU_ASSERT_EQUAL_FATAL(a->nlines, 3);
	CU_ASSERT_STRING_EQUAL(a->lines[0], "Hi Bob,");
	CU_ASSERT_STRING_EQUAL(a->lines[1], "");
	CU_ASSERT_STRING_EQUAL(scenario_text_get(&a->say, "pt_BR"), "Alice envia.");

	a = &sc->act[4];
	CU_ASSERT_EQUAL(a->op, SCENARIO_SESSION);
	CU_ASSERT_STRING_EQUAL(a->host, "centos.localdomain");
	CU_ASSERT_EQUAL(a->port, 25);
	CU_ASSERT_STRING_EQUAL(a->client, "localhost[127.0.0.1]");
	CU_ASSERT_EQUAL_FATAL(a->nlines, 3);
	/* Kept as typed, including the space after "FROM:". */
	CU_ASSERT_STRING_EQUAL(a->lines[1], "MAIL FROM: root");
	CU_ASSERT_STRING_EQUAL(a->lines[2], "");

	CU_ASSERT_EQUAL(sc->act[5].op, SCENARIO_RUN);
	CU_ASSERT_EQUAL(sc->act[6].op, SCENARIO_WAIT);
	CU_ASSERT_EQUAL(sc->act[6].ms, 5LL * 86400 * 1000);
	CU_ASSERT_EQUAL(sc->act[7].op, SCENARIO_UP);
	a = &sc->act[8];
	CU_ASSERT_EQUAL(a->op, SCENARIO_FETCH);
	CU_ASSERT_STRING_EQUAL(a->user, "bob@b.example");
	CU_ASSERT_STRING_EQUAL(a->proto, "imap");
	CU_ASSERT_PTR_NULL(a->password);
	a = &sc->act[9];
	CU_ASSERT_EQUAL(a->port, 995);
	CU_ASSERT_STRING_EQUAL(a->password, "secret");
	scenario_free(&sc);
	CU_ASSERT_PTR_NULL(sc);
}

/* Language choice: exact, same first two letters, English, first. */
static void test_text_lang(void)
{
	static const struct {
		const char *src, *lang, *want;
	} cases[] = {
		{ "say.en A\nsay.pt_BR B\n", "pt_BR", "B" },
		{ "say.en A\nsay.pt_BR B\n", "pt", "B" },
		{ "say.en A\nsay.pt_BR B\n", "pt_PT", "B" },
		{ "say.en A\nsay.pt_BR B\n", "de", "A" },
		{ "say.en A\nsay.pt_BR B\n", NULL, "A" },
		{ "say.pt_BR B\nsay.fr C\n", "en", "B" },
		{ "say.fr C\nsay.en A\n", "fr", "C" },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char *src = xasprintf("scenario x\nworld default\n%srun\n", cases[i].src);
		struct err e = { "", 0 };
		struct scenario *sc = scenario_parse("t", src, strlen(src), &e);
		const char *got;

		CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
		got = scenario_text_get(&sc->intro, cases[i].lang);
		if (got == NULL || strcmp(got, cases[i].want) != 0)
			fprintf(stderr, "case %zu: got %s, want %s\n", i,
				got ? got : "(null)", cases[i].want);
		CU_ASSERT(got != NULL && strcmp(got, cases[i].want) == 0);
		scenario_free(&sc);
		free(src);
	}
}

/* Each malformed file fails with a message naming the file and line. */
static void test_errors(void)
{
	static const struct {
		const char *src, *want;
	} cases[] = {
		{ "world default\nrun\n", "t.scn: missing \"scenario\" line" },
		{ "scenario x\nrun\n", "t.scn: missing \"world\" line" },
		{ "scenario x\nworld default\n", "t.scn: nothing happens (no action)" },
		{ "scenario x\nworld default\nfly away\n", "t.scn, line 3: unknown statement \"fly\"" },
		{ "scenario x\nworld default\nsend alice@a.example bob@b.example\n",
		  "t.scn, line 3: usage: send FROM -> TO" },
		{ "scenario x\nworld default\nsend a@x -> b@y port 99999\n",
		  "t.scn, line 3: usage: send" },
		{ "scenario x\nworld default\nsend a@x -> b@y teleport\n",
		  "t.scn, line 3: unknown option \"teleport\"" },
		{ "scenario x\nworld default\nwait soon\n", "t.scn, line 3: usage: wait DURATION" },
		{ "scenario x\nworld default\nwait 5y\n", "t.scn, line 3: usage: wait" },
		{ "scenario x\nworld default\nsubject hi\n",
		  "t.scn, line 3: \"subject\" belongs under a send" },
		{ "scenario x\nworld default\nrun\nC: HELO x\n",
		  "t.scn, line 4: \"C:\" belongs under a session" },
		{ "scenario x\nworld default\nfetch bob imap\n", "t.scn, line 3: usage: fetch" },
		{ "scenario x\nworld default\nfetch bob@b.example smtp\n", "t.scn, line 3: usage: fetch" },
		{ "scenario x\nworld default\nset h p v\n", "t.scn, line 3: usage: set" },
		{ "scenario x\nworld default\nalias h info bob\n", "t.scn, line 3: usage: alias" },
		{ "scenario x\nworld default\nsession h\n", "t.scn, line 3: usage: session" },
		{ "scenario x\nworld default\ndown\n", "t.scn, line 3: usage: down HOST" },
		{ "scenario x\nworld default\nrun now\n", "t.scn, line 3: usage: run" },
		{ "scenario x\nworld default\nmaster h submission inet n\n", "t.scn, line 3: usage: master" },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct err e = { "", 0 };
		struct scenario *sc = scenario_parse("t.scn", cases[i].src,
						     strlen(cases[i].src), &e);

		CU_ASSERT_PTR_NULL(sc);
		if (strncmp(e.text, cases[i].want, strlen(cases[i].want)) != 0)
			fprintf(stderr, "case %zu: got \"%s\", want \"%s...\"\n", i,
				e.text, cases[i].want);
		CU_ASSERT(strncmp(e.text, cases[i].want, strlen(cases[i].want)) == 0);
		scenario_free(&sc);
	}
}

/* Durations as `wait` takes them. */
static void test_durations(void)
{
	static const struct {
		const char *s;
		int rc;
		mtime_t ms;
	} cases[] = {
		{ "90", 0, 90000 }, { "90s", 0, 90000 }, { "30m", 0, 1800000 },
		{ "4h", 0, 14400000 }, { "5d", 0, 432000000 }, { "1w", 0, 604800000 },
		{ "5d2h", 0, 439200000 }, { "1h30m", 0, 5400000 },
		{ "", -1, 0 }, { "m", -1, 0 }, { "5dd", -1, 0 }, { "-5", -1, 0 },
		{ "5x", -1, 0 }, { "5d2", -1, 0 }, { "5d-2h", -1, 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		mtime_t ms = 0;
		int rc = scenario_duration(cases[i].s, &ms);

		CU_ASSERT_EQUAL(rc, cases[i].rc);
		if (rc == 0)
			CU_ASSERT_EQUAL(ms, cases[i].ms);
	}
}

/* Every shipped scenario parses, and its name is its file name. */
static void test_shipped(void)
{
	char **names;
	size_t i, n = 0;

	setenv("MAILLAB_SCENARIOS", "scenarios", 1);
	names = scenario_list();
	for (i = 0; names[i] != NULL; i++) {
		char *path = scenario_path(names[i]);
		struct err e = { "", 0 };
		struct scenario *sc = scenario_load(path, &e);

		if (sc == NULL)
			fprintf(stderr, "%s: %s\n", path, e.text);
		CU_ASSERT_PTR_NOT_NULL(sc);
		if (sc != NULL) {
			CU_ASSERT_STRING_EQUAL(sc->name, names[i]);
			CU_ASSERT_PTR_NOT_NULL(scenario_text_get(&sc->title, "en"));
			CU_ASSERT_PTR_NOT_NULL(scenario_text_get(&sc->title, "pt_BR"));
			CU_ASSERT(strcmp(scenario_text_get(&sc->title, "en"),
					 scenario_text_get(&sc->title, "pt_BR")) != 0);
		}
		scenario_free(&sc);
		free(path);
		n++;
	}
	CU_ASSERT(n >= 9);
	scenario_list_free(&names);
	unsetenv("MAILLAB_SCENARIOS");
}

/* Each action, described, parses back to the same description. */
static void test_describe_roundtrip(void)
{
	struct err e = { "", 0 };
	struct scenario *sc = scenario_parse("t.scn", full, strlen(full), &e);
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
	for (i = 0; i < sc->nact; i++) {
		char *d = scenario_describe(&sc->act[i]);
		char *src = xasprintf("scenario x\nworld default\n%s\n", d);
		struct scenario *again = scenario_parse("again", src, strlen(src), &e);
		char *d2;

		CU_ASSERT_PTR_NOT_NULL_FATAL(again);
		d2 = scenario_describe(&again->act[0]);
		if (strcmp(d, d2) != 0)
			fprintf(stderr, "got %s, want %s\n", d2, d);
		CU_ASSERT_STRING_EQUAL(d2, d);
		free(d2);
		scenario_free(&again);
		free(src);
		free(d);
	}
	{
		char *d = scenario_describe(&sc->act[6]);

		CU_ASSERT_STRING_EQUAL(d, "wait 5d");
		free(d);
	}
	scenario_free(&sc);
}

void test_scenario_register(void)
{
	CU_pSuite s = CU_add_suite("scenario", NULL, NULL);

	CU_add_test(s, "parse a full scenario", test_parse_full);
	CU_add_test(s, "language choice", test_text_lang);
	CU_add_test(s, "errors name file and line", test_errors);
	CU_add_test(s, "durations", test_durations);
	CU_add_test(s, "shipped scenarios parse", test_shipped);
	CU_add_test(s, "describe and parse back", test_describe_roundtrip);
}
