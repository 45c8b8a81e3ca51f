/*
 * The sequence diagram. Geometry: a left margin for step numbers and
 * protocol labels, then one lane LANE_W wide per node, then one row per
 * line shown. Lanes are ordered by first appearance, which for a mail
 * flow reads left to right: sender's MUA, its MTA's processes, DNS, the
 * receiving MTA, its MDA, the reader's MUA.
 */
#include "ui/svg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "ui/narrator.h"

enum {
	MARGIN_L = 170,
	LANE_W = 240,
	HEAD_Y = 70,
	HEAD_H = 50,
	ROW = 24,
	CHAR_W = 9,		/* 15px monospace, roughly */
};

static const char *nz(const char *s)
{
	return s ? s : "";
}

void svg_escape(struct buf *b, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)nz(s);
	size_t chars = 0;

	while (*p != '\0') {
		size_t u = flow_utf8_len(p);

		if (max > 0 && chars == max - 1 && p[u ? u : 1] != '\0') {
			buf_adds(b, "\xe2\x80\xa6");	/* U+2026 ellipsis */
			return;
		}
		chars++;
		if (u == 0 || (*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f) {
			buf_addf(b, "\\x%02x", *p++);
			continue;
		}
		switch (*p) {
		case '&': buf_adds(b, "&amp;"); break;
		case '<': buf_adds(b, "&lt;"); break;
		case '>': buf_adds(b, "&gt;"); break;
		case '"': buf_adds(b, "&quot;"); break;
		case '\t': buf_adds(b, "\\t"); break;
		default: buf_add(b, p, u); break;
		}
		p += u;
	}
}

int *svg_lanes(const struct flow *f, size_t *n_out)
{
	int *lanes = xcalloc(f->nnode + 1, sizeof(*lanes));
	char *seen = xcalloc(f->nnode + 1, 1);
	size_t n = 0, i;

	for (i = 0; i < f->nstep; i++) {
		const struct flow_step *s = &f->step[i];
		int ends[2] = { s->node, s->peer };
		size_t k;

		if (s->kind == FLOW_SAY)
			continue;
		for (k = 0; k < 2; k++) {
			if (ends[k] < 0 || seen[ends[k]])
				continue;
			seen[ends[k]] = 1;
			lanes[n++] = ends[k];
		}
	}
	free(seen);
	*n_out = n;
	return lanes;
}

static int lane_x(const int *lanes, size_t n, int node)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (lanes[i] == node)
			return MARGIN_L + (int)i * LANE_W + LANE_W / 2;
	return MARGIN_L;
}

/* Rows the diagram needs: one per shown line or note, two per SAY. */
static size_t count_rows(const struct flow *f)
{
	size_t i, rows = 0;

	for (i = 0; i < f->nstep; i++)
		rows += f->step[i].kind == FLOW_SAY ? 2 : flow_step_lines(f, &f->step[i]);
	return rows;
}

static void lane_heads(struct buf *b, const struct flow *f, const int *lanes,
		       size_t n, int bottom)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct flow_node *nd = &f->node[lanes[i]];
		int x = lane_x(lanes, n, lanes[i]);
		const char *top = nd->role == FLOW_ROLE_MUA ? "MUA" : nd->host;
		const char *sub = nd->role == FLOW_ROLE_MUA ? nd->host :
				  nd->role == FLOW_ROLE_CLIENT ? nd->process : nd->process;

		buf_addf(b, "<line class=\"lane\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
			 x, HEAD_Y + HEAD_H, x, bottom);
		buf_addf(b, "<g class=\"node role-%d\"><rect x=\"%d\" y=\"%d\" width=\"%d\" "
			 "height=\"%d\" rx=\"6\"/>", (int)nd->role, x - LANE_W / 2 + 10,
			 HEAD_Y, LANE_W - 20, HEAD_H);
		buf_addf(b, "<text x=\"%d\" y=\"%d\" class=\"head\">", x, HEAD_Y + 21);
		svg_escape(b, top, 24);
		buf_addf(b, "</text><text x=\"%d\" y=\"%d\" class=\"head sub\">", x, HEAD_Y + 41);
		svg_escape(b, strcmp(sub, "client") == 0 ? "" : sub, 24);
		buf_adds(b, "</text></g>\n");
	}
}

