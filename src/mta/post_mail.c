/*
 * Internal submissions into incoming/. See post_mail.h.
 */
#include "mta/post_mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/conf.h"
#include "lib/xalloc.h"
#include "mta/host.h"
#include "mta/mail_date.h"
#include "mta/qfile.h"

static void put_line(struct qfile_writer *w, const char *s, size_t n, long limit)
{
	while ((long)n > limit) {
		qfile_put(w, QFILE_REC_CONT, s, (size_t)limit);
		s += limit;
		n -= (size_t)limit;
	}
	qfile_put(w, QFILE_REC_NORM, s, n);
}

static void put_text(struct qfile_writer *w, const char *s, long limit)
{
	for (;;) {
		size_t n = strcspn(s, "\n");

		put_line(w, s, n, limit);
		if (s[n] == '\0' || s[n + 1] == '\0')
			break;
		s += n + 1;
	}
}

int post_mail(struct host *h, mtime_t now, const struct post_mail *pm,
	      char *id_out, long *size_out, struct err *e)
{
	struct qfile_writer w;
	char *spool = host_path(h, "var/spool/postfix");
	char sz[128], date[64], stamp[32], *msgid = NULL;
	const char *p = pm->content, *end = pm->content + pm->len;
	long limit = 2048, data_offset, data_size;
	int in_header = 1;
	size_t i;

	if (h->conf != NULL && conf_get_int(h->conf, "line_length_limit") > 0)
		limit = conf_get_int(h->conf, "line_length_limit");
	if (qfile_create(&w, spool, "incoming", 0, (long)(now % 1000) * 1000
			 + (long)(host_next_serial(h) % 1000), e) != 0) {
		free(spool);
		return -1;
	}
	free(spool);
	snprintf(sz, sizeof(sz), "%15ld %15ld %15ld %15ld %15ld %15ld", 0L, 0L, 0L, 0L, 0L, 0L);
	qfile_puts(&w, QFILE_REC_SIZE, sz);
	qfile_putf(&w, QFILE_REC_TIME, "%ld %ld", (long)(now / 1000), (long)(now % 1000) * 1000);
	qfile_putf(&w, QFILE_REC_ATTR, "create_time=%ld", (long)(now / 1000));
	qfile_putf(&w, QFILE_REC_ATTR, "log_ident=%s", w.id);
	qfile_puts(&w, QFILE_REC_ATTR, "rewrite_context=local");
	qfile_puts(&w, QFILE_REC_FROM, pm->sender);
	for (i = 0; i < pm->nrcpt; i++) {
		qfile_puts(&w, QFILE_REC_ORCP, pm->rcpts[i]);
		qfile_puts(&w, QFILE_REC_RCPT, pm->rcpts[i]);
	}
	qfile_puts(&w, QFILE_REC_MESG, "");
	data_offset = w.offset;
	mail_date_header(now, date, sizeof(date));
	if (pm->received) {
		char *r = xasprintf("Received: by %s (Postfix)\n\tid %s; %s",
				    host_myhostname(h), w.id, date);

		put_text(&w, r, limit);
		free(r);
	}
	if (pm->prepend != NULL)
		put_text(&w, pm->prepend, limit);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		if (in_header && n == 0) {
			in_header = 0;
			if (msgid == NULL) {
				char *hdr;

				mail_date_stamp(now, stamp, sizeof(stamp));
				msgid = xasprintf("<%s.%s@%s>", stamp, w.id, host_myhostname(h));
				hdr = xasprintf("Message-Id: %s", msgid);
				put_text(&w, hdr, limit);
				free(hdr);
			}
		} else if (in_header && n > 11 && strncasecmp(p, "Message-Id:", 11) == 0
			   && msgid == NULL) {
			const char *v = p + 11;

			while (*v == ' ' || *v == '\t')
				v++;
			msgid = xstrndup(v, n - (size_t)(v - p));
		}
		put_line(&w, p, n, limit);
		p += n + (nl != NULL);
	}
	data_size = w.offset - data_offset;
	qfile_puts(&w, QFILE_REC_XTRA, "");
	qfile_puts(&w, QFILE_REC_END, "");
	snprintf(sz, sizeof(sz), "%15ld %15ld %15ld %15ld %15ld %15ld", data_size,
		 data_offset, (long)pm->nrcpt, 0L, data_size, 0L);
	qfile_update(&w, 2, sz, strlen(sz));
	snprintf(id_out, 32, "%s", w.id);
	host_log(h, now, "postfix/cleanup", "%s: message-id=%s", w.id,
		 msgid != NULL ? msgid : "");
	free(msgid);
	if (qfile_commit(&w, NULL, e) != 0) {
		id_out[0] = '\0';
		return -1;
	}
	if (size_out != NULL)
		*size_out = data_size;
	return 0;
}
