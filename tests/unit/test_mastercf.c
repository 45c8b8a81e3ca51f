/*
 * CUnit suite for src/lib/mastercf.c: Debian's default master.cf
 * (tests/data/config/master.cf, from reference/config), the postconf -M
 * layout (reference/commands/11-master-cf.txt), -o forms, and Postfix's
 * words for bad entries (checked against Postfix 3.7.11's postconf -M).
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/mastercf.h"

void test_mastercf_register(void);

static void check_str(const char *what, const char *got, const char *want)
{
	if (got == NULL || strcmp(got, want) != 0) {
		fprintf(stderr, "\n  %s: got \"%s\", want \"%s\"\n", what,
			got ? got : "(null)", want);
		CU_FAIL(what);
	} else {
		CU_PASS(what);
	}
}

static void collect_warn(void *ctx, const char *text)
{
	buf_adds(ctx, text);
	buf_addc(ctx, '\n');
}

/* All entries as postconf -M prints them. */
static void format_all(const struct mastercf *m, struct buf *out)
{
	size_t i;

	buf_adds(out, "");
	for (i = 0; i < m->nservices; i++) {
		mastercf_format(&m->services[i], out);
		buf_addc(out, '\n');
	}
}

/* reference/commands/11-master-cf.txt, `postconf -M`. */
static const char debian_M[] =
	"smtp       inet  n       -       y       -       -       smtpd\n"
	"pickup     unix  n       -       y       60      1       pickup\n"
	"cleanup    unix  n       -       y       -       0       cleanup\n"
	"qmgr       unix  n       -       n       300     1       qmgr\n"
	"tlsmgr     unix  -       -       y       1000?   1       tlsmgr\n"
	"rewrite    unix  -       -       y       -       -       trivial-rewrite\n"
	"bounce     unix  -       -       y       -       0       bounce\n"
	"defer      unix  -       -       y       -       0       bounce\n"
	"trace      unix  -       -       y       -       0       bounce\n"
	"verify     unix  -       -       y       -       1       verify\n"
	"flush      unix  n       -       y       1000?   0       flush\n"
	"proxymap   unix  -       -       n       -       -       proxymap\n"
	"proxywrite unix  -       -       n       -       1       proxymap\n"
	"smtp       unix  -       -       y       -       -       smtp\n"
	"relay      unix  -       -       y       -       -       smtp -o syslog_name=postfix/$service_name\n"
	"showq      unix  n       -       y       -       -       showq\n"
	"error      unix  -       -       y       -       -       error\n"
	"retry      unix  -       -       y       -       -       error\n"
	"discard    unix  -       -       y       -       -       discard\n"
	"local      unix  -       n       n       -       -       local\n"
	"virtual    unix  -       n       n       -       -       virtual\n"
	"lmtp       unix  -       -       y       -       -       lmtp\n"
	"anvil      unix  -       -       y       -       1       anvil\n"
	"scache     unix  -       -       y       -       1       scache\n"
	"postlog    unix-dgram n  -       n       -       1       postlogd\n"
	"maildrop   unix  -       n       n       -       -       pipe flags=DRXhu user=vmail argv=/usr/bin/maildrop -d ${recipient}\n"
	"uucp       unix  -       n       n       -       -       pipe flags=Fqhu user=uucp argv=uux -r -n -z -a$sender - $nexthop!rmail ($recipient)\n"
	"ifmail     unix  -       n       n       -       -       pipe flags=F user=ftn argv=/usr/lib/ifmail/ifmail -r $nexthop ($recipient)\n"
	"bsmtp      unix  -       n       n       -       -       pipe flags=Fq. user=bsmtp argv=/usr/lib/bsmtp/bsmtp -t$nexthop -f$sender $recipient\n"
	"scalemail-backend unix - n       n       -       2       pipe flags=R user=scalemail argv=/usr/lib/scalemail/bin/scalemail-store ${nexthop} ${user} ${extension}\n"
	"mailman    unix  -       n       n       -       -       pipe flags=FRX user=list argv=/usr/lib/mailman/bin/postfix-to-mailman.py ${nexthop} ${user}\n";