static const char style[] =
	"<style>\n"
	"text { font-family: 'DejaVu Sans Mono', 'Liberation Mono', monospace; font-size: 15px; }\n"
	".title { font-family: 'DejaVu Sans', sans-serif; font-size: 24px; font-weight: bold; }\n"
	".head { font-family: 'DejaVu Sans', sans-serif; font-size: 15px; text-anchor: middle; font-weight: bold; }\n"
	".sub { font-weight: normal; }\n"
	".node rect { fill: #eef3f8; stroke: #345; stroke-width: 1.5; }\n"
	".role-0 rect { fill: #fff6dd; } .role-2 rect { fill: #e9f6ea; }\n"
	".lane { stroke: #9aa; stroke-width: 1.5; stroke-dasharray: 6 5; }\n"
	".line line { stroke-width: 2; }\n"
	".c line { stroke: #1f5fa8; } .c text { fill: #1f5fa8; }\n"
	".s line { stroke: #2e7d32; } .s text { fill: #2e7d32; }\n"
	".s.err line { stroke: #c62828; } .s.err text { fill: #c62828; font-weight: bold; }\n"
	".note text { fill: #555; font-size: 13px; } .note circle { fill: #777; }\n"
	".say rect { fill: #f3eefa; } .say text { font-family: 'DejaVu Sans', sans-serif; fill: #4a2d7a; }\n"
	".step { fill: #333; font-weight: bold; } .proto { fill: #666; font-size: 13px; }\n"
	"</style>\n"
	"<defs>\n"
	"<marker id=\"ac\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#1f5fa8\"/></marker>\n"
	"<marker id=\"as\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#2e7d32\"/></marker>\n"
	"<marker id=\"ae\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#c62828\"/></marker>\n"
	"</defs>\n";

/* A reply line that reports a failure: SMTP 4xx/5xx, POP3 -ERR, IMAP NO/BAD. */
static int is_error_reply(const char *protocol, const char *text)
{
	const char *sp;

	if (strcmp(protocol, "smtp") == 0 || strcmp(protocol, "lmtp") == 0)
		return text[0] == '4' || text[0] == '5';
	if (strcmp(protocol, "pop3") == 0)
		return strncmp(text, "-ERR", 4) == 0;
	sp = strchr(text, ' ');
	return sp != NULL && (strncmp(sp + 1, "NO ", 3) == 0 ||
			      strncmp(sp + 1, "BAD ", 4) == 0);
}

static void draw_line(struct buf *b, const struct flow *f, const struct flow_step *s,
		      const struct flow_ev *fe, const int *lanes, size_t n, int y)
{
	const struct trace_event *e = &fe->ev;
	int from = fe->from_client ? s->node : s->peer;
	int to = fe->from_client ? s->peer : s->node;
	int x1 = lane_x(lanes, n, from), x2 = lane_x(lanes, n, to);
	int left = x1 < x2 ? x1 : x2, span = abs(x2 - x1);
	int err = !fe->from_client && is_error_reply(e->protocol, nz(e->text));
	size_t max = (size_t)(span > 0 ? span : LANE_W) / CHAR_W;
	struct buf esc;

	(void)f;
	if (max < 40)
		max = 40;
	buf_init(&esc);
	narrator_escape(&esc, e->text);
	buf_addf(b, "<g class=\"line %s%s\"><title>", fe->from_client ? "c" : "s",
		 err ? " err" : "");
	svg_escape(b, esc.data, 0);
	buf_addf(b, "</title><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" marker-end=\"url(#%s)\"/>",
		 x1, y, x2 + (x2 > x1 ? -2 : 2), y,
		 err ? "ae" : fe->from_client ? "ac" : "as");
	buf_addf(b, "<text x=\"%d\" y=\"%d\">", left + 8, y - 5);
	svg_escape(b, esc.data, max);
	buf_adds(b, "</text></g>\n");
	buf_reset(&esc);
}

