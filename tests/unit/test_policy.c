/*
 * CUnit suite for src/mta/smtpd_policy.c and rewrite.c: every RCPT/VRFY
 * reply of reference/transcripts/smtp/{01,02,03c,04b,04d,04e,04f}, from the
 * parameters of reference/config/main.cf.as-captured, plus the
 * restrictions a lab may set.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/xalloc.h"
#include "mta/rewrite.h"
#include "mta/smtpd_policy.h"

void test_policy_register(void);

/* centos.localdomain's etc/passwd and etc/aliases */
static int has_user(void *ctx, const char *name)
{
	static const char *const users[] = { "root", "wees", "alice", "bob", "nobody", NULL };
	size_t i;

	(void)ctx;
	for (i = 0; users[i]; i++)
		if (strcmp(users[i], name) == 0)
			return 1;
	return 0;
}

static int has_alias(void *ctx, const char *name)
{
	(void)ctx;
	return strcasecmp(name, "postmaster") == 0;
}

enum variant {
	AS_CAPTURED,	/* main.cf.as-captured */
	OUTSIDE,	/* 04e: mynetworks = 127.0.0.2/32 */
	OUTSIDE_REJECT,	/* 04f: ... reject_unauth_destination */
	RELAY_DOMAINS,	/* relay_domains = example.com */
	RCPT_REJECT,	/* smtpd_recipient_restrictions = reject */
	RCPT_DEFER,	/* smtpd_recipient_restrictions = defer */
	UNKNOWN_RESTR,	/* smtpd_recipient_restrictions = frobnicate */
	NO_LOCAL_MAPS,	/* local_recipient_maps = */
	NON_FQDN,	/* smtpd_recipient_restrictions = reject_non_fqdn_recipient */
	SASL,		/* client authenticated, outside mynetworks */
};

static struct smtpd_policy *make(enum variant v, int *fatal)
{
	struct smtpd_policy_params p;
	struct err e;

	memset(&p, 0, sizeof(p));
	p.myhostname = "centos.localdomain";
	p.myorigin = "centos.localdomain";
	p.mydomain = "localdomain";
	p.mydestination = "centos.localdomain, localhost.localdomain, localhost";
	p.relay_domains = "";
	p.mynetworks = "127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128";
	p.inet_interfaces = "loopback-only";
	p.host_addr = "192.0.2.25";
	p.relay_restrictions = "permit_mynetworks permit_sasl_authenticated defer_unauth_destination";
	p.recipient_restrictions = "";
	p.local_recipient_maps = "proxy:unix:passwd.byname hash:/etc/aliases";
	p.recipient_delimiter = "+";
	p.reject_unlisted_recipient = 1;
	p.has_user = has_user;
	p.has_alias = has_alias;
	switch (v) {
	case OUTSIDE:
	case SASL:
		p.mynetworks = "127.0.0.2/32";
		break;
	case OUTSIDE_REJECT:
		p.mynetworks = "127.0.0.2/32";
		p.relay_restrictions = "permit_mynetworks permit_sasl_authenticated reject_unauth_destination";
		break;
	case RELAY_DOMAINS:
		p.mynetworks = "127.0.0.2/32";
		p.relay_domains = "example.com";
		break;
	case RCPT_REJECT:
		p.recipient_restrictions = "reject";
		break;
	case RCPT_DEFER:
		p.recipient_restrictions = "defer";
		break;
	case UNKNOWN_RESTR:
		p.recipient_restrictions = "permit_mynetworks, frobnicate";
		p.mynetworks = "127.0.0.2/32";
		break;
	case NO_LOCAL_MAPS:
		p.local_recipient_maps = "";
		break;
	case NON_FQDN:
		p.recipient_restrictions = "reject_non_fqdn_recipient";
		break;
	case AS_CAPTURED:
		break;
	}
	return smtpd_policy_new(&p, fatal, &e);
}

