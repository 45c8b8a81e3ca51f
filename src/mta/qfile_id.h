/*
 * qfile_id: how a new queue file gets its name (Postfix's short queue ID,
 * "%05X%lX": the arrival microseconds, then a number unique on the host).
 *
 * Postfix takes that number from the file's inode (mail_queue_enter()),
 * and so does qfile by default: unique while the file exists, different
 * at every run. A world on the virtual clock (the demo, the simulator's
 * tests) wants the same IDs at every run, so there the number comes from
 * a per-host counter kept in the host's own state, SPOOL/pid/queue_id.serial
 * (one line, hexadecimal), starting at a value derived from the host's
 * name (so that the hosts of one world do not share IDs) in the range
 * inodes have (6 hex digits: 11-character IDs like the reference's
 * 1F3A6104556). The counter only grows, so IDs stay unique across runs in
 * one lab root; a name already used in a queue is skipped.
 *
 * The choice is the process's: the simulator turns the counter on while
 * it runs a world on its fixed clock (sim_open) and restores it after.
 */
#ifndef MAILLAB_QFILE_ID_H
#define MAILLAB_QFILE_ID_H

struct qfile_writer;
struct err;

/* Counter-based IDs on (nonzero) or inode-based (0). Returns the setting
 * it replaces, so a caller can restore it. */
int qfile_id_use_counter(int on);

/*
 * Names the file w has open under tmp (in w->dir): sets w->id and
 * w->path ("DIR/ID") and moves tmp there. usec is 0..0xFFFFF, ino the
 * file's inode. With the counter on, the number is the host's next
 * counter value; when the counter file cannot be used, the inode (as
 * Postfix). 0, or -1 with e set (tmp is then unlinked, w->path NULL).
 */
int qfile_id_assign(struct qfile_writer *w, const char *spool, const char *tmp,
		    long usec, unsigned long ino, struct err *e);

#endif
