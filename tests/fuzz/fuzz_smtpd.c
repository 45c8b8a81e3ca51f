/*
 * libFuzzer target for the smtpd engine (not part of `make`). Build and
 * run from the top of the tree:
 *
 *   clang -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
 *     -Isrc tests/fuzz/fuzz_smtpd.c src/smtp/smtpd_*.c src/smtp/smtpd.c \
 *     src/lib/buf.c src/lib/xalloc.c -lcrypto -o /tmp/fuzz_smtpd
 *   mkdir -p /tmp/smtpd-corpus && cp tests/fuzz/corpus/smtpd-* /tmp/smtpd-corpus/
 *   /tmp/fuzz_smtpd -max_total_time=120 /tmp/smtpd-corpus
 *
 * tests/fuzz/corpus/smtpd-NN holds the client writes of each reference
 * transcript in this input format (STARTTLS handshakes as 0xff).
 *
 * Input: byte 0 picks the configuration (bare-LF mode, SASL, TLS, limits),
 * byte 1 seeds the fake policy; the rest is cut into client writes, each
 * prefixed by a length byte. Length 0 means "the client closed", 0xff
 * "the TLS handshake succeeded" (when STARTTLS is pending), 0xfe a
 * timeout, 0xfd a broken connection. After the input the client always
 * closes, so every run ends with the session over. The engine must never
 * crash, leak, loop or answer after the end.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/smtpd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_drv {
	struct smtpd *s;
	unsigned seed;
	int tls_pending;
	int closed;
	size_t out;
};

static void run(struct fuzz_drv *d, mtime_t now)
{
	struct smtpd_event ev;
	struct smtpd_verdict v;
	int guard = 0;

	while (smtpd_next(d->s, &ev, now) == 1) {
		if (++guard > 1000000)
			abort();	/* the engine must not spin */
		memset(&v, 0, sizeof(v));
		d->seed = d->seed * 1103515245u + 12345u;
		switch (ev.type) {
		case SMTPD_EV_MAIL:
		case SMTPD_EV_RCPT:
		case SMTPD_EV_VRFY:
		case SMTPD_EV_ETRN:
		case SMTPD_EV_AUTH:
		case SMTPD_EV_DATA:
			if ((d->seed >> 16) % 3 == 0) {
				v.code = 550;
				v.text = (d->seed & 0x100)
				    ? "5.1.1 <x>: Recipient address rejected\r\nX"
				    : NULL;
			}
			if ((d->seed >> 20) % 2)
				v.queue_id = "1F3A6104556";
			if (ev.arg)
				(void)strlen(ev.arg);
			if (ev.data && ev.len)
				(void)ev.data[ev.len - 1];
			smtpd_verdict(d->s, &v, now);
			break;
		case SMTPD_EV_LOG:
			(void)strlen(ev.text);
			break;
		case SMTPD_EV_STARTTLS:
			d->tls_pending = 1;
			break;
		case SMTPD_EV_CLOSE:
			d->closed = 1;
			break;
		default:
			break;
		}
	}
	d->out += smtpd_output(d->s)->len;
	buf_clear(smtpd_output(d->s));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtpd_conf c;
	struct fuzz_drv d;
	size_t i;
	mtime_t now = 1000;

	if (size < 2)
		return 0;
	memset(&c, 0, sizeof(c));
	c.myhostname = "centos.localdomain";
	c.client_name = "localhost";
	c.client_addr = "127.0.0.1";
	c.message_size_limit = (data[0] & 0x01) ? 300 : 10240000;
	c.recipient_limit = (data[0] & 0x02) ? 2 : 1000;
	c.line_length_limit = (data[0] & 0x04) ? 16 : 2048;
	c.bare_newline = (enum smtpd_bare_newline)((data[0] >> 3) % 3);
	c.tls_offer = (data[0] & 0x20) != 0;
	c.sasl_enabled = (data[0] & 0x40) != 0;
	c.tls_auth_only = (data[0] & 0x80) != 0;
	c.strict_rfc821_envelopes = (data[1] & 0x01) != 0;
	c.helo_required = (data[1] & 0x02) != 0;
	c.error_sleep_ms = (data[1] & 0x04) ? 0 : 1000;
	c.soft_error_limit = 3;
	c.hard_error_limit = (data[1] & 0x08) ? 5 : 20;
	c.sasl_response_limit = 64;
	memset(&d, 0, sizeof(d));
	d.seed = data[1];
	d.s = smtpd_new(&c, now);
	run(&d, now);
	for (i = 2; i < size && !d.closed;) {
		size_t len = data[i++];

		now += 10;
		if (len == 0) {
			smtpd_eof(d.s, now);
		} else if (len == 0xff) {
			if (d.tls_pending) {
				d.tls_pending = 0;
				smtpd_tls_started(d.s, now);
			}
		} else if (len == 0xfe) {
			smtpd_timeout(d.s, now);
		} else if (len == 0xfd) {
			smtpd_close(d.s, now);
		} else {
			if (len > size - i)
				len = size - i;
			smtpd_feed(d.s, data + i, len, now);
			i += len;
		}
		run(&d, now);
	}
	if (!d.closed) {
		if (d.tls_pending)
			smtpd_close(d.s, now);
		else
			smtpd_eof(d.s, now);
		run(&d, now);
	}
	if (!d.closed)
		abort();	/* EOF must always end the session */
	/* nothing more may come out after the end */
	smtpd_feed(d.s, "NOOP\r\n", 6, now);
	run(&d, now);
	smtpd_free(&d.s);
	return 0;
}