static void test_debian(void)
{
	struct mastercf m;
	const struct mastercf_service *s;
	struct buf out;
	struct err e;

	mastercf_init(&m);
	buf_init(&out);
	CU_ASSERT_EQUAL(mastercf_load(&m, "tests/data/config/master.cf", &e), 0);
	CU_ASSERT_EQUAL(m.nservices, 31);
	format_all(&m, &out);
	check_str("postconf -M", out.data, debian_M);

	s = mastercf_find(&m, "relay", "unix");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->nopts, 1);
	check_str("relay -o name", s->opts[0].name, "syslog_name");
	check_str("relay -o value", s->opts[0].value, "postfix/$service_name");
	CU_ASSERT_PTR_NULL(s->args[0]);
	s = mastercf_find(&m, "smtp", "inet");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	check_str("smtp command", s->command, "smtpd");
	check_str("smtp chroot", s->chroot, "y");
	CU_ASSERT_EQUAL(s->line, 12);
	s = mastercf_find(&m, "maildrop", "unix");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	check_str("maildrop args[0]", s->args[0], "flags=DRXhu");
	check_str("maildrop args[3]", s->args[3], "-d");
	CU_ASSERT_PTR_NULL(mastercf_find(&m, "submission", "inet"));
	CU_ASSERT_PTR_NULL(mastercf_find(&m, "smtp", "fifo"));
	mastercf_reset(&m);
	CU_ASSERT_EQUAL(m.nservices, 0);
	buf_reset(&out);
}

static const struct {
	const char *text;
	const char *printed;	/* postconf -M */
	const char *error;	/* NULL: none */
	const char *warnings;
} cases[] = {
	{ "smtp inet n - y - - smtpd\n"
	  "  -o { smtpd_recipient_restrictions = permit_mynetworks, reject } -o x=y\n"
	  "    -o  a = b\n"
	  "submission inet n - y - - smtpd -o syslog_name=postfix/submission\n"
	  "#c\n\n 127.0.0.1:2525 inet n - - - - smtpd\n",
	  "smtp       inet  n       -       y       -       -       smtpd -o {smtpd_recipient_restrictions=permit_mynetworks, reject} -o x=y -o a = b\n"
	  "submission inet  n       -       y       -       -       smtpd -o syslog_name=postfix/submission 127.0.0.1:2525 inet n - - - - smtpd\n",
	  NULL, "" },
	{ "smtp inet n - y -\n", "",
	  "file /etc/postfix/master.cf: line 1: bad field count", "" },
	{ "ok unix - - - - - x\nsmtp inet n\nbad inet n - y - - smtpd\n",
	  "ok         unix  -       -       -       -       -       x\n"
	  "bad        inet  n       -       y       -       -       smtpd\n",
	  "file /etc/postfix/master.cf: line 2: bad field count", "" },
	{ "smtp bogus n - y - - smtpd\n", "",
	  "invalid type field \"bogus\" in \"smtp bogus n - y - - smtpd\"", "" },
	{ "smtp inet x - y - - smtpd\n", "",
	  "invalid private field \"x\" in \"smtp inet x - y - - smtpd\"", "" },
	{ "smtp inet N - Y - - smtpd\n", "",
	  "invalid private field \"N\" in \"smtp inet N - Y - - smtpd\"", "" },
	{ "smtp inet n x y - - smtpd\n", "",
	  "invalid unprivileged field \"x\" in \"smtp inet n x y - - smtpd\"", "" },
	{ "smtp inet n - x - - smtpd\n", "",
	  "invalid chroot field \"x\" in \"smtp inet n - x - - smtpd\"", "" },
	{ "smtp inet n - y abc - smtpd\n", "",
	  "invalid wakeup field \"abc\" in \"smtp inet n - y abc - smtpd\"", "" },
	{ "smtp inet n - y -1 - smtpd\n", "",
	  "invalid wakeup field \"-1\" in \"smtp inet n - y -1 - smtpd\"", "" },
	{ "smtp inet n - y 0 -1 smtpd\n", "",
	  "invalid process_limit field \"-1\" in \"smtp inet n - y 0 -1 smtpd\"", "" },
	{ "smtp inet n - y 5? 10 smtpd\n",
	  "smtp       inet  n       -       y       5?      10      smtpd\n", NULL, "" },
	{ "smtp inet n - y - - smtpd -o x\n",
	  "smtp       inet  n       -       y       -       -       smtpd -o x\n", NULL, "" },
	{ "smtp inet n - y - - smtpd -o {x=y\n",
	  "smtp       inet  n       -       y       -       -       smtpd -o x=y\n", NULL,
	  "master.cf: missing '}' in \"{x=y\"\n" },
	{ "smtp inet n - y - - smtpd -o {x = y } z\n",
	  "smtp       inet  n       -       y       -       -       smtpd -o x=y z\n", NULL, "" },
	{ "smtp inet n - y - - smtpd -o x={a b}\n",
	  "smtp       inet  n       -       y       -       -       smtpd -o {x={a b}}\n", NULL, "" },
	{ "smtp inet n - y - - smtpd {a b} -v\n",
	  "smtp       inet  n       -       y       -       -       smtpd a b -v\n", NULL, "" },
	{ "  smtp inet n - y - - smtpd\n", "", NULL,
	  "/etc/postfix/master.cf: logical line must not start with whitespace: \"  smtp inet n - y - - smtpd\"\n" },
	{ "a unix - - n - - x\n#c\n  -o a=b\nb unix - - n - - y",
	  "a          unix  -       -       n       -       -       x -o a=b\n"
	  "b          unix  -       -       n       -       -       y\n", NULL, "" },
	{ "a pass - - n - - x\nb fifo - - n - - x\nc unix-dgram - - n - - x\n",
	  "a          pass  -       -       n       -       -       x\n"
	  "b          fifo  -       -       n       -       -       x\n"
	  "c          unix-dgram -  -       n       -       -       x\n", NULL, "" },
	{ "verylongservicename-here unix-dgram - - n 100? 1000 cmd\n",
	  "verylongservicename-here unix-dgram - - n 100?   1000    cmd\n", NULL, "" },
};

