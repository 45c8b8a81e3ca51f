/*
 * tls: OpenSSL for the listener. One server context per certificate; the
 * certificate is the host's own (smtpd_tls_cert_file / smtpd_tls_key_file,
 * Debian's snakeoil paths, inside the host's directory). When the files do
 * not exist yet, a self-signed pair is generated on first use, as Debian's
 * make-ssl-cert does at install time (RSA 2048, CN = the host name).
 * Dovecot's pair may also come as PEM text (tls_server_ctx_pem).
 */
#ifndef MAILLAB_TLS_H
#define MAILLAB_TLS_H

#include <openssl/ssl.h>

#include "lib/err.h"

/*
 * Makes sure cert_path and key_path exist (generating them for `cn` when
 * both are missing) and returns a server SSL_CTX that uses them, or NULL
 * with e set. The caller frees it with SSL_CTX_free.
 */
SSL_CTX *tls_server_ctx(const char *cert_path, const char *key_path,
			const char *cn, struct err *e);

/*
 * A server SSL_CTX from PEM text (Dovecot's ssl_cert and ssl_key, which
 * it reads itself, dovecot_conf_read_value()): the certificate with any
 * chain after it, and its key. NULL with e set ("ssl_cert: ...") when
 * the text holds no certificate, no key, or a key that does not match.
 */
SSL_CTX *tls_server_ctx_pem(const char *cert_pem, const char *key_pem,
			    struct err *e);

/* A client context (for the smtp client's STARTTLS): no verification,
 * as Postfix's smtp_tls_security_level = may. */
SSL_CTX *tls_client_ctx(struct err *e);

/* Generates a self-signed RSA 2048 pair for cn; 0 or -1 with e set. */
int tls_make_self_signed(const char *cert_path, const char *key_path,
			 const char *cn, struct err *e);

#endif
