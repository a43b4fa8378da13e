// SPDX-License-Identifier: GPL-2.0-only
/*
 * Containing the traced program's whole tree: it runs in a cgroup v2 of its own, made under
 * switchcost's own cgroup, so that one write to cgroup.kill stops every process of it, even
 * those that left CMD's process group or session. A small supervisor process, outside that
 * cgroup, kills it when switchcost dies however it dies (SIGKILL, a crash, the OOM killer):
 * it waits on a pipe only switchcost holds open, and on a parent-death signal. Where cgroup v2
 * is not writable, trace says so once and falls back to CMD's process group.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "clock.h"
#include "trace.h"

#define EMPTY_WAIT_NS	(2ULL * 1000 * 1000 * 1000)	/* a killed tree is gone in ms */

static struct {
	int dirfd;		/* the cgroup's directory, -1 when not contained */
	int procs_fd;		/* its cgroup.procs, for CMD to move itself in */
	char path[4096];
	pid_t supervisor;
	int keepalive;		/* the write end the supervisor waits on */
} cg = { -1, -1, "", 0, -1 };

int trace_cgroup2_mount(char *buf, size_t len)
{
	char line[8192], root[4096], mnt[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int rc = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *dash = strstr(line, " - cgroup2 ");

		/* "id parent maj:min root mount-point options ... - cgroup2 source options" */
		if (!dash || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2)
			continue;
		if (strcmp(root, "/") || strchr(mnt, '\\'))
			continue;	/* a bind of a sub-tree, or an escaped name: not ours */
		if ((size_t)snprintf(buf, len, "%s", mnt) < len)
			rc = 0;
		break;
	}
	fclose(f);
	return rc;
}

/* Our own cgroup v2 path ("0::/PATH" in /proc/self/cgroup), or -1. */
static int own_cgroup(char *buf, size_t len)
{
	char line[4096];
	FILE *f = fopen("/proc/self/cgroup", "re");
	int rc = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		if ((size_t)snprintf(buf, len, "%s", line + 3) < len)
			rc = 0;
		break;
	}
	fclose(f);
	return rc;
}

static int write_kill(int dirfd)
{
	int fd = openat(dirfd, "cgroup.kill", O_WRONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = write(fd, "1", 1) == 1 ? 0 : -1;
	close(fd);
	return rc;
}

/* Whether the cgroup still has live members ("populated 1" in cgroup.events). */
static bool populated(int dirfd)
{
	char buf[256];
	ssize_t n;
	int fd = openat(dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return !strstr(buf, "populated 0");
}

static void await_empty(int dirfd)
{
	const struct timespec step = { .tv_nsec = 1000 * 1000 };
	__u64 deadline = swc_now_ns() + EMPTY_WAIT_NS;

	while (populated(dirfd) && swc_now_ns() < deadline)
		nanosleep(&step, NULL);
}

static void on_parent_death(int sig)
{
	(void)sig;	/* only there to interrupt poll() */
}

/* Closes every fd but a and b: the supervisor holds nothing of switchcost's (a CSV, BPF). */
static void keep_only(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;

	if (lo > 0)
		close_range(0, lo - 1, 0);
	if (hi > lo + 1)
		close_range(lo + 1, hi - 1, 0);
	close_range(hi + 1, ~0U, 0);
}

static void __attribute__((noreturn)) supervise(int rfd, pid_t parent)
{
	static const int quiet[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGPIPE, SIGTSTP };
	struct sigaction sa;
	struct pollfd p = { .fd = rfd, .events = POLLIN };
	sigset_t none;
	char c;

	/* Ctrl-C at the terminal reaches our group too: switchcost decides, not us */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++)
		sigaction(quiet[i], &sa, NULL);
	sa.sa_handler = on_parent_death;
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0);
	keep_only(rfd, cg.dirfd);
	if (getppid() == parent) {
		/* EOF when switchcost's end closes, or dies; EINTR on the parent-death signal */
		while (poll(&p, 1, -1) < 0 && errno == EINTR && getppid() == parent)
			;
		while (read(rfd, &c, 1) < 0 && errno == EINTR && getppid() == parent)
			;
	}
	write_kill(cg.dirfd);
	await_empty(cg.dirfd);
	unlinkat(AT_FDCWD, cg.path, AT_REMOVEDIR);
	_exit(0);
}

