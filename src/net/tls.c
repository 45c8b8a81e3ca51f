#include "net/tls.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "lib/fsutil.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"

static int ssl_fail(struct err *e, const char *what)
{
	char msg[256];

	ERR_error_string_n(ERR_get_error(), msg, sizeof(msg));
	return err_set(e, 0, "%s: %s", what, msg);
}

/* mkdir -p for the parent directory of path; a failure shows at open. */
static void make_parent(const char *path)
{
	char *p = xstrdup(path), *slash = strrchr(p, '/');

	if (slash != NULL && slash != p) {
		*slash = '\0';
		(void)fs_mkdirs(p, 0755);
	}
	free(p);
}

static int write_pem(const char *path, int mode, int is_key, void *obj,
		     struct err *e)
{
	int fd, ok;
	FILE *f;

	make_parent(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return err_set(e, errno, _("cannot create %s: %s"), path,
			       strerror(errno));
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		return err_set(e, errno, _("cannot create %s: %s"), path,
			       strerror(errno));
	}
	ok = is_key ? PEM_write_PrivateKey(f, obj, NULL, NULL, 0, NULL, NULL)
		    : PEM_write_X509(f, obj);
	if (fclose(f) != 0 || !ok)
		return err_set(e, errno, _("cannot write %s"), path);
	return 0;
}

int tls_make_self_signed(const char *cert_path, const char *key_path,
			 const char *cn, struct err *e)
{
	EVP_PKEY *key = EVP_RSA_gen(2048);
	X509 *x = NULL;
	X509_NAME *name;
	int rc = -1;

	if (key == NULL)
		return ssl_fail(e, "RSA key generation");
	x = X509_new();
	if (x == NULL) {
		ssl_fail(e, "X509_new");
		goto fail;
	}
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)time(NULL));
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 10L * 365 * 24 * 3600);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, name);
	if (!X509_sign(x, key, EVP_sha256())) {
		ssl_fail(e, "X509_sign");
		goto fail;
	}
	if (write_pem(key_path, 0600, 1, key, e) < 0 ||
	    write_pem(cert_path, 0644, 0, x, e) < 0)
		goto fail;
	rc = 0;
fail:
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

/* A server context with Postfix's and Dovecot's common settings. */
static SSL_CTX *server_ctx(struct err *e)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL) {
		ssl_fail(e, "SSL_CTX_new");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	return ctx;
}

SSL_CTX *tls_server_ctx(const char *cert_path, const char *key_path,
			const char *cn, struct err *e)
{
	struct stat st;
	SSL_CTX *ctx;

	if (stat(cert_path, &st) < 0 && stat(key_path, &st) < 0 &&
	    tls_make_self_signed(cert_path, key_path, cn, e) < 0)
		return NULL;
	ctx = server_ctx(e);
	if (ctx == NULL)
		return NULL;
	if (SSL_CTX_use_certificate_chain_file(ctx, cert_path) != 1) {
		ssl_fail(e, cert_path);
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key_path, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		ssl_fail(e, key_path);
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* The certificate and the chain after it from PEM text. */
static int use_cert_pem(SSL_CTX *ctx, const char *pem, struct err *e)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	int rc = -1;

	if (x == NULL || SSL_CTX_use_certificate(ctx, x) != 1) {
		ssl_fail(e, "ssl_cert");
		goto out;
	}
	for (;;) {
		X509 *ca = PEM_read_bio_X509(bio, NULL, NULL, NULL);

		if (ca == NULL)
			break;
		if (SSL_CTX_add0_chain_cert(ctx, ca) != 1) {
			X509_free(ca);
			ssl_fail(e, "ssl_cert");
			goto out;
		}
	}
	ERR_clear_error();	/* the end of the text, not an error */
	rc = 0;
out:
	X509_free(x);
	BIO_free(bio);
	return rc;
}

SSL_CTX *tls_server_ctx_pem(const char *cert_pem, const char *key_pem,
			    struct err *e)
{
	SSL_CTX *ctx = server_ctx(e);
	BIO *bio;
	EVP_PKEY *key;

	if (ctx == NULL)
		return NULL;
	if (use_cert_pem(ctx, cert_pem, e) < 0) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	bio = BIO_new_mem_buf(key_pem, -1);
	key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (key == NULL || SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		ssl_fail(e, "ssl_key");
		EVP_PKEY_free(key);
		SSL_CTX_free(ctx);
		return NULL;
	}
	EVP_PKEY_free(key);
	return ctx;
}

SSL_CTX *tls_client_ctx(struct err *e)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL) {
		ssl_fail(e, "SSL_CTX_new");
		return NULL;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	return ctx;
}
