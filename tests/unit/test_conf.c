/*
 * CUnit suite for src/lib/conf*.c: the main.cf parser, expansion (every
 * form Postfix 3.7's defaults use), the compatibility_level operator, the
 * machine-dependent defaults, typed getters and the expansion cache.
 * Expected texts were checked against Postfix 3.7.11's postconf.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/xalloc.h"

void test_conf_register(void);

/* The machine reference/ was captured on (reference/commands/02). */
static const char *const vm_nets[] = {
	"127.0.0.1/8", "192.0.2.2/24", "::1/128", "fd00::2/64",
	"fe80::fc:ff:fe00:1/64", NULL,
};

static struct conf *vm_conf(const char *text)
{
	struct conf *c = conf_new();
	struct err e;

	conf_set_machine(c, "vm", vm_nets);
	if (text != NULL)
		(void)conf_parse(c, "/etc/postfix/main.cf", text, strlen(text), &e);
	return c;
}

/* Collects warnings, one per line. */
static void collect_warn(void *ctx, const char *text)
{
	buf_adds(ctx, text);
	buf_addc(ctx, '\n');
}

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

/* ---- parsing --------------------------------------------------------- */

static const struct {
	const char *text;
	const char *name;
	const char *want;	/* raw value, NULL: not set */
} parse_cases[] = {
	{ "myhostname = a.example\n", "myhostname", "a.example" },
	{ "myhostname=a.example", "myhostname", "a.example" },
	{ "  # comment\nmyhostname\t=\t a b  \t\n", "myhostname", "a b" },
	{ "relayhost = x\nrelayhost = y\n", "relayhost", "y" },
	/* A continuation keeps its own leading white space. */
	{ "mynetworks = 127.0.0.0/8\n  [::1]/128\n", "mynetworks",
	  "127.0.0.0/8  [::1]/128" },
	/* Comments and blank lines do not end a logical line. */
	{ "foo = bar\n#c\n\n  baz\nx = 1\n", "foo", "bar  baz" },
	{ "foo = bar\r\n", "foo", "bar" },
	{ "empty =\n", "empty", "" },
	{ "a.b = c\n", "a.b", "c" },
	{ "x = 1 # not a comment\n", "x", "1 # not a comment" },
	{ "# myhostname = no\n", "myhostname", "localhost.localdomain" },
	/* A bad line loses only itself. */
	{ "foo\nrelayhost = [10.0.0.1]\n", "relayhost", "[10.0.0.1]" },
	{ "relayhost = a\nfoo bar\n  more\n= x\nrelayhost = b\n", "relayhost", "b" },
};

static void test_parse(void)
{
	size_t i;

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		struct conf *c = conf_new();
		struct err e;
		char what[200];

		(void)conf_parse(c, "main.cf", parse_cases[i].text,
				 strlen(parse_cases[i].text), &e);
		snprintf(what, sizeof(what), "case %zu (%s)", i, parse_cases[i].name);
		check_str(what, conf_raw(c, parse_cases[i].name), parse_cases[i].want);
		conf_free(&c);
		CU_ASSERT_PTR_NULL(c);
	}
}

static const struct {
	const char *text;
	const char *error;	/* NULL: parses */
	const char *warnings;
} bad_cases[] = {
	{ "x=1\nfoo\n  bar\n",
	  "/etc/postfix/main.cf, line 2: missing '=' after attribute name: \"foo  bar\"", "" },
	{ "a b = c\n",
	  "/etc/postfix/main.cf, line 1: missing '=' after attribute name: \"a b = c\"", "" },
	{ "= x\n", "/etc/postfix/main.cf, line 1: missing attribute name: \"= x\"", "" },
	{ "x=1\n\n#c\nfoo bar\n  bar\nfirst = 1\nsecond\n",
	  "/etc/postfix/main.cf, line 4: missing '=' after attribute name: \"foo bar  bar\"", "" },
	{ "\xc3\xa4 b\n",
	  "/etc/postfix/main.cf, line 1: missing '=' after attribute name: \"?? b\"", "" },
	{ " leading\nx = 1\n", NULL,
	  "/etc/postfix/main.cf: logical line must not start with whitespace: \" leading\"\n" },
	{ "relayhost=x\nrelayhost = y\n", NULL,
	  "/etc/postfix/main.cf, line 2: overriding earlier entry: relayhost=x\n" },
	{ "process_id = 7\n", NULL,
	  "/etc/postfix/main.cf: read-only parameter assignment: process_id=7\n" },
};

