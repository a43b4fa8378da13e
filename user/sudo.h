/* SPDX-License-Identifier: GPL-2.0-only */
/* Who invoked us through sudo: the user whose files and programs are theirs, not root's. */
#ifndef SWC_SUDO_H
#define SWC_SUDO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The sudo user as the user database knows them; SUDO_GID is believed only when it is one of
 * their groups, so the environment cannot hand a traced program group root. */
struct swc_sudo_user {
	uid_t uid;
	gid_t gid;		/* SUDO_GID, or the passwd entry's group when unset */
	char name[256], home[4096];
	gid_t *groups;		/* every group of the user (getgrouplist), gid among them */
	int ngroups;
};

/*
 * Reads SUDO_UID and SUDO_GID (either may be NULL) into u. Returns 1 with u filled, 0 when
 * there is no one to act for (su NULL, or SUDO_UID=0), or -1 with one line (no prefix, no
 * newline) in err: not a plain id, no passwd entry, or a SUDO_GID not among the user's groups.
 */
int swc_sudo_resolve(const char *su, const char *sg, struct swc_sudo_user *u, char *err,
		     size_t errlen);
void swc_sudo_user_free(struct swc_sudo_user *u);

/* Checks the environment once, as root: 0 when fine (or not root, or not under sudo), else
 * prints "switchcost: ..." and returns 2 (every command refuses the same way). */
int swc_sudo_check(void);
/* The checked sudo user, or NULL when there is none. */
const struct swc_sudo_user *swc_sudo_user(void);

/*
 * SUDO_UID and SUDO_GID when we run as root through sudo. Returns 1 with *uid and *gid set,
 * 0 when not under sudo (or not root, or SUDO_UID=0), or -EINVAL when the environment was
 * refused by swc_sudo_check().
 */
int swc_sudo_ids(uid_t *uid, gid_t *gid);

/* The sudo user's file-system identity (fsuid, fsgid, groups) for the file operations between
 * enter and leave, so a path they name opens only if they could open it; no-ops without
 * sudo. Not nested, single-threaded callers. */
void swc_sudo_fs_enter(void);
void swc_sudo_fs_leave(void);

#endif
