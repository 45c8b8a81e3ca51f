/*
 * smtp_load: the project's SMTP load client for `make bench`, in the
 * manner of Postfix's smtp-source: S sessions at once, M messages in all,
 * one connection per message, no pipelining (each command waits for its
 * reply), L bytes of body. It reports the acceptance rate (messages that
 * got a 2xx after the final dot, per second of wall time) and the latency
 * of one whole session (connect to the reply to QUIT), p50 and p99.
 *
 *   smtp_load -s 20 -m 2000 -l 4096 [-f FROM] [-t TO] [-a ADDR] PORT
 *
 * Output, one line, for the bench script:
 *   accepted=1998 failed=2 seconds=4.512 rate=442.8 p50_ms=40.1 p99_ms=95.3
 *
 * Standalone on purpose (one epoll loop, no threads, libc only), so that
 * it measures the server rather than itself: cc -O2 -o smtp_load smtp_load.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum step { ST_BANNER, ST_EHLO, ST_MAIL, ST_RCPT, ST_DATA, ST_DOT, ST_QUIT, ST_DONE };

struct sess {
	int fd;
	enum step step;
	char in[4096];
	size_t inlen;
	const char *out;	/* what is left to send */
	size_t outlen;
	double start;
	int accepted;
};

static const char *g_from = "perf-sender@centos.localdomain";
static const char *g_to = "perf@centos.localdomain";
static char *g_body;
static size_t g_bodylen;
static char g_cmd[ST_DONE][512];
static struct sockaddr_in g_addr;
static int g_ep;
static long g_started, g_total, g_accepted, g_failed;
static double *g_lat;
static size_t g_nlat;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sess_send(struct sess *s, const char *p, size_t n)
{
	s->out = p;
	s->outlen = n;
}

static void sess_flush(struct sess *s)
{
	while (s->outlen > 0) {
		ssize_t k = write(s->fd, s->out, s->outlen);

		if (k < 0) {
			if (errno == EAGAIN)
				break;
			return;
		}
		s->out += k;
		s->outlen -= (size_t)k;
	}
	{
		struct epoll_event ev = { .events = EPOLLIN | (s->outlen ? EPOLLOUT : 0),
					  .data.ptr = s };

		epoll_ctl(g_ep, EPOLL_CTL_MOD, s->fd, &ev);
	}
}

static int sess_open(struct sess *s)
{
	struct epoll_event ev;
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -1;
	setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	s->start = now_s();
	if (connect(s->fd, (struct sockaddr *)&g_addr, sizeof(g_addr)) < 0 &&
	    errno != EINPROGRESS) {
		close(s->fd);
		return -1;
	}
	ev.events = EPOLLIN;
	ev.data.ptr = s;
	epoll_ctl(g_ep, EPOLL_CTL_ADD, s->fd, &ev);
	g_started++;
	return 0;
}

static void sess_end(struct sess *s)
{
	epoll_ctl(g_ep, EPOLL_CTL_DEL, s->fd, NULL);
	close(s->fd);
	if (s->accepted) {
		g_accepted++;
		g_lat[g_nlat++] = (now_s() - s->start) * 1000.0;
	} else {
		g_failed++;
	}
	s->fd = -1;
	if (g_started < g_total)
		while (sess_open(s) < 0 && g_started < g_total)
			g_failed++, g_started++;
}

/* One complete reply (last line "NNN "); returns its code, 0 if more is
 * needed, -1 when the connection broke. */
static int reply(struct sess *s)
{
	char *p = s->in, *nl;
	ssize_t k = read(s->fd, s->in + s->inlen, sizeof(s->in) - 1 - s->inlen);

	if (k == 0 || (k < 0 && errno != EAGAIN))
		return -1;
	if (k > 0)
		s->inlen += (size_t)k;
	s->in[s->inlen] = 0;
	while ((nl = strstr(p, "\r\n")) != NULL) {
		if (nl - p >= 4 && p[3] == ' ') {
			int code = atoi(p);

			s->inlen = 0;
			return code;
		}
		p = nl + 2;
	}
	if (s->inlen >= sizeof(s->in) - 1)
		return -1;
	return 0;
}

