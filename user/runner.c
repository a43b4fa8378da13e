// SPDX-License-Identifier: GPL-2.0-only
/* A workload's runner: a child in its own process group, in its BPF group from birth. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "clock.h"
#include "pmu.h"
#include "records.h"
#include "runner.h"
#include "signals.h"
#include "watch.h"

static ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, (char *)buf + done, len - done);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR && !stop_requested)
				continue;
			return -1;
		}
		done += n;
	}
	return done;
}

static ssize_t write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(fd, (const char *)buf + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += n;
	}
	return done;
}

/* one atomic pipe write carries the whole result (see await_result()) */
_Static_assert(sizeof(struct swc_workload_result) <= PIPE_BUF, "result must fit one pipe write");

/*
 * read_full() of the runner's result that keeps consuming the ring buffer meanwhile: with
 * per-switch records on, a buffer left alone for the whole workload fills and every further
 * switch is a drop. Returns bytes read (short at EOF), or -1 with errno; a record consumer's
 * error (say, a full disk under the CSV) comes back in *cons_err.
 */
static ssize_t await_result(struct swc_watch *w, int fd, void *buf, size_t len, int *cons_err)
{
	int r;

	while ((r = records__wait(w, fd, -1, NULL)) == 0)
		;
	if (r == -EINTR) {
		errno = EINTR;
		return -1;
	}
	if (r < 0) {
		*cons_err = r;
		errno = -r;
		return -1;
	}
	/* the runner sends its result in one write of less than PIPE_BUF (or exits): once
	 * the pipe is readable, all of it is there */
	return read_full(fd, buf, len);
}

/* In the runner: its partner's wait4 counts must include the partner's final switch too (the
 * runner inherited the BPF map descriptors with the fork). */
static void await_partner_gone(pid_t pid, void *w)
{
	watch__await_gone(w, pid, swc_now_ns() + GONE_WAIT_NS);
}

static void __attribute__((noreturn)) runner_main(int go_fd, int res_fd, enum swc_workload_id id,
						  struct swc_workload_cfg *cfg, struct swc_watch *w)
{
	struct swc_workload_result res;
	char go;

	if (w) {
		cfg->before_reap = await_partner_gone;
		cfg->before_reap_arg = w;
	}
	if (read(go_fd, &go, 1) != 1)
		_exit(1);	/* the parent gave up before starting us */
	memset(&res, 0, sizeof(res));
	if (swc_workload_run(id, cfg, &res))
		_exit(1);
	if (write_full(res_fd, &res, sizeof(res)) != (ssize_t)sizeof(res))
		_exit(1);
	_exit(0);
}

int swc_runner_run(struct swc_watch *w, int group, enum swc_workload_id id,
		   const struct swc_workload_cfg *cfg, const struct swc_runner_arm *arm,
		   struct swc_runner_result *out)
{
	int go[2] = { -1, -1 }, res[2] = { -1, -1 }, err = 0, cons_err = 0;
	siginfo_t info;
	pid_t pid, r;
	ssize_t n;

	memset(out, 0, sizeof(*out));
	if (pipe2(go, O_CLOEXEC) || pipe2(res, O_CLOEXEC)) {
		err = -errno;
		fprintf(stderr, "switchcost: creating pipes: %s\n", strerror(errno));
		goto close_pipes;
	}
	pid = swc_fork_watched(w, group);
	if (pid < 0) {
		err = -errno;
		fprintf(stderr, "switchcost: starting the %s workload: %s\n",
			swc_workload_name(id), strerror(errno));
		goto close_pipes;
	}
	if (pid == 0) {
		struct swc_workload_cfg child_cfg = *cfg;

		close(go[1]);
		close(res[0]);
		runner_main(go[0], res[1], id, &child_cfg, w);
	}
	close(go[0]);
	close(res[1]);
	go[0] = res[1] = -1;

	if (arm && (err = arm->arm(arm->ctx, pid)))
		goto kill;
	/* before it starts: every task it creates inherits the counters */
	if (cfg->pmu && swc_pmu_open(cfg->pmu, cfg->pmu_kind, pid))
		swc_pmu_close(cfg->pmu);	/* not measured: the caller sees no count ok */
	if (write_full(go[1], "g", 1) != 1) {
		err = -errno;
		fprintf(stderr, "switchcost: starting the %s workload: %s\n",
			swc_workload_name(id), strerror(errno));
		goto kill;
	}
	n = await_result(w, res[0], &out->res, sizeof(out->res), &cons_err);
	if (n < 0 && stop_requested) {
		err = -EINTR;
		goto kill;
	}
	if (cons_err) {
		err = cons_err;
		goto kill;
	}
	/* wait without reaping, so the group is still ours while we kill what a crashed
	 * runner may have left behind (its partner), then reap with its rusage */
	while (waitid(P_PID, pid, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
		if (stop_requested) {
			err = -EINTR;
			goto kill;
		}
	}
	kill(-pid, SIGKILL);
	if (w)
		watch__await_gone(w, pid, swc_now_ns() + GONE_WAIT_NS);
	while ((r = wait4(pid, &out->status, 0, &out->ru)) < 0 && errno == EINTR)
		;
	swc_reap_group(pid);	/* the rest of the group, killed above */
	if (cfg->pmu)
		swc_pmu_read_close(cfg->pmu);
	out->ok = r == pid && WIFEXITED(out->status) && WEXITSTATUS(out->status) == 0 &&
		  n == (ssize_t)sizeof(out->res);
	goto detach;
kill:
	swc_kill_group(pid);
	if (cfg->pmu)
		swc_pmu_close(cfg->pmu);
detach:
	if (arm)
		arm->disarm(arm->ctx);
close_pipes:
	for (int i = 0; i < 2; i++) {
		if (go[i] >= 0)
			close(go[i]);
		if (res[i] >= 0)
			close(res[i]);
	}
	return err;
}

char *swc_describe_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "ended with wait status %#x", status);
	return buf;
}
