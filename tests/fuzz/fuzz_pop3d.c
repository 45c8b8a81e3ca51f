/*
 * libFuzzer target for the POP3 engine (not built by make):
 *
 *	clang -std=c11 -D_GNU_SOURCE -g -O1 -Isrc -fsanitize=fuzzer,address,undefined \
 *	    tests/fuzz/fuzz_pop3d.c src/pop3/pop3d.c src/pop3/pop3d_cmd.c \
 *	    src/store/store.c src/store/store_ram.c src/store/store_mbox*.c \
 *	    src/store/store_maildir.c \
 *	    src/lib/buf.c src/lib/xalloc.c src/lib/err.c src/lib/clock.c \
 *	    -lcrypto -o fuzz_pop3d
 *	./fuzz_pop3d -max_len=4096
 *
 * The input
 * is fed to a fresh session in chunks whose sizes come from the input
 * itself; every AUTH succeeds (so the TRANSACTION commands are reached)
 * unless the password starts with 'x'. The engine must never crash, leak
 * or answer without CRLF.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pop3/pop3d.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store_user *seeded(void)
{
	static const char m1[] = "Subject: one\r\n\r\n.dot\r\nbody\r\n";
	static const char m2[] = "Subject: two\n\nno CR\n.\n";
	struct store_user *u = store_user_open("ram:", "alice", "/home/alice",
					       "", NULL);
	struct store_mailbox *mb;
	struct err e;

	if (u == NULL || store_mailbox_open(u, "INBOX", STORE_OPEN_RW, 1000,
					    &mb, &e) < 0)
		abort();
	store_mailbox_append(mb, m1, sizeof(m1) - 1, 0, 0, -1, 1000, NULL, &e);
	store_mailbox_append(mb, m2, sizeof(m2) - 1, 0, 0, -1, 1000, NULL, &e);
	store_mailbox_close(&mb, 1000);
	return u;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pop3d_conf conf;
	struct store_user *u = seeded();
	struct store_mailbox *mb = NULL;
	struct pop3d *s;
	struct pop3d_event ev;
	mtime_t now = 1000;
	size_t pos = 0;
	int secured = size > 0 ? data[0] & 1 : 1;

	memset(&conf, 0, sizeof(conf));
	conf.greeting = "Dovecot ready.";
	conf.secured = secured;
	conf.disable_plaintext_auth = 1;
	conf.tls_offer = 1;
	conf.auth_failure_delay_ms = 10;
	s = pop3d_new(&conf, now);
	while (pos < size) {
		size_t chunk = (size_t)(data[pos] % 64) + 1;

		if (chunk > size - pos)
			chunk = size - pos;
		pop3d_feed(s, data + pos, chunk, now);
		pos += chunk;
		while (pop3d_next(s, &ev, now) == 1) {
			if (ev.type == POP3D_EV_AUTH) {
				struct pop3d_verdict v;
				struct err e;

				memset(&v, 0, sizeof(v));
				v.ok = ev.pass[0] != 'x';
				v.user = ev.user;
				if (v.ok && mb == NULL &&
				    store_mailbox_open(u, "INBOX", STORE_OPEN_RW,
						       now, &mb, &e) == 0)
					v.mailbox = mb;
				pop3d_auth_verdict(s, &v, now);
			} else if (ev.type == POP3D_EV_STLS) {
				pop3d_tls_started(s, now);
			}
		}
		{
			struct buf *out = pop3d_output(s);

			if (out->len > 0 && out->data[out->len - 1] != '\n')
				abort();
			buf_clear(out);
		}
		now += 7;
	}
	pop3d_eof(s, now);
	while (pop3d_next(s, &ev, now) == 1)
		;
	pop3d_free(&s);
	store_mailbox_close(&mb, now);
	store_user_free(&u);
	return 0;
}
