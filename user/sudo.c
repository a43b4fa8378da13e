// SPDX-License-Identifier: GPL-2.0-only
/* Who invoked us through sudo. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "parse.h"
#include "sudo.h"

int swc_sudo_ids(uid_t *uid, gid_t *gid)
{
	const char *su = getenv("SUDO_UID"), *sg = getenv("SUDO_GID");
	unsigned long u, g = (gid_t)-1;

	if (geteuid() != 0 || !su)
		return 0;
	/* (uid_t)-1 means "no change" to chown and setresuid: never an id */
	if (swc_parse_ulong(su, 0, 0xfffffffeUL, &u))
		return -EINVAL;
	if (sg && swc_parse_ulong(sg, 0, 0xfffffffeUL, &g))
		return -EINVAL;
	if (u == 0)
		return 0;	/* sudo from root: nothing to give back */
	*uid = u;
	*gid = g;
	return 1;
}