static void test_bad_lines(void)
{
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct conf *c = conf_new();
		struct buf warn;
		struct err e;
		int rc;

		buf_init(&warn);
		buf_adds(&warn, "");
		conf_set_warn(c, collect_warn, &warn);
		rc = conf_parse(c, "/etc/postfix/main.cf", bad_cases[i].text,
				strlen(bad_cases[i].text), &e);
		if (bad_cases[i].error != NULL) {
			CU_ASSERT_EQUAL(rc, -1);
			check_str("error text", e.text, bad_cases[i].error);
		} else {
			CU_ASSERT_EQUAL(rc, 0);
		}
		check_str("warnings", warn.data, bad_cases[i].warnings);
		buf_reset(&warn);
		conf_free(&c);
	}
}

static void test_load(void)
{
	struct conf *c = conf_new();
	struct err e;

	CU_ASSERT_EQUAL(conf_load(c, "tests/data/config/no/main.cf", &e), -1);
	check_str("missing file", e.text,
		  "open tests/data/config/no/main.cf: No such file or directory");
	CU_ASSERT_NOT_EQUAL(e.errnum, 0);
	CU_ASSERT_EQUAL(conf_load(c, "tests/data/config/main.cf", &e), 0);
	check_str("myhostname", conf_get(c, "myhostname"), "centos.localdomain");
	CU_ASSERT(conf_is_set(c, "relayhost"));
	CU_ASSERT(!conf_is_set(c, "message_size_limit"));
	CU_ASSERT_EQUAL(conf_set_line(c, "smtpd_banner"), 9);
	conf_free(&c);
}

/* ---- expansion ------------------------------------------------------- */

