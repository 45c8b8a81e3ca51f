/* smtpd_log: see smtpd_log.h. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "smtp/smtpd_log.h"
#include "smtp/smtpd_priv.h"

static void logf_(struct smtpd *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void logf_(struct smtpd *s, const char *fmt, ...)
{
	va_list ap;
	char *text;
	struct smtpd_item *it;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	BUG_ON(text == NULL);
	it = smtpd_push_event(s, SMTPD_EV_LOG, NULL);
	it->text = text;
}

static const char *qid(const struct smtpd *s)
{
	return s->tx.queue_id ? s->tx.queue_id : "NOQUEUE";
}

void smtpd_log_printable(char *str, int repl)
{
	unsigned char *cp = (unsigned char *)str;

	while (*cp) {
		if (*cp < 0x80 && isprint(*cp)) {
			/* fine */
		} else if (*cp >= 194 && *cp <= 254 && cp[1] >= 128
			   && cp[1] < 192) {
			/* UTF-8: keep the continuation bytes */
			while (cp[1] >= 128 && cp[1] < 192)
				cp++;
		} else {
			*cp = (unsigned char)repl;
		}
		cp++;
	}
}

void smtpd_log_connect(struct smtpd *s)
{
	logf_(s, "connect from %s", s->namaddr);
}

void smtpd_log_disconnect(struct smtpd *s)
{
	size_t n, i;
	const struct smtpd_cmd *tab = smtpd_cmd_table(&n);
	struct buf b;
	int ok = 0, all = 0;

	buf_init(&b);
	buf_adds(&b, "");
	/* Table order, then "unknown"; names in lower case. */
	for (i = 0; i <= n; i++) {
		const char *name = i < n ? tab[i].name : "unknown";
		size_t j;

		if (s->count_all[i] == 0)
			continue;
		buf_addc(&b, ' ');
		for (j = 0; name[j]; j++)
			buf_addc(&b, (char)tolower((unsigned char)name[j]));
		buf_addf(&b, "=%d", s->count_ok[i]);
		if (s->count_ok[i] != s->count_all[i])
			buf_addf(&b, "/%d", s->count_all[i]);
		ok += s->count_ok[i];
		all += s->count_all[i];
	}
	buf_addf(&b, " commands=%d", ok);
	if (ok != all || all == 0)
		buf_addf(&b, "/%d", all);
	logf_(s, "disconnect from %s%s", s->namaddr, b.data);
	buf_reset(&b);
}

/* Postfix's escape(): C escapes, octal for the rest. */
static void escape(struct buf *b, const char *data, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)data[i];

		if (c < 0x80 && isprint(c)) {
			if (c == '\\')
				buf_addc(b, '\\');
			buf_addc(b, (char)c);
		} else if (c == '\a') {
			buf_adds(b, "\\a");
		} else if (c == '\b') {
			buf_adds(b, "\\b");
		} else if (c == '\f') {
			buf_adds(b, "\\f");
		} else if (c == '\n') {
			buf_adds(b, "\\n");
		} else if (c == '\r') {
			buf_adds(b, "\\r");
		} else if (c == '\t') {
			buf_adds(b, "\\t");
		} else if (c == '\v') {
			buf_adds(b, "\\v");
		} else {
			buf_addf(b, "\\%03o", c);
		}
	}
}

void smtpd_log_pipelining(struct smtpd *s, const char *data, size_t len)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "");
	escape(&b, data, len > 100 ? 100 : len);
	logf_(s, "improper command pipelining after %s from %s: %s",
	      s->where, s->namaddr, b.data);
	buf_reset(&b);
}

void smtpd_log_non_smtp(struct smtpd *s, const char *line, size_t len)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "");
	escape(&b, line, len);
	logf_(s, "warning: non-SMTP command from %s: %.100s", s->namaddr,
	      b.data);
	buf_reset(&b);
}

void smtpd_log_long_request(struct smtpd *s, long limit, const char *line)
{
	char *copy = xstrdup(line);

	smtpd_log_printable(copy, '?');
	logf_(s, "warning: %s: request longer than %ld: %.30s...",
	      s->namaddr, limit, copy);
	free(copy);
}

