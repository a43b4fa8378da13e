// SPDX-License-Identifier: GPL-2.0-only
/*
 * Files written safely as root (see outfile.h). The content goes to an unnamed O_TMPFILE
 * inode in the target's directory and is linked into place only when complete, so no death of
 * ours, SIGKILL included, leaves a partial file or a temporary name behind; a temporary name
 * renamed into place stands in where the file system has no O_TMPFILE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include "outfile.h"
#include "sudo.h"

/*
 * Under sudo, the directory is opened and the file created, linked, renamed and removed with
 * the sudo user's filesystem identity (setfsuid): root's powers must not let
 * `sudo switchcost --csv` write where that user could not, nor replace a file that is not theirs.
 */
static void fs_as_user(const struct swc_outfile *o)
{
	if (o->for_user)
		swc_sudo_fs_enter();
}

static void fs_as_root(const struct swc_outfile *o)
{
	if (o->for_user)
		swc_sudo_fs_leave();
}

void swc_outfile_init(struct swc_outfile *o)
{
	memset(o, 0, sizeof(*o));
	o->fd = o->dirfd = -1;
}

/* ".NAME.XXXXXXXX.tmp" in o->tmp (allocated), a fresh random part each call. */
static int temp_name(struct swc_outfile *o, int tries)
{
	unsigned int rnd;

	if (!o->tmp && !(o->tmp = malloc(strlen(o->name) + 32)))
		return -ENOMEM;
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = (unsigned int)getpid() * 2654435761U + tries;
	/* at most 200 bytes of the name: a name that fits NAME_MAX must not be refused for the
	 * 14 bytes around it */
	sprintf(o->tmp, ".%.200s.%08x.tmp", o->name, rnd);
	return 0;
}