static const struct {
	const char *settings;
	const char *text;
	const char *want;
	const char *error;	/* NULL: no error */
} exp_cases[] = {
	{ "", "plain text", "plain text", NULL },
	{ "", "$$x", "$x", NULL },
	{ "", "$mail_name", "Postfix", NULL },
	{ "", "${mail_name}", "Postfix", NULL },
	{ "", "$(mail_name)", "Postfix", NULL },
	{ "", "${ mail_name }", "Postfix", NULL },
	{ "", "$mail_name.x", "Postfix.x", NULL },
	{ "", "$nosuchname", "", NULL },
	{ "", "<$stress>", "<>", NULL },
	{ "", "${mail_name?yes}", "yes", NULL },
	{ "", "${stress?yes}", "", NULL },
	{ "", "${nothere?yes}", "", NULL },
	{ "", "${mail_name:no}", "", NULL },
	{ "", "${stress:no}", "no", NULL },
	{ "", "${mail_name?{a}:{b}}", "a", NULL },
	{ "", "${stress?{a}:{b}}", "b", NULL },
	{ "", "${mail_name?{ a }:{ b }}x", " a x", NULL },
	{ "", "${mail_name?{a}:b}", "a", NULL },
	{ "", "${mail_name?a:{b}}", "a:{b}", NULL },
	{ "", "${mail_name?$mail_version}", "3.7.11", NULL },
	{ "", "${stress?{1}:{20}}", "20", NULL },
	{ "stress = yes", "${stress?{1}:{20}}", "1", NULL },
	{ "", "${{a} == {a} ? {y} : {n}}", "y", NULL },
	{ "", "${{a} != {a} ? {y} : {n}}", "n", NULL },
	{ "", "${{10} < {9} ? {y} : {n}}", "n", NULL },		/* numbers */
	{ "", "${{10} < {9a} ? {y} : {n}}", "y", NULL },	/* strings */
	{ "", "${{x}==  {y}?{y}:{n}}", "n", NULL },
	{ "", "${{x} == {y} ? {y}}", "", NULL },
	{ "", "${{a} == {a}}", "true", NULL },
	{ "", "${{1} <=level {1} ? {y} : {n}}", "y", NULL },
	{ "", "${{3.6} <level {3.10} ? {y} : {n}}", "y", NULL },
	{ "", "${{1.2.3} >=level {1.2} ? {y} : {n}}", "y", NULL },
	{ "", "${{$compatibility_level} <level {2} ? {a} : {b}}", "a", NULL },
	{ "compatibility_level = 3.6",
	  "${{$compatibility_level} <level {2} ? {a} : {b}}", "b", NULL },
	{ "", "a$", "a", "empty macro name: \"a$\"" },
	{ "", "$ y", "", "empty macro name: \"$ y\"" },
	{ "", "x${y", "x", "truncated macro reference: \"x${y\"" },
	{ "", "$(mydomain", "", "truncated macro reference: \"$(mydomain\"" },
	{ "", "${mydomain)", "", "truncated macro reference: \"${mydomain)\"" },
	{ "", "${my domain}", "", "attribute name syntax error at: \"...my>>> domain\"" },
	{ "", "${{x} foo {y} ? {y} : {n}}", "",
	  "\"==\" or \"!=\"\" or \"<\"\" or \"<=\"\" or \">=\"\" or \">\" expected at: \"...x}>>>foo {y} ? {y} : {n}\"" },
	{ "", "${{a} ==x {a}}", "", "bad operator suffix at: \"...==>>>x\"" },
	{ "", "${{a} == a}", "", "\"{expression}\" expected at: \"...{a} ==>>> a\"" },
	{ "", "${{a == {a}}", "", "truncated macro reference: \"${{a == {a}}\"" },
	{ "", "${{a == {a}}}", "", "\"==\" or \"!=\"\" or \"<\"\" or \"<=\"\" or \">=\"\" or \">\" expected at: \"...a == {a}}>>>\"" },
	{ "", "$({a} == {b)", "", "unbalanced {} in attribute expression: \"{b\"" },
	{ "", "${{a} == {a} x}", "", "\"?\" or \":\" expected at: \"...}>>>x\"" },
	{ "", "${mail_name?{a}x}", "a", "\":\" expected at: \"...a}>>>x\"" },
	{ "", "${stress:{a}x}", "a", "unexpected input at: \"...a}>>>x\"" },
	{ "", "${{abc} <level {1} ? {y} : {n}}", "",
	  "malformed compatibility level syntax: \"abc\"" },
	{ "x = $x", "$x", "", "unreasonable macro call nesting: \"x\"" },
	{ "a = $b\nb = $a", "[$a]", "[", "unreasonable macro call nesting: \"b\"" },
};

static void test_expand(void)
{
	size_t i;

	for (i = 0; i < sizeof(exp_cases) / sizeof(exp_cases[0]); i++) {
		struct conf *c = vm_conf(exp_cases[i].settings);
		struct buf out;
		struct err e;
		int rc;
		char what[300];

		buf_init(&out);
		e.text[0] = 0;
		rc = conf_expand(c, exp_cases[i].text, &out, NULL, NULL, &e);
		buf_addc(&out, 0);
		snprintf(what, sizeof(what), "expand %s", exp_cases[i].text);
		check_str(what, out.data, exp_cases[i].want);
		if (exp_cases[i].error != NULL) {
			CU_ASSERT_EQUAL(rc, -1);
			check_str(what, e.text, exp_cases[i].error);
		} else {
			CU_ASSERT_EQUAL(rc, 0);
		}
		buf_reset(&out);
		conf_free(&c);
	}
}

static void count_undef(void *ctx, const char *name)
{
	buf_adds(ctx, name);
	buf_addc(ctx, ' ');
}

static void test_undefined(void)
{
	struct conf *c = vm_conf("virtual_alias_maps = $virtual_maps\n");
	struct buf out, names;
	struct err e;

	buf_init(&out);
	buf_init(&names);
	buf_adds(&names, "");
	/* Legacy names are known: undefined, but never reported. */
	CU_ASSERT_EQUAL(conf_expand(c, "$nothere ${other?x} $virtual_maps $lmtp_per_record_deadline",
				    &out, count_undef, &names, &e), 0);
	check_str("undefined names", names.data, "nothere other ");
	check_str("legacy empty", conf_get(c, "virtual_alias_maps"), "");
	buf_reset(&out);
	buf_reset(&names);
	conf_free(&c);
}