static void draw_note(struct buf *b, const struct flow_ev *fe, int x, int y)
{
	const struct trace_event *e = &fe->ev;
	struct buf t;

	buf_init(&t);
	if (strcmp(nz(e->protocol), "log") == 0)
		buf_addf(&t, "log: %s", flow_log_short(e->text));
	else
		buf_addf(&t, "%s: %s", nz(e->protocol), nz(e->text));
	buf_addf(b, "<g class=\"note\"><title>");
	svg_escape(b, t.data, 0);
	buf_addf(b, "</title><circle cx=\"%d\" cy=\"%d\" r=\"4\"/><text x=\"%d\" y=\"%d\">",
		 x, y - 9, x + 10, y - 5);
	svg_escape(b, t.data, 90);
	buf_adds(b, "</text></g>\n");
	buf_reset(&t);
}

void svg_render(struct buf *b, const struct flow *f, const struct scenario *sc,
		const char *lang)
{
	size_t nl, i, j;
	int *lanes = svg_lanes(f, &nl);
	int width = MARGIN_L + (int)(nl ? nl : 1) * LANE_W + 20;
	int top = HEAD_Y + HEAD_H + 30;
	int height = top + (int)count_rows(f) * ROW + 40;
	const char *title = sc ? scenario_text_get(&sc->title, lang) : NULL;
	int y = top;

	buf_addf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		 "viewBox=\"0 0 %d %d\">\n", width, height, width, height);
	buf_adds(b, style);
	buf_addf(b, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", width, height);
	buf_adds(b, "<text class=\"title\" x=\"20\" y=\"38\">");
	if (sc != NULL) {
		svg_escape(b, sc->name, 0);
		buf_adds(b, ": ");
	}
	svg_escape(b, title ? title : "maillab demo", 0);
	buf_adds(b, "</text>\n");
	lane_heads(b, f, lanes, nl, height - 20);

	for (i = 0; i < f->nstep; i++) {
		const struct flow_step *s = &f->step[i];
		int first = 1;

		if (s->kind == FLOW_SAY) {
			y += ROW;
			buf_addf(b, "<g class=\"say\"><rect x=\"10\" y=\"%d\" width=\"%d\" height=\"%d\"/>"
				 "<text x=\"20\" y=\"%d\">", y - ROW + 4, width - 20, ROW, y - 4);
			svg_escape(b, flow_say_text(f, s), (size_t)(width - 40) / 9);
			buf_adds(b, "</text></g>\n");
			y += ROW;
			continue;
		}
		for (j = 0; j < s->n; j++) {
			const struct flow_ev *fe = &f->ev[s->evi[j]];

			if (fe->dup)
				continue;
			y += ROW;
			if (first) {
				char label[64];

				flow_step_label(f, s, label, sizeof(label));
				buf_addf(b, "<text class=\"step\" x=\"20\" y=\"%d\">%d.</text>"
					 "<text class=\"proto\" x=\"62\" y=\"%d\">", y - 5, s->number, y - 5);
				svg_escape(b, label, 0);
				buf_adds(b, "</text>\n");
				first = 0;
			}
			if (s->kind == FLOW_TALK && flow_is_line_protocol(fe->ev.protocol) &&
			    fe->ev.direction != TRACE_DIR_NONE)
				draw_line(b, f, s, fe, lanes, nl, y);
			else
				draw_note(b, fe, lane_x(lanes, nl, flow_node_find(f,
					  fe->ev.host, fe->ev.process)), y);
		}
	}
	buf_adds(b, "</svg>\n");
	free(lanes);
}

int svg_write(FILE *out, const struct flow *f, const struct scenario *sc,
	      const char *lang, struct err *e)
{
	struct buf b;
	int rc = 0;

	buf_init(&b);
	buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	svg_render(&b, f, sc, lang);
	if (fwrite(b.data, 1, b.len, out) != b.len || fflush(out) != 0)
		rc = err_set(e, errno, _("cannot write the diagram: %s"), strerror(errno));
	buf_reset(&b);
	return rc;
}
