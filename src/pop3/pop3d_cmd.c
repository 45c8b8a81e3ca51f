/*
 * pop3d_cmd: the commands, in two tables as Dovecot has two processes:
 * pop3-login answers the AUTHORIZATION state (src/pop3-login/client.c,
 * client-authenticate.c), pop3 the TRANSACTION state (pop3-commands.c).
 * Reply texts are theirs, checked against reference/transcripts/pop3/.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/xalloc.h"
#include "pop3/pop3d_int.h"
#include "store/store.h"

/* Dovecot's POP3_CAPABILITY_REPLY (pop3-capability.h). */
#define CAPABILITY_REPLY \
	"CAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\n"
/* AUTH_PLAINTEXT_DISABLED_MSG (login-common). */
#define PLAINTEXT_DISABLED \
	"Plaintext authentication disallowed on non-secure (SSL/TLS) connections."

/* --- AUTHORIZATION (pop3-login) --- */

/* 1: the command was good (resets the bad counter), 0: a bad one. */
typedef int login_fn(struct pop3d *s, const char *args, mtime_t now);

struct login_cmd {
	const char *name;
	login_fn *fn;
};

static void plaintext_refused(struct pop3d *s, mtime_t now)
{
	(void)now;
	/* client_check_plaintext_auth(): counts as an attempt. */
	s->auth_attempts++;
	s->last_fail = POP3D_FAIL_PLAINTEXT;
	pop3d_send(s, "-ERR [AUTH] " PLAINTEXT_DISABLED);
}

static int l_capa(struct pop3d *s, const char *args, mtime_t now)
{
	int plain = !pop3d_plaintext_disallowed(s);

	(void)args;
	(void)now;
	buf_adds(&s->out, "+OK\r\n" CAPABILITY_REPLY);
	if (s->conf.tls_offer && !s->tls)
		buf_adds(&s->out, "STLS\r\n");
	if (plain)
		buf_adds(&s->out, "USER\r\n");
	/* Only mechanisms usable on this connection are advertised. */
	buf_adds(&s->out, plain ? "SASL PLAIN\r\n.\r\n" : "SASL\r\n.\r\n");
	return 1;
}

static int l_user(struct pop3d *s, const char *args, mtime_t now)
{
	if (pop3d_plaintext_disallowed(s)) {
		if (s->virtual_user == NULL)
			s->virtual_user = xstrdup(args);
		plaintext_refused(s, now);
		return 1;
	}
	free(s->last_user);
	s->last_user = xstrdup(args);
	pop3d_send(s, "+OK");
	return 1;
}

static int l_pass(struct pop3d *s, const char *args, mtime_t now)
{
	char *user;

	if (s->last_user == NULL) {
		/* "client may ignore the USER reply and only display the
		 * error message from PASS" */
		if (pop3d_plaintext_disallowed(s))
			plaintext_refused(s, now);
		else
			pop3d_send(s, "-ERR No username given.");
		return 1;
	}
	user = s->last_user;
	s->last_user = NULL;
	pop3d_auth_begin(s, "PLAIN", "", user, args, now);
	free(user);
	return 1;
}

/* Strict base64 (RFC 4648 section 4); "=" alone is the empty string
 * (RFC 4954/5034). Returns the length, -1 if malformed. */
static long b64_decode(const char *in, unsigned char **out)
{
	size_t n = strlen(in), i, pad = 0;
	unsigned char *buf;
	int len;

	*out = NULL;
	if (strcmp(in, "=") == 0) {
		*out = xcalloc(1, 1);
		return 0;
	}
	if (n == 0 || n % 4 != 0)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '=') {
			if (i < n - 2)
				return -1;
			pad++;
		} else if (pad > 0 || !(isalnum(c) || c == '+' || c == '/')) {
			return -1;
		}
	}
	buf = xmalloc(n / 4 * 3 + 1);
	len = EVP_DecodeBlock(buf, (const unsigned char *)in, (int)n);
	if (len < 0) {
		free(buf);
		return -1;
	}
	len -= (int)pad;
	buf[len] = '\0';
	*out = buf;
	return len;
}