static void add_name(void *ctx, const char *name, size_t len)
{
	buf_add(ctx, name, len);
	buf_addc(ctx, ',');
}

static void test_expand_names(void)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "");
	conf_expand_names("$$no $a ${b} $(c) ${ d?{$e}:{${f}}} ${{$g} == {x}} $", add_name, &b);
	check_str("names", b.data, "a,b,c,d,e,f,g,");
	buf_reset(&b);
}

/* ---- Postfix 3.7 defaults --------------------------------------------- */

static const struct {
	const char *settings;
	const char *name;
	const char *raw;	/* NULL: don't check */
	const char *want;
} default_cases[] = {
	{ "", "mail_version", "3.7.11", "3.7.11" },
	{ "", "mail_name", "Postfix", "Postfix" },
	{ "", "compatibility_level", "0", "0" },
	{ "", "smtpd_banner", "$myhostname ESMTP $mail_name", "vm.localdomain ESMTP Postfix" },
	{ "", "myhostname", "vm.localdomain", "vm.localdomain" },
	{ "", "mydomain", "localdomain", "localdomain" },
	{ "", "myorigin", "$myhostname", "vm.localdomain" },
	{ "", "mydestination", "$myhostname, localhost.$mydomain, localhost",
	  "vm.localdomain, localhost.localdomain, localhost" },
	{ "", "mynetworks", NULL, "127.0.0.0/8 192.0.2.0/24 [::1]/128 [fd00::]/64 [fe80::]/64" },
	{ "", "mynetworks_style", "${{$compatibility_level} <level {2} ? {subnet} : {host}}", "subnet" },
	{ "", "relay_domains", "${{$compatibility_level} <level {2} ? {$mydestination} : {}}",
	  "vm.localdomain, localhost.localdomain, localhost" },
	{ "", "smtpd_relay_restrictions",
	  "${{$compatibility_level} <level {1} ? {} : {permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination}}",
	  "" },
	{ "", "append_dot_mydomain", NULL, "yes" },
	{ "", "smtputf8_enable", NULL, "no" },
	{ "compatibility_level = 1", "smtpd_relay_restrictions", NULL,
	  "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination" },
	{ "compatibility_level = 2", "relay_domains", NULL, "" },
	{ "compatibility_level = 2", "smtp_tls_fingerprint_digest", NULL, "md5" },
	{ "compatibility_level = 3.6", "smtp_tls_fingerprint_digest", NULL, "sha256" },
	{ "compatibility_level = 3.6", "mynetworks", NULL,
	  "127.0.0.1/32 192.0.2.2/32 [::1]/128 [fd00::2]/128 [fe80::fc:ff:fe00:1]/128" },
	{ "mynetworks_style = class", "mynetworks", NULL,
	  "127.0.0.0/8 192.0.2.0/24 [::1]/128 [fd00::]/64 [fe80::]/64" },
	{ "inet_protocols = ipv4", "mynetworks", NULL, "127.0.0.0/8 192.0.2.0/24" },
	{ "mydomain = ex.org", "myhostname", NULL, "vm.ex.org" },
	{ "myhostname = mail", "mydomain", NULL, "localdomain" },
	{ "myhostname = mail.b.example", "mydomain", NULL, "b.example" },
	{ "myhostname = mail.$mydomain", "myhostname", NULL, "mail." },
	{ "myhostname = $mydomain.x", "myhostname", NULL, "x.x" },
	{ "", "smtpd_hard_error_limit", "${stress?{1}:{20}}", "20" },
	{ "", "smtpd_soft_error_limit", "10", "10" },
	{ "", "smtpd_error_sleep_time", "1s", "1s" },
	{ "", "smtpd_recipient_limit", "1000", "1000" },
	{ "", "line_length_limit", "2048", "2048" },
	{ "", "smtpd_forbid_bare_newline", "no", "no" },
	{ "", "smtpd_forbid_bare_newline_exclusions", "$mynetworks", NULL },
	{ "", "smtpd_timeout", "${stress?{10}:{300}}s", "300s" },
	{ "", "delay_warning_time", "0h", "0h" },
	{ "", "local_transport", "local:$myhostname", "local:vm.localdomain" },
	{ "", "default_transport", "smtp", "smtp" },
	{ "", "relay_transport", "relay", "relay" },
	{ "", "alias_maps", "hash:/etc/aliases, nis:mail.aliases", NULL },
	{ "", "hash_queue_names", "deferred, defer", NULL },
	{ "", "syslog_name", "${multi_instance_name?{$multi_instance_name}:{postfix}}", "postfix" },
	{ "", "smtpd_expansion_filter",
	  "\\t\\40!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\\\]^_`abcdefghijklmnopqrstuvwxyz{|}~",
	  "\\t\\40!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\\\]^_`abcdefghijklmnopqrstuvwxyz{|}~" },
	/* Raw parameters come back unexpanded. */
	{ "", "forward_path", NULL, "$home/.forward${recipient_delimiter}${extension}, $home/.forward" },
};

