// SPDX-License-Identifier: GPL-2.0-only
/*
 * Who invoked us through sudo. SUDO_UID and SUDO_GID are plain environment variables that
 * anyone who can run us as root can set: the user is taken from the passwd database and the
 * group must be one of theirs there, so the environment can name a user but never lend a
 * group (SUDO_GID=0) that user does not have.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/fsuid.h>
#include "parse.h"
#include "sudo.h"

void swc_sudo_user_free(struct swc_sudo_user *u)
{
	free(u->groups);
	u->groups = NULL;
	u->ngroups = 0;
}

/* Every group the database gives the user, primary included; -1 on failure. */
static int user_groups(struct swc_sudo_user *u, gid_t primary)
{
	int n = 0;

	getgrouplist(u->name, primary, NULL, &n);	/* -1, with the count in n */
	if (n < 1)
		n = 1;
	u->groups = calloc(n, sizeof(*u->groups));
	if (!u->groups || getgrouplist(u->name, primary, u->groups, &n) < 0)
		return -1;
	u->ngroups = n;
	return 0;
}

int swc_sudo_resolve(const char *su, const char *sg, struct swc_sudo_user *u, char *err,
		     size_t errlen)
{
	unsigned long uid, gid = (unsigned long)-1;
	struct passwd *pw;
	bool member = false;

	memset(u, 0, sizeof(*u));
	if (!su)
		return 0;
	/* (uid_t)-1 means "no change" to chown and setresuid: never an id */
	if (swc_parse_ulong(su, 0, 0xfffffffeUL, &uid)) {
		snprintf(err, errlen, "SUDO_UID='%s' is not a user id: unset it", su);
		return -1;
	}
	if (sg && swc_parse_ulong(sg, 0, 0xfffffffeUL, &gid)) {
		snprintf(err, errlen, "SUDO_GID='%s' is not a group id: unset it", sg);
		return -1;
	}
	if (uid == 0)
		return 0;	/* sudo from root: nothing to give back */
	errno = 0;
	pw = getpwuid(uid);
	if (!pw) {
		snprintf(err, errlen, "SUDO_UID=%lu has no passwd entry, so its groups are "
			 "unknown: unset SUDO_UID to run as root", uid);
		return -1;
	}
	u->uid = uid;
	snprintf(u->name, sizeof(u->name), "%s", pw->pw_name);
	snprintf(u->home, sizeof(u->home), "%s", pw->pw_dir);
	u->gid = sg ? (gid_t)gid : pw->pw_gid;
	if (user_groups(u, pw->pw_gid)) {
		swc_sudo_user_free(u);
		snprintf(err, errlen, "SUDO_UID=%lu (%s): reading its groups: %s", uid, pw->pw_name,
			 strerror(errno ? errno : ENOMEM));
		return -1;
	}
	for (int i = 0; i < u->ngroups; i++)
		member |= u->groups[i] == u->gid;
	if (!member) {
		snprintf(err, errlen, "SUDO_GID=%lu is not one of the groups of SUDO_UID=%lu (%s): "
			 "unset SUDO_GID or give one of theirs", gid, uid, u->name);
		swc_sudo_user_free(u);
		return -1;
	}
	return 1;
}

static struct swc_sudo_user sudo_user;
static int sudo_state = -2;	/* not checked yet; then swc_sudo_resolve's answer */

int swc_sudo_check(void)
{
	char err[512];

	if (sudo_state != -2)
		return sudo_state < 0 ? 2 : 0;
	if (geteuid() != 0) {
		sudo_state = 0;
		return 0;
	}
	sudo_state = swc_sudo_resolve(getenv("SUDO_UID"), getenv("SUDO_GID"), &sudo_user, err,
				      sizeof(err));
	if (sudo_state < 0) {
		fprintf(stderr, "switchcost: %s\n", err);
		return 2;
	}
	return 0;
}

const struct swc_sudo_user *swc_sudo_user(void)
{
	if (sudo_state == -2)
		swc_sudo_check();
	return sudo_state > 0 ? &sudo_user : NULL;
}

int swc_sudo_ids(uid_t *uid, gid_t *gid)
{
	const struct swc_sudo_user *u = swc_sudo_user();

	if (sudo_state < 0)
		return -EINVAL;
	if (!u)
		return 0;
	*uid = u->uid;
	*gid = u->gid;
	return 1;
}

/* Root's groups and ids while a file operation runs as the user. */
static gid_t *saved_groups;
static int saved_ngroups = -1;
static uid_t saved_fsuid;
static gid_t saved_fsgid;

void swc_sudo_fs_enter(void)
{
	const struct swc_sudo_user *u = swc_sudo_user();
	int n;

	if (!u)
		return;
	/* the user's supplementary groups too: a group-readable file of theirs opens, one only
	 * root's groups may read does not */
	n = getgroups(0, NULL);
	saved_groups = n > 0 ? calloc(n, sizeof(*saved_groups)) : NULL;
	saved_ngroups = saved_groups ? getgroups(n, saved_groups) : 0;
	setgroups(u->ngroups, u->groups);
	saved_fsgid = setfsgid(u->gid);
	saved_fsuid = setfsuid(u->uid);
}

void swc_sudo_fs_leave(void)
{
	if (!swc_sudo_user() || saved_ngroups < 0)
		return;
	setfsuid(saved_fsuid);
	setfsgid(saved_fsgid);
	setgroups(saved_ngroups > 0 ? saved_ngroups : 0, saved_groups);
	free(saved_groups);
	saved_groups = NULL;
	saved_ngroups = -1;
}