static void test_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mastercf m;
		struct buf out, warn;
		struct err e;
		int rc;

		mastercf_init(&m);
		buf_init(&out);
		buf_init(&warn);
		buf_adds(&warn, "");
		m.warn = collect_warn;
		m.warn_ctx = &warn;
		rc = mastercf_parse(&m, "/etc/postfix/master.cf", cases[i].text,
				    strlen(cases[i].text), &e);
		format_all(&m, &out);
		check_str("printed", out.data, cases[i].printed);
		if (cases[i].error != NULL) {
			CU_ASSERT_EQUAL(rc, -1);
			check_str("error", e.text, cases[i].error);
		} else {
			CU_ASSERT_EQUAL(rc, 0);
		}
		check_str("warnings", warn.data, cases[i].warnings);
		mastercf_reset(&m);
		buf_reset(&out);
		buf_reset(&warn);
	}
}

static void test_opts(void)
{
	static const char text[] =
		"submission inet n - y - - smtpd\n"
		"  -o syslog_name=postfix/submission\n"
		"  -o smtpd_tls_security_level=encrypt\n"
		"  -o { smtpd_recipient_restrictions = permit_sasl_authenticated, reject }\n"
		"  -o smtpd_client_restrictions=\n";
	struct mastercf m;
	const struct mastercf_service *s;
	struct err e;

	mastercf_init(&m);
	CU_ASSERT_EQUAL(mastercf_parse(&m, "master.cf", text, strlen(text), &e), 0);
	s = mastercf_find(&m, "submission", "inet");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(s->nopts, 4);
	check_str("opt 1", s->opts[1].value, "encrypt");
	check_str("opt 2 name", s->opts[2].name, "smtpd_recipient_restrictions");
	check_str("opt 2 value", s->opts[2].value, "permit_sasl_authenticated, reject");
	check_str("opt 3 empty", s->opts[3].value, "");
	CU_ASSERT_EQUAL(s->line, 1);
	mastercf_reset(&m);

	CU_ASSERT_EQUAL(mastercf_load(&m, "tests/data/config/none/master.cf", &e), -1);
	check_str("missing file", e.text,
		  "open tests/data/config/none/master.cf: No such file or directory");
	mastercf_reset(&m);
}

void test_mastercf_register(void)
{
	CU_pSuite s = CU_add_suite("mastercf", NULL, NULL);

	CU_add_test(s, "Debian's master.cf", test_debian);
	CU_add_test(s, "entries and errors", test_cases);
	CU_add_test(s, "-o overrides", test_opts);
}