/* RFC 4616: [authzid] NUL authcid NUL passwd. */
static void plain_response(struct pop3d *s, const char *b64, int initial,
			   mtime_t now)
{
	unsigned char *data;
	long len = b64_decode(b64, &data);
	const char *authzid, *authcid, *pass, *end;

	if (len < 0) {
		s->auth_attempts++;
		s->last_fail = POP3D_FAIL_BASE64;
		s->st = POP3D_ST_AUTH;
		pop3d_send(s, "-ERR [AUTH] Invalid base64 data in %s response",
			   initial ? "initial" : "continued");
		return;
	}
	end = (const char *)data + len;
	authzid = (const char *)data;
	authcid = memchr(authzid, '\0', (size_t)len);
	pass = authcid != NULL ? memchr(authcid + 1, '\0',
					(size_t)(end - authcid - 1)) : NULL;
	if (authcid == NULL || pass == NULL ||
	    memchr(pass + 1, '\0', (size_t)(end - pass - 1)) != NULL ||
	    authcid + 1 == pass ||
	    (authzid[0] != '\0' && strcmp(authzid, authcid + 1) != 0)) {
		/* Malformed, or asks to act as someone else (no master
		 * users here): the auth process fails it. */
		free(s->auth_mech);
		s->auth_mech = xstrdup("PLAIN");
		pop3d_auth_fail_local(s, now);
		free(data);
		return;
	}
	pop3d_auth_begin(s, "PLAIN", authzid, authcid + 1, pass + 1, now);
	free(data);
}

static int l_auth(struct pop3d *s, const char *args, mtime_t now)
{
	char mech[64];
	size_t n = strcspn(args, " ");
	const char *ir;

	if (n == 0) {
		/* Old-style SASL discovery, used by MS Outlook. */
		pop3d_send(s, "+OK");
		if (!pop3d_plaintext_disallowed(s))
			pop3d_send(s, "PLAIN");
		pop3d_send(s, ".");
		return 1;
	}
	snprintf(mech, sizeof(mech), "%.*s", (int)(n < 63 ? n : 63), args);
	for (n = 0; mech[n] != '\0'; n++)
		mech[n] = (char)toupper((unsigned char)mech[n]);
	ir = args + strcspn(args, " ");
	if (*ir == ' ')
		ir++;
	s->auth_attempts++;
	if (s->auth_first == 0)
		s->auth_first = now != 0 ? now : 1;
	free(s->auth_mech);
	s->auth_mech = xstrdup(mech);
	if (strcmp(mech, "PLAIN") != 0) {
		s->last_fail = POP3D_FAIL_MECH;
		pop3d_send(s, "-ERR [AUTH] Unsupported authentication mechanism.");
		return 1;
	}
	if (pop3d_plaintext_disallowed(s)) {
		s->last_fail = POP3D_FAIL_PLAINTEXT;
		pop3d_send(s, "-ERR [AUTH] " PLAINTEXT_DISABLED);
		return 1;
	}
	/* pop3d_auth_begin() counts the attempt again. */
	s->auth_attempts--;
	if (*ir == '\0') {
		/* RFC 5034 section 4: no initial response, an empty
		 * challenge. */
		s->st = POP3D_ST_SASL;
		pop3d_send(s, "+ ");
		return 1;
	}
	plain_response(s, ir, 1, now);
	return 1;
}

void pop3d_cmd_sasl_response(struct pop3d *s, const char *line, mtime_t now)
{
	s->st = POP3D_ST_AUTH;
	if (strcmp(line, "*") == 0) {
		s->auth_attempts++;
		s->auth_aborted = 1;
		pop3d_send(s, "-ERR Authentication aborted by client.");
		return;
	}
	plain_response(s, line, 0, now);
}

static int l_apop(struct pop3d *s, const char *args, mtime_t now)
{
	(void)args;
	(void)now;
	pop3d_send(s, "-ERR APOP not enabled.");
	return 1;
}

static int l_stls(struct pop3d *s, const char *args, mtime_t now)
{
	(void)args;
	(void)now;
	if (s->tls) {
		pop3d_send(s, "-ERR TLS is already active.");
		return 1;
	}
	if (!s->conf.tls_offer) {
		pop3d_send(s, "-ERR TLS support isn't enabled.");
		return 1;
	}
	pop3d_send(s, "+OK Begin TLS negotiation now.");
	s->st = POP3D_ST_TLS;
	/* Plaintext the client pipelined behind STLS is not ours to run. */
	buf_clear(&s->in);
	pop3d_push(s, POP3D_EV_STLS, NULL, 0);
	return 1;
}

