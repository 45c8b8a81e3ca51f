/* smtpd_harness: see smtpd_harness.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "smtpd_harness.h"

static const char *const local_domains[] = {
	"centos.localdomain", "localhost.localdomain", "localhost",
};
static const char *const users[] = {
	"wees", "root", "nobody", "postmaster", "alice", "bob",
};

void sh_default_conf(struct smtpd_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->myhostname = "centos.localdomain";
	c->banner = "centos.localdomain ESMTP Postfix (Debian/GNU)";
	c->client_name = "localhost";
	c->client_addr = "127.0.0.1";
	c->message_size_limit = 10240000;
	c->recipient_limit = 1000;
	c->line_length_limit = 2048;
	c->soft_error_limit = 10;
	c->hard_error_limit = 20;
	c->error_sleep_ms = 1000;
	c->bare_newline = SMTPD_BARE_NL_NO;
	c->tls_offer = 1;
	c->sasl_mechs = "PLAIN LOGIN";
}

void sh_start(struct sh *h, const struct smtpd_conf *c, int drain)
{
	int byte_mode = h->byte_mode;
	int outside = h->outside;
	int relay_reject = h->relay_reject;

	memset(h, 0, sizeof(*h));
	h->byte_mode = byte_mode;
	h->outside = outside;
	h->relay_reject = relay_reject;
	h->conf = *c;
	buf_init(&h->out);
	buf_init(&h->logs);
	buf_init(&h->events);
	buf_init(&h->data);
	buf_adds(&h->out, "");
	buf_adds(&h->logs, "");
	buf_adds(&h->events, "");
	buf_adds(&h->data, "");
	h->s = smtpd_new(&h->conf, 1000);
	if (drain)
		sh_run(h);
}

static int is_local_domain(const char *d)
{
	size_t i;

	for (i = 0; i < sizeof(local_domains) / sizeof(local_domains[0]); i++)
		if (strcasecmp(d, local_domains[i]) == 0)
			return 1;
	return 0;
}

static int is_user(const char *local)
{
	char u[256];
	size_t i, n = strcspn(local, "+");

	if (n >= sizeof(u))
		return 0;
	for (i = 0; i < n; i++)
		u[i] = (char)tolower((unsigned char)local[i]);
	u[n] = 0;
	for (i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		if (strcmp(u, users[i]) == 0)
			return 1;
	return 0;
}

/* 0 accept, else the reply code; *text_out is malloc'd. */
static int rcpt_policy(struct sh *h, const char *addr, int vrfy,
		       char **text_out)
{
	const char *at = strrchr(addr, '@');
	char *local = at ? xstrndup(addr, (size_t)(at - addr)) : xstrdup(addr);
	int code = 0;

	*text_out = NULL;
	if (at == NULL || is_local_domain(at + 1)) {
		if (!is_user(local)) {
			code = 550;
			*text_out = xasprintf("5.1.1 <%s>: Recipient address "
					      "rejected: User unknown in local "
					      "recipient table", addr);
		}
	} else if (h->outside && !vrfy) {
		code = h->relay_reject ? 554 : 454;
		*text_out = xasprintf("%s <%s>: Relay access denied",
				      h->relay_reject ? "5.7.1" : "4.7.1", addr);
	}
	free(local);
	return code;
}

static void event_line(struct sh *h, const struct smtpd_event *ev)
{
	buf_adds(&h->events, smtpd_ev_type_name(ev->type));
	if (ev->arg) {
		buf_addc(&h->events, ' ');
		buf_adds(&h->events, ev->arg);
	}
	if (ev->type == SMTPD_EV_AUTH)
		buf_addf(&h->events, " %s %s", ev->user, ev->pass);
	if (ev->type == SMTPD_EV_DELAY)
		buf_addf(&h->events, " %ld", ev->delay_ms);
	buf_addc(&h->events, '\n');
}

