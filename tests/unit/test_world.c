/*
 * CUnit suite for src/sim/world*.c, src/mta/host.c, passwd.c, aliases.c:
 * init of both shipped worlds into a temporary root, world.conf errors
 * with file:line, the host's files, users, aliases and log lines.
 */
#include <CUnit/CUnit.h>
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/conf.h"
#include "lib/xalloc.h"
#include "mta/aliases.h"
#include "mta/host.h"
#include "mta/passwd.h"
#include "sim/world.h"
#include "sim/world_builtin.h"
#include "sim/world_layout.h"

void test_world_register(void);

static char *tmp_root(void)
{
	char tmpl[] = "/tmp/maillab-world.XXXXXX";
	char *d = mkdtemp(tmpl);

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	return xasprintf("%s/root", d);
}

static void rm_rf(const char *root)
{
	char *cmd, *parent = xstrdup(root);

	*strrchr(parent, '/') = 0;
	cmd = xasprintf("rm -rf '%s'", parent);
	CU_ASSERT_EQUAL(system(cmd), 0);
	free(cmd);
	free(parent);
}

static char *read_file(const char *root, const char *rel)
{
	char *path = xasprintf("%s/%s", root, rel);
	FILE *f = fopen(path, "r");
	char *text = NULL;
	long n;

	free(path);
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = xmalloc((size_t)n + 1);
	text[fread(text, 1, (size_t)n, f)] = 0;
	fclose(f);
	return text;
}

static int is_dir(const char *root, const char *rel)
{
	char *path = xasprintf("%s/%s", root, rel);
	struct stat st;
	int ok = stat(path, &st) == 0 && S_ISDIR(st.st_mode);

	free(path);
	return ok;
}

static void expect_file(const char *root, const char *rel, const char *want)
{
	char *got = read_file(root, rel);

	if (got == NULL || strcmp(got, want) != 0)
		fprintf(stderr, "\n  %s: got \"%s\", want \"%s\"\n", rel,
			got ? got : "(missing)", want);
	CU_ASSERT_PTR_NOT_NULL(got);
	if (got != NULL)
		CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
}

/* Checks one "user:{SHA512-CRYPT}hash:uid:gid::home::" line by crypt_r. */
static void expect_dovecot_user(const char *users, const char *user,
				const char *pw, const char *tail)
{
	char *key = xasprintf("\n%s:{SHA512-CRYPT}$6$", user);
	char *all = xasprintf("\n%s", users);
	const char *p = strstr(all, key), *h, *end;
	struct crypt_data cd;
	char *hash;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	h = p + strlen(user) + 1 + strlen("{SHA512-CRYPT}") + 1;
	end = strchr(h, ':');
	hash = xstrndup(h, (size_t)(end - h));
	memset(&cd, 0, sizeof(cd));
	CU_ASSERT_STRING_EQUAL(crypt_r(pw, hash, &cd), hash);
	CU_ASSERT_EQUAL(strncmp(end, tail, strlen(tail)), 0);
	free(hash);
	free(key);
	free(all);
}

static const char *const queue_dirs[] = {
	"active", "bounce", "corrupt", "defer", "deferred", "flush", "hold",
	"incoming", "maildrop", "pid", "private", "public", "saved", "trace",
};

