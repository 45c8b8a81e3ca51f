/*
 * libFuzzer target for the imapd engine: any bytes, before and after
 * login, against a RAM store holding two messages (one multipart).
 * Built by hand, not by make:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 \
 *     -D_GNU_SOURCE -Isrc tests/fuzz/fuzz_imapd.c $(ls src/imap/[!.]*.c) \
 *     $(ls src/store/[!.]*.c) src/lib/buf.c src/lib/xalloc.c \
 *     src/lib/err.c src/lib/fsutil.c -lcrypto -lcrypt -o /tmp/fuzz_imapd
 *   /tmp/fuzz_imapd -max_total_time=300 -max_len=4096
 *
 * The first byte picks the split of the input into feeds; a leading
 * login is done for inputs whose second byte is odd.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imap/imapd.h"
#include "lib/xalloc.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char msg1[] = "From: A <a@x>\nTo: b@y\nSubject: hi\n\nbody\n";
static const char msg2[] =
	"Content-Type: multipart/mixed; boundary=q\n\n--q\n"
	"Content-Type: text/plain; charset=iso-8859-1\n"
	"Content-Transfer-Encoding: quoted-printable\n\ncaf=E9\n--q\n"
	"Content-Type: message/rfc822\n\nSubject: in\n\nx\n--q--\n";

static void pump(struct imapd *s, struct store_user *u, mtime_t now)
{
	struct imapd_event ev;
	int guard = 0;

	while (imapd_next(s, &ev, now) == 1 && guard++ < 100000) {
		if (ev.type == IMAPD_EV_AUTH)
			imapd_auth_result(s, strcmp(ev.pass, "pw") == 0 ? u : NULL,
					  now);
		else if (ev.type == IMAPD_EV_STARTTLS)
			imapd_tls_started(s, now);
	}
	buf_clear(imapd_output(s));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imapd_conf conf;
	struct store_user *u;
	struct store_mailbox *mb;
	struct imapd *s;
	struct err e;
	size_t i, step;
	mtime_t now = 1795903389000LL;

	if (size < 2)
		return 0;
	u = store_user_open("ram:", "alice", "/home/alice", "", &e);
	if (store_mailbox_open(u, "INBOX", STORE_OPEN_RW, now, &mb, &e) == 0) {
		store_mailbox_append(mb, msg1, sizeof(msg1) - 1, STORE_SEEN, 0, -1,
				     now, NULL, &e);
		store_mailbox_append(mb, msg2, sizeof(msg2) - 1, 0, 0, -1, now,
				     NULL, &e);
		store_mailbox_close(&mb, now);
	}
	store_create(u, "Old", now, &e);
	imapd_conf_defaults(&conf);
	conf.max_append = 4096;
	s = imapd_new(&conf, now);
	step = 1 + data[0] % 64;
	if (data[1] & 1) {
		imapd_feed(s, "l LOGIN alice pw\r\n", 18, now);
		pump(s, u, now);
	}
	data += 2;
	size -= 2;
	for (i = 0; i < size; i += step) {
		size_t n = size - i < step ? size - i : step;

		imapd_feed(s, data + i, n, now);
		pump(s, u, now);
		imapd_tick(s, now);
		now += 1000;
	}
	imapd_eof(s, now);
	pump(s, u, now);
	imapd_free(&s);
	store_user_free(&u);
	return 0;
}
