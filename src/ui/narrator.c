/*
 * The plain-text narration. A step looks like
 *
 *    4. MUA client.a.example -> mail.a.example postfix/smtpd   SMTP :25
 *         C: MAIL FROM:<alice@a.example>
 *         S: 250 2.1.0 Ok
 *         log: postfix/smtpd: 4B1C2D3E4F5: client=client.a.example[192.0.2.100]
 *       MAIL FROM: the envelope sender, where bounces go back to; ...
 *
 * and a scenario action's own text opens each part with "==".
 */
#include "ui/narrator.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "ui/flow_state.h"
#include "ui/narrator_explain.h"

void narrator_init(struct narrator *n, FILE *out, const char *lang)
{
	memset(n, 0, sizeof(*n));
	n->out = out;
	n->lang = lang;
	n->width = 72;
}

const char *narrator_lang(void)
{
	/* TRANSLATORS: the code of this catalogue's language as scenario
	   files write it after "say." and "title.": pt_BR. Not shown. */
	const char *l = _("en");

	return l;
}

void narrator_escape(struct buf *b, const char *line)
{
	/*
	 * As transcripts/ write bytes, except that valid UTF-8 and the
	 * backslash stay as they are: a learner reads "(\Seen)" as it is
	 * on the wire.
	 */
	const unsigned char *p = (const unsigned char *)(line ? line : "");

	for (; *p != '\0'; p++) {
		size_t u = *p >= 0x80 ? flow_utf8_len(p) : 1;

		if (u > 1) {
			/* Valid UTF-8 (an accented body line) stays readable. */
			buf_add(b, p, u);
			p += u - 1;
		} else if (*p >= 0x80)
			buf_addf(b, "\\x%02x", *p);
		else if (*p == '\t')
			buf_adds(b, "\\t");
		else if (*p == '\r')
			buf_adds(b, "\\r");
		else if (*p == '\n')
			buf_adds(b, "\\n");
		else if (*p < 0x20 || *p == 0x7f)
			buf_addf(b, "\\x%02x", *p);
		else
			buf_addc(b, (char)*p);
	}
}

void narrator_span(mtime_t ms, char *buf, size_t n)
{
	long long s = ms / 1000, d = s / 86400, h = (s % 86400) / 3600,
		  m = (s % 3600) / 60;

	if (d > 0 && h > 0)
		snprintf(buf, n, "%lld d %lld h", d, h);
	else if (d > 0)
		snprintf(buf, n, "%lld d", d);
	else if (h > 0 && m > 0)
		snprintf(buf, n, "%lld h %lld min", h, m);
	else if (h > 0)
		snprintf(buf, n, "%lld h", h);
	else if (m > 0)
		snprintf(buf, n, "%lld min", m);
	else
		snprintf(buf, n, "%lld s", s);
}

/* Display width of UTF-8 text: one column per character (the texts are
 * Latin script; no wide characters). */