static const struct {
	enum variant v;
	char cmd;		/* 'R' RCPT, 'V' VRFY, 'M' MAIL */
	const char *addr;
	int code;
	const char *text;
	const char *log;
} cases[] = {
	/* 01-study-note */
	{ AS_CAPTURED, 'R', "wees", 0, "", "" },
	/* 02-ehlo-and-misc */
	{ AS_CAPTURED, 'V', "wees", 0, "", "" },
	{ AS_CAPTURED, 'V', "nobody", 0, "", "" },
	{ AS_CAPTURED, 'V', "nosuchuser", 550, "5.1.1 <nosuchuser>: Recipient address rejected: User unknown in local recipient table", "" },
	{ AS_CAPTURED, 'V', "<wees@centos.localdomain>", 0, "", "" },
	/* 03c-sequence-errors, 04b-rcpt-syntax-and-unknown-users */
	{ AS_CAPTURED, 'R', "nosuchuser@centos.localdomain", 550, "5.1.1 <nosuchuser@centos.localdomain>: Recipient address rejected: User unknown in local recipient table", "" },
	{ AS_CAPTURED, 'R', "nosuchuser", 550, "5.1.1 <nosuchuser>: Recipient address rejected: User unknown in local recipient table", "" },
	{ AS_CAPTURED, 'R', "nobody@centos.localdomain", 0, "", "" },
	{ AS_CAPTURED, 'R', "wees@centos.localdomain", 0, "", "" },
	{ AS_CAPTURED, 'R', "WEES@CENTOS.LOCALDOMAIN", 0, "", "" },
	{ AS_CAPTURED, 'R', "wees+ext@centos.localdomain", 0, "", "" },
	{ AS_CAPTURED, 'R', "postmaster", 0, "", "" },
	{ AS_CAPTURED, 'R', "wees@localhost", 0, "", "" },
	/* 04d-relay-inside-mynetworks */
	{ AS_CAPTURED, 'R', "someone@example.com", 0, "", "" },
	/* 04e-relay-outside-mynetworks-defer */
	{ OUTSIDE, 'R', "victim@example.com", 454, "4.7.1 <victim@example.com>: Relay access denied", "" },
	{ OUTSIDE, 'R', "wees@centos.localdomain", 0, "", "" },
	/* 04f-relay-outside-mynetworks-reject */
	{ OUTSIDE_REJECT, 'R', "victim@example.com", 554, "5.7.1 <victim@example.com>: Relay access denied", "" },
	/* beyond the captures */
	{ AS_CAPTURED, 'R', "NoSuchUser+x@LocalHost", 550, "5.1.1 <NoSuchUser+x@LocalHost>: Recipient address rejected: User unknown in local recipient table", "" },
	{ AS_CAPTURED, 'R', "bob+@localhost.localdomain", 0, "", "" },
	{ AS_CAPTURED, 'R', "wees@[127.0.0.1]", 0, "", "" },
	{ AS_CAPTURED, 'R', "nosuch@[127.0.0.1]", 550, "5.1.1 <nosuch@[127.0.0.1]>: Recipient address rejected: User unknown in local recipient table", "" },
	{ AS_CAPTURED, 'R', "wees@centos.localdomain.", 0, "", "" },
	{ OUTSIDE, 'R', "wees@[192.0.2.99]", 454, "4.7.1 <wees@[192.0.2.99]>: Relay access denied", "" },
	{ OUTSIDE, 'R', "anyone@[IPv6:::1]", 550, "5.1.1 <anyone@[IPv6:::1]>: Recipient address rejected: User unknown in local recipient table", "" },
	{ OUTSIDE, 'V', "victim@example.com", 0, "", "" },
	{ RELAY_DOMAINS, 'R', "victim@example.com", 0, "", "" },
	{ RELAY_DOMAINS, 'R', "x@mx.sub.example.com", 0, "", "" },
	{ RELAY_DOMAINS, 'R', "x@notexample.com", 454, "4.7.1 <x@notexample.com>: Relay access denied", "" },
	{ RCPT_REJECT, 'R', "wees", 554, "5.7.1 <wees>: Recipient address rejected: Access denied", "" },
	{ RCPT_DEFER, 'R', "wees", 450, "4.3.2 <wees>: Recipient address rejected: Try again later", "" },
	{ UNKNOWN_RESTR, 'R', "wees", 451, "4.3.5 Server configuration error", "warning: unknown smtpd restriction: \"frobnicate\"" },
	{ NO_LOCAL_MAPS, 'R', "nosuchuser", 0, "", "" },
	{ NO_LOCAL_MAPS, 'V', "nosuchuser", 0, "", "" },
	{ NON_FQDN, 'R', "wees", 504, "5.5.2 <wees>: Recipient address rejected: need fully-qualified address", "" },
	{ NON_FQDN, 'R', "wees@centos.localdomain", 0, "", "" },
	{ SASL, 'R', "victim@example.com", 0, "", "" },
	{ AS_CAPTURED, 'M', "root", 0, "", "" },
	{ OUTSIDE, 'M', "", 0, "", "" },
};

