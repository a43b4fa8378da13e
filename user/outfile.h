/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A file written safely as root (the CSV, its metadata sidecar, report's HTML): never through
 * a symlink, created and committed with the sudo user's file-system identity, owned by them,
 * and never seen half-written under its final name.
 *
 * swc_outfile_open() refuses a symlink or a non-regular file at path (or another user's
 * file), then creates an unnamed file in path's directory (O_TMPFILE) and leaves its
 * descriptor in fd; swc_outfile_commit() fsyncs it and links it into place when keep, or
 * drops it. A process killed in between (SIGKILL included) leaves nothing behind. Where the
 * file system has no O_TMPFILE, a ".NAME.XXXXXXXX.tmp" created O_EXCL|O_NOFOLLOW stands in,
 * renamed into place or removed. Both print one line on failure and return -errno.
 */
#ifndef SWC_OUTFILE_H
#define SWC_OUTFILE_H

#include <stdbool.h>
#include <sys/types.h>

struct swc_outfile {
	int fd, dirfd;
	char *path, *name;
	char *tmp;		/* the temporary name, or NULL for an unnamed (O_TMPFILE) file */
	bool for_user;		/* under sudo: file operations run as that user */
	bool synced;		/* fsync'ed: only the link (or rename) into place is left */
	uid_t uid;
	gid_t gid;
};

void swc_outfile_init(struct swc_outfile *o);
int swc_outfile_open(struct swc_outfile *o, const char *path);
/* Makes the content durable (fsync): where a full disk shows. Returns 0 or -errno. */
int swc_outfile_sync(struct swc_outfile *o);
/* keep: sync, then link (or rename) into place; otherwise remove. Always releases o. */
int swc_outfile_commit(struct swc_outfile *o, bool keep);
/* a and b both in place, or neither (keep false, or a failure of either): a sidecar b is
 * synced and put in place first, and removed again if a cannot follow it. */
int swc_outfile_commit_pair(struct swc_outfile *a, struct swc_outfile *b, bool keep);
/* Writes all of buf to fd, or to o (EINTR retried). Return 0 or -errno, printing nothing. */
int swc_write_all(int fd, const void *buf, size_t len);
int swc_outfile_write(struct swc_outfile *o, const void *buf, size_t len);

/* Forces the temporary-name scheme, as on a file system without O_TMPFILE (tests). */
#define SWC_OUTFILE_NO_TMPFILE_ENV	"SWITCHCOST_NO_O_TMPFILE"

#endif
