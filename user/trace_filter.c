// SPDX-License-Identifier: GPL-2.0-only
/*
 * What trace watches, turned into the BPF side's knobs: every task (-a), the filters (-t, --comm,
 * --cgroup: judged in BPF on the task each event is about, prev or next), counting only or with
 * timings, and the pid namespace the rows' pids are translated into.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include "sysinfo.h"
#include "trace.h"
#include "watch.h"

/* Path components of rel ("/a/b" and "a/b/" both 2): a cgroup's depth below the v2 root. */
static __u32 depth(const char *rel)
{
	__u32 n = 0;

	for (const char *p = rel; *p; p++)
		if (*p != '/' && (p == rel || p[-1] == '/'))
			n++;
	return n;
}

/*
 * PATH as a directory of the cgroup v2 file system (as given, or below its mount point, as
 * /proc/PID/cgroup names it): its id (the directory's inode, what BPF reads as kn->id) and depth.
 */
static int cgroup_resolve(const char *path, __u64 *id, __u32 *level)
{
	char mnt[4096], joined[8192], real[PATH_MAX], realmnt[PATH_MAX];
	struct statfs sf;
	struct stat st;
	size_t n;

	if (trace_cgroup2_mount(mnt, sizeof(mnt)) || !realpath(mnt, realmnt)) {
		fprintf(stderr, "switchcost: --cgroup needs cgroup v2, and no cgroup2 file system is "
				"mounted (see /proc/self/mountinfo); mount one or drop --cgroup\n");
		return -1;
	}
	if (!realpath(path, real) || statfs(real, &sf) || sf.f_type != CGROUP2_SUPER_MAGIC) {
		snprintf(joined, sizeof(joined), "%s/%s", realmnt, path);
		if (!realpath(joined, real) || statfs(real, &sf) ||
		    sf.f_type != CGROUP2_SUPER_MAGIC) {
			fprintf(stderr, "switchcost: --cgroup %s: no such cgroup v2 directory (as a "
					"path, or below %s); give one such as %s/system.slice\n", path,
				realmnt, realmnt);
			return -1;
		}
	}
	n = strlen(realmnt);
	if (stat(real, &st) || !S_ISDIR(st.st_mode) || strncmp(real, realmnt, n) ||
	    (real[n] && real[n] != '/')) {
		fprintf(stderr, "switchcost: --cgroup %s: not a cgroup directory below %s\n", path,
			realmnt);
		return -1;
	}
	*id = st.st_ino;
	*level = depth(real + n);
	return 0;
}

int trace_filter_setup(const struct trace_env *env, struct swc_watch_opts *o)
{
	o->every_task = env->all;
	o->counts_only = env->all && !env->latency;
	/* the wake-up hook, run by every wake-up on the machine, only when asked for */
	o->no_wakeup_to_run = !env->latency;
	/* the group's histograms: --hist, and -a --latency's machine-wide ones */
	o->no_group_times = !env->hist && !(env->all && env->latency);
	o->filter_tid = env->tid;
	o->filter_comm = env->comm;
	if (env->cgroup) {
		if (cgroup_resolve(env->cgroup, &o->cgroup_id, &o->cgroup_level))
			return -1;
		o->filter_cgroup = true;
	}
	/* BPF sees the host's pids: a namespace can neither name them (-p, -t) nor see every
	 * task (-a); the tasks of a command it starts are translated into ours */
	if (!swc_in_initial_pidns() && (env->all || env->npids || env->tid)) {
		fprintf(stderr, "switchcost: %s in a pid namespace: eBPF sees the host's pids, which "
				"this namespace cannot name; run switchcost in the initial pid "
				"namespace, or trace a command it starts (trace -- CMD)\n",
			env->all ? "-a" : env->npids ? "-p" : "-t");
		return -1;
	}
	return 0;
}
