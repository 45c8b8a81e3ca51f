#include "net/listener_qmgr.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "lib/conf.h"
#include "mta/host.h"
#include "net/relay.h"
#include "sim/sim.h"
#include "sim/world.h"

/* How often the child looks at the queues when nobody wakes it: work
 * other processes dropped in (maildrop/ from `maillab sendmail`, a
 * `postqueue -f`). */
#define QMGR_POLL_MS	1000

/*
 * A session queued a message: the child looks this long after the kick,
 * not at once. Postfix's cleanup triggers qmgr through its fifo and qmgr
 * takes the message 3-4 ms later (reference transcripts/smtp/01 and 05h);
 * meanwhile smtpd answers what the client pipelined after the "." (QUIT),
 * so "disconnect from" comes before qmgr's "from=<...>" in mail.log.
 */
#define QMGR_KICK_DELAY_MS	5

struct listener_qmgr {
	pid_t pid;
	int work_fd;		/* write end: one byte = "look now" */
};

/* ---- the child ---- */

static void child_reload(struct world *w)
{
	size_t i;

	for (i = 0; i < w->nhosts; i++) {
		struct err e;
		struct host *h = world_host(w, w->hosts[i], &e);

		if (h != NULL)
			(void)host_reload(h, NULL);	/* it logs what is wrong */
	}
}

/* Postfix's smtp_connect_timeout of the sending host, in ms. */
static long connect_timeout(struct host *h)
{
	long s = h->conf != NULL ? conf_get_time(h->conf, "smtp_connect_timeout", 's') : 0;

	return s > 0 ? s * 1000 : 30000;
}

/* sim_opts.real_smtp: a next hop outside the world, over real TCP. This
 * process may block on it; the listener's sessions go on meanwhile. */
static int real_smtp(void *ctx, struct host *h, const char *name,
		     const char *addr, int port, struct smtpc *c,
		     char *why_out, size_t why_len)
{
	struct relay_opts ro;
	char *peer = xasprintf("%s[%s]", name, addr);
	int rc;

	(void)ctx;
	memset(&ro, 0, sizeof(ro));
	ro.connect_timeout_ms = connect_timeout(h);
	ro.trace = &h->trace;
	ro.client = h->name;
	ro.peer = peer;
	rc = relay_session(addr, port, c, &ro, why_out, why_len);
	free(peer);
	return rc;
}

static void child_main(struct world *w, const struct trace_sink *trace,
		       int work_fd, int ready_fd, pid_t parent)
{
	struct sim_opts so;
	struct sim *s;
	struct err e;
	sigset_t set;
	int sigfd, stop = 0, kicked = 0;

	/* Dies with the listener, whatever killed it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	prctl(PR_SET_NAME, "maillab-qmgr");
	/* Ctrl-C reaches the whole process group: the listener decides. */
	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	memset(&so, 0, sizeof(so));
	if (trace != NULL)
		so.trace = *trace;
	so.real_smtp = real_smtp;
	s = sim_open(w, &so, &e);
	if (s == NULL || sigfd < 0) {
		char msg[sizeof(e.text) + 1];
		int n = snprintf(msg, sizeof(msg), "E%s", s == NULL ? e.text : "signalfd");

		if (write(ready_fd, msg, (size_t)n) < 0) {
			/* the listener reports a silent failure */
		}
		_exit(1);
	}
	if (write(ready_fd, "R", 1) != 1)
		_exit(1);
	close(ready_fd);
	while (!stop) {
		struct pollfd pf[2];
		mtime_t due, now;
		int timeout;

		if (kicked) {
			struct timespec ts = { 0, QMGR_KICK_DELAY_MS * 1000L * 1000L };

			nanosleep(&ts, NULL);
			kicked = 0;
		}
		(void)sim_poll(s);
		now = sim_now(s);
		due = sim_next_due(s);
		if (due < 0 || due - now > QMGR_POLL_MS)
			timeout = QMGR_POLL_MS;
		else
			timeout = due > now ? (int)(due - now) : 0;
		pf[0].fd = work_fd;
		pf[0].events = POLLIN;
		pf[1].fd = sigfd;
		pf[1].events = POLLIN;
		if (poll(pf, 2, timeout) < 0 && errno != EINTR)
			break;
		if (pf[0].revents) {
			char buf[256];
			ssize_t n = read(work_fd, buf, sizeof(buf));

			if (n == 0)
				break;	/* the listener is gone */
			kicked = n > 0;
		}
		if (pf[1].revents) {
			struct signalfd_siginfo si;

			while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGHUP)
					child_reload(w);
				else
					stop = 1;
			}
		}
	}
	/* releases the queue locks, keeps the lab clock */
	sim_free(&s);
	_exit(0);
}