static void sess_io(struct sess *s, unsigned events)
{
	int code;

	if (events & EPOLLOUT)
		sess_flush(s);
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	code = reply(s);
	if (code == 0)
		return;
	if (code < 0) {
		sess_end(s);
		return;
	}
	switch (s->step) {
	case ST_BANNER:
	case ST_EHLO:
	case ST_MAIL:
	case ST_RCPT:
		if (code / 100 != 2) {
			sess_end(s);
			return;
		}
		s->step++;
		sess_send(s, g_cmd[s->step], strlen(g_cmd[s->step]));
		break;
	case ST_DATA:
		if (code != 354) {
			sess_end(s);
			return;
		}
		s->step = ST_DOT;
		sess_send(s, g_body, g_bodylen);
		break;
	case ST_DOT:
		s->accepted = code / 100 == 2;
		s->step = ST_QUIT;
		sess_send(s, g_cmd[ST_QUIT], strlen(g_cmd[ST_QUIT]));
		break;
	case ST_QUIT:
	case ST_DONE:
		sess_end(s);
		return;
	}
	sess_flush(s);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void usage(void)
{
	fprintf(stderr, "usage: smtp_load [-s sessions] [-m messages] [-l bytes] "
		"[-f from] [-t to] [-a addr] port\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long sessions = 20, len = 4096;
	const char *addr = "127.0.0.1";
	struct epoll_event evs[256];
	struct sess *ss;
	struct rlimit rl;
	double t0, secs;
	size_t i, n;
	int opt;

	g_total = 1000;
	while ((opt = getopt(argc, argv, "s:m:l:f:t:a:")) != -1) {
		switch (opt) {
		case 's': sessions = atol(optarg); break;
		case 'm': g_total = atol(optarg); break;
		case 'l': len = atol(optarg); break;
		case 'f': g_from = optarg; break;
		case 't': g_to = optarg; break;
		case 'a': addr = optarg; break;
		default: usage();
		}
	}
	if (optind + 1 != argc || sessions < 1 || g_total < 1 || len < 0)
		usage();
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	memset(&g_addr, 0, sizeof(g_addr));
	g_addr.sin_family = AF_INET;
	g_addr.sin_port = htons((unsigned short)atoi(argv[optind]));
	if (inet_pton(AF_INET, addr, &g_addr.sin_addr) != 1)
		usage();
	snprintf(g_cmd[ST_EHLO], sizeof(g_cmd[0]), "EHLO client.example\r\n");
	snprintf(g_cmd[ST_MAIL], sizeof(g_cmd[0]), "MAIL FROM:<%s>\r\n", g_from);
	snprintf(g_cmd[ST_RCPT], sizeof(g_cmd[0]), "RCPT TO:<%s>\r\n", g_to);
	snprintf(g_cmd[ST_DATA], sizeof(g_cmd[0]), "DATA\r\n");
	snprintf(g_cmd[ST_QUIT], sizeof(g_cmd[0]), "QUIT\r\n");
	/* smtp-source's message: a few headers, then lines of 'x' */
	g_body = malloc((size_t)len + 512);
	n = (size_t)snprintf(g_body, 512, "From: <%s>\r\nTo: <%s>\r\nSubject: bench\r\n\r\n",
			     g_from, g_to);
	for (i = 0; (long)i < len; i++)
		g_body[n++] = (i % 80 == 78) ? '\r' : (i % 80 == 79) ? '\n' : 'x';
	memcpy(g_body + n, "\r\n.\r\n", 5);
	g_bodylen = n + 5;
	g_lat = calloc((size_t)g_total, sizeof(*g_lat));
	g_ep = epoll_create1(EPOLL_CLOEXEC);
	ss = calloc((size_t)sessions, sizeof(*ss));
	t0 = now_s();
	for (i = 0; (long)i < sessions && g_started < g_total; i++)
		if (sess_open(&ss[i]) < 0)
			g_failed++, g_started++;
	while (g_accepted + g_failed < g_total) {
		int k = epoll_wait(g_ep, evs, 256, 60000), j;

		if (k <= 0) {
			fprintf(stderr, "smtp_load: no reply for 60 s (%ld accepted, %ld failed)\n",
				g_accepted, g_failed);
			break;
		}
		for (j = 0; j < k; j++)
			sess_io(evs[j].data.ptr, evs[j].events);
	}
	secs = now_s() - t0;
	qsort(g_lat, g_nlat, sizeof(*g_lat), cmp_double);
	printf("accepted=%ld failed=%ld seconds=%.3f rate=%.1f p50_ms=%.1f p99_ms=%.1f\n",
	       g_accepted, g_failed, secs, (double)g_accepted / secs,
	       g_nlat ? g_lat[g_nlat / 2] : 0.0,
	       g_nlat ? g_lat[(g_nlat * 99) / 100 < g_nlat ? (g_nlat * 99) / 100 : g_nlat - 1] : 0.0);
	return g_failed > 0 && g_accepted == 0;
}
