/*
 * RFC 5322 3.4 address lists as Dovecot 2.3's message-address.c parses
 * them for ENVELOPE (flag FILL_MISSING): groups become a start marker
 * (NIL NIL "name" NIL) and an end marker (NIL NIL NIL NIL) (RFC 3501
 * 7.4.2), a bare addr-spec takes its trailing comment as display name,
 * "<@a,@b:user@host>" keeps "@a,@b" as the route, and what cannot be
 * parsed reads MISSING_MAILBOX / MISSING_DOMAIN rather than vanishing.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "store/mime.h"

/* Dovecot parses at most this many addresses per header (UINT_MAX there;
 * a lab bound keeps hostile headers cheap). */
#define ADDR_MAX 10000

struct actx {
	struct mime_rfc822 p;
	struct buf str;
	struct buf comment;
	struct mime_addr cur;		/* being filled */
	struct mime_addr *head, **tail;
	size_t count;
};

static char *bufdup(const struct buf *b)
{
	return xstrndup(b->data != NULL ? b->data : "", b->len);
}

static void cur_clear(struct actx *c)
{
	free(c->cur.name);
	free(c->cur.route);
	free(c->cur.mailbox);
	free(c->cur.host);
	memset(&c->cur, 0, sizeof(c->cur));
}

static void add_address(struct actx *c)
{
	struct mime_addr *a = xmalloc(sizeof(*a));

	*a = c->cur;
	a->next = NULL;
	*c->tail = a;
	c->tail = &a->next;
	c->count++;
	memset(&c->cur, 0, sizeof(c->cur));
}

static void add_fixed_address(struct actx *c)
{
	if (c->cur.mailbox == NULL)
		c->cur.mailbox = xstrdup("MISSING_MAILBOX");
	if (c->cur.host == NULL || c->cur.host[0] == '\0') {
		free(c->cur.host);
		c->cur.host = xstrdup("MISSING_DOMAIN");
	}
	add_address(c);
}

static int parse_local_part(struct actx *c)
{
	int ret;

	buf_clear(&c->str);
	if (*c->p.data == '"')
		ret = mime_rfc822_quoted(&c->p, &c->str);
	else
		ret = mime_rfc822_dot_atom(&c->p, &c->str);
	if (ret < 0)
		return -1;
	free(c->cur.mailbox);
	c->cur.mailbox = bufdup(&c->str);
	return ret;
}

static int parse_domain(struct actx *c)
{
	int ret;

	buf_clear(&c->str);
	if ((ret = mime_rfc822_domain(&c->p, &c->str)) < 0)
		return -1;
	free(c->cur.host);
	c->cur.host = bufdup(&c->str);
	return ret;
}

static int parse_addr_spec(struct actx *c)
{
	int ret, ret2 = -2;
	int quoted = *c->p.data == '"';

	buf_clear(&c->comment);
	ret = parse_local_part(c);
	if (ret != 0 && c->p.data < c->p.end && *c->p.data == '@') {
		ret2 = parse_domain(c);
		if (ret2 <= 0)
			ret = ret2;
	}
	if (c->comment.len > 0) {
		/* "user@host (Real Name)": the comment names the address */
		free(c->cur.name);
		c->cur.name = bufdup(&c->comment);
	} else if (ret2 == -2) {
		/*
		 * A "user" without @domain: a lone word is a mailbox; if
		 * more words follow it was a display name without address.
		 */
		size_t before;

		buf_addc(&c->str, ' ');
		before = c->str.len;
		if (c->p.data < c->p.end)
			(void)mime_rfc822_phrase(&c->p, &c->str);
		if (c->str.len != before) {
			free(c->cur.mailbox);
			c->cur.mailbox = NULL;
			free(c->cur.name);
			c->cur.name = bufdup(&c->str);
		} else if (!quoted) {
			free(c->cur.host);
			c->cur.host = xstrdup("");
		}
		ret = -1;
	}
	return ret;
}

static int parse_domain_list(struct actx *c)
{
	int ret;

	/* obs-route = obs-domain-list ":"; "@a,@b" kept as written */
	buf_clear(&c->str);
	for (;;) {
		if (c->p.data >= c->p.end || *c->p.data != '@')
			return 0;
		if (c->str.len > 0)
			buf_addc(&c->str, ',');
		buf_addc(&c->str, '@');
		if ((ret = mime_rfc822_domain(&c->p, &c->str)) <= 0)
			return ret;
		while (c->p.data < c->p.end && *c->p.data == ',') {
			c->p.data++;
			if ((ret = mime_rfc822_skip_lwsp(&c->p)) <= 0)
				return ret;
		}
		if (*c->p.data != '@')
			return 1;
	}
}