static void test_defaults(void)
{
	size_t i;

	for (i = 0; i < sizeof(default_cases) / sizeof(default_cases[0]); i++) {
		struct conf *c = vm_conf(default_cases[i].settings);
		char what[200];

		snprintf(what, sizeof(what), "raw %s [%s]", default_cases[i].name,
			 default_cases[i].settings);
		if (default_cases[i].raw != NULL)
			check_str(what, conf_raw(c, default_cases[i].name),
				  default_cases[i].raw);
		snprintf(what, sizeof(what), "get %s [%s]", default_cases[i].name,
			 default_cases[i].settings);
		if (default_cases[i].want != NULL)
			check_str(what, conf_get(c, default_cases[i].name),
				  default_cases[i].want);
		conf_free(&c);
	}
}

static void test_default_table(void)
{
	struct conf *c = conf_new();

	CU_ASSERT_PTR_NULL(conf_default("no_such_parameter"));
	CU_ASSERT_PTR_NULL(conf_raw(c, "no_such_parameter"));
	CU_ASSERT_PTR_NULL(conf_get(c, "no_such_parameter"));
	CU_ASSERT(!conf_is_known(c, "no_such_parameter"));
	CU_ASSERT(conf_is_known(c, "virtual_maps"));	/* legacy */
	check_str("default", conf_default("maximal_queue_lifetime"), "5d");
	/* Without a machine: localhost with loopback. */
	check_str("myhostname", conf_get(c, "myhostname"), "localhost.localdomain");
	check_str("mynetworks", conf_get(c, "mynetworks"), "127.0.0.0/8 [::1]/128");
	CU_ASSERT(conf_is_raw_param("smtpd_reject_footer"));
	CU_ASSERT(!conf_is_raw_param("smtpd_banner"));
	conf_free(&c);
}

struct count {
	size_t n;
	const char *prev;
	int sorted;
	char *prev_own;
};

static void count_param(void *ctx, const char *name, const char *def)
{
	struct count *k = ctx;

	(void)def;
	if (k->prev_own != NULL && strcmp(k->prev_own, name) >= 0)
		k->sorted = 0;
	free(k->prev_own);
	k->prev_own = xstrdup(name);
	k->n++;
}

static void test_services(void)
{
	/* Debian's master.cf: these services run delivery agents. */
	static const char *const agents[][2] = {
		{ "smtp", "smtp" }, { "relay", "smtp" }, { "error", "error" },
		{ "retry", "error" }, { "discard", "discard" },
		{ "local", "local" }, { "virtual", "virtual" },
		{ "lmtp", "lmtp" }, { "maildrop", "pipe" }, { "uucp", "pipe" },
		{ "ifmail", "pipe" }, { "bsmtp", "pipe" },
		{ "scalemail-backend", "pipe" }, { "mailman", "pipe" },
		{ "smtp", "smtpd" }, { "pickup", "pickup" },
	};
	struct conf *c = vm_conf(NULL);
	struct count k = { 0, NULL, 1, NULL };
	size_t i;

	conf_foreach_default(c, count_param, &k);
	CU_ASSERT_EQUAL(k.n, 831);	/* postconf -d with an empty master.cf */
	CU_ASSERT(k.sorted);
	free(k.prev_own);
	CU_ASSERT(!conf_is_known(c, "bsmtp_time_limit"));
	for (i = 0; i < sizeof(agents) / sizeof(agents[0]); i++)
		conf_add_service(c, agents[i][0], agents[i][1]);
	memset(&k, 0, sizeof(k));
	k.sorted = 1;
	conf_foreach_default(c, count_param, &k);
	CU_ASSERT_EQUAL(k.n, 1043);	/* reference/commands/02: postconf -d | wc -l */
	CU_ASSERT(k.sorted);
	free(k.prev_own);
	check_str("bsmtp_time_limit", conf_raw(c, "bsmtp_time_limit"), "$command_time_limit");
	check_str("bsmtp_time_limit", conf_get(c, "bsmtp_time_limit"), "1000s");
	check_str("local limit stays", conf_raw(c, "local_destination_concurrency_limit"), "2");
	CU_ASSERT(!conf_is_known(c, "discard_recipient_limit"));
	check_str("default view", conf_default_value(c, "relay_recipient_limit"),
		  "$default_recipient_limit");
	conf_free(&c);
}

