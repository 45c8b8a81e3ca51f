/*
 * libFuzzer target for the MIME parser and its IMAP writers. Built by
 * hand, not by make:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 \
 *     -D_GNU_SOURCE -Isrc tests/fuzz/fuzz_mime.c src/store/mime*.c \
 *     src/lib/buf.c src/lib/xalloc.c -lcrypto -o /tmp/fuzz_mime
 *   /tmp/fuzz_mime -max_total_time=60 -max_len=65536
 *
 * Every input must parse; every writer must run; sizes must add up.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "store/mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const struct mime_msg *m, const struct mime_part *p)
{
	for (; p != NULL; p = p->next) {
		BUG_ON(p->hdr_off + p->hdr_size > m->len);
		BUG_ON(p->body_off + p->body_size > m->len);
		BUG_ON(p->hdr_vsize < p->hdr_size || p->body_vsize < p->body_size);
		walk(m, p->children);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the input is copied so ASan sees reads past its end */
	char *copy = xmalloc(size);
	struct mime_msg *m;
	struct buf out;
	static const char *const specs[] = {
		"", "HEADER", "TEXT", "1", "1.MIME", "2.1", "1.2.3.TEXT",
		"2.HEADER.FIELDS (FROM TO)", "HEADER.FIELDS.NOT (SUBJECT)",
	};
	size_t i;

	memcpy(copy, data, size);
	m = mime_parse(copy, size);
	walk(m, m->root);
	buf_init(&out);
	mime_imap_bodystructure(&out, m->root, 1);
	mime_imap_bodystructure(&out, m->root, 0);
	mime_imap_envelope(&out, m->root);
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct mime_sect s;

		if (mime_sect_parse(specs[i], strlen(specs[i]), &s) == 0) {
			mime_sect_get(m, &s, &out);
			mime_sect_label(&out, &s);
			mime_sect_reset(&s);
		}
	}
	mime_decode(m->root->encoding, copy + m->root->body_off,
		    m->root->body_size, &out);
	mime_decode_words(copy, size < 4096 ? size : 4096, &out);
	/* the input as a section spec and as an address list too */
	{
		struct mime_sect s;
		struct mime_addr *a;

		if (mime_sect_parse(copy, size, &s) == 0)
			mime_sect_reset(&s);
		a = mime_addr_parse(copy, size);
		mime_addr_free(a);
	}
	buf_reset(&out);
	mime_free(&m);
	free(copy);
	return 0;
}