/* The file itself: unnamed where the file system can, else under a temporary name. */
static int create_file(struct swc_outfile *o)
{
	if (!getenv(SWC_OUTFILE_NO_TMPFILE_ENV)) {
		fs_as_user(o);	/* created as the sudo user: theirs, where they may write */
		o->fd = openat(o->dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
		fs_as_root(o);
		if (o->fd >= 0)
			return 0;
		/* no O_TMPFILE here: the temporary name; anything else is the answer */
		if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
			return -errno;
	}
	for (int tries = 0; tries < 100; tries++) {
		if (temp_name(o, tries))
			return -ENOMEM;
		fs_as_user(o);
		o->fd = openat(o->dirfd, o->tmp,
			       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		fs_as_root(o);
		if (o->fd >= 0 || errno != EEXIST)
			break;
	}
	if (o->fd < 0) {
		free(o->tmp);
		o->tmp = NULL;
		return -errno;
	}
	return 0;
}

int swc_outfile_open(struct swc_outfile *o, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = NULL;
	struct stat st;
	int err, r;

	swc_outfile_init(o);
	r = swc_sudo_ids(&o->uid, &o->gid);
	if (r < 0) {
		err = EINVAL;
		fprintf(stderr, "switchcost: writing %s: SUDO_UID or SUDO_GID is not a plain id: "
				"fix or unset it\n", path);
		return -err;
	}
	o->for_user = r > 0;
	o->path = strdup(path);
	o->name = strdup(slash ? slash + 1 : path);
	dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	if (!o->path || !o->name || !dir) {
		err = ENOMEM;
		fprintf(stderr, "switchcost: writing %s: %s\n", path, strerror(err));
		goto fail;
	}
	if (!*o->name || !strcmp(o->name, ".") || !strcmp(o->name, "..")) {
		err = EISDIR;
		fprintf(stderr, "switchcost: writing %s: that names a directory; give a file "
				"name\n", path);
		goto fail;
	}
	/* directories on the way may be symlinks (/tmp on some systems); the target may not */
	fs_as_user(o);
	o->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fs_as_root(o);
	if (o->dirfd < 0) {
		err = errno;
		fprintf(stderr, "switchcost: writing %s: cannot open directory %s: %s\n", path,
			dir, strerror(err));
		goto fail;
	}
	if (!fstatat(o->dirfd, o->name, &st, AT_SYMLINK_NOFOLLOW)) {
		if (S_ISLNK(st.st_mode)) {
			err = ELOOP;
			fprintf(stderr, "switchcost: writing %s: it is a symbolic link, and "
					"switchcost never writes through one: remove it or choose "
					"another name\n", path);
			goto fail;
		}
		if (!S_ISREG(st.st_mode)) {
			err = EEXIST;
			fprintf(stderr, "switchcost: writing %s: it exists and is not a regular "
					"file: choose another name (or '-' for stdout)\n", path);
			goto fail;
		}
		if (o->for_user && st.st_uid != o->uid) {
			err = EPERM;
			fprintf(stderr, "switchcost: writing %s: it exists and belongs to uid %u, "
					"not to you (SUDO_UID %u): choose another name\n", path,
				(unsigned int)st.st_uid, (unsigned int)o->uid);
			goto fail;
		}
	}
	err = -create_file(o);
	if (err) {
		fprintf(stderr, "switchcost: writing %s: cannot create a file in %s: %s\n", path,
			dir, strerror(err));
		goto fail;
	}
	/* the file is for the user who ran sudo, not for root (fsgid may have stayed root's) */
	if (o->for_user && fchown(o->fd, o->uid, o->gid)) {
		err = errno;
		fprintf(stderr, "switchcost: writing %s: giving it to SUDO_UID %u: %s\n", path,
			(unsigned int)o->uid, strerror(err));
		goto fail;
	}
	free(dir);
	return 0;
fail:
	free(dir);
	swc_outfile_commit(o, false);
	return -err;
}

int swc_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)	/* our stop handler has no SA_RESTART */
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

int swc_outfile_write(struct swc_outfile *o, const void *buf, size_t len)
{
	return swc_write_all(o->fd, buf, len);
}

int swc_outfile_sync(struct swc_outfile *o)
{
	int err = 0;

	if (o->fd < 0 || o->synced)
		return 0;
	/* a full disk or a failed device that write() did not report shows here, before the
	 * file is put in place looking complete */
	if (fsync(o->fd) && errno != EINVAL)
		err = errno;
	if (err)
		fprintf(stderr, "switchcost: writing %s: %s\n", o->path, strerror(err));
	o->synced = !err;
	return -err;
}

/* Links an unnamed file in as name; -EEXIST when name exists. */
static int link_unnamed(struct swc_outfile *o, const char *name)
{
	char proc[64];

	/* the /proc link needs no capability (AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH,
	 * which the sudo user's fsuid drops) */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", o->fd);
	if (!linkat(AT_FDCWD, proc, o->dirfd, name, AT_SYMLINK_FOLLOW))
		return 0;
	return -errno;
}

/* Puts the synced file in place under its name. Returns 0 or -errno, with a line printed. */
static int put_in_place(struct swc_outfile *o)
{
	int err = 0;

	fs_as_user(o);
	if (!o->tmp) {
		/* no file there: one atomic link; else a named link renamed over the old one */
		err = link_unnamed(o, o->name);
		for (int tries = 0; err == -EEXIST && tries < 100; tries++) {
			if (temp_name(o, tries)) {
				err = -ENOMEM;
				break;
			}
			err = link_unnamed(o, o->tmp);
		}
		if (err && o->tmp) {
			free(o->tmp);
			o->tmp = NULL;
		}
	}
	if (!err && o->tmp && renameat(o->dirfd, o->tmp, o->dirfd, o->name))
		err = -errno;
	fs_as_root(o);
	if (err)
		fprintf(stderr, "switchcost: writing %s: putting it in place: %s\n", o->path,
			strerror(-err));
	return err;
}

/* Closes and forgets o; a temporary name still there is removed. */
static void release(struct swc_outfile *o)
{
	if (o->fd >= 0)
		close(o->fd);
	if (o->tmp) {
		fs_as_user(o);
		unlinkat(o->dirfd, o->tmp, 0);
		fs_as_root(o);
	}
	if (o->dirfd >= 0)
		close(o->dirfd);
	free(o->tmp);
	free(o->name);
	free(o->path);
	swc_outfile_init(o);
}

/* In place under its name: nothing left to remove at release. */
static void placed(struct swc_outfile *o)
{
	free(o->tmp);
	o->tmp = NULL;
}

int swc_outfile_commit(struct swc_outfile *o, bool keep)
{
	int err = 0;

	if (o->fd >= 0 && keep) {
		err = swc_outfile_sync(o);
		if (!err)
			err = put_in_place(o);
		if (!err)
			placed(o);
	}
	release(o);
	return err;
}

int swc_outfile_commit_pair(struct swc_outfile *a, struct swc_outfile *b, bool keep)
{
	int err = 0;

	if (keep && a->fd >= 0 && b->fd >= 0) {
		/* both synced first: a full disk stops the pair before either name appears */
		err = swc_outfile_sync(a);
		if (!err)
			err = swc_outfile_sync(b);
		if (!err)
			err = put_in_place(b);
		if (!err) {
			placed(b);
			err = put_in_place(a);
			if (!err) {
				placed(a);
			} else {
				/* a sidecar beside no file would describe nothing */
				fs_as_user(b);
				unlinkat(b->dirfd, b->name, 0);
				fs_as_root(b);
			}
		}
	} else if (keep) {
		err = -EBADF;
	}
	release(a);
	release(b);
	return err;
}
