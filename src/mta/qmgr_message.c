/*
 * Queue file -> envelope and content. See qmgr_message.h.
 */
#include "mta/qmgr_message.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "mta/qfile.h"
#include "mta/queue_ops.h"

void qmgr_message_reset(struct qmgr_message *m)
{
	size_t i;

	for (i = 0; i < m->nrcpt; i++) {
		free(m->rcpts[i].address);
		free(m->rcpts[i].orig);
		free(m->rcpts[i].dsn_orig);
	}
	free(m->rcpts);
	free(m->id);
	free(m->queue);
	free(m->path);
	free(m->sender);
	free(m->content);
	free(m->log_client);
	memset(m, 0, sizeof(*m));
}

static mtime_t parse_time(const char *s)
{
	char *end;
	long sec = strtol(s, &end, 10);
	long usec = strtol(end, NULL, 10);

	return (mtime_t)sec * 1000 + usec / 1000;
}

int qmgr_message_load_path(const char *path, const char *id,
			   struct qmgr_message *m, struct err *e)
{
	struct qfile q;
	struct buf content;
	char *orig = NULL, *dsn_orig = NULL;
	int have_size = 0, have_time = 0, have_from = 0, in_content = 0, ended = 0;
	size_t i;
	int rc = 0;

	memset(m, 0, sizeof(*m));
	m->id = xstrdup(id);
	m->path = xstrdup(path);
	m->uid = -1;
	m->warn_offset = -1;
	qfile_init(&q);
	if (qfile_read(path, &q, e) < 0) {
		qfile_reset(&q);
		return -1;
	}
	buf_init(&content);
	buf_adds(&content, "");
	for (i = 0; i < q.n; i++) {
		const struct qfile_rec *r = &q.recs[i];

		if (in_content) {
			if (r->type == QFILE_REC_NORM) {
				buf_add(&content, r->data, r->len);
				buf_addc(&content, '\n');
			} else if (r->type == QFILE_REC_CONT) {
				buf_add(&content, r->data, r->len);
			} else if (r->type == QFILE_REC_XTRA) {
				in_content = 0;
			} else if (r->type == QFILE_REC_END) {
				ended = 1;
				break;
			} else if (r->type != QFILE_REC_PTR && r->type != QFILE_REC_DTXT) {
				rc = err_set(e, 0, "%s: unexpected record type %d in message content",
					     id, r->type);
				break;
			}
			continue;
		}
		switch (r->type) {
		case QFILE_REC_SIZE:
			have_size = 1;
			m->size = q.size.data_size;
			break;
		case QFILE_REC_TIME:
			have_time = 1;
			m->arrival = parse_time(r->data);
			break;
		case QFILE_REC_WARN:
			/* first instance wins, as in cleanup and qmgr */
			if (m->warn_offset < 0) {
				m->warn_offset = r->offset;
				m->warn_time = (mtime_t)strtol(r->data, NULL, 10) * 1000;
			}
			break;
		case QFILE_REC_FROM:
			have_from = 1;
			free(m->sender);
			m->sender = xstrdup(r->data);
			break;
		case QFILE_REC_ATTR:
			if (strncmp(r->data, "create_time=", 12) == 0)
				m->create = (mtime_t)strtol(r->data + 12, NULL, 10) * 1000;
			else if (strncmp(r->data, "dsn_orig_rcpt=", 14) == 0) {
				free(dsn_orig);
				dsn_orig = xstrdup(r->data + 14);
			} else if (strncmp(r->data, "log_message_origin=", 19) == 0) {
				free(m->log_client);
				m->log_client = xstrdup(r->data + 19);
			}
			break;
		case QFILE_REC_ORCP:
			free(orig);
			orig = xstrdup(r->data);
			break;
		case QFILE_REC_RCPT:
		case QFILE_REC_DONE: {
			struct qmgr_rcpt *rc_;

			m->rcpts = xrealloc(m->rcpts, (m->nrcpt + 1) * sizeof(*m->rcpts));
			rc_ = &m->rcpts[m->nrcpt++];
			rc_->address = xstrdup(r->data);
			rc_->orig = orig != NULL ? orig : xstrdup("");
			rc_->dsn_orig = dsn_orig;
			rc_->offset = r->offset;
			rc_->done = r->type == QFILE_REC_DONE;
			if (rc_->done)
				m->ndone++;
			orig = NULL;
			dsn_orig = NULL;
			break;
		}
		case QFILE_REC_MESG:
			in_content = 1;
			break;
		case QFILE_REC_END:
			ended = 1;
			break;
		case QFILE_REC_KILL:
			/* postsuper marks killed files; treat them as gone */
			rc = err_set(e, 0, "%s: message is marked for deletion", id);
			break;
		default:
			break;
		}
		if (ended || rc != 0)
			break;
	}
	free(orig);
	free(dsn_orig);
	if (rc == 0 && (!have_size || !have_time || !have_from || !ended))
		rc = err_set(e, 0, "%s: missing %s record", id,
			     !have_size ? "size" : !have_time ? "arrival time"
			     : !have_from ? "sender" : "end");
	if (rc == 0 && m->nrcpt == 0)
		rc = err_set(e, 0, "%s: no recipients in message", id);
	if (m->create == 0)
		m->create = m->arrival;
	m->content = buf_steal(&content, &m->len);
	buf_reset(&content);
	qfile_reset(&q);
	return rc;
}

int qmgr_message_load(struct host *h, const char *queue, const char *id,
		      struct qmgr_message *m, struct err *e)
{
	char *path = queue_ops_path(h, queue, id);
	int rc;

	rc = qmgr_message_load_path(path, id, m, e);
	free(path);
	free(m->queue);
	m->queue = xstrdup(queue);
	if (rc < 0 && e->errnum == 0 && errno == ENOENT)
		e->errnum = ENOENT;
	return rc;
}