/* ---- the listener's side ---- */

struct listener_qmgr *listener_qmgr_start(struct world *w,
					  const struct trace_sink *trace,
					  struct err *e)
{
	struct listener_qmgr *q;
	int work[2], ready[2];
	pid_t parent = getpid(), pid;
	struct pollfd pf;
	char buf[sizeof(e->text) + 1];
	ssize_t n;

	if (pipe2(work, O_CLOEXEC) < 0 || pipe2(ready, O_CLOEXEC) < 0) {
		err_set(e, errno, "pipe: %s", strerror(errno));
		return NULL;
	}
	fflush(NULL);	/* nothing buffered may be written twice */
	pid = fork();
	if (pid < 0) {
		err_set(e, errno, "fork: %s", strerror(errno));
		close(work[0]);
		close(work[1]);
		close(ready[0]);
		close(ready[1]);
		return NULL;
	}
	if (pid == 0) {
		host_turn_stop();	/* the child counts no turns */
		close(work[1]);
		close(ready[0]);
		child_main(w, trace, work[0], ready[1], parent);
		_exit(1);
	}
	close(work[0]);
	close(ready[1]);
	pf.fd = ready[0];
	pf.events = POLLIN;
	n = poll(&pf, 1, 30000) == 1 ? read(ready[0], buf, sizeof(buf) - 1) : -1;
	close(ready[0]);
	if (n != 1 || buf[0] != 'R') {
		if (n > 1 && buf[0] == 'E') {
			buf[n] = '\0';
			err_set(e, 0, "%s", buf + 1);
		} else {
			err_set(e, 0, _("the queue manager process did not start"));
		}
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(work[1]);
		return NULL;
	}
	/* a full pipe means the child has enough to wake for */
	fcntl(work[1], F_SETFL, O_NONBLOCK);
	q = xcalloc(1, sizeof(*q));
	q->pid = pid;
	q->work_fd = work[1];
	return q;
}

void listener_qmgr_kick(struct listener_qmgr *q)
{
	if (q != NULL && write(q->work_fd, "w", 1) < 0) {
		/* EAGAIN: it will wake anyway */
	}
}

void listener_qmgr_reload(struct listener_qmgr *q)
{
	if (q != NULL)
		kill(q->pid, SIGHUP);
}

void listener_qmgr_stop(struct listener_qmgr **qp)
{
	struct listener_qmgr *q = *qp;
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	if (q == NULL)
		return;
	kill(q->pid, SIGTERM);
	close(q->work_fd);
	/* a delivery under way finishes first; then it must go */
	for (i = 0; i < 3000; i++) {
		if (waitpid(q->pid, NULL, WNOHANG) == q->pid)
			break;
		nanosleep(&ts, NULL);
	}
	if (i == 3000) {
		kill(q->pid, SIGKILL);
		waitpid(q->pid, NULL, 0);
	}
	free(q);
	*qp = NULL;
}

pid_t listener_qmgr_pid(const struct listener_qmgr *q)
{
	return q != NULL ? q->pid : 0;
}