void sh_run(struct sh *h)
{
	struct smtpd_event ev;
	struct smtpd_verdict v;
	char *text;

	while (smtpd_next(h->s, &ev, 2000) == 1) {
		memset(&v, 0, sizeof(v));
		if (ev.type != SMTPD_EV_LOG)
			event_line(h, &ev);
		switch (ev.type) {
		case SMTPD_EV_LOG:
			buf_adds(&h->logs, ev.text);
			buf_addc(&h->logs, '\n');
			break;
		case SMTPD_EV_DELAY:
			h->ndelay++;
			break;
		case SMTPD_EV_MAIL:
		case SMTPD_EV_ETRN:
			smtpd_verdict(h->s, &v, 2000);
			break;
		case SMTPD_EV_RCPT:
		case SMTPD_EV_VRFY:
			v.code = rcpt_policy(h, ev.arg, ev.type == SMTPD_EV_VRFY,
					     &text);
			v.text = text;
			if (ev.type == SMTPD_EV_RCPT && v.code == 0
			    && ev.tx->queue_id == NULL) {
				char qid[16];

				snprintf(qid, sizeof(qid), "%011lX",
					 0x1F3A6104556ul + h->qseq++);
				buf_addf(&h->logs, "%s: client=%s[%s]\n", qid,
					 h->conf.client_name,
					 h->conf.client_addr);
				v.queue_id = qid;
				smtpd_verdict(h->s, &v, 2000);
			} else {
				smtpd_verdict(h->s, &v, 2000);
			}
			free(text);
			break;
		case SMTPD_EV_AUTH:
			if (strcmp(ev.user, "alice") != 0
			    || strcmp(ev.pass, "alicepw") != 0) {
				v.code = 535;
				v.text = "5.7.8 Error: authentication failed: "
				    "authentication failure";
			}
			smtpd_verdict(h->s, &v, 2000);
			break;
		case SMTPD_EV_DATA:
			buf_clear(&h->data);
			buf_add(&h->data, ev.data, ev.len);
			h->ndata++;
			smtpd_verdict(h->s, &v, 2000);
			break;
		case SMTPD_EV_STARTTLS:
			h->tls_pending = 1;
			break;
		case SMTPD_EV_CLOSE:
			h->closed = 1;
			break;
		case SMTPD_EV_HELO:
		case SMTPD_EV_RSET:
			break;
		}
	}
	buf_add(&h->out, smtpd_output(h->s)->data, smtpd_output(h->s)->len);
	buf_clear(smtpd_output(h->s));
	h->drained = 1;
}

void sh_feed(struct sh *h, const void *p, size_t n)
{
	const char *c = p;
	size_t i;

	if (!h->byte_mode) {
		smtpd_feed(h->s, p, n, 2000);
		sh_run(h);
		return;
	}
	for (i = 0; i < n; i++) {
		smtpd_feed(h->s, c + i, 1, 2000);
		sh_run(h);
	}
}

void sh_free(struct sh *h)
{
	smtpd_free(&h->s);
	buf_reset(&h->out);
	buf_reset(&h->logs);
	buf_reset(&h->events);
	buf_reset(&h->data);
}

static int hexu(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

char *sh_mask(const char *s)
{
	struct buf b;
	size_t i = 0, n = strlen(s);

	buf_init(&b);
	buf_adds(&b, "");
	while (i < n) {
		size_t j = i;

		while (j < n && hexu((unsigned char)s[j]))
			j++;
		if (j - i == 11 && (i == 0 || !isalnum((unsigned char)s[i - 1]))
		    && (j == n || !isalnum((unsigned char)s[j]))) {
			buf_adds(&b, "<QID>");
			i = j;
		} else if (j > i) {
			buf_add(&b, s + i, j - i);
			i = j;
		} else {
			buf_addc(&b, s[i++]);
		}
	}
	return b.data;
}

void sh_unescape(struct buf *b, const char *s)
{
	while (*s) {
		if (*s != '\\' || s[1] == 0) {
			buf_addc(b, *s++);
			continue;
		}
		switch (s[1]) {
		case 'r':
			buf_addc(b, '\r');
			s += 2;
			break;
		case 'n':
			buf_addc(b, '\n');
			s += 2;
			break;
		case 't':
			buf_addc(b, '\t');
			s += 2;
			break;
		case '\\':
			buf_addc(b, '\\');
			s += 2;
			break;
		case 'x': {
			char hex[3] = { s[2], s[2] ? s[3] : 0, 0 };

			buf_addc(b, (char)strtol(hex, NULL, 16));
			s += 4;
			break;
		}
		default:
			buf_addc(b, *s++);
			break;
		}
	}
}

char *sh_slurp(const char *path, size_t *len_out)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char tmp[8192];
	size_t n;

	if (f == NULL)
		return NULL;
	buf_init(&b);
	buf_adds(&b, "");
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(&b, tmp, n);
	fclose(f);
	if (len_out)
		*len_out = b.len;
	return b.data;
}

const char *sh_data_dir(void)
{
	static char path[4096];
	const char *top = getenv("MAILLAB_TOP");

	snprintf(path, sizeof(path), "%s/tests/data/smtp", top ? top : ".");
	return path;
}
