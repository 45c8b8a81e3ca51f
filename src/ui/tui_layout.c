/*
 * Boxes, attachments and lit arrows. A host is a box when any of its
 * nodes is a Postfix or Dovecot process; a client belongs to the box
 * whose host shares its parent domain, else (a loopback client) to the
 * box of the first server it talks to, else it is outside.
 */
#include "ui/tui_layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

const char *tui_layout_basename(const char *process)
{
	const char *p = process ? process : "";
	const char *slash = strrchr(p, '/');

	return slash ? slash + 1 : p;
}

static void parent_domain(const char *host, char *buf, size_t n)
{
	const char *dot = strchr(host, '.');

	/* "mail.a.example" -> "a.example"; "centos.localdomain" stays whole
	 * (its parent would be a bare top-level name). */
	if (dot != NULL && strchr(dot + 1, '.') != NULL)
		snprintf(buf, n, "%s", dot + 1);
	else
		snprintf(buf, n, "%s", host);
}

static int box_of_host(const struct tui_layout *l, const char *host)
{
	size_t i;

	for (i = 0; i < l->nbox; i++)
		if (strcmp(l->box[i].host, host) == 0)
			return (int)i;
	return -1;
}

static void attach(struct tui_layout *l, const struct flow *f, int node, int box)
{
	struct tui_box *b = &l->box[box];
	char *joined;

	l->node_box[node] = box;
	if (b->clients == NULL) {
		b->clients = xstrdup(f->node[node].label);
		return;
	}
	joined = xasprintf("%s, %s", b->clients, f->node[node].label);
	free(b->clients);
	b->clients = joined;
}

void tui_layout_build(struct tui_layout *l, const struct flow *f)
{
	size_t i, s;

	memset(l, 0, sizeof(*l));
	l->node_box = xcalloc(f->nnode + 1, sizeof(*l->node_box));
	l->outside = xcalloc(f->nnode + 1, sizeof(*l->outside));
	l->outside_box = xcalloc(f->nnode + 1, sizeof(*l->outside_box));
	for (i = 0; i < f->nnode; i++)
		l->node_box[i] = -1;

	/* Boxes, in order of first appearance in a step. */
	for (s = 0; s < f->nstep; s++) {
		const struct flow_step *st = &f->step[s];
		int ends[2] = { st->node, st->peer };
		size_t k;

		for (k = 0; k < 2; k++) {
			const struct flow_node *nd;
			int b;

			if (ends[k] < 0)
				continue;
			nd = &f->node[ends[k]];
			if (nd->role == FLOW_ROLE_DNS)
				l->has_dns = 1;
			if (nd->role != FLOW_ROLE_MTA && nd->role != FLOW_ROLE_MDA)
				continue;
			b = box_of_host(l, nd->host);
			if (b < 0) {
				l->box = xrealloc(l->box, (l->nbox + 1) * sizeof(*l->box));
				memset(&l->box[l->nbox], 0, sizeof(*l->box));
				l->box[l->nbox].host = nd->host;
				parent_domain(nd->host, l->box[l->nbox].domain,
					      sizeof(l->box[l->nbox].domain));
				b = (int)l->nbox++;
			}
			l->node_box[ends[k]] = b;
			if (nd->role == FLOW_ROLE_MTA)
				l->box[b].has_mta = 1;
			else
				l->box[b].has_mda = 1;
		}
	}
	/* DNS lookups sit in the box of the host that asks. */
	for (i = 0; i < f->nnode; i++)
		if (f->node[i].role == FLOW_ROLE_DNS)
			l->node_box[i] = box_of_host(l, f->node[i].host);

	/* Clients: by domain, else by the server they talk to. */
	for (s = 0; s < f->nstep; s++) {
		const struct flow_step *st = &f->step[s];
		const struct flow_node *c;
		int b = -1;
		size_t k;

		if (st->kind != FLOW_TALK || st->node < 0 || l->node_box[st->node] >= 0)
			continue;
		c = &f->node[st->node];
		if (c->role != FLOW_ROLE_MUA && c->role != FLOW_ROLE_CLIENT &&
		    c->role != FLOW_ROLE_OTHER)
			continue;
		/* A loopback client runs on the server's own machine. */
		if (c->site != NULL && (b = box_of_host(l, c->site)) >= 0) {
			attach(l, f, st->node, b);
			continue;
		}
		for (k = 0; k < l->nbox; k++) {
			char d[128];

			parent_domain(c->host, d, sizeof(d));
			if (strcmp(d, l->box[k].domain) == 0 ||
			    strcmp(c->host, l->box[k].domain) == 0)
				b = (int)k;
		}
		if (b < 0 && flow_is_loopback(c->host) && st->peer >= 0)
			b = l->node_box[st->peer];
		if (b >= 0) {
			attach(l, f, st->node, b);
			continue;
		}
		/* Outside: remembered once, with the box it talks to. */
		for (k = 0; k < l->noutside; k++)
			if (l->outside[k] == st->node)
				break;
		if (k == l->noutside) {
			l->outside[l->noutside] = st->node;
			l->outside_box[l->noutside] = st->peer >= 0 ? l->node_box[st->peer] : -1;
			l->noutside++;
		}
	}
}

