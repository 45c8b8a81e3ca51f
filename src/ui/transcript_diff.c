/*
 * transcript_diff: a unified diff of two line lists (longest common
 * subsequence; transcripts are a few hundred lines at most), so replay
 * shows a differing reply the way `diff -u` and capture.py's diff do.
 */
#include "ui/transcript.h"

#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

enum op { OP_EQ, OP_DEL, OP_ADD };

struct edit {
	enum op op;
	size_t ai, bi;		/* position in a and b before this edit */
};

static size_t lcs_script(char *const *a, size_t na, char *const *b, size_t nb,
			 struct edit **out)
{
	size_t i, j, n = 0, w = nb + 1;
	unsigned *t = xcalloc((na + 1) * (nb + 1), sizeof(*t));
	struct edit *e = xmalloc((na + nb + 1) * sizeof(*e));

	for (i = na; i-- > 0;)
		for (j = nb; j-- > 0;) {
			if (strcmp(a[i], b[j]) == 0)
				t[i * w + j] = t[(i + 1) * w + j + 1] + 1;
			else if (t[(i + 1) * w + j] >= t[i * w + j + 1])
				t[i * w + j] = t[(i + 1) * w + j];
			else
				t[i * w + j] = t[i * w + j + 1];
		}
	i = j = 0;
	while (i < na || j < nb) {
		e[n].ai = i;
		e[n].bi = j;
		if (i < na && j < nb && strcmp(a[i], b[j]) == 0) {
			e[n++].op = OP_EQ;
			i++;
			j++;
		} else if (j >= nb || (i < na && t[(i + 1) * w + j] >= t[i * w + j + 1])) {
			e[n++].op = OP_DEL;
			i++;
		} else {
			e[n++].op = OP_ADD;
			j++;
		}
	}
	free(t);
	*out = e;
	return n;
}

size_t transcript_diff(FILE *f, const char *alabel, const char *blabel,
		       char *const *a, const int *alines_no, size_t na,
		       char *const *b, size_t nb, int context)
{
	struct edit *e;
	size_t n = lcs_script(a, na, b, nb, &e), k, changed = 0;
	size_t ctx = context < 0 ? 0 : (size_t)context;
	int header = 0;

	k = 0;
	while (k < n) {
		size_t first, last, s, aa = 0, bb = 0, m;

		if (e[k].op == OP_EQ) {
			k++;
			continue;
		}
		/* A hunk: this change, later ones within 2*ctx equal lines,
		 * and ctx equal lines around. */
		first = k > ctx ? k - ctx : 0;
		last = k;
		for (m = k; m < n; m++) {
			if (e[m].op != OP_EQ) {
				last = m;
			} else if (m - last > 2 * ctx) {
				break;
			}
		}
		last = last + ctx < n - 1 ? last + ctx : n - 1;
		for (s = first; s <= last; s++) {
			if (e[s].op != OP_ADD)
				aa++;
			if (e[s].op != OP_DEL)
				bb++;
		}
		if (!header) {
			fprintf(f, "--- %s\n+++ %s\n", alabel, blabel);
			header = 1;
		}
		fprintf(f, "@@ -%zu,%zu +%zu,%zu @@", e[first].ai + (aa ? 1 : 0),
			aa, e[first].bi + (bb ? 1 : 0), bb);
		if (alines_no != NULL && na > 0) {
			size_t ai = e[first].ai < na ? e[first].ai : na - 1;

			fprintf(f, " line %d", alines_no[ai]);
		}
		fputc('\n', f);
		for (s = first; s <= last; s++) {
			switch (e[s].op) {
			case OP_EQ:
				fprintf(f, " %s\n", a[e[s].ai]);
				break;
			case OP_DEL:
				fprintf(f, "-%s\n", a[e[s].ai]);
				changed++;
				break;
			case OP_ADD:
				fprintf(f, "+%s\n", b[e[s].bi]);
				changed++;
				break;
			}
		}
		k = last + 1;
	}
	free(e);
	return changed;
}
