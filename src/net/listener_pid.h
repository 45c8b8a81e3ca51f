/*
 * listener_pid: the running `maillab listen` of a lab root, found the way
 * Postfix's postfix-script finds master: a pid file (ROOT/run/listen.pid,
 * "PID\n" as in /var/spool/postfix/pid/master.pid) that the listener keeps
 * locked (flock) while it runs. The lock, not the file, says whether it
 * runs: a file left behind by kill -9 is stale and ignored, and a second
 * listener on the same root is refused.
 *
 * For `maillab postfix stop|status|reload` (cli/cmd_postfix.c) and the
 * listener itself. Nothing here knows about sockets or sessions.
 */
#ifndef MAILLAB_LISTENER_PID_H
#define MAILLAB_LISTENER_PID_H

#include <sys/types.h>

#include "lib/err.h"

/*
 * The listener: creates ROOT/run/, takes the lock and writes our pid.
 * Returns the descriptor to keep open until listener_pid_release(), or
 * -1 with e set: another listener runs on this root (e->errnum EEXIST,
 * the text names its pid) or the file cannot be written.
 */
int listener_pid_acquire(const char *root, struct err *e);
/* Removes the file and drops the lock (fd from listener_pid_acquire). */
void listener_pid_release(const char *root, int fd);

/* The pid of the listener running on root, or 0 when none runs. */
pid_t listener_pid_running(const char *root);

/*
 * The value listener_pid_signal() and listener_pid_stop() queue with
 * their signal (sigqueue): the listener is Postfix's master and Dovecot's
 * at once, and a signal carrying it comes from `postfix reload|stop`, so
 * only Postfix's master logs it (on the reference machine postfix reload
 * leaves Dovecot alone). A plain kill reaches both masters.
 */
#define LISTENER_PID_POSTFIX	0x5046

/*
 * Sends sig to the running listener: SIGHUP reloads the configuration
 * (postfix reload), SIGTERM stops it (postfix stop). Returns its pid, or
 * -1 with e set when none runs (e->errnum ESRCH) or kill() fails.
 */
pid_t listener_pid_signal(const char *root, int sig, struct err *e);

/*
 * postfix stop: SIGTERM, then waits up to timeout_ms for the listener to
 * let go of its lock (it has closed its sockets and sessions by then).
 * Returns its pid, 0 when none was running, or -1 with e set when it did
 * not stop in time.
 */
pid_t listener_pid_stop(const char *root, long timeout_ms, struct err *e);

#endif