static int l_quit(struct pop3d *s, const char *args, mtime_t now)
{
	(void)args;
	pop3d_send(s, "+OK Logging out");
	pop3d_login_disconnect(s, "Aborted login", now);
	return 1;
}

static int l_xclient(struct pop3d *s, const char *args, mtime_t now)
{
	(void)args;
	(void)now;
	/* login_trusted_networks is empty: nobody is trusted. */
	pop3d_send(s, "+OK You are not from trusted IP - ignoring");
	return 1;
}

static const struct login_cmd login_cmds[] = {
	{ "CAPA", l_capa },
	{ "USER", l_user },
	{ "PASS", l_pass },
	{ "AUTH", l_auth },
	{ "APOP", l_apop },
	{ "STLS", l_stls },
	{ "QUIT", l_quit },
	{ "XCLIENT", l_xclient },
	{ "XOIP", l_xclient },
};

void pop3d_cmd_login(struct pop3d *s, const char *line, mtime_t now)
{
	size_t n = strcspn(line, " ");
	const char *args = line[n] == ' ' ? line + n + 1 : line + n;
	size_t i;
	int good = 0, found = 0;

	for (i = 0; i < ARRAY_LEN(login_cmds); i++) {
		if (strlen(login_cmds[i].name) == n &&
		    strncasecmp(login_cmds[i].name, line, n) == 0) {
			good = login_cmds[i].fn(s, args, now);
			found = 1;
			break;
		}
	}
	if (!found)
		pop3d_send(s, "-ERR Unknown command.");
	if (good) {
		s->bad_counter = 0;
	} else if (++s->bad_counter >= POP3D_LOGIN_MAX_BAD) {
		pop3d_send(s, "-ERR Too many invalid bad commands.");
		pop3d_login_disconnect(s, "Disconnected: Too many bad commands",
				       now);
	}
}

/* --- TRANSACTION (pop3) --- */

/* 1: done, -1: an error reply (counts toward the bad command limit). */
typedef int trans_fn(struct pop3d *s, const char *args, mtime_t now);

struct trans_cmd {
	const char *name;
	trans_fn *fn;
};

static int is_deleted(const struct pop3d *s, size_t i)
{
	return s->deleted[i] != 0;
}

/* Dovecot's get_msgnum(): the reply on error, NULL then. */
static const char *get_msgnum(struct pop3d *s, const char *args,
			      size_t *idx_out, int thenspace)
{
	unsigned long long num = 0;
	const char *p = args;

	if (*p < '0' || *p > '9') {
		pop3d_send(s, "-ERR Invalid message number: %s", args);
		return NULL;
	}
	for (; *p >= '0' && *p <= '9'; p++) {
		num = num * 10 + (unsigned)(*p - '0');
		if (num > UINT_MAX) {
			pop3d_send(s, "-ERR Message number too large: %s", args);
			return NULL;
		}
	}
	if (*p != (thenspace ? ' ' : '\0')) {
		pop3d_send(s, "-ERR Noise after message number: %s", p);
		return NULL;
	}
	if (num == 0 || num > s->count) {
		pop3d_send(s, "-ERR There's no message %llu.", num);
		return NULL;
	}
	if (is_deleted(s, (size_t)num - 1)) {
		pop3d_send(s, "-ERR Message is deleted.");
		return NULL;
	}
	while (*p == ' ')
		p++;
	*idx_out = (size_t)num - 1;
	return p;
}

static const char *get_size(struct pop3d *s, const char *args,
			    unsigned long long *out)
{
	unsigned long long num = 0;
	const char *p = args;

	if (*p < '0' || *p > '9') {
		pop3d_send(s, "-ERR Invalid size: %s", args);
		return NULL;
	}
	for (; *p >= '0' && *p <= '9'; p++) {
		if (num > (ULLONG_MAX - 9) / 10) {
			pop3d_send(s, "-ERR Size too large: %s", args);
			return NULL;
		}
		num = num * 10 + (unsigned)(*p - '0');
	}
	if (*p != '\0') {
		pop3d_send(s, "-ERR Noise after size: %s", p);
		return NULL;
	}
	*out = num;
	return p;
}

