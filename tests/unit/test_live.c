/*
 * CUnit suite for what the live classroom mode (ui/live.h) adds to the
 * flow: a real client of the listener (peer "localhost[127.0.0.1]" or
 * "unknown[192.0.2.7]") becomes an outside node "client ADDR" drawn on
 * the outside line (tui_layout), the demo's naming is unchanged without
 * flow.live, and flow_state_at_from starts from the world's mailboxes.
 * The events are the listener's trace of a real session (net/
 * listen_trace.h): only the server side traces the lines.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "lib/xalloc.h"
#include "ui/flow.h"
#include "ui/flow_state.h"
#include "ui/tui_layout.h"

void test_live_register(void);

#define H "centos.localdomain"
#define N TRACE_DIR_NONE
#define I TRACE_DIR_IN
#define O TRACE_DIR_OUT

static const struct trace_event session[] = {
	{ 1, H, "postfix/master", NULL, "log", N, "2026-11-29T03:06:16.000000+00:00 centos postfix/master[1]: daemon started -- version 3.7.11, configuration /etc/postfix", NULL },
	{ 2, H, "postfix/smtpd", "localhost[127.0.0.1]", "smtp", O, "220 centos.localdomain ESMTP Postfix (Debian/GNU)", NULL },
	{ 3, H, "postfix/smtpd", "localhost[127.0.0.1]", "smtp", I, "EHLO student.example", NULL },
	{ 4, H, "postfix/smtpd", "localhost[127.0.0.1]", "smtp", O, "250 centos.localdomain", NULL },
	{ 5, H, "postfix/smtpd", "unknown[192.0.2.7]", "smtp", O, "220 centos.localdomain ESMTP Postfix (Debian/GNU)", NULL },
	{ 6, H, "postfix/smtpd", "unknown[192.0.2.7]", "smtp", I, "HELO pc7", NULL },
	{ 7, H, "postfix/smtpd", "unknown[192.0.2.7]", "smtp", O, "250 centos.localdomain", NULL },
	{ 8, H, "postfix/local", NULL, "log", N, "2026-11-29T03:06:22.000000+00:00 centos postfix/local[2]: F07A9A868F1: to=<alice@centos.localdomain>, relay=local, delay=0.02, delays=0/0/0/0, dsn=2.0.0, status=sent (delivered to mailbox)", NULL },
	{ 9, H, "dovecot/pop3", "localhost[127.0.0.1]", "pop3", I, "USER alice", NULL },
	{ 10, H, "dovecot/pop3", "localhost[127.0.0.1]", "pop3", O, "+OK", NULL },
	{ 11, H, "dovecot", NULL, "log", N, "2026-11-29T03:06:30.000000+00:00 centos dovecot: pop3(alice)<3><x>: Disconnected: Logged out top=0/0, retr=3/1500, del=3/3, size=1500", NULL },
};

static struct flow *session_flow(int live)
{
	struct flow *f = flow_new();
	size_t i;

	f->live = live;
	for (i = 0; i < ARRAY_LEN(session); i++)
		flow_add(f, &session[i]);
	return f;
}

static int node_labelled(const struct flow *f, const char *label)
{
	size_t i;

	for (i = 0; i < f->nnode; i++)
		if (strcmp(f->node[i].label, label) == 0)
			return (int)i;
	return -1;
}

static void test_external_nodes(void)
{
	static const struct {
		const char *label;
		int want;	/* present in the live flow */
	} cases[] = {
		{ "client 127.0.0.1", 1 },
		{ "client 192.0.2.7", 1 },
		{ "localhost", 0 },
		{ "unknown", 0 },
	};
	struct flow *f = session_flow(1);
	struct tui_layout l;
	size_t i;
	int n;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		int got = node_labelled(f, cases[i].label) >= 0;

		if (got != cases[i].want)
			fprintf(stderr, "node %s: got %d, want %d\n", cases[i].label, got,
				cases[i].want);
		CU_ASSERT_EQUAL(got, cases[i].want);
	}
	n = node_labelled(f, "client 127.0.0.1");
	CU_ASSERT_FATAL(n >= 0);
	CU_ASSERT_EQUAL(f->node[n].role, FLOW_ROLE_CLIENT);
	CU_ASSERT_PTR_NULL(f->node[n].site);
	/* one node for both of that address's sessions (SMTP and POP3) */
	for (i = 0; i < f->nstep; i++)
		if (f->step[i].kind == FLOW_TALK &&
		    strcmp(f->ev[f->step[i].evi[0]].ev.peer, "localhost[127.0.0.1]") == 0)
			CU_ASSERT_EQUAL(f->step[i].node, n);
	/* drawn outside the box, talking to it */
	tui_layout_build(&l, f);
	CU_ASSERT_EQUAL(l.nbox, 1);
	CU_ASSERT_EQUAL(l.noutside, 2);
	CU_ASSERT_EQUAL(l.node_box[n], -1);
	CU_ASSERT_EQUAL(l.outside_box[0], 0);
	tui_layout_free(&l);
	flow_free(&f);
}

static void test_demo_naming_unchanged(void)
{
	struct flow *f = session_flow(0);

	/* the demo's rule: a loopback client sits in the server's box */
	CU_ASSERT_EQUAL(node_labelled(f, "client 127.0.0.1"), -1);
	CU_ASSERT(node_labelled(f, "localhost") >= 0);
	flow_free(&f);
}

static void test_seeded_mailboxes(void)
{
	static const struct {
		size_t steps;
		int want;
	} cases[] = {
		{ 0, 2 },	/* what /var/mail/alice held */
		{ 100, 0 },	/* +1 delivered, then POP3 del=3 */
	};
	struct flow *f = session_flow(1);
	struct flow_state base, st;
	size_t i;

	flow_state_init(&base);
	flow_state_init(&st);
	flow_state_seed(&base, H, "alice", 2);
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		const struct flow_mbox *b;
		size_t steps = cases[i].steps > f->nstep ? f->nstep : cases[i].steps;

		flow_state_at_from(&st, &base, f, steps);
		b = flow_state_mbox(&st, H, "alice");
		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		if (b->count != cases[i].want)
			fprintf(stderr, "after %zu steps: got %d, want %d\n", steps,
				b->count, cases[i].want);
		CU_ASSERT_EQUAL(b->count, cases[i].want);
	}
	/* the delivery alone: 3 */
	for (i = 0; i < f->nstep; i++)
		if (f->step[i].kind == FLOW_WORK &&
		    strstr(f->ev[f->step[i].evi[0]].ev.text, "status=sent") != NULL)
			break;
	CU_ASSERT_FATAL(i < f->nstep);
	flow_state_at_from(&st, &base, f, i + 1);
	CU_ASSERT_EQUAL(flow_state_mbox(&st, H, "alice")->count, 3);
	/* NULL base: flow_state_at */
	flow_state_at_from(&st, NULL, f, i + 1);
	CU_ASSERT_EQUAL(flow_state_mbox(&st, H, "alice")->count, 1);
	flow_state_reset(&st);
	flow_state_reset(&base);
	flow_free(&f);
}

void test_live_register(void)
{
	CU_pSuite s = CU_add_suite("live", NULL, NULL);

	CU_add_test(s, "real clients are outside nodes", test_external_nodes);
	CU_add_test(s, "the demo's naming without live", test_demo_naming_unchanged);
	CU_add_test(s, "mailboxes start from the world", test_seeded_mailboxes);
}
