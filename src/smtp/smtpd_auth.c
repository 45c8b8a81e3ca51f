/*
 * smtpd_auth: the protocol side of AUTH (RFC 4954) for the PLAIN
 * (RFC 4616) and LOGIN mechanisms, the way Postfix 3.7 with its Dovecot
 * SASL backend talks: "334 " challenges, "*" cancels, base64 checked
 * before anything else; the credentials go to the driver in
 * SMTPD_EV_AUTH and its verdict gives 235 or the failure reply. Only
 * with smtpd_sasl_auth_enable; with smtpd_tls_auth_only only under TLS.
 * Without SASL every AUTH gets 503 (reference/transcripts/smtp/07).
 *
 * Base64 goes through OpenSSL's EVP_DecodeBlock/EVP_EncodeBlock.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "smtp/smtpd_line.h"
#include "smtp/smtpd_log.h"
#include "smtp/smtpd_priv.h"
#include "smtp/smtpd_reply.h"

/* The mechanisms the engine implements; conf->sasl_mechs may only pick
 * among them ("advertise only what is implemented"). */
static const char *const implemented[] = { "PLAIN", "LOGIN" };

#define REASON_DEFAULT	"authentication failure"
#define REASON_BAD_MECH	"Invalid authentication mechanism"
#define REASON_B64_INIT	"Invalid base64 data in initial response"
#define REASON_B64_CONT	"Invalid base64 data in continued response"

const char *smtpd_auth_mechs(const struct smtpd *s)
{
	struct smtpd *w = (struct smtpd *)s;	/* cache only */
	struct buf b;
	char *copy, *tok, *save = NULL;
	size_t i;

	if (w->auth_mechs != NULL)
		return w->auth_mechs;
	buf_init(&b);
	buf_adds(&b, "");
	copy = xstrdup(s->conf.sasl_mechs);
	for (tok = strtok_r(copy, " ,\t", &save); tok;
	     tok = strtok_r(NULL, " ,\t", &save)) {
		for (i = 0; i < ARRAY_LEN(implemented); i++) {
			if (strcasecmp(tok, implemented[i]) == 0
			    && strstr(b.data, implemented[i]) == NULL) {
				if (b.len)
					buf_addc(&b, ' ');
				buf_adds(&b, implemented[i]);
			}
		}
	}
	free(copy);
	w->auth_mechs = b.data;
	return w->auth_mechs;
}

void smtpd_auth_reset(struct smtpd *s)
{
	free(s->auth_mech);
	s->auth_mech = NULL;
	free(s->auth_user);
	s->auth_user = NULL;
	if (s->auth_pass != NULL)
		memset(s->auth_pass, 0, strlen(s->auth_pass));
	free(s->auth_pass);
	s->auth_pass = NULL;
	s->auth_step = 0;
}

/* Dovecot's check (xsasl_dovecot_server.c is_valid_base64()). */
static int b64_chars(const char *p)
{
	for (; *p; p++)
		if (!isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80)
			if (*p != '+' && *p != '/' && *p != '=')
				return 0;
	return 1;
}

/*
 * Decodes base64 into a NUL-terminated buffer. RFC 4954 4: "=" alone is
 * an empty initial response. Returns NULL for malformed input.
 */
static char *b64_decode(const char *in, size_t *len_out)
{
	size_t n = strlen(in);
	size_t pad = 0;
	char *out;
	int got;
	size_t i;

	if (strcmp(in, "=") == 0 || n == 0) {
		*len_out = 0;
		return xstrdup("");
	}
	if (n % 4 != 0)
		return NULL;
	while (pad < 2 && in[n - 1 - pad] == '=')
		pad++;
	for (i = 0; i < n - pad; i++)
		if (in[i] == '=')
			return NULL;
	out = xmalloc(n / 4 * 3 + 1);
	got = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)in,
			      (int)n);
	if (got < 0 || (size_t)got < pad) {
		free(out);
		return NULL;
	}
	*len_out = (size_t)got - pad;
	out[*len_out] = 0;
	return out;
}

static void challenge(struct smtpd *s, const char *text)
{
	unsigned char enc[64];
	int n = EVP_EncodeBlock(enc, (const unsigned char *)text,
				(int)strlen(text));

	enc[n > 0 ? n : 0] = 0;
	smtpd_reply(s, SMTPD_R_AUTH_CHALLENGE, (const char *)enc);
	s->phase = SMTPD_PH_AUTH;
}