static int t_capa(struct pop3d *s, const char *args, mtime_t now)
{
	(void)args;
	(void)now;
	buf_adds(&s->out, "+OK\r\n" CAPABILITY_REPLY ".\r\n");
	return 1;
}

static int t_dele(struct pop3d *s, const char *args, mtime_t now)
{
	size_t i;

	(void)now;
	if (get_msgnum(s, args, &i, 0) == NULL)
		return -1;
	s->deleted[i] = 1;
	s->deleted_count++;
	s->deleted_size += s->sizes[i];
	pop3d_send(s, "+OK Marked to be deleted.");
	return 1;
}

static int t_list(struct pop3d *s, const char *args, mtime_t now)
{
	size_t i;

	(void)now;
	if (*args != '\0') {
		if (get_msgnum(s, args, &i, 0) == NULL)
			return -1;
		pop3d_send(s, "+OK %zu %llu", i + 1,
			   (unsigned long long)s->sizes[i]);
		return 1;
	}
	pop3d_send(s, "+OK %zu messages:", s->count - s->deleted_count);
	for (i = 0; i < s->count; i++) {
		if (is_deleted(s, i))
			continue;
		/* pop3d_send(s, "%zu %llu", ...), without the printf */
		buf_addu(&s->out, i + 1);
		buf_addc(&s->out, ' ');
		buf_addu(&s->out, s->sizes[i]);
		buf_add(&s->out, "\r\n", 2);
	}
	pop3d_send(s, ".");
	return 1;
}

static int t_noop(struct pop3d *s, const char *args, mtime_t now)
{
	(void)args;
	(void)now;
	pop3d_send(s, "+OK");
	return 1;
}

static int t_quit(struct pop3d *s, const char *args, mtime_t now)
{
	(void)args;
	/* RFC 1939 section 6: the UPDATE state. */
	if (pop3d_update_mails(s, 1, now) < 0) {
		pop3d_send(s, "-ERR [SYS/TEMP] Internal error occurred. "
			   "Refer to server log for more information.");
		pop3d_trans_disconnect(s, "Storage error during logout.");
		return 1;
	}
	if (s->deleted_count > 0)
		pop3d_send(s, "+OK Logging out, messages deleted.");
	else
		pop3d_send(s, "+OK Logging out.");
	pop3d_trans_disconnect(s, "Logged out");
	return 1;
}

/*
 * RETR (body_lines < 0) and TOP: the message with dot-stuffing (RFC 1939
 * section 3), CRLF guaranteed, then ".". Dovecot's byte counters count
 * the "+OK" line and the data, not the final ".".
 */
static int fetch(struct pop3d *s, size_t i, long long body_lines,
		 unsigned long long *counter)
{
	struct buf msg;
	struct err e;
	size_t pos = 0, start = s->out.len;
	int in_body = 0;
	long idx = store_mailbox_find_uid(s->mb, s->uids[i]);

	buf_init(&msg);
	if (idx < 0 || store_mailbox_read(s->mb, (size_t)idx, &msg, &e) < 0) {
		buf_reset(&msg);
		pop3d_send(s, "-ERR Message %zu expunged.", i + 1);
		return -1;
	}
	if (body_lines < 0) {
		pop3d_send(s, "+OK %llu octets", (unsigned long long)s->sizes[i]);
	} else {
		pop3d_send(s, "+OK");
		body_lines++;	/* the empty line counts too */
	}
	while (pos < msg.len) {
		const char *nl = memchr(msg.data + pos, '\n', msg.len - pos);
		size_t end = nl != NULL ? (size_t)(nl - msg.data) + 1 : msg.len;
		size_t len = end - pos;

		if (!in_body && (msg.data[pos] == '\n' ||
				 (msg.data[pos] == '\r' && len >= 2 &&
				  msg.data[pos + 1] == '\n')))
			in_body = 1;
		if (msg.data[pos] == '.')
			buf_addc(&s->out, '.');
		if (nl != NULL && (len < 2 || msg.data[end - 2] != '\r')) {
			buf_add(&s->out, msg.data + pos, len - 1);
			buf_add(&s->out, "\r\n", 2);
		} else {
			buf_add(&s->out, msg.data + pos, len);
		}
		pos = end;
		if (in_body && nl != NULL && body_lines >= 0 &&
		    --body_lines == 0)
			break;
	}
	if (s->out.len == start || s->out.data[s->out.len - 1] != '\n')
		buf_add(&s->out, "\r\n", 2);
	*counter += s->out.len - start;
	pop3d_send(s, ".");
	buf_reset(&msg);
	return 1;
}