void tui_layout_free(struct tui_layout *l)
{
	size_t i;

	for (i = 0; i < l->nbox; i++)
		free(l->box[i].clients);
	free(l->box);
	free(l->node_box);
	free(l->outside);
	free(l->outside_box);
	memset(l, 0, sizeof(*l));
}

static void light_proc(struct tui_lit *lit, int slot, const struct tui_layout *l,
		       const struct flow *f, int node)
{
	if (node < 0)
		return;
	lit->proc[slot] = tui_layout_basename(f->node[node].process);
	lit->proc_box[slot] = l->node_box[node];
}

void tui_layout_lit(const struct tui_layout *l, const struct flow *f,
		    const struct flow_step *s, struct tui_lit *out)
{
	memset(out, 0, sizeof(*out));
	out->box = out->box2 = out->node = -1;
	out->proc_box[0] = out->proc_box[1] = -1;
	if (s == NULL || s->kind == FLOW_SAY)
		return;
	flow_step_label(f, s, out->label, sizeof(out->label));
	if (s->kind == FLOW_WORK) {
		const struct flow_node *nd = &f->node[s->node];

		if (nd->role == FLOW_ROLE_DNS) {
			out->arrow = TUI_ARROW_DNS;
			out->box = l->node_box[s->node];
		}
		light_proc(out, 0, l, f, s->node);
		return;
	}
	{
		const struct flow_node *c = &f->node[s->node];
		const struct flow_node *p = &f->node[s->peer];
		int cb = l->node_box[s->node], pb = l->node_box[s->peer];
		size_t i;

		/* The direction of the last line shown. */
		for (i = s->n; i-- > 0;) {
			const struct flow_ev *fe = &f->ev[s->evi[i]];

			if (!fe->dup && fe->ev.direction != TRACE_DIR_NONE &&
			    flow_is_line_protocol(fe->ev.protocol)) {
				out->toward_client = !fe->from_client;
				break;
			}
		}
		light_proc(out, 0, l, f, s->node);
		light_proc(out, 1, l, f, s->peer);
		if (cb < 0) {
			out->arrow = TUI_ARROW_OUTSIDE;
			out->node = s->node;
			out->box2 = pb;
		} else if (c->role == FLOW_ROLE_MTA && p->role == FLOW_ROLE_MTA && cb != pb) {
			out->arrow = TUI_ARROW_HOSTS;
			out->box = cb;
			out->box2 = pb;
		} else if (p->role == FLOW_ROLE_MDA) {
			out->arrow = TUI_ARROW_MUA_MDA;
			out->box = pb >= 0 ? pb : cb;
		} else {
			out->arrow = TUI_ARROW_MUA_MTA;
			out->box = pb >= 0 ? pb : cb;
		}
	}
}