/* ---- setting, caching, typed getters ------------------------------------ */

static void test_set_and_cache(void)
{
	struct conf *c = vm_conf("myhostname = mail.b.example\n");
	const char *v;

	check_str("first", conf_get(c, "mydestination"),
		  "mail.b.example, localhost.b.example, localhost");
	v = conf_get(c, "mydestination");
	CU_ASSERT_PTR_EQUAL(v, conf_get(c, "mydestination"));	/* cached */
	conf_set(c, "mydomain", "b.test");
	check_str("after set", conf_get(c, "mydestination"),
		  "mail.b.example, localhost.b.test, localhost");
	CU_ASSERT(conf_is_set(c, "mydomain"));
	CU_ASSERT_EQUAL(conf_set_line(c, "mydomain"), 0);
	CU_ASSERT_EQUAL(conf_set_line(c, "myhostname"), 1);
	conf_unset(c, "mydomain");
	CU_ASSERT(!conf_is_set(c, "mydomain"));
	check_str("after unset", conf_get(c, "mydomain"), "b.example");
	conf_set(c, "user_thing", "$myhostname!");
	check_str("unknown kept", conf_get(c, "user_thing"), "mail.b.example!");
	CU_ASSERT(!conf_is_known(c, "user_thing"));
	conf_set_machine(c, "other", NULL);
	conf_unset(c, "myhostname");
	check_str("new machine", conf_get(c, "myhostname"), "other.localdomain");
	check_str("default view", conf_default_value(c, "myhostname"), "other.localdomain");
	conf_set(c, "relayhost", "[x]");
	conf_clear(c);
	CU_ASSERT(!conf_is_set(c, "relayhost"));
	CU_ASSERT(!conf_is_set(c, "user_thing"));
	CU_ASSERT_PTR_NULL(conf_get(c, "user_thing"));
	check_str("after clear", conf_get(c, "myhostname"), "other.localdomain");
	conf_free(&c);
}