static int t_retr(struct pop3d *s, const char *args, mtime_t now)
{
	size_t i;

	(void)now;
	if (get_msgnum(s, args, &i, 0) == NULL)
		return -1;
	s->retr_count++;
	/* RETR marks the message \Seen at the end of the session. */
	if (!s->conf.no_flag_updates && !s->was_seen[i] && !s->seen[i]) {
		s->seen[i] = 1;
		s->seen_changes++;
	}
	return fetch(s, i, -1, &s->retr_bytes);
}

static int t_rset(struct pop3d *s, const char *args, mtime_t now)
{
	(void)args;
	(void)now;
	memset(s->deleted, 0, s->count + 1);
	s->deleted_count = 0;
	s->deleted_size = 0;
	/* Dovecot forgets RETR's \Seen too. */
	memset(s->seen, 0, s->count + 1);
	s->seen_changes = 0;
	pop3d_send(s, "+OK");
	return 1;
}

static int t_stat(struct pop3d *s, const char *args, mtime_t now)
{
	(void)args;
	(void)now;
	pop3d_send(s, "+OK %zu %llu", s->count - s->deleted_count,
		   (unsigned long long)(s->total_size - s->deleted_size));
	return 1;
}

static int t_top(struct pop3d *s, const char *args, mtime_t now)
{
	unsigned long long lines;
	const char *rest;
	size_t i;

	(void)now;
	rest = get_msgnum(s, args, &i, 1);
	if (rest == NULL || get_size(s, rest, &lines) == NULL)
		return -1;
	s->top_count++;
	return fetch(s, i, lines > LLONG_MAX - 1 ? LLONG_MAX - 1 :
		     (long long)lines, &s->top_bytes);
}

/* pop3_uidl_format = %08Xu%08Xv: UID and UIDVALIDITY in hex. */
static int t_uidl(struct pop3d *s, const char *args, mtime_t now)
{
	size_t i;

	(void)now;
	if (*args != '\0') {
		if (get_msgnum(s, args, &i, 0) == NULL)
			return -1;
		pop3d_send(s, "+OK %zu %08x%08x", i + 1, s->uids[i],
			   s->uidvalidity);
		return 1;
	}
	pop3d_send(s, "+OK");
	for (i = 0; i < s->count; i++)
		if (!is_deleted(s, i))
			pop3d_send(s, "%zu %08x%08x", i + 1, s->uids[i],
				   s->uidvalidity);
	pop3d_send(s, ".");
	return 1;
}

static const struct trans_cmd trans_cmds[] = {
	{ "CAPA", t_capa },
	{ "DELE", t_dele },
	{ "LIST", t_list },
	{ "NOOP", t_noop },
	{ "QUIT", t_quit },
	{ "RETR", t_retr },
	{ "RSET", t_rset },
	{ "STAT", t_stat },
	{ "TOP", t_top },
	{ "UIDL", t_uidl },
};

void pop3d_cmd_trans(struct pop3d *s, const char *line, mtime_t now)
{
	size_t n = strcspn(line, " "), i;
	const char *args = line + n;
	char *name = xstrndup(line, n);
	int rc = -2;

	while (*args == ' ')
		args++;
	for (i = 0; i < n; i++)
		name[i] = (char)toupper((unsigned char)name[i]);
	for (i = 0; i < ARRAY_LEN(trans_cmds); i++) {
		if (strcmp(trans_cmds[i].name, name) == 0) {
			rc = trans_cmds[i].fn(s, args, now);
			break;
		}
	}
	if (rc == -2) {
		/* LAST too: pop3_enable_last = no. */
		pop3d_send(s, "-ERR Unknown command: %s", name);
		rc = -1;
	}
	free(name);
	if (rc >= 0) {
		s->post_bad = 0;
	} else if (++s->post_bad > POP3D_MAX_BAD) {
		pop3d_send(s, "-ERR Too many bad commands.");
		pop3d_trans_disconnect(s, "Too many bad commands.");
	}
}