static void test_init_centos(void)
{
	char *root = tmp_root();
	char *hd = xasprintf("%s/hosts/centos.localdomain", root);
	struct err e;
	struct world *w;
	struct host *h;
	char *users;
	size_t i;

	CU_ASSERT_EQUAL_FATAL(world_init(root, "centos", &e), 0);
	expect_file(hd, "etc/postfix/main.cf",
		    world_builtin_get("templates/main.cf.as-captured"));
	expect_file(hd, "etc/postfix/master.cf", world_builtin_get("templates/master.cf"));
	expect_file(hd, "etc/mailname", "centos.localdomain\n");
	expect_file(hd, "etc/aliases", "# See man 5 aliases for format\npostmaster:    root\n");
	expect_file(hd, "etc/passwd",
		    "root:x:0:0:root:/root:/bin/bash\n"
		    "wees:x:1001:1001::/home/wees:/bin/bash\n"
		    "alice:x:1002:1002::/home/alice:/bin/bash\n"
		    "bob:x:1003:1003::/home/bob:/bin/bash\n"
		    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
		    "postfix:x:100:102::/var/spool/postfix:/usr/sbin/nologin\n");
	expect_file(hd, "var/log/mail.log", "");
	users = read_file(hd, "etc/dovecot/users");
	CU_ASSERT_PTR_NOT_NULL_FATAL(users);
	expect_dovecot_user(users, "wees", "wees", ":1001:1001::/home/wees::\n");
	expect_dovecot_user(users, "alice", "alicepw", ":1002:1002::/home/alice::\n");
	expect_dovecot_user(users, "bob", "bobpw", ":1003:1003::/home/bob::\n");
	CU_ASSERT_PTR_NULL(strstr(users, "nobody"));	/* no login */
	free(users);
	for (i = 0; i < sizeof(queue_dirs) / sizeof(queue_dirs[0]); i++) {
		char *rel = xasprintf("var/spool/postfix/%s", queue_dirs[i]);

		CU_ASSERT(is_dir(hd, rel));
		free(rel);
	}
	CU_ASSERT(is_dir(hd, "var/mail"));
	CU_ASSERT(is_dir(hd, "home/wees"));
	CU_ASSERT(is_dir(hd, "home/bob"));
	CU_ASSERT(!is_dir(hd, "nonexistent"));

	/* a second init refuses, naming the file */
	CU_ASSERT_EQUAL(world_init(root, "default", &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "world.conf"));

	w = world_open(root, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_STRING_EQUAL(w->name, "centos");
	CU_ASSERT_EQUAL(w->nhosts, 1);
	h = world_host(w, NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_PTR_EQUAL(world_host(w, "centos", &e), h);	/* first label */
	CU_ASSERT_PTR_EQUAL(world_host(w, "CENTOS.localdomain", &e), h);
	CU_ASSERT_PTR_NULL(world_host(w, "nosuch.example", &e));
	CU_ASSERT(host_has_user(h, "wees"));
	CU_ASSERT(host_has_user(h, "nobody"));
	CU_ASSERT(host_has_user(h, "root"));
	CU_ASSERT(!host_has_user(h, "nosuchuser"));
	CU_ASSERT(!host_has_user(h, "WEES"));	/* getpwnam is exact */
	CU_ASSERT(host_has_alias(h, "postmaster"));
	CU_ASSERT(host_has_alias(h, "PostMaster"));
	CU_ASSERT(!host_has_alias(h, "wees"));
	CU_ASSERT_STRING_EQUAL(host_addr(h), "192.0.2.25");
	CU_ASSERT_EQUAL(host_pid(h, "postfix/smtpd"), host_pid(h, "smtpd"));
	CU_ASSERT_NOT_EQUAL(host_pid(h, "smtpd"), host_pid(h, "cleanup"));
	world_free(&w);
	CU_ASSERT_PTR_NULL(w);
	free(hd);
	rm_rf(root);
	free(root);
}

static void test_init_default(void)
{
	char *root = tmp_root();
	char *ha = xasprintf("%s/hosts/mail.a.example", root);
	char *hb = xasprintf("%s/hosts/mail.b.example", root);
	const struct world_dns *mx[4];
	struct err e;
	struct world *w;
	char *maincf, *users;

	/* world_open creates the default world on first use */
	w = world_open(root, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_STRING_EQUAL(w->name, "default");
	CU_ASSERT_EQUAL(w->nhosts, 2);
	CU_ASSERT_EQUAL(w->ndomains, 2);
	CU_ASSERT_EQUAL(world_dns_lookup(w, "b.example", "MX", mx, 4), 1);
	CU_ASSERT_STRING_EQUAL(mx[0]->value, "mail.b.example");
	CU_ASSERT_EQUAL(mx[0]->pref, 10);
	CU_ASSERT_EQUAL(world_dns_lookup(w, "B.EXAMPLE.", "mx", mx, 4), 1);
	CU_ASSERT_EQUAL(world_dns_lookup(w, "c.example", "MX", mx, 4), 0);
	world_free(&w);

	maincf = read_file(ha, "etc/postfix/main.cf");
	CU_ASSERT_PTR_NOT_NULL_FATAL(maincf);
	CU_ASSERT_PTR_NOT_NULL(strstr(maincf, "\nmyhostname = mail.a.example\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(maincf, "\nmydestination = $myhostname, a.example, localhost.$mydomain, localhost\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(maincf, "\ninet_interfaces = loopback-only\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(maincf, "\nmynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(maincf, "\nsmtpd_banner = $myhostname ESMTP $mail_name (Debian/GNU)\n"));
	CU_ASSERT_PTR_NULL(strstr(maincf, "@"));
	free(maincf);
	expect_file(ha, "etc/mailname", "a.example\n");
	expect_file(hb, "etc/mailname", "b.example\n");
	expect_file(ha, "etc/passwd", "root:x:0:0:root:/root:/bin/bash\n"
		    "alice:x:1000:1000::/home/alice:/bin/bash\n"
		    "postfix:x:100:102::/var/spool/postfix:/usr/sbin/nologin\n");
	expect_file(hb, "etc/passwd", "root:x:0:0:root:/root:/bin/bash\n"
		    "bob:x:1000:1000::/home/bob:/bin/bash\n"
		    "postfix:x:100:102::/var/spool/postfix:/usr/sbin/nologin\n");
	users = read_file(hb, "etc/dovecot/users");
	CU_ASSERT_PTR_NOT_NULL_FATAL(users);
	expect_dovecot_user(users, "bob", "bob", ":1000:1000::/home/bob::\n");
	expect_dovecot_user(users, "root", "root", ":0:0::/root::\n");
	free(users);
	CU_ASSERT(is_dir(hb, "home/bob"));
	CU_ASSERT(is_dir(ha, "var/spool/postfix/incoming"));

	/* no myhostname line: the machine's name is the virtual host's */
	{
		char *path = xasprintf("%s/etc/postfix/main.cf", hb);
		FILE *f = fopen(path, "w");
		struct host *h;

		fputs("mydestination = $myhostname, b.example\nbogus line\n", f);
		fclose(f);
		w = world_open(root, &e);
		CU_ASSERT_PTR_NOT_NULL_FATAL(w);
		h = world_host(w, "mail.b.example", &e);
		CU_ASSERT_PTR_NOT_NULL_FATAL(h);
		CU_ASSERT_STRING_EQUAL(host_myhostname(h), "mail.b.example");
		CU_ASSERT_STRING_EQUAL(host_log_name(h), "mail");
		CU_ASSERT_STRING_EQUAL(host_myorigin(h), "mail.b.example");	/* default $myhostname */
		CU_ASSERT_STRING_EQUAL(conf_get(h->conf, "mydomain"), "b.example");
		CU_ASSERT_EQUAL(host_reload(h, &e), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "main.cf, line 2"));
		world_free(&w);
		free(path);
		/* the bad line was logged, as Postfix programs log it */
		path = read_file(hb, "var/log/mail.log");
		CU_ASSERT_PTR_NOT_NULL(strstr(path, " mail postfix/master["));
		CU_ASSERT_PTR_NOT_NULL(strstr(path, "warning: "));
		CU_ASSERT_PTR_NULL(strstr(path, "(null)"));
		free(path);
	}
	free(ha);
	free(hb);
	rm_rf(root);
	free(root);
}

/* world.conf mistakes: each names the file and the line. */
static const struct {
	const char *text;
	const char *want;
} bad_worlds[] = {
	{ "world x\nhost h.example 192.0.2.1\nbogus line\n",
	  "w.conf, line 3: unknown keyword \"bogus\"" },
	{ "host h.example 999.0.2.1\n", "w.conf, line 1: bad IP address \"999.0.2.1\"" },
	{ "host h.example\n", "w.conf, line 1: usage: host NAME ADDRESS" },
	{ "host h.example 192.0.2.1\nhost h.example 192.0.2.2\n",
	  "w.conf, line 2: host \"h.example\" is declared twice" },
	{ "host h.example 192.0.2.1\n\n# c\nuser bob@other.example pw\n",
	  "w.conf, line 4: user \"bob\": no host \"other.example\"" },
	{ "host h.example 192.0.2.1\nuser bob pw\n",
	  "w.conf, line 2: \"bob\": write the account as NAME@HOST" },
	{ "host h.example 192.0.2.1\nuser bob@h.example\n", "w.conf, line 2: usage: user" },
	{ "host h.example 192.0.2.1\nuser Bob@h.example pw\n", "w.conf, line 2: bad user name \"Bob\"" },
	{ "host h.example 192.0.2.1\nuser bob@h.example pw uid=x\n", "w.conf, line 2: bad option \"uid=x\"" },
	{ "host h.example 192.0.2.1\nuser bob@h.example pw\nuser bob@h.example pw\n",
	  "w.conf, line 3: user \"bob\" is declared twice on h.example" },
	{ "host h.example 192.0.2.1\ndomain d.example x.example\n",
	  "w.conf, line 2: domain \"d.example\": no host \"x.example\"" },
	{ "host h.example 192.0.2.1\ndns d.example MX mail.example\n",
	  "w.conf, line 2: usage: dns NAME MX PREFERENCE HOST" },
	{ "host h.example 192.0.2.1\ndns d.example A 2001:db8::1\n",
	  "w.conf, line 2: bad A address \"2001:db8::1\"" },
	{ "host h.example 192.0.2.1\ndns d.example TXT hello\n",
	  "w.conf, line 2: unknown DNS record type \"TXT\"" },
	{ "host h.example 192.0.2.1 main.cf=postfix-default\n",
	  "w.conf, line 1: unknown main.cf template \"postfix-default\"" },
	{ "host h.example 192.0.2.1\nuser bob@h.example \"pw\n",
	  "w.conf, line 2: missing closing quote" },
	{ "world x\n", "w.conf: no host is declared" },
	{ "world a\nworld b\nhost h.example 192.0.2.1\n", "w.conf, line 2: the world is named twice" },
};

static void test_parse_errors(void)
{
	size_t i;

	for (i = 0; i < sizeof(bad_worlds) / sizeof(bad_worlds[0]); i++) {
		struct world w;
		struct err e;

		memset(&w, 0, sizeof(w));
		e.text[0] = 0;
		CU_ASSERT_EQUAL(world_conf_parse(&w, "w.conf", bad_worlds[i].text, &e), -1);
		if (strstr(e.text, bad_worlds[i].want) == NULL)
			fprintf(stderr, "\n  case %zu: got \"%s\", want \"%s\"\n",
				i, e.text, bad_worlds[i].want);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.text, bad_worlds[i].want));
		w.root = xstrdup("/x");
		/* world_free needs a heap object */
		{
			struct world *wp = xmalloc(sizeof(*wp));

			*wp = w;
			world_free(&wp);
		}
	}
}

static void test_init_file_errors(void)
{
	char *root = tmp_root();
	char *dir = xstrdup(root), *file;
	struct err e;
	FILE *f;

	*strrchr(dir, '/') = 0;
	file = xasprintf("%s/my.conf", dir);
	f = fopen(file, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("world mine\nhost m.example 192.0.2.7\nuser ann@m.example annpw gecos=\"Ann Example\"\n"
	      "dns m.example MX 5 m.example\nfrobnicate\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(world_init(root, file, &e), -1);
	{
		char *want = xasprintf("%s, line 5: unknown keyword \"frobnicate\"", file);

		CU_ASSERT_PTR_NOT_NULL(strstr(e.text, want));
		free(want);
	}
	CU_ASSERT(!is_dir(root, "hosts"));	/* nothing created */

	/* unknown world name */
	CU_ASSERT_EQUAL(world_init(root, "nosuchworld", &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "nosuchworld"));

	/* the same file fixed works, and quoted gecos lands in passwd */
	f = fopen(file, "w");
	fputs("world mine\nhost m.example 192.0.2.7\nuser ann@m.example annpw gecos=\"Ann Example\"\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(world_init(root, file, &e), 0);
	expect_file(root, "hosts/m.example/etc/passwd",
		    "ann:x:1000:1000:Ann Example:/home/ann:/bin/bash\n");
	expect_file(root, "hosts/m.example/etc/mailname", "m.example\n");
	free(file);
	free(dir);
	rm_rf(root);
	free(root);
}

static void test_host_log(void)
{
	char *root = tmp_root();
	struct err e;
	struct world *w;
	struct host *h;
	char *log, *want;

	CU_ASSERT_EQUAL_FATAL(world_init(root, "centos", &e), 0);
	w = world_open(root, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	h = world_host(w, "centos.localdomain", &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_STRING_EQUAL(host_log_name(h), "centos");
	/* 2026-11-28T21:59:50.190Z, as in reference/transcripts/smtp/01 */
	host_log(h, 1795903190190LL, "postfix/smtpd", "connect from %s[%s]",
		 "localhost", "127.0.0.1");
	log = read_file(root, "hosts/centos.localdomain/var/log/mail.log");
	want = xasprintf("2026-11-28T21:59:50.190000+00:00 centos postfix/smtpd[%d]: "
			 "connect from localhost[127.0.0.1]\n", host_pid(h, "smtpd"));
	CU_ASSERT_STRING_EQUAL(log, want);
	free(log);
	free(want);
	world_free(&w);
	rm_rf(root);
	free(root);
}

static void test_passwd(void)
{
	struct passwd_db db;
	struct err e;

	passwd_init(&db);
	CU_ASSERT_EQUAL(passwd_parse(&db, "/etc/passwd",
				     "root:x:0:0:root:/root:/bin/bash\n"
				     "# comment\n\nbroken line\n"
				     "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin", &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "/etc/passwd, line 4"));
	CU_ASSERT_EQUAL(db.n, 2);
	CU_ASSERT_EQUAL(passwd_find(&db, "nobody")->uid, 65534);
	CU_ASSERT_STRING_EQUAL(passwd_find(&db, "root")->home, "/root");
	CU_ASSERT_PTR_NULL(passwd_find(&db, "Root"));
	passwd_reset(&db);
}

static void test_aliases(void)
{
	/* reference/commands/07-aliases.txt, plus continuation and quoting */
	static const char text[] =
		"# See man 5 aliases for format\n"
		"postmaster:    root\n"
		"study:    wees\n"
		"team:     wees, alice\n"
		"Big:  a,\n"
		"\tb, \"|/usr/bin/x y, z\",\n"
		"# between\n"
		"  c\n"
		"no colon here\n"
		"\"quoted name\": bob\n"
		"study: alice\n";
	struct aliases a;
	const struct alias *al;
	struct err e;

	aliases_init(&a);
	CU_ASSERT_EQUAL(aliases_parse(&a, "/etc/aliases", text, strlen(text), &e), -1);
	CU_ASSERT_STRING_EQUAL(e.text, "/etc/aliases, line 9: need name:value pair");
	al = aliases_find(&a, "POSTMASTER");
	CU_ASSERT_PTR_NOT_NULL_FATAL(al);
	CU_ASSERT_STRING_EQUAL(al->value, "root");
	CU_ASSERT_EQUAL(al->line, 2);
	al = aliases_find(&a, "team");
	CU_ASSERT_PTR_NOT_NULL_FATAL(al);
	CU_ASSERT_STRING_EQUAL(al->value, "wees, alice");	/* postalias -q */
	CU_ASSERT_EQUAL(al->nvalues, 2);
	CU_ASSERT_STRING_EQUAL(al->values[1], "alice");
	al = aliases_find(&a, "big");
	CU_ASSERT_PTR_NOT_NULL_FATAL(al);
	CU_ASSERT_STRING_EQUAL(al->name, "big");
	CU_ASSERT_EQUAL(al->nvalues, 4);
	if (al->nvalues == 4) {
		CU_ASSERT_STRING_EQUAL(al->values[2], "\"|/usr/bin/x y, z\"");
		CU_ASSERT_STRING_EQUAL(al->values[3], "c");
	}
	al = aliases_find(&a, "quoted name");
	CU_ASSERT_PTR_NOT_NULL(al);
	al = aliases_find(&a, "study");	/* last one wins */
	CU_ASSERT_PTR_NOT_NULL_FATAL(al);
	CU_ASSERT_STRING_EQUAL(al->value, "alice");
	CU_ASSERT_PTR_NULL(aliases_find(&a, "nosuch"));
	aliases_reset(&a);
}

/* worlds/ and the compiled-in copy agree (run from the top of the tree). */
static void test_builtin_in_sync(void)
{
	const struct world_builtin_file *f;

	for (f = world_builtin_files; f->name != NULL; f++) {
		char *path = strncmp(f->name, "worlds/", 7) == 0
			? xstrdup(f->name) : xasprintf("worlds/%s", f->name);
		char *text = read_file(".", path);

		if (text == NULL) {	/* not run from the tree: nothing to compare */
			free(path);
			continue;
		}
		if (strcmp(text, f->text) != 0)
			fprintf(stderr, "\n  %s differs from its compiled-in copy: "
				"run python3 worlds/gen_builtin.py\n", path);
		CU_ASSERT_STRING_EQUAL(text, f->text);
		free(text);
		free(path);
	}
	CU_ASSERT_PTR_NOT_NULL(world_builtin_world("default"));
	CU_ASSERT_PTR_NOT_NULL(world_builtin_world("centos"));
	CU_ASSERT_PTR_NULL(world_builtin_world("../etc"));
}

static void test_root_path(void)
{
	char *p;
	char *old = getenv("MAILLAB_ROOT") ? xstrdup(getenv("MAILLAB_ROOT")) : NULL;

	p = world_root_path("/opt/r");
	CU_ASSERT_STRING_EQUAL(p, "/opt/r");
	free(p);
	setenv("MAILLAB_ROOT", "/env/r", 1);
	p = world_root_path(NULL);
	CU_ASSERT_STRING_EQUAL(p, "/env/r");
	free(p);
	unsetenv("MAILLAB_ROOT");
	p = world_root_path(NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(p, "maillab"));
	free(p);
	if (old != NULL) {
		setenv("MAILLAB_ROOT", old, 1);
		free(old);
	}
}

void test_world_register(void)
{
	CU_pSuite s = CU_add_suite("world", NULL, NULL);

	CU_add_test(s, "init centos", test_init_centos);
	CU_add_test(s, "init default via world_open", test_init_default);
	CU_add_test(s, "world.conf errors name file:line", test_parse_errors);
	CU_add_test(s, "init from a file", test_init_file_errors);
	CU_add_test(s, "host_log format", test_host_log);
	CU_add_test(s, "passwd", test_passwd);
	CU_add_test(s, "aliases", test_aliases);
	CU_add_test(s, "built-in copy in sync", test_builtin_in_sync);
	CU_add_test(s, "root path", test_root_path);
}
