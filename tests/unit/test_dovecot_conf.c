/*
 * CUnit suite for src/mda/dovecot_conf.c: the settings the lab's Dovecot
 * obeys from a host's etc/dovecot/, the ssl ones above all (ssl,
 * ssl_cert and ssl_key with "<" read from a file, doveconf's error when
 * the file is missing), and for src/net/tls.c's server context from the
 * PEM text so read.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "lib/xalloc.h"
#include "mda/dovecot_conf.h"
#include "net/tls.h"
#include "tutil.h"

void test_dovecot_conf_register(void);

struct conf_case {
	const char *name;
	const char *ssl_conf;	/* conf.d/10-ssl.conf; NULL: none */
	const char *local;	/* local.conf; NULL: none */
	const char *want_ssl;
	int want_plaintext_off;	/* disable_plaintext_auth */
	const char *want_cert;	/* ssl_cert as written; NULL: unset */
	int want_cert_line;
	const char *want_key;
};

static const struct conf_case conf_cases[] = {
	{ "Debian's defaults", NULL, NULL, "yes", 1, NULL, 0, NULL },
	{ "a custom pair",
	  "# the lab's own pair\nssl_cert = </etc/ssl/certs/lab.pem\n"
	  "ssl_key = </etc/ssl/private/lab.key\n",
	  NULL, "yes", 1, "</etc/ssl/certs/lab.pem", 2,
	  "</etc/ssl/private/lab.key" },
	{ "ssl = required implies disable_plaintext_auth",
	  "ssl = required\n", "disable_plaintext_auth = no\n",
	  "required", 1, NULL, 0, NULL },
	{ "ssl = yes leaves disable_plaintext_auth = no",
	  "ssl = yes\n", "disable_plaintext_auth = no\n", "yes", 0, NULL, 0,
	  NULL },
	{ "ssl = no", "ssl = no\n", NULL, "no", 1, NULL, 0, NULL },
	{ "later lines win",
	  "ssl_cert = </a.pem\n", "ssl_cert = </etc/b.pem\n", "yes", 1,
	  "</etc/b.pem", 1, NULL },
};

static void put(const char *host, const char *rel, const char *text)
{
	char *p = xasprintf("%s/%s", host, rel);

	tu_write_file(p, text, strlen(text));
	free(p);
}

static void check_str(const char *what, const char *got, const char *want)
{
	if (got == NULL && want == NULL)
		return;
	if (got == NULL || want == NULL || strcmp(got, want) != 0) {
		fprintf(stderr, "%s: got %s, want %s\n", what,
			got ? got : "(unset)", want ? want : "(unset)");
		CU_FAIL("wrong setting");
	}
}

static void test_conf_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(conf_cases) / sizeof(conf_cases[0]); i++) {
		const struct conf_case *k = &conf_cases[i];
		char *host = tu_tmpdir();
		struct dovecot_conf c;
		struct err e;

		if (k->ssl_conf != NULL)
			put(host, "etc/dovecot/conf.d/10-ssl.conf", k->ssl_conf);
		if (k->local != NULL)
			put(host, "etc/dovecot/local.conf", k->local);
		CU_ASSERT_EQUAL_FATAL(dovecot_conf_load(&c, host, &e), 0);
		check_str(k->name, c.ssl, k->want_ssl);
		if (c.disable_plaintext_auth != k->want_plaintext_off) {
			fprintf(stderr, "%s: disable_plaintext_auth got %d, want %d\n",
				k->name, c.disable_plaintext_auth,
				k->want_plaintext_off);
			CU_FAIL("disable_plaintext_auth");
		}
		check_str(k->name, c.ssl_cert.value, k->want_cert);
		check_str(k->name, c.ssl_key.value, k->want_key);
		if (k->want_cert != NULL) {
			CU_ASSERT_PTR_NOT_NULL(c.ssl_cert.file);
			if (c.ssl_cert.line != k->want_cert_line) {
				fprintf(stderr, "%s: ssl_cert line got %d, want %d\n",
					k->name, c.ssl_cert.line, k->want_cert_line);
				CU_FAIL("ssl_cert line");
			}
		}
		dovecot_conf_free(&c);
		tu_rmtree(host);
		free(host);
	}
}

