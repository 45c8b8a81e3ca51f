/*
 * conf_machine: the defaults Postfix computes from the machine it runs on
 * (mail_params.c, mynetworks.c), for the machine conf_set_machine() named:
 *
 *   myhostname  the host name when it has a dot, else name.$mydomain when
 *               mydomain is set, else name.localdomain ("vm" ->
 *               "vm.localdomain", reference/commands/02);
 *   mydomain    myhostname minus its first label, "localdomain" when it
 *               has no dot;
 *   mynetworks  per mynetworks_style: host -> every interface address
 *               (/32, /128), subnet -> every interface's network, class ->
 *               the IPv4 class A/B/C network (IPv6 as subnet); only the
 *               families inet_protocols enables;
 *   process_id  this process.
 *
 * Observed with Postfix 3.7.11: "myhostname = mail.$mydomain" with no
 * mydomain gives mydomain "" and myhostname "mail.", i.e. mydomain is
 * computed from the expanded myhostname and a reference back to itself
 * while computing is empty; the same rule is used here.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "conf_defaults.h"
#include "conf_int.h"
#include "xalloc.h"

static const char *const default_networks[] = {
	"127.0.0.1/8", "::1/128", NULL,
};

/* The expanded value of a parameter, a new string. */
static char *expand_param(struct conf *c, const char *name)
{
	struct conf_ent *ent = conf_ent_find(c, name);
	const char *v = ent != NULL ? conf_ent_value(c, ent) : NULL;
	struct buf out;
	struct err e;
	char *s;

	buf_init(&out);
	if (v != NULL)
		(void)conf_expand(c, v, &out, NULL, NULL, &e);
	buf_addc(&out, 0);
	s = buf_steal(&out, NULL);
	return s;
}

static char *my_hostname(struct conf *c)
{
	const char *h = c->hostname != NULL ? c->hostname : "localhost";
	struct conf_ent *dom = conf_ent_find(c, "mydomain");
	char *d, *s;

	if (strchr(h, '.') != NULL)
		return xstrdup(h);
	if (dom == NULL || dom->raw == NULL)
		return xasprintf("%s.localdomain", h);
	d = expand_param(c, "mydomain");
	s = xasprintf("%s.%s", h, d);
	free(d);
	return s;
}

static char *my_domain(struct conf *c)
{
	char *h = expand_param(c, "myhostname");
	char *dot = strchr(h, '.');
	char *s = xstrdup(dot != NULL ? dot + 1 : "localdomain");

	free(h);
	return s;
}

/* Postfix's mynetworks_style values. */
enum { STYLE_HOST, STYLE_SUBNET, STYLE_CLASS };

static void add_unique(struct buf *out, const char *net)
{
	size_t n = strlen(net);
	const char *p = out->data;

	/* Each entry is preceded by a space in our scratch form. */
	while (p != NULL && (p = strstr(p, net)) != NULL) {
		if (p > out->data && p[-1] == ' ' && (p[n] == ' ' || p[n] == 0))
			return;
		p += n;
	}
	buf_addc(out, ' ');
	buf_adds(out, net);
}

static void mask_bytes(unsigned char *a, size_t len, int bits)
{
	size_t i;

	for (i = 0; i < len; i++) {
		int keep = bits - (int)(i * 8);

		if (keep >= 8)
			continue;
		a[i] &= keep <= 0 ? 0 : (unsigned char)(0xff << (8 - keep));
	}
}

static void add_network(struct buf *out, const char *spec, int style,
			int v4, int v6)
{
	char addr[INET6_ADDRSTRLEN + 1], text[INET6_ADDRSTRLEN + 8];
	unsigned char a[16];
	const char *slash = strchr(spec, '/');
	size_t n = slash ? (size_t)(slash - spec) : strlen(spec);
	int bits, is6;

	if (n >= sizeof(addr))
		return;
	memcpy(addr, spec, n);
	addr[n] = 0;
	if (inet_pton(AF_INET, addr, a) == 1)
		is6 = 0;
	else if (inet_pton(AF_INET6, addr, a) == 1)
		is6 = 1;
	else
		return;
	if ((is6 && !v6) || (!is6 && !v4))
		return;
	bits = slash ? atoi(slash + 1) : (is6 ? 128 : 32);
	if (bits < 0 || bits > (is6 ? 128 : 32))
		return;
	if (style == STYLE_HOST) {
		bits = is6 ? 128 : 32;
	} else if (style == STYLE_CLASS && !is6) {
		bits = a[0] < 128 ? 8 : a[0] < 192 ? 16 : a[0] < 224 ? 24 : bits;
	}
	mask_bytes(a, is6 ? 16 : 4, bits);
	inet_ntop(is6 ? AF_INET6 : AF_INET, a, addr, sizeof(addr));
	if (is6)
		snprintf(text, sizeof(text), "[%s]/%d", addr, bits);
	else
		snprintf(text, sizeof(text), "%s/%d", addr, bits);
	add_unique(out, text);
}

static char *my_networks(struct conf *c)
{
	char *style_text = expand_param(c, "mynetworks_style");
	char *protos = expand_param(c, "inet_protocols");
	const char *const *nets = c->networks != NULL
		? (const char *const *)c->networks : default_networks;
	char **words = conf_split_list(protos);
	int style = STYLE_SUBNET, v4 = 0, v6 = 0;
	struct buf out;
	size_t i;
	char *s;

	if (strcasecmp(style_text, "host") == 0)
		style = STYLE_HOST;
	else if (strcasecmp(style_text, "class") == 0)
		style = STYLE_CLASS;
	else if (strcasecmp(style_text, "subnet") != 0)
		conf_warnf(c, "unknown mynetworks_style parameter value: %s",
			   style_text);
	for (i = 0; words[i] != NULL; i++) {
		if (strcasecmp(words[i], "all") == 0)
			v4 = v6 = 1;
		else if (strcasecmp(words[i], "ipv4") == 0)
			v4 = 1;
		else if (strcasecmp(words[i], "ipv6") == 0)
			v6 = 1;
	}
	buf_init(&out);
	for (i = 0; nets[i] != NULL; i++)
		add_network(&out, nets[i], style, v4, v6);
	buf_addc(&out, 0);
	s = xstrdup(out.len > 1 ? out.data + 1 : "");
	buf_reset(&out);
	conf_list_free(&words);
	free(style_text);
	free(protos);
	return s;
}

char *conf_machine_value(struct conf *c, struct conf_ent *ent)
{
	char *v;

	/* A default that refers back to itself while computing is empty. */
	if (ent->busy)
		return xstrdup("");
	ent->busy = 1;
	if (strcmp(ent->name, "myhostname") == 0)
		v = my_hostname(c);
	else if (strcmp(ent->name, "mydomain") == 0)
		v = my_domain(c);
	else if (strcmp(ent->name, "mynetworks") == 0)
		v = my_networks(c);
	else if (strcmp(ent->name, "process_id") == 0)
		v = xasprintf("%ld", (long)getpid());
	else
		v = xstrdup(ent->def != NULL ? ent->def : "");
	ent->busy = 0;
	return v;
}
