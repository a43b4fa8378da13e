/* SPDX-License-Identifier: GPL-2.0-only */
/* Who invoked us through sudo: the user whose files and programs are theirs, not root's. */
#ifndef SWC_SUDO_H
#define SWC_SUDO_H

#include <sys/types.h>

/*
 * SUDO_UID and SUDO_GID when we run as root through sudo. Returns 1 with *uid and *gid set
 * (*gid is (gid_t)-1 when SUDO_GID is unset), 0 when not under sudo (or not root, or
 * SUDO_UID=0), or -EINVAL when SUDO_UID or SUDO_GID is set but not a plain id.
 */
int swc_sudo_ids(uid_t *uid, gid_t *gid);

#endif