static size_t columns(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/* Prints text wrapped at n->width, each line indented by `indent`. */
static void wrap(struct narrator *n, const char *text, int indent)
{
	const char *p = text;
	size_t col = 0;
	int first = 1;

	while (*p != '\0') {
		size_t wl = strcspn(p, " ");
		size_t w = columns(p, wl);

		if (!first && col + 1 + w > (size_t)n->width) {
			fputc('\n', n->out);
			col = 0;
			first = 1;
		}
		if (first) {
			fprintf(n->out, "%*s", indent, "");
			col = (size_t)indent;
		} else {
			fputc(' ', n->out);
			col++;
		}
		fwrite(p, 1, wl, n->out);
		col += w;
		first = 0;
		p += wl;
		while (*p == ' ')
			p++;
	}
	if (col > 0)
		fputc('\n', n->out);
}

static void format_time(mtime_t t, char *buf, size_t n)
{
	time_t secs = (time_t)(t / 1000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	/* Fixed English names, as mail.log and mailq show dates. */
	strftime(buf, n, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

void narrator_intro(struct narrator *n, const struct scenario *sc)
{
	const char *title = scenario_text_get(&sc->title, n->lang);
	const char *intro = scenario_text_get(&sc->intro, n->lang);

	fprintf(n->out, _("maillab demo: %s (world \"%s\")\n"), sc->name, sc->world);
	if (title != NULL)
		fprintf(n->out, "%s\n", title);
	if (intro != NULL) {
		fputc('\n', n->out);
		wrap(n, intro, 0);
	}
}

static int wait_enter(struct narrator *n)
{
	int c;

	if (n->step_in == NULL)
		return 0;
	if (n->prompt != NULL) {
		fprintf(n->prompt, "%s", _("[Enter: next step, q: quit] "));
		fflush(n->prompt);
	}
	fflush(n->out);
	c = fgetc(n->step_in);
	if (c == 'q' || c == 'Q' || c == EOF)
		return -1;
	while (c != '\n' && c != EOF)
		c = fgetc(n->step_in);
	return 0;
}

static void print_lines(struct narrator *n, const struct flow *f,
			const struct flow_step *s)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < s->n; i++) {
		const struct flow_ev *fe = &f->ev[s->evi[i]];
		const struct trace_event *e = &fe->ev;

		if (fe->dup)
			continue;
		buf_clear(&b);
		if (flow_is_line_protocol(e->protocol) && e->direction != TRACE_DIR_NONE) {
			buf_adds(&b, fe->from_client ? "C: " : "S: ");
			narrator_escape(&b, e->text);
		} else if (strcmp(e->protocol, "log") == 0) {
			const char *shortened = flow_log_short(e->text);

			const char *who = flow_log_process(e->process);

			buf_adds(&b, "log: ");
			/* A bare message: say whose it is, as mail.log would. */
			if (who != NULL && strncmp(shortened, who, strlen(who)) != 0)
				buf_addf(&b, "%s: ", who);
			narrator_escape(&b, shortened);
		} else {
			buf_addf(&b, "%s: ", e->protocol);
			narrator_escape(&b, e->text);
		}
		fprintf(n->out, "       %s\n", b.data);
	}
	buf_reset(&b);
}

/*
 * A DNS step is the DNS node's (flow.c), but someone asked: smtp on the
 * sending host. Named as a Postfix node is ("mail.a.example postfix/smtp")
 * into buf; 0, or -1 when s is no DNS step.
 */
static int dns_asker(const struct flow *f, const struct flow_step *s,
		     char *buf, size_t n)
{
	const struct trace_event *e;

	if (s->kind != FLOW_WORK || s->n == 0 || strcmp(s->protocol, "dns") != 0)
		return -1;
	e = &f->ev[s->evi[0]].ev;
	if (e->host == NULL || e->process == NULL)
		return -1;
	snprintf(buf, n, "%s %s", e->host, e->process);
	return 0;
}

int narrator_step(struct narrator *n, const struct flow *f,
		  const struct flow_step *s)
{
	const char *why;
	char label[64], asker[256];

	if (n->last_time != 0 && s->time - n->last_time >= 60000) {
		char span[32], when[40];

		narrator_span(s->time - n->last_time, span, sizeof(span));
		format_time(s->time, when, sizeof(when));
		fputc('\n', n->out);
		fprintf(n->out, _("   ... %s later (%s)\n"), span, when);
	}
	if (s->kind == FLOW_SAY) {
		const struct trace_event *e = &f->ev[s->evi[0]].ev;
		const char *text = flow_say_text(f, s);

		if (n->last_time == 0) {
			char when[40];

			format_time(s->time, when, sizeof(when));
			fprintf(n->out, _("\nVirtual clock: %s\n"), when);
		}
		n->last_time = s->time;
		fprintf(n->out, "\n== %s\n", e->text);
		if (e->note != NULL && *text != '\0')
			wrap(n, text, 3);
		return 0;
	}
	if (wait_enter(n) < 0)
		return -1;
	n->last_time = s->time;
	flow_step_label(f, s, label, sizeof(label));
	fputc('\n', n->out);
	if (s->kind == FLOW_TALK)
		fprintf(n->out, "%3d. %s -> %s   %s\n", s->number,
			f->node[s->node].label, f->node[s->peer].label, label);
	else if (dns_asker(f, s, asker, sizeof(asker)) == 0)
		fprintf(n->out, "%3d. %s -> %s   %s\n", s->number, asker,
			f->node[s->node].label, label);
	else
		fprintf(n->out, "%3d. %s   %s\n", s->number,
			f->node[s->node].label, label);
	print_lines(n, f, s);
	why = narrator_explain_step(f, s);
	if (why != NULL)
		wrap(n, why, 5);
	return 0;
}

void narrator_summary(struct narrator *n, const struct flow *f)
{
	struct flow_state st;
	const char *const queues[] = { "incoming", "active", "deferred" };
	char **hosts = NULL;
	size_t nhosts = 0, i, j, q;

	/* The hosts with Postfix or Dovecot at work, in order of appearance. */
	for (i = 0; i < f->nnode; i++) {
		const struct flow_node *nd = &f->node[i];

		if (nd->role != FLOW_ROLE_MTA && nd->role != FLOW_ROLE_MDA)
			continue;
		for (j = 0; j < nhosts; j++)
			if (strcmp(hosts[j], nd->host) == 0)
				break;
		if (j == nhosts) {
			hosts = xrealloc(hosts, (nhosts + 1) * sizeof(*hosts));
			hosts[nhosts++] = nd->host;
		}
	}
	flow_state_init(&st);
	flow_state_at(&st, f, f->nstep);
	fprintf(n->out, "\n%s\n", _("== Where everything is now"));
	for (i = 0; i < nhosts; i++) {
		int any = 0;

		fprintf(n->out, "   %s\n", hosts[i]);
		for (q = 0; q < ARRAY_LEN(queues); q++) {
			size_t c = flow_state_count(&st, hosts[i], queues[q]);

			if (c == 0)
				continue;
			fprintf(n->out, ngettext("     queue %s: %zu message\n",
						 "     queue %s: %zu messages\n", c),
				queues[q], c);
			any = 1;
		}
		if (!any)
			fprintf(n->out, "%s\n", _("     queues: empty"));
		for (j = 0; j < st.nbox; j++) {
			if (strcmp(st.box[j].host, hosts[i]) != 0)
				continue;
			/*
			 * Zero has a message of its own: pt_BR's plural rule
			 * (n > 1) puts 0 with 1, and "0 mensagem" reads wrong.
			 */
			if (st.box[j].count == 0)
				fprintf(n->out, _("     mailbox /var/mail/%s: 0 messages\n"),
					st.box[j].user);
			else
				fprintf(n->out, ngettext("     mailbox /var/mail/%s: %d message\n",
							 "     mailbox /var/mail/%s: %d messages\n",
							 (unsigned long)st.box[j].count),
					st.box[j].user, st.box[j].count);
		}
	}
	flow_state_reset(&st);
	free(hosts);
}

/*
 * What a step looks like with its numbers masked: queue IDs (a run of eight
 * or more hex digits with a digit in it) become "Q", other numbers "#".
 * Two retries of a deferred message have the same signature.
 */
static char *signature(const struct flow *f, const struct flow_step *s)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	buf_addf(&b, "%d %d %d|", (int)s->kind, s->node, s->peer);
	for (i = 0; i < s->n; i++) {
		const struct flow_ev *fe = &f->ev[s->evi[i]];
		const char *p = fe->ev.text;

		if (fe->dup)
			continue;
		buf_addf(&b, "%s:", fe->ev.protocol);
		while (*p != '\0') {
			size_t run = strspn(p, "0123456789ABCDEF");

			if (run >= 8 && strpbrk(p, "0123456789") < p + run) {
				buf_addc(&b, 'Q');
				p += run;
			} else if (*p >= '0' && *p <= '9') {
				buf_addc(&b, '#');
				p += strspn(p, "0123456789");
			} else {
				buf_addc(&b, *p++);
			}
		}
		buf_addc(&b, '|');
	}
	return buf_steal(&b, NULL);
}

/* How many times the block of len steps at i repeats back to back. */
static size_t repeats(const struct flow *f, char **sig, size_t i, size_t len)
{
	size_t reps = 1, k;

	for (;;) {
		size_t at = i + reps * len;

		if (at + len > f->nstep)
			return reps;
		for (k = 0; k < len; k++)
			if (f->step[at + k].kind == FLOW_SAY ||
			    strcmp(sig[i + k], sig[at + k]) != 0)
				return reps;
		reps++;
	}
}

int narrator_all(struct narrator *n, const struct flow *f)
{
	char **sig = xcalloc(f->nstep + 1, sizeof(*sig));
	size_t i, k;
	int rc = 0;

	for (i = 0; i < f->nstep; i++)
		sig[i] = signature(f, &f->step[i]);
	for (i = 0; i < f->nstep && rc == 0;) {
		size_t len = 0, reps = 1, l;

		/* A cycle told four times or more (retries of a deferred
		 * message): the first, a summary line, the last. The cycle
		 * length that hides the most steps wins. */
		for (l = 1; l <= 8 && f->step[i].kind != FLOW_SAY; l++) {
			size_t ok = 1, r;

			for (k = 0; k < l && ok; k++)
				ok = i + k < f->nstep && f->step[i + k].kind != FLOW_SAY;
			if (!ok)
				break;
			r = repeats(f, sig, i, l);
			if (r >= 4 && r * l > reps * len) {
				reps = r;
				len = l;
			}
		}
		if (len == 0) {
			rc = narrator_step(n, f, &f->step[i]);
			i++;
			continue;
		}
		for (k = 0; k < len && rc == 0; k++)
			rc = narrator_step(n, f, &f->step[i + k]);
		{
			const struct flow_step *last = &f->step[i + (reps - 1) * len - 1];
			char when[40];

			format_time(last->time, when, sizeof(when));
			fputc('\n', n->out);
			fprintf(n->out, ngettext("   (%zu more time the same, until %s)\n",
						 "   (%zu more times the same, until %s)\n",
						 (unsigned long)(reps - 2)), reps - 2, when);
			n->last_time = last->time;
		}
		i += (reps - 1) * len;
		for (k = 0; k < len && rc == 0; k++)
			rc = narrator_step(n, f, &f->step[i + k]);
		i += len;
	}
	for (i = 0; i < f->nstep; i++)
		free(sig[i]);
	free(sig);
	if (rc == 0)
		narrator_summary(n, f);
	return rc;
}