void smtpd_log_illegal_addr(struct smtpd *s, const char *arg)
{
	char *copy = xstrdup(arg);

	smtpd_log_printable(copy, '?');
	logf_(s, "warning: Illegal address syntax from %s in %s command: %s",
	      s->namaddr, s->where, copy);
	free(copy);
}

/* The " from=<..> to=<..> proto=.. helo=<..>" tail (log_whatsup()). */
static void whatsup(struct smtpd *s, struct buf *b, const char *from,
		    const char *to)
{
	if (from != NULL)
		buf_addf(b, " from=<%s>", from);
	if (to != NULL)
		buf_addf(b, " to=<%s>", to);
	buf_addf(b, " proto=%s", s->protocol);
	if (s->tx.helo != NULL)
		buf_addf(b, " helo=<%s>", s->tx.helo);
}

void smtpd_log_reject(struct smtpd *s, const char *reply, const char *from,
		      const char *to)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "");
	whatsup(s, &b, from, to);
	logf_(s, "%s: reject: %s from %s: %s;%s", qid(s), s->where,
	      s->namaddr, reply, b.data);
	buf_reset(&b);
}

void smtpd_log_bare_lf(struct smtpd *s)
{
	smtpd_log_reject(s, "bare <LF> received", s->tx.mail_from,
			 s->recipient);
}

void smtpd_log_abort(struct smtpd *s, long data_bytes)
{
	if (s->reason == NULL || s->where == NULL)
		return;
	if (strcmp(s->where, SMTPD_WHERE_DATA) == 0) {
		logf_(s, "%s after %s (%ld bytes) from %s", s->reason, "DATA",
		      data_bytes, s->namaddr);
	} else if (strcmp(s->where, SMTPD_WHERE_BDAT) == 0) {
		logf_(s, "%s after %s (%ld bytes) from %s", s->reason, "BDAT",
		      data_bytes, s->namaddr);
	} else if (strcmp(s->where, SMTPD_WHERE_EOM) != 0
		   || strcmp(s->reason, SMTPD_REASON_LOST) != 0) {
		/* A client that leaves right after "." is not news. */
		logf_(s, "%s after %s from %s", s->reason, s->where,
		      s->namaddr);
	}
}

void smtpd_log_tls_failed(struct smtpd *s, const char *result,
			  const char *problem)
{
	logf_(s, "SSL_accept error from %s: %s", s->namaddr,
	      result != NULL ? result : "-1");
	if (problem != NULL && *problem != '\0')
		logf_(s, "warning: TLS library problem: %s", problem);
}

void smtpd_log_size_exceeded(struct smtpd *s)
{
	logf_(s, "warning: %s: queue file size limit exceeded", qid(s));
}

void smtpd_log_sasl_aborted(struct smtpd *s, const char *mech)
{
	logf_(s, "warning: %s: SASL %s authentication aborted", s->namaddr,
	      mech);
}

void smtpd_log_sasl_failed(struct smtpd *s, const char *mech,
			   const char *reason, const char *user)
{
	logf_(s, "warning: %s: SASL %.100s authentication failed: %s, "
	      "sasl_username=%.100s", s->namaddr, mech, reason,
	      user ? user : "(unavailable)");
}

void smtpd_log_bdat_syntax(struct smtpd *s, const char *line)
{
	char *copy = xstrdup(line);

	smtpd_log_printable(copy, '?');
	logf_(s, "warning: %s: malformed BDAT command syntax from %s: %.100s",
	      qid(s), s->namaddr, copy);
	free(copy);
}

void smtpd_log_bdat_null(struct smtpd *s)
{
	logf_(s, "warning: %s: null BDAT request from %s", qid(s),
	      s->namaddr);
}

void smtpd_log_bdat_too_big(struct smtpd *s)
{
	logf_(s, "warning: %s: BDAT request from %s exceeds message size limit",
	      qid(s), s->namaddr);
}