/* "<" reads the host's file; a missing one is doveconf's error. */
static void test_read_value(void)
{
	char *host = tu_tmpdir();
	char *conf = xasprintf("%s/etc/dovecot/conf.d/10-ssl.conf", host);
	char *want;
	struct dovecot_conf c;
	char pem[] = "PEM TEXT", file[] = "x.conf";
	struct dovecot_conf_where inline_w = { pem, file, 1 };
	struct err e;
	char *text;

	put(host, "etc/dovecot/conf.d/10-ssl.conf",
	    "ssl = yes\nssl_cert = </etc/ssl/certs/lab.pem\n"
	    "ssl_key = </etc/ssl/private/gone.key\n");
	put(host, "etc/ssl/certs/lab.pem", "-----BEGIN CERTIFICATE-----\n");
	CU_ASSERT_EQUAL_FATAL(dovecot_conf_load(&c, host, &e), 0);

	text = dovecot_conf_read_value(&c.ssl_cert, "ssl_cert", host, &e);
	check_str("ssl_cert's file", text, "-----BEGIN CERTIFICATE-----\n");
	free(text);

	text = dovecot_conf_read_value(&c.ssl_key, "ssl_key", host, &e);
	CU_ASSERT_PTR_NULL(text);
	want = xasprintf("Error in configuration file %s line 3: ssl_key: "
			 "Can't open file %s/etc/ssl/private/gone.key: "
			 "No such file or directory", conf, host);
	check_str("missing ssl_key", text == NULL ? e.text : NULL, want);
	free(want);

	text = dovecot_conf_read_value(&inline_w, "ssl_cert", host, &e);
	check_str("a value without '<'", text, "PEM TEXT");
	free(text);

	dovecot_conf_free(&c);
	tu_rmtree(host);
	free(conf);
	free(host);
}

/* tls_server_ctx_pem: a good pair, then a key of another pair. */
static void test_ctx_pem(void)
{
	char *dir = tu_tmpdir();
	char *c1 = xasprintf("%s/a.pem", dir), *k1 = xasprintf("%s/a.key", dir);
	char *c2 = xasprintf("%s/b.pem", dir), *k2 = xasprintf("%s/b.key", dir);
	char *cert, *key, *other;
	SSL_CTX *ctx;
	struct err e;

	CU_ASSERT_EQUAL_FATAL(tls_make_self_signed(c1, k1, "custom.lab.test", &e), 0);
	CU_ASSERT_EQUAL_FATAL(tls_make_self_signed(c2, k2, "other.lab.test", &e), 0);
	cert = tu_read_file(c1, NULL);
	key = tu_read_file(k1, NULL);
	other = tu_read_file(k2, NULL);
	ctx = tls_server_ctx_pem(cert, key, &e);
	CU_ASSERT_PTR_NOT_NULL(ctx);
	if (ctx != NULL) {
		X509 *x = SSL_CTX_get0_certificate(ctx);
		char cn[64] = "";

		X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName,
					  cn, sizeof(cn));
		check_str("the served CN", cn, "custom.lab.test");
		SSL_CTX_free(ctx);
	}
	ctx = tls_server_ctx_pem(cert, other, &e);
	CU_ASSERT_PTR_NULL(ctx);
	if (ctx == NULL)
		CU_ASSERT_EQUAL(strncmp(e.text, "ssl_key: ", 9), 0);
	SSL_CTX_free(ctx);
	ctx = tls_server_ctx_pem("no certificate here", key, &e);
	CU_ASSERT_PTR_NULL(ctx);
	SSL_CTX_free(ctx);
	free(cert);
	free(key);
	free(other);
	tu_rmtree(dir);
	free(c1);
	free(k1);
	free(c2);
	free(k2);
	free(dir);
}

void test_dovecot_conf_register(void)
{
	CU_pSuite s = CU_add_suite("dovecot_conf", NULL, NULL);

	CU_add_test(s, "settings, ssl ones first", test_conf_cases);
	CU_add_test(s, "ssl_cert = <file", test_read_value);
	CU_add_test(s, "TLS context from PEM text", test_ctx_pem);
}
