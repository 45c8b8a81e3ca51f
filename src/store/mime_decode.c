/*
 * Content-Transfer-Encoding decoding (RFC 2045 6.7 quoted-printable, 6.8
 * base64 through OpenSSL's EVP_DecodeBlock) for IMAP BINARY (RFC 3516)
 * and SEARCH BODY/TEXT, and RFC 2047 encoded-words in header values for
 * SEARCH (charsets converted to UTF-8 with iconv(3)). Broken input is
 * decoded as far as it makes sense, never rejected: a search must still
 * run on a damaged message.
 */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "lib/xalloc.h"
#include "store/mime.h"

static int b64_value(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '/';
}

static void decode_base64(const char *src, size_t n, struct buf *out)
{
	unsigned char *clean = xmalloc(n + 4), *dec;
	size_t k = 0, i;
	int len, pad;

	/* skip line breaks and garbage; '=' ends the data (RFC 2045 6.8) */
	for (i = 0; i < n && src[i] != '='; i++)
		if (b64_value((unsigned char)src[i]))
			clean[k++] = (unsigned char)src[i];
	if (k % 4 == 1)
		k--;		/* a lone 6-bit group carries no byte */
	pad = (int)((4 - k % 4) % 4);
	for (i = 0; i < (size_t)pad; i++)
		clean[k++] = '=';
	if (k == 0) {
		free(clean);
		return;
	}
	dec = xmalloc(k / 4 * 3 + 1);
	len = EVP_DecodeBlock(dec, clean, (int)k);
	if (len > 0)
		buf_add(out, dec, (size_t)len - (size_t)pad);
	free(dec);
	free(clean);
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* RFC 2045 6.7; underscore = space only in RFC 2047 Q words. */
static void decode_qp(const char *src, size_t n, struct buf *out, int qword)
{
	size_t i = 0, line_start = out->len;

	while (i < n) {
		unsigned char c = (unsigned char)src[i];

		if (c == '=') {
			int h, l;

			if (i + 2 < n && (h = hexval((unsigned char)src[i + 1])) >= 0 &&
			    (l = hexval((unsigned char)src[i + 2])) >= 0) {
				buf_addc(out, (char)(h * 16 + l));
				i += 3;
				continue;
			}
			/* soft line break: "=" [WSP] (CR)LF */
			size_t j = i + 1;

			while (j < n && (src[j] == ' ' || src[j] == '\t'))
				j++;
			if (j < n && src[j] == '\r' && j + 1 < n && src[j + 1] == '\n') {
				i = j + 2;
				line_start = out->len;
				continue;
			}
			if (j < n && src[j] == '\n') {
				i = j + 1;
				line_start = out->len;
				continue;
			}
			if (j == n) {
				i = n;
				continue;
			}
			buf_addc(out, '=');	/* broken: keep it */
			i++;
			continue;
		}
		if (c == '\n' || (c == '\r' && i + 1 < n && src[i + 1] == '\n')) {
			/* trailing whitespace before a hard break goes */
			while (out->len > line_start &&
			       (out->data[out->len - 1] == ' ' ||
				out->data[out->len - 1] == '\t'))
				out->len--;
			if (out->data != NULL)
				out->data[out->len] = '\0';
			if (c == '\r') {
				buf_add(out, "\r\n", 2);
				i += 2;
			} else {
				buf_addc(out, '\n');
				i++;
			}
			line_start = out->len;
			continue;
		}
		buf_addc(out, qword && c == '_' ? ' ' : (char)c);
		i++;
	}
}

int mime_decode(const char *enc, const char *src, size_t n, struct buf *out)
{
	if (enc == NULL || strcasecmp(enc, "7bit") == 0 ||
	    strcasecmp(enc, "8bit") == 0 || strcasecmp(enc, "binary") == 0) {
		buf_add(out, src, n);
		return 0;
	}
	if (strcasecmp(enc, "base64") == 0) {
		decode_base64(src, n, out);
		return 0;
	}
	if (strcasecmp(enc, "quoted-printable") == 0) {
		decode_qp(src, n, out, 0);
		return 0;
	}
	return -1;
}

int mime_decode_charset(const char *charset, const char *src, size_t n,
			struct buf *out)
{
	iconv_t cd;
	char *in = (char *)src, tmp[256];
	size_t inleft = n;

	if (charset == NULL || strcasecmp(charset, "utf-8") == 0 ||
	    strcasecmp(charset, "us-ascii") == 0) {
		buf_add(out, src, n);
		return 0;
	}
	cd = iconv_open("UTF-8", charset);
	if (cd == (iconv_t)-1) {
		buf_add(out, src, n);
		return -1;
	}
	while (inleft > 0) {
		char *o = tmp;
		size_t oleft = sizeof(tmp);
		size_t r = iconv(cd, &in, &inleft, &o, &oleft);

		buf_add(out, tmp, sizeof(tmp) - oleft);
		if (r == (size_t)-1 && errno != E2BIG) {
			/* an invalid byte: keep it and go on */
			buf_add(out, in, 1);
			in++;
			inleft--;
		}
	}
	iconv_close(cd);
	return 0;
}

/* One "=?cs?e?text?=" at s; returns its length, 0 if not one. */
static size_t encoded_word(const char *s, size_t n, struct buf *out)
{
	const char *cs, *q1, *q2, *end;
	char charset[64];
	struct buf dec;
	size_t cslen;

	if (n < 8 || s[0] != '=' || s[1] != '?')
		return 0;
	cs = s + 2;
	q1 = memchr(cs, '?', n - 2);
	if (q1 == NULL || q1 + 3 > s + n || q1[2] != '?')
		return 0;
	q2 = q1 + 3;
	end = NULL;
	for (const char *p = q2; p + 1 < s + n; p++) {
		if (p[0] == '?' && p[1] == '=') {
			end = p;
			break;
		}
		if (p[0] == ' ' || p[0] == '\t' || p[0] == '\n')
			return 0;
	}
	if (end == NULL)
		return 0;
	cslen = (size_t)(q1 - cs);
	if (memchr(cs, '*', cslen) != NULL)	/* RFC 2231 language */
		cslen = (size_t)((const char *)memchr(cs, '*', cslen) - cs);
	if (cslen == 0 || cslen >= sizeof(charset))
		return 0;
	memcpy(charset, cs, cslen);
	charset[cslen] = '\0';
	buf_init(&dec);
	if (q1[1] == 'B' || q1[1] == 'b')
		decode_base64(q2, (size_t)(end - q2), &dec);
	else if (q1[1] == 'Q' || q1[1] == 'q')
		decode_qp(q2, (size_t)(end - q2), &dec, 1);
	else
		return 0;
	(void)mime_decode_charset(charset, dec.data != NULL ? dec.data : "",
				  dec.len, out);
	buf_reset(&dec);
	return (size_t)(end + 2 - s);
}

void mime_decode_words(const char *src, size_t n, struct buf *out)
{
	size_t i = 0, pending_ws = 0, ws_start = 0;
	int last_was_word = 0;
	struct buf word;

	buf_init(&word);
	while (i < n) {
		size_t w = 0;

		if (src[i] == '=') {
			buf_clear(&word);
			w = encoded_word(src + i, n - i, &word);
		}
		if (w > 0) {
			/* RFC 2047 6.2: whitespace between two encoded words
			   is dropped, before one it stays */
			if (!last_was_word && pending_ws > 0)
				buf_add(out, src + ws_start, pending_ws);
			buf_add(out, word.data, word.len);
			i += w;
			last_was_word = 1;
			pending_ws = 0;
			continue;
		}
		if (src[i] == ' ' || src[i] == '\t' || src[i] == '\r' ||
		    src[i] == '\n') {
			if (pending_ws == 0)
				ws_start = i;
			pending_ws++;
			i++;
			continue;
		}
		if (pending_ws > 0)
			buf_add(out, src + ws_start, pending_ws);
		pending_ws = 0;
		last_was_word = 0;
		buf_addc(out, src[i++]);
	}
	if (pending_ws > 0)
		buf_add(out, src + ws_start, pending_ws);
	buf_reset(&word);
}