static void test_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct smtpd_policy *p = make(cases[i].v, NULL);
		struct smtpd_policy_client c = { "127.0.0.1", cases[i].v == SASL };
		struct smtpd_policy_reply r;

		if (cases[i].cmd == 'R')
			smtpd_policy_rcpt(p, &c, cases[i].addr, &r);
		else if (cases[i].cmd == 'V')
			smtpd_policy_vrfy(p, &c, cases[i].addr, &r);
		else
			smtpd_policy_mail(p, &c, cases[i].addr, &r);
		if (r.code != cases[i].code || strcmp(r.text, cases[i].text) != 0
		    || strcmp(r.log, cases[i].log) != 0)
			fprintf(stderr, "\n  case %zu %c %s: got %d \"%s\" [%s], want %d \"%s\" [%s]\n",
				i, cases[i].cmd, cases[i].addr, r.code, r.text, r.log,
				cases[i].code, cases[i].text, cases[i].log);
		CU_ASSERT_EQUAL(r.code, cases[i].code);
		CU_ASSERT_STRING_EQUAL(r.text, cases[i].text);
		CU_ASSERT_STRING_EQUAL(r.log, cases[i].log);
		smtpd_policy_free(&p);
		CU_ASSERT_PTR_NULL(p);
	}
}

static void test_classify(void)
{
	struct smtpd_policy *p = make(RELAY_DOMAINS, NULL);

	CU_ASSERT_EQUAL(smtpd_policy_classify(p, "wees"), SMTPD_POLICY_LOCAL);
	CU_ASSERT_EQUAL(smtpd_policy_classify(p, "a@localhost"), SMTPD_POLICY_LOCAL);
	CU_ASSERT_EQUAL(smtpd_policy_classify(p, "a@example.com"), SMTPD_POLICY_RELAY);
	CU_ASSERT_EQUAL(smtpd_policy_classify(p, "a@b.example"), SMTPD_POLICY_REMOTE);
	CU_ASSERT_STRING_EQUAL(smtpd_policy_class_name(SMTPD_POLICY_RELAY), "relay");
	smtpd_policy_free(&p);
}

static void test_fatal(void)
{
	struct smtpd_policy_params p;
	struct smtpd_policy *pol;
	struct smtpd_policy_client c = { "127.0.0.1", 0 };
	struct smtpd_policy_reply r;
	struct err e;
	int fatal = 0;

	memset(&p, 0, sizeof(p));
	p.myhostname = "h.example";
	p.mydestination = "h.example";
	p.mynetworks = "127.0.0.0/8 10.0.0.1/8";	/* one bad entry */
	p.relay_restrictions = "permit_mynetworks";
	p.recipient_restrictions = "permit";
	pol = smtpd_policy_new(&p, &fatal, &e);
	CU_ASSERT_EQUAL(fatal, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "specify at least one working instance of: reject_unauth_destination"));
	smtpd_policy_rcpt(pol, &c, "x@h.example", &r);
	CU_ASSERT_EQUAL(r.code, 451);
	CU_ASSERT_STRING_EQUAL(r.text, "4.3.5 Server configuration error");
	smtpd_policy_free(&pol);

	p.relay_restrictions = "permit_mynetworks reject_unauth_destination";
	pol = smtpd_policy_new(&p, &fatal, &e);
	CU_ASSERT_EQUAL(fatal, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "mynetworks: non-null host address bits in \"10.0.0.1/8\""));
	smtpd_policy_free(&pol);
}

static void test_rewrite(void)
{
	static const struct {
		const char *in;
		int dot;
		const char *want;
	} rw[] = {
		{ "root", 0, "root@centos.localdomain" },
		{ "wees", 1, "wees@centos.localdomain" },
		{ "", 0, "" },
		{ "bob@b.example", 0, "bob@b.example" },
		{ "bob@vm", 0, "bob@vm" },
		{ "bob@vm", 1, "bob@vm.localdomain" },
		{ "bob@[127.0.0.1]", 1, "bob@[127.0.0.1]" },
		{ "bob@", 0, "bob@centos.localdomain" },
	};
	size_t i;

	for (i = 0; i < sizeof(rw) / sizeof(rw[0]); i++) {
		char *got = rewrite_canonical(rw[i].in, "centos.localdomain", "localdomain", rw[i].dot);

		if (strcmp(got, rw[i].want) != 0)
			fprintf(stderr, "\n  rewrite %s: got %s, want %s\n", rw[i].in, got, rw[i].want);
		CU_ASSERT_STRING_EQUAL(got, rw[i].want);
		free(got);
	}
	CU_ASSERT_STRING_EQUAL(rewrite_domain("a@b@c"), "c");
	CU_ASSERT_PTR_NULL(rewrite_domain("abc"));
}

void test_policy_register(void)
{
	CU_pSuite s = CU_add_suite("policy", NULL, NULL);

	CU_add_test(s, "reference replies and restrictions", test_cases);
	CU_add_test(s, "address classes", test_classify);
	CU_add_test(s, "configuration errors", test_fatal);
	CU_add_test(s, "canonical addresses", test_rewrite);
}