/* A failure decided here (Postfix's non-DONE xsasl status). */
static int fail(struct smtpd *s, const char *mech, const char *reason)
{
	smtpd_log_sasl_failed(s, mech, reason, s->auth_user);
	smtpd_reply(s, SMTPD_R_AUTH_FAILED, reason);
	smtpd_auth_reset(s);
	s->phase = SMTPD_PH_CMD;
	return SMTPD_CMD_ERR;
}

static int ask_driver(struct smtpd *s)
{
	struct smtpd_item *it = smtpd_push_event(s, SMTPD_EV_AUTH, s->auth_mech);

	it->user = xstrdup(s->auth_user);
	it->pass = xstrdup(s->auth_pass);
	smtpd_wait_verdict(s, SMTPD_PEND_AUTH);
	return SMTPD_CMD_WAIT;
}

/* RFC 4616: [authzid] NUL authcid NUL passwd. */
static int plain(struct smtpd *s, const char *msg, size_t len)
{
	const char *nul1 = memchr(msg, 0, len);
	const char *nul2 = nul1 ? memchr(nul1 + 1, 0, len - (size_t)(nul1 + 1 - msg)) : NULL;

	if (nul1 == NULL || nul2 == NULL
	    || memchr(nul2 + 1, 0, len - (size_t)(nul2 + 1 - msg)) != NULL
	    || nul1[1] == 0)
		return fail(s, s->auth_mech, REASON_DEFAULT);
	s->auth_user = xstrdup(nul1 + 1);
	s->auth_pass = xstrndup(nul2 + 1, len - (size_t)(nul2 + 1 - msg));
	return ask_driver(s);
}

int smtpd_auth_cmd(struct smtpd *s, int argc, struct smtpd_token *argv)
{
	const char *mech;
	const char *init;
	const char *mechs;
	char *data;
	size_t len, i, n;
	int found = 0;

	if (s->conf.helo_required && s->tx.helo == NULL) {
		smtpd_reply(s, SMTPD_R_NEED_HELO);
		return SMTPD_CMD_ERR;
	}
	if (!s->sasl_active) {
		smtpd_reply(s, SMTPD_R_AUTH_DISABLED);
		return SMTPD_CMD_ERR;
	}
	if (s->tx.mail_from != NULL) {
		smtpd_reply(s, SMTPD_R_AUTH_IN_TX);
		return SMTPD_CMD_ERR;
	}
	if (s->conf.tls_auth_only && !s->tx.tls) {
		smtpd_reply(s, SMTPD_R_AUTH_ENCRYPT);	/* RFC 4954 4 */
		return SMTPD_CMD_ERR;
	}
	if (s->tx.authenticated) {
		smtpd_reply(s, SMTPD_R_AUTH_ALREADY);
		return SMTPD_CMD_ERR;
	}
	if (argc < 2 || argc > 3) {
		smtpd_reply(s, SMTPD_R_AUTH_SYNTAX);
		return SMTPD_CMD_ERR;
	}
	smtpd_auth_reset(s);
	mech = argv[1].str;
	init = argc == 3 ? argv[2].str : NULL;
	mechs = smtpd_auth_mechs(s);
	n = strlen(mech);
	for (i = 0; mechs[i]; i++) {
		if ((i == 0 || mechs[i - 1] == ' ')
		    && strncasecmp(mechs + i, mech, n) == 0
		    && (mechs[i + n] == ' ' || mechs[i + n] == 0))
			found = 1;
	}
	if (!found)
		return fail(s, mech, REASON_BAD_MECH);
	s->auth_mech = xstrdup(mech);
	for (i = 0; s->auth_mech[i]; i++)
		s->auth_mech[i] = (char)toupper((unsigned char)s->auth_mech[i]);
	if (init != NULL) {
		if (!b64_chars(init)
		    || (data = b64_decode(init, &len)) == NULL)
			return fail(s, s->auth_mech, REASON_B64_INIT);
	} else {
		data = NULL;
		len = 0;
	}
	if (strcmp(s->auth_mech, "PLAIN") == 0) {
		int r;

		if (data == NULL) {
			challenge(s, "");
			return SMTPD_CMD_WAIT;
		}
		r = plain(s, data, len);
		free(data);
		return r;
	}
	/* LOGIN: "Username:" then "Password:" (an initial response is the
	   user name, as Dovecot takes it) */
	if (data != NULL) {
		s->auth_user = xstrndup(data, len);
		free(data);
		s->auth_step = 1;
		challenge(s, "Password:");
	} else {
		s->auth_step = 0;
		challenge(s, "Username:");
	}
	return SMTPD_CMD_WAIT;
}