static int parse_angle_addr(struct actx *c)
{
	c->p.data++;	/* '<' */
	if (mime_rfc822_skip_lwsp(&c->p) <= 0)
		return -1;
	if (*c->p.data == '@') {
		if (parse_domain_list(c) > 0 && *c->p.data == ':') {
			free(c->cur.route);
			c->cur.route = bufdup(&c->str);
			c->p.data++;
		} else {
			free(c->cur.mailbox);
			c->cur.mailbox = xstrdup("INVALID_ROUTE");
			if (c->p.data >= c->p.end)
				return -1;
		}
		if (mime_rfc822_skip_lwsp(&c->p) <= 0)
			return -1;
	}
	if (*c->p.data == '>') {
		/* "<>": nothing inside */
		c->p.data++;
		return mime_rfc822_skip_lwsp(&c->p) < 0 ? -1 : 0;
	}
	if (parse_addr_spec(c) < 0)
		return -1;
	if (c->p.data >= c->p.end || *c->p.data != '>')
		return -1;
	c->p.data++;
	return mime_rfc822_skip_lwsp(&c->p);
}

static int parse_name_addr(struct actx *c)
{
	buf_clear(&c->str);
	if (*c->p.data != '<') {
		if (mime_rfc822_phrase(&c->p, &c->str) <= 0 ||
		    *c->p.data != '<')
			return -1;
		free(c->cur.name);
		c->cur.name = bufdup(&c->str);
	}
	return parse_angle_addr(c);
}

static int parse_mailbox(struct actx *c)
{
	const unsigned char *start = c->p.data;
	int ret;

	if ((ret = parse_name_addr(c)) < 0) {
		cur_clear(c);
		c->p.data = start;
		ret = parse_addr_spec(c);
	}
	add_fixed_address(c);
	return ret;
}

static int parse_mailbox_list(struct actx *c)
{
	int ret;

	for (;;) {
		if (c->count >= ADDR_MAX)
			return -1;
		if ((ret = parse_mailbox(c)) <= 0)
			return ret;
		if (*c->p.data != ',')
			return ret;
		c->p.data++;
		if ((ret = mime_rfc822_skip_lwsp(&c->p)) <= 0)
			return ret;
	}
}

/* 0: not a group (nothing consumed), 1/-1 as the other parsers. */
static int parse_group(struct actx *c)
{
	int ret;

	buf_clear(&c->str);
	ret = mime_rfc822_phrase(&c->p, &c->str);
	if (ret <= 0 || *c->p.data != ':')
		return 0;
	c->p.data++;
	cur_clear(c);
	c->cur.mailbox = bufdup(&c->str);
	add_address(c);
	if ((ret = mime_rfc822_skip_lwsp(&c->p)) > 0) {
		if (*c->p.data != ';')
			ret = parse_mailbox_list(c);
		if (ret > 0 && *c->p.data == ';') {
			c->p.data++;
			ret = mime_rfc822_skip_lwsp(&c->p);
		}
	}
	cur_clear(c);
	add_address(c);	/* the group end */
	return ret < 0 ? -1 : 1;
}

struct mime_addr *mime_addr_parse(const char *s, size_t len)
{
	struct actx c;
	int ret;

	memset(&c, 0, sizeof(c));
	mime_rfc822_init(&c.p, s, len);
	buf_init(&c.str);
	buf_init(&c.comment);
	c.p.last_comment = &c.comment;
	c.tail = &c.head;
	if (mime_rfc822_skip_lwsp(&c.p) > 0) {
		for (;;) {
			const unsigned char *start = c.p.data;

			if (c.count >= ADDR_MAX)
				break;
			ret = parse_group(&c);
			if (ret == 0) {
				c.p.data = start;
				ret = parse_mailbox(&c);
			}
			if (c.p.data >= c.p.end || *c.p.data != ',')
				break;
			c.p.data++;
			if (mime_rfc822_skip_lwsp(&c.p) <= 0)
				break;
		}
	}
	cur_clear(&c);
	buf_reset(&c.str);
	buf_reset(&c.comment);
	return c.head;
}

void mime_addr_free(struct mime_addr *a)
{
	while (a != NULL) {
		struct mime_addr *next = a->next;

		free(a->name);
		free(a->route);
		free(a->mailbox);
		free(a->host);
		free(a);
		a = next;
	}
}
