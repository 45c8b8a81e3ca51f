/*
 * bounce(8)'s notices: the templates, the wrapping and the delivery
 * status part. See bounce.h.
 */
#include "mta/bounce.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "mta/mail_date.h"

/* Postfix 3.7's built-in templates (bounce_template.c), minus the
 * "This is the mail system at host" line, which names the host. */
static const char *const failure_body[] = {
	"I'm sorry to have to inform you that your message could not",
	"be delivered to one or more recipients. It's attached below.",
	NULL,
};

static const char *const delay_body[] = {
	"####################################################################",
	"# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #",
	"####################################################################",
	"",
	"Your message could not be delivered for more than %ld hour(s).",
	"It will be retried until it is %ld day(s) old.",
	NULL,
};

static const char *const common_tail[] = {
	"",
	"For further assistance, please send mail to postmaster.",
	"",
	"If you do so, please include this problem report. You can",
	"delete your own text from the attached returned message.",
	"",
	"                   The mail system",
	NULL,
};

char *bounce_mail_date(mtime_t t)
{
	char s[64];

	/* Postfix's mail_date(): the day is %e, " 3 Dec" for one digit. */
	mail_date_header(t, s, sizeof(s));
	return xstrdup(s);
}

void bounce_wrap(struct buf *out, const char *text, int width, int indent)
{
	const char *line = text, *word = text;
	int curr_indent = 0, curr_width = width;

	/* Break before a word that would end past the width, never inside
	 * a word; blanks at the break go away (Postfix's line_wrap()). */
	while (word != NULL) {
		const char *space = word + strcspn(word, " \t");

		if (word > line && space - line > curr_width) {
			const char *end = word;

			while (end > line && (end[-1] == ' ' || end[-1] == '\t'))
				end--;
			buf_addf(out, "%*s%.*s\n", curr_indent, "", (int)(end - line), line);
			while (*word == ' ' || *word == '\t')
				word++;
			if (line == text) {
				curr_indent += indent;
				curr_width -= indent;
			}
			line = word;
		}
		word = *space != '\0' ? space + 1 : NULL;
	}
	{
		size_t n = strlen(line);

		while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
			n--;
		buf_addf(out, "%*s%.*s\n", curr_indent, "", (int)n, line);
	}
}