static void test_typed(void)
{
	struct conf *c = vm_conf(NULL);

	CU_ASSERT_EQUAL(conf_get_time(c, "maximal_queue_lifetime", 'd'), 5 * 86400);
	CU_ASSERT_EQUAL(conf_get_time(c, "queue_run_delay", 's'), 300);
	CU_ASSERT_EQUAL(conf_get_time(c, "minimal_backoff_time", 's'), 300);
	CU_ASSERT_EQUAL(conf_get_time(c, "maximal_backoff_time", 's'), 4000);
	CU_ASSERT_EQUAL(conf_get_time(c, "smtpd_error_sleep_time", 's'), 1);
	CU_ASSERT_EQUAL(conf_get_time(c, "smtpd_timeout", 's'), 300);
	CU_ASSERT_EQUAL(conf_get_time(c, "delay_warning_time", 'h'), 0);
	conf_set(c, "maximal_queue_lifetime", "1h");
	CU_ASSERT_EQUAL(conf_get_time(c, "maximal_queue_lifetime", 'd'), 3600);
	conf_set(c, "maximal_queue_lifetime", "2");
	CU_ASSERT_EQUAL(conf_get_time(c, "maximal_queue_lifetime", 'd'), 2 * 86400);
	conf_set(c, "maximal_queue_lifetime", "3w");
	CU_ASSERT_EQUAL(conf_get_time(c, "maximal_queue_lifetime", 'd'), 3 * 604800);
	conf_set(c, "maximal_queue_lifetime", "soon");
	CU_ASSERT_EQUAL(conf_get_time(c, "maximal_queue_lifetime", 'd'), 5 * 86400);
	conf_set(c, "stress", "yes");
	CU_ASSERT_EQUAL(conf_get_time(c, "smtpd_timeout", 's'), 10);

	CU_ASSERT_EQUAL(conf_get_int(c, "message_size_limit"), 10240000);
	CU_ASSERT_EQUAL(conf_get_int(c, "smtpd_hard_error_limit"), 1);	/* stress */
	conf_unset(c, "stress");
	CU_ASSERT_EQUAL(conf_get_int(c, "smtpd_hard_error_limit"), 20);
	conf_set(c, "message_size_limit", "lots");
	CU_ASSERT_EQUAL(conf_get_int(c, "message_size_limit"), 10240000);
	conf_set(c, "message_size_limit", "0");
	CU_ASSERT_EQUAL(conf_get_int(c, "message_size_limit"), 0);
	CU_ASSERT_EQUAL(conf_get_int(c, "no_such_parameter"), 0);

	CU_ASSERT_EQUAL(conf_get_bool(c, "biff"), 1);
	CU_ASSERT_EQUAL(conf_get_bool(c, "smtpd_helo_required"), 0);
	conf_set(c, "smtpd_helo_required", "YES");
	CU_ASSERT_EQUAL(conf_get_bool(c, "smtpd_helo_required"), 1);
	conf_set(c, "smtpd_helo_required", "maybe");
	CU_ASSERT_EQUAL(conf_get_bool(c, "smtpd_helo_required"), 0);
	CU_ASSERT_EQUAL(conf_get_bool(c, "append_dot_mydomain"), 1);	/* level 0 */
	conf_set(c, "compatibility_level", "3.6");
	CU_ASSERT_EQUAL(conf_get_bool(c, "append_dot_mydomain"), 0);
	conf_free(&c);
}

static void test_split_list(void)
{
	static const struct {
		const char *in;
		const char *want;	/* elements joined by '|' */
	} cases[] = {
		{ "", "" },
		{ "a", "a|" },
		{ "hash:/etc/aliases, nis:mail.aliases", "hash:/etc/aliases|nis:mail.aliases|" },
		{ " permit_mynetworks,reject\n\tdefer ", "permit_mynetworks|reject|defer|" },
		{ "check_policy_service { inet:127.0.0.1:9998, timeout=10s }, reject",
		  "check_policy_service|{ inet:127.0.0.1:9998, timeout=10s }|reject|" },
	};
	size_t i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char **v = conf_split_list(cases[i].in);
		struct buf b;

		buf_init(&b);
		buf_adds(&b, "");
		for (j = 0; v[j] != NULL; j++) {
			buf_adds(&b, v[j]);
			buf_addc(&b, '|');
		}
		check_str(cases[i].in, b.data, cases[i].want);
		conf_list_free(&v);
		CU_ASSERT_PTR_NULL(v);
		buf_reset(&b);
	}
}

/* conf_get is on every hot path: a million cached lookups stay cheap. */
static void test_speed(void)
{
	struct conf *c = vm_conf("myhostname = mail.b.example\n");
	long i, total = 0;

	for (i = 0; i < 1000000; i++)
		total += (long)strlen(conf_get(c, "mydestination"));
	CU_ASSERT_EQUAL(total, 1000000L * 46);
	conf_free(&c);
}

void test_conf_register(void)
{
	CU_pSuite s = CU_add_suite("conf", NULL, NULL);

	CU_add_test(s, "parse", test_parse);
	CU_add_test(s, "bad lines", test_bad_lines);
	CU_add_test(s, "load", test_load);
	CU_add_test(s, "expand", test_expand);
	CU_add_test(s, "undefined names", test_undefined);
	CU_add_test(s, "expand names", test_expand_names);
	CU_add_test(s, "defaults", test_defaults);
	CU_add_test(s, "default table", test_default_table);
	CU_add_test(s, "services", test_services);
	CU_add_test(s, "set and cache", test_set_and_cache);
	CU_add_test(s, "typed getters", test_typed);
	CU_add_test(s, "split list", test_split_list);
	CU_add_test(s, "speed", test_speed);
}