int smtpd_auth_step(struct smtpd *s)
{
	struct smtpd_line l;
	char *resp;
	char *data;
	size_t len;
	int r;

	if (s->phase == SMTPD_PH_AUTH && s->skip_auth) {
		/* the over-long response has been skipped (smtpd.c) */
		s->skip_auth = 0;
		smtpd_log_long_request(s, s->conf.sasl_response_limit, s->line);
		smtpd_reply(s, SMTPD_R_AUTH_RESP_LIMIT);
		smtpd_auth_reset(s);
		s->phase = SMTPD_PH_CMD;
		smtpd_count_done(s, SMTPD_CMD_ERR);
		return 1;
	}
	r = smtpd_line_get(smtpd_pending_data(s), smtpd_pending_input(s),
			   (size_t)s->conf.sasl_response_limit, 0, s->eof, &l);
	if (r == 0)
		return 0;
	if (r < 0) {
		s->reason = SMTPD_REASON_LOST;
		smtpd_end_session(s);
		return 1;
	}
	free(s->line);
	s->line = xstrndup(l.data, l.len);
	s->line_len = l.len;
	smtpd_consume_input(s, l.used);
	if (!l.complete) {
		s->skip_auth = 1;
		s->phase = SMTPD_PH_SKIP;
		return 1;
	}
	resp = s->line;
	if (strcmp(resp, "*") == 0) {
		/* RFC 4954 4: the client gives up */
		smtpd_log_sasl_aborted(s, s->auth_mech);
		smtpd_reply(s, SMTPD_R_AUTH_ABORTED);
		smtpd_auth_reset(s);
		s->phase = SMTPD_PH_CMD;
		smtpd_count_done(s, SMTPD_CMD_ERR);
		return 1;
	}
	if (!b64_chars(resp) || (data = b64_decode(resp, &len)) == NULL) {
		r = fail(s, s->auth_mech, REASON_B64_CONT);
		smtpd_count_done(s, r);
		return 1;
	}
	if (strcmp(s->auth_mech, "PLAIN") == 0) {
		s->phase = SMTPD_PH_CMD;
		r = plain(s, data, len);
	} else if (s->auth_step == 0) {
		s->auth_user = xstrndup(data, len);
		s->auth_step = 1;
		challenge(s, "Password:");
		r = SMTPD_CMD_WAIT;
	} else {
		s->phase = SMTPD_PH_CMD;
		s->auth_pass = xstrndup(data, len);
		r = ask_driver(s);
	}
	memset(data, 0, len);
	free(data);
	if (r != SMTPD_CMD_WAIT)
		smtpd_count_done(s, r);
	return 1;
}

void smtpd_auth_verdict(struct smtpd *s, const struct smtpd_verdict *v)
{
	int status;

	if (v->code == 0) {
		s->tx.authenticated = 1;
		free(s->tx.sasl_user);
		s->tx.sasl_user = xstrdup(s->auth_user);
		smtpd_log_printable(s->tx.sasl_user, '?');
		smtpd_reply(s, SMTPD_R_AUTH_OK);
		status = SMTPD_CMD_OK;
	} else {
		static const char pfx[] = "5.7.8 Error: authentication failed: ";
		const char *reason = v->text ? v->text : REASON_DEFAULT;

		if (strncmp(reason, pfx, sizeof(pfx) - 1) == 0)
			reason += sizeof(pfx) - 1;
		smtpd_log_sasl_failed(s, s->auth_mech, reason, s->auth_user);
		smtpd_reply_code(s, v->code, v->text);
		status = SMTPD_CMD_ERR;
	}
	smtpd_auth_reset(s);
	smtpd_count_done(s, status);
}