static void wrapf(struct buf *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void wrapf(struct buf *out, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	bounce_wrap(out, s, 79, 4);
	free(s);
}

/* The original message: all of it, or its header block only, cut at
 * bounce_size_limit bytes as bounce_original() does (whole lines). */
static void add_original(struct buf *b, const struct bounce_in *in, int headers_only)
{
	size_t i = 0;
	long sent = 0;

	buf_addf(b, "Return-Path: <%s>\n", in->sender);
	while (i < in->len) {
		const char *nl = memchr(in->content + i, '\n', in->len - i);
		size_t end = nl != NULL ? (size_t)(nl - in->content) : in->len;

		if (headers_only && end == i)
			break;
		if (in->bounce_size_limit > 0 && sent >= in->bounce_size_limit)
			break;
		buf_add(b, in->content + i, end - i);
		buf_addc(b, '\n');
		sent += (long)(end - i) + 2;
		i = end + 1;
	}
}

void bounce_notice(const struct bounce_in *in, char **headers_out,
		   char **body_out)
{
	struct buf h, b;
	char *date = bounce_mail_date(in->now);
	char *arrival = bounce_mail_date(in->arrival);
	char boundary[256];
	int warn = in->kind == BOUNCE_DELAY;
	const char *const *line;
	size_t i;

	snprintf(boundary, sizeof(boundary), "%s.%lld/%s", in->queue_id,
		 (long long)(in->now / 1000), in->myhostname);
	buf_init(&h);
	buf_addf(&h, "Date: %s\n", date);
	buf_addf(&h, "From: Mail Delivery System <MAILER-DAEMON@%s>\n", in->myhostname);
	buf_addf(&h, "Subject: %s\n", warn ? "Delayed Mail (still being retried)"
					 : "Undelivered Mail Returned to Sender");
	buf_addf(&h, "To: %s\n", in->sender);
	buf_adds(&h, "Auto-Submitted: auto-replied\n");
	buf_adds(&h, "MIME-Version: 1.0\n");
	buf_addf(&h, "Content-Type: multipart/report; report-type=delivery-status;\n"
		     "\tboundary=\"%s\"\n", boundary);
	buf_adds(&h, "Content-Transfer-Encoding: 8bit\n");

	buf_init(&b);
	buf_adds(&b, "This is a MIME-encapsulated message.\n\n");
	buf_addf(&b, "--%s\n", boundary);
	buf_adds(&b, "Content-Description: Notification\n"
		     "Content-Type: text/plain; charset=utf-8\n"
		     "Content-Transfer-Encoding: 8bit\n\n");
	buf_addf(&b, "This is the mail system at host %s.\n\n", in->myhostname);
	for (line = warn ? delay_body : failure_body; *line != NULL; line++) {
		if (strchr(*line, '%') == NULL)
			buf_addf(&b, "%s\n", *line);
		else if (strstr(*line, "hour") != NULL)
			buf_addf(&b, "Your message could not be delivered for more than %ld hour(s).\n",
				 in->delay_warning_time / 3600);
		else
			buf_addf(&b, "It will be retried until it is %ld day(s) old.\n",
				 in->maximal_queue_lifetime / 86400);
	}
	for (line = common_tail; *line != NULL; line++)
		buf_addf(&b, "%s\n", *line);
	for (i = 0; i < in->nrcpt; i++) {
		const struct bounce_rcpt *r = &in->rcpts[i];

		buf_addc(&b, '\n');
		if (r->orig != NULL && r->orig[0] != '\0' && strcasecmp(r->orig, r->address) != 0)
			wrapf(&b, "<%s> (expanded from <%s>): %s", r->address, r->orig, r->reason);
		else
			wrapf(&b, "<%s>: %s", r->address, r->reason);
	}

	buf_addf(&b, "\n--%s\n", boundary);
	buf_adds(&b, "Content-Description: Delivery report\n"
		     "Content-Type: message/delivery-status\n\n");
	buf_addf(&b, "Reporting-MTA: dns; %s\n", in->myhostname);
	buf_addf(&b, "X-Postfix-Queue-ID: %s\n", in->queue_id);
	buf_addf(&b, "X-Postfix-Sender: rfc822; %s\n", in->sender);
	buf_addf(&b, "Arrival-Date: %s\n", arrival);
	for (i = 0; i < in->nrcpt; i++) {
		const struct bounce_rcpt *r = &in->rcpts[i];

		buf_addf(&b, "\nFinal-Recipient: rfc822; %s\n", r->address);
		if (r->dsn_orig != NULL && r->dsn_orig[0] != '\0')
			buf_addf(&b, "Original-Recipient: %s\n", r->dsn_orig);
		else
			buf_addf(&b, "Original-Recipient: rfc822;%s\n", r->address);
		buf_addf(&b, "Action: %s\n", warn ? "delayed" : "failed");
		buf_addf(&b, "Status: %s\n", r->status);
		if (r->mta != NULL)
			buf_addf(&b, "Remote-MTA: dns; %s\n", r->mta);
		if (r->diag != NULL)
			wrapf(&b, "Diagnostic-Code: smtp; %s", r->diag);
		else
			wrapf(&b, "Diagnostic-Code: X-Postfix; %s", r->reason);
		if (warn) {
			char *until = bounce_mail_date(in->arrival
						       + (mtime_t)in->maximal_queue_lifetime * 1000);

			buf_addf(&b, "Will-Retry-Until: %s\n", until);
			free(until);
		}
	}

	buf_addf(&b, "\n--%s\n", boundary);
	buf_addf(&b, "Content-Description: Undelivered Message%s\n", warn ? " Headers" : "");
	buf_addf(&b, "Content-Type: %s\n", warn ? "text/rfc822-headers" : "message/rfc822");
	buf_adds(&b, "Content-Transfer-Encoding: 8bit\n\n");
	add_original(&b, in, warn);
	buf_addf(&b, "\n--%s--\n", boundary);

	free(date);
	free(arrival);
	*headers_out = buf_steal(&h, NULL);
	*body_out = buf_steal(&b, NULL);
	buf_reset(&h);
	buf_reset(&b);
}
