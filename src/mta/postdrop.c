/*
 * The maildrop writer. See postdrop.h.
 */
#include "mta/postdrop.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "mta/host.h"
#include "mta/qfile.h"

int postdrop(struct host *h, mtime_t now, int uid, const char *sender,
	     const char *fullname, const char *const *rcpts, size_t nrcpt,
	     const char *content, size_t len, char *id_out, struct err *e)
{
	struct qfile_writer w;
	char *spool = host_path(h, "var/spool/postfix");
	const char *p = content, *end = content + len;
	size_t i;

	if (qfile_create(&w, spool, "maildrop", 0444, (long)(now % 1000) * 1000
			 + (long)(host_next_serial(h) % 1000), e) != 0) {
		free(spool);
		return -1;
	}
	free(spool);
	qfile_putf(&w, QFILE_REC_TIME, "%ld %ld", (long)(now / 1000), (long)(now % 1000) * 1000);
	qfile_putf(&w, QFILE_REC_ATTR, "uid=%d", uid);
	if (fullname != NULL && fullname[0] != '\0')
		qfile_puts(&w, QFILE_REC_FULL, fullname);
	qfile_puts(&w, QFILE_REC_FROM, sender);
	for (i = 0; i < nrcpt; i++)
		qfile_puts(&w, QFILE_REC_RCPT, rcpts[i]);
	qfile_puts(&w, QFILE_REC_MESG, "");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		qfile_put(&w, QFILE_REC_NORM, p, n);
		p += n + (nl != NULL);
	}
	qfile_puts(&w, QFILE_REC_XTRA, "");
	qfile_puts(&w, QFILE_REC_END, "");
	snprintf(id_out, 32, "%s", w.id);
	if (qfile_commit(&w, NULL, e) != 0)
		return -1;
	return 0;
}

void postdrop_trigger(struct host *h)
{
	char *p = host_path(h, "var/spool/postfix/public/pickup");
	int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0622);

	if (fd >= 0)
		close(fd);
	free(p);
}

int postdrop_triggered(struct host *h, int clear)
{
	char *p = host_path(h, "var/spool/postfix/public/pickup");
	int set = access(p, F_OK) == 0;

	if (set && clear)
		unlink(p);
	free(p);
	return set;
}