static void undo(void)
{
	if (cg.procs_fd >= 0)
		close(cg.procs_fd);
	if (cg.dirfd >= 0) {
		close(cg.dirfd);
		rmdir(cg.path);
	}
	cg.procs_fd = cg.dirfd = -1;
}

/* One line, once: what the fallback cannot do. */
static void fall_back(const char *step, int err)
{
	fprintf(stderr, "switchcost: not containing the traced program in a cgroup (%s: %s): its "
			"process group is stopped instead, and processes that leave it survive a "
			"SIGKILL of switchcost\n", step, strerror(err));
	undo();
}

int trace_contain_open(void)
{
	char mnt[4096], own[4096];
	int pfd[2], err;
	pid_t parent = getpid(), pid;

	if (trace_cgroup2_mount(mnt, sizeof(mnt))) {
		fall_back("finding the cgroup v2 mount", ENOENT);
		return 1;
	}
	if (own_cgroup(own, sizeof(own))) {
		fall_back("reading /proc/self/cgroup", ENOENT);
		return 1;
	}
	if ((size_t)snprintf(cg.path, sizeof(cg.path), "%s%s/switchcost-trace.%d", mnt,
			     strcmp(own, "/") ? own : "", (int)parent) >= sizeof(cg.path)) {
		fall_back("naming the cgroup", ENAMETOOLONG);
		return 1;
	}
	if (mkdir(cg.path, 0755)) {
		err = errno;
		fprintf(stderr, "switchcost: not containing the traced program in a cgroup "
				"(creating %s: %s): its process group is stopped instead, and "
				"processes that leave it survive a SIGKILL of switchcost\n", cg.path,
			strerror(err));
		return 1;
	}
	cg.dirfd = open(cg.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg.dirfd < 0) {
		fall_back("opening the cgroup", errno);
		return 1;
	}
	/* cgroup.kill is Linux 5.14 */
	if (faccessat(cg.dirfd, "cgroup.kill", W_OK, 0)) {
		fall_back("cgroup.kill", errno);
		return 1;
	}
	cg.procs_fd = openat(cg.dirfd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
	if (cg.procs_fd < 0) {
		fall_back("opening cgroup.procs", errno);
		return 1;
	}
	if (pipe2(pfd, O_CLOEXEC)) {
		fall_back("creating the supervisor's pipe", errno);
		return 1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = errno;
		close(pfd[0]);
		close(pfd[1]);
		fall_back("starting the supervisor", err);
		return 1;
	}
	if (pid == 0) {
		close(pfd[1]);
		close(cg.procs_fd);
		supervise(pfd[0], parent);
	}
	close(pfd[0]);
	cg.supervisor = pid;
	cg.keepalive = pfd[1];
	return 0;
}

bool trace_contained(void)
{
	return cg.dirfd >= 0;
}

int trace_contain_enter(void)
{
	if (cg.procs_fd < 0)
		return 0;
	return write(cg.procs_fd, "0", 1) == 1 ? 0 : -1;
}

bool trace_contain_is_supervisor(pid_t pid)
{
	return cg.supervisor > 0 && pid == cg.supervisor;
}

int trace_contain_kill(void)
{
	if (cg.dirfd < 0)
		return -1;
	return write_kill(cg.dirfd);
}

void trace_contain_release(void)
{
	/* the supervisor exits on EOF; whoever reaps children reaps it (trace_reap) */
	if (cg.keepalive >= 0)
		close(cg.keepalive);
	cg.keepalive = -1;
}

void trace_contain_close(void)
{
	if (cg.dirfd >= 0) {
		write_kill(cg.dirfd);
		await_empty(cg.dirfd);
	}
	trace_contain_release();
	if (cg.supervisor > 0) {
		while (waitpid(cg.supervisor, NULL, 0) < 0 && errno == EINTR)
			;
		cg.supervisor = 0;
	}
	undo();
}
