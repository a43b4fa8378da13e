// SPDX-License-Identifier: GPL-2.0-only
/*
 * trace's watch loop: it sleeps in ticks until CMD ends, the -p processes end, a stop request
 * or -d / COUNT, consuming switch records meanwhile (records.c), printing each interval line
 * as it comes due and reading --stacks' maps while the processes live.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "clock.h"
#include "csvsink.h"
#include "offcpu.h"
#include "records.h"
#include "signals.h"
#include "trace.h"
#include "watch.h"

#define NS_PER_MS	1000000ULL
#define TICK_NS		(1000ULL * 1000 * 1000)	/* longest sleep between checks */

/* The thread group of pid (a tid given to -p means its process); 0 if there is none. */
static pid_t proc_tgid(pid_t pid)
{
	char path[64], line[256];
	long tgid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %ld", &tgid) == 1)
			break;
	fclose(f);
	return (pid_t)tgid;
}

/* Alive and not a zombie: a zombie's switches are over. */
static bool proc_alive(pid_t pid)
{
	char state;

	if (trace_proc_stat(pid, &state, NULL))
		return false;
	return state != 'Z' && state != 'X';
}

int trace_watch_pids(struct trace_env *env, struct swc_watch *w)
{
	pid_t tgid;
	int err;

	for (int i = 0; i < env->npids; i++) {
		tgid = proc_tgid(env->pids[i]);
		if (!tgid || !proc_alive(tgid)) {
			fprintf(stderr, "switchcost: no process %d (-p): it is not running; check "
					"the pid with ps\n", env->pids[i]);
			return -1;
		}
		if (tgid == getpid()) {
			fprintf(stderr, "switchcost: -p %d is switchcost itself: give the pid of "
					"another process\n", env->pids[i]);
			return -1;
		}
		env->pids[i] = tgid;
		err = watch__add_pid(w, tgid, TRACE_GROUP);
		if (err) {
			fprintf(stderr, "switchcost: watching process %d: %s\n", (int)tgid,
				strerror(-err));
			return -1;
		}
	}
	return 0;
}

static void on_sigchld(int sig)
{
	(void)sig;	/* only there to interrupt ppoll() */
}

void trace_catch_sigchld(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;	/* no SA_RESTART: the wait must wake up */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
}

/*
 * Sleeps until a signal, or timeout_ns; signals in `unblocked` may interrupt it. With --csv
 * it consumes records meanwhile (records__wait()). Returns 0, or < 0 after the consumer failed.
 */
static int wait_a_while(struct swc_watch *w, const struct trace_sinks *rs, __u64 timeout_ns,
			const sigset_t *unblocked)
{
	int ms = (int)((timeout_ns + NS_PER_MS - 1) / NS_PER_MS);
	int n = records__wait(rs ? w : NULL, -1, ms, unblocked);

	if (n < 0 && n != -EINTR) {
		if (!(rs->csv && rs->csv->failed))	/* else the sink said why */
			fprintf(stderr, "switchcost: reading switch records: %s; no CSV file is "
					"left\n", strerror(-n));
		return n;
	}
	return 0;
}

/* The pids of -p that still run; prints a line for each that ended. */
static int pids_alive(struct trace_env *env, bool *gone, struct trace_result *res,
		      __u64 start)
{
	int alive = 0;

	for (int i = 0; i < env->npids; i++) {
		if (gone[i])
			continue;
		if (proc_alive(env->pids[i])) {
			alive++;
			continue;
		}
		gone[i] = true;
		res->pids_gone++;
		fprintf(stderr, "switchcost: process %d ended %.1f s into the trace; keeping what "
				"was collected\n", env->pids[i], (swc_now_ns() - start) / 1e9);
	}
	return alive;
}

/* Watches until CMD ends, the -p processes end, a stop request or -d / COUNT; prints each
 * whole interval but the last, which cmd_trace prints from the snapshot the summary uses. */
int trace_loop(struct trace_env *env, struct swc_watch *w, struct trace_result *res,
		      __u64 start, struct trace_ticker *tk, struct trace_sinks *rs, FILE *out)
{
	struct swc_group_stats gs;
	__u64 next_interval = env->interval_ns ? start + env->interval_ns : 0, t, timeout;
	bool gone[TRACE_MAX_PIDS] = { false };
	sigset_t block, unblocked;
	int forwarded = 0, err = 0;

	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &unblocked);
	sigdelset(&unblocked, SIGCHLD);
	sigdelset(&unblocked, SIGINT);
	sigdelset(&unblocked, SIGTERM);
	sigdelset(&unblocked, SIGHUP);
	for (;;) {
		t = swc_now_ns();
		/* every whole interval that came due is printed, a late wake-up too, before the
		 * end is looked at: only the line printed with the summary can be short */
		if (next_interval && t >= next_interval &&
		    !(env->duration_ns && next_interval >= start + env->duration_ns)) {
			if (!watch__group_stats(w, TRACE_GROUP, &gs))
				trace_interval_print(env, tk, &gs, t, out);
			next_interval += env->interval_ns;
			continue;
		}
		if (env->argv) {
			trace_reap(res, w);
			if (res->cmd_reaped)
				break;
		} else if (env->npids && !pids_alive(env, gone, res, start)) {
			break;	/* -a runs until -d, COUNT or a signal */
		}
		if (stop_requested) {
			res->interrupted = true;
			res->stop_sig = stop_requested;
			stop_requested = 0;
			if (!env->argv)
				break;
			/* Ctrl-C and friends go on to CMD's group; a second one is SIGKILL, to the
			 * whole tree where it is contained (CMD may have left its group) */
			if (!forwarded++)
				kill(-res->cmd_pid, res->stop_sig);
			else if (trace_contain_kill())
				kill(-res->cmd_pid, SIGKILL);
		}
		t = swc_now_ns();
		if (env->duration_ns && t >= start + env->duration_ns)
			break;
		if (res->offcpu)
			offcpu__poll(res->offcpu);	/* maps read while the processes live */
		timeout = res->offcpu ? OFFCPU_POLL_NS : TICK_NS;
		if (next_interval && next_interval - t < timeout)
			timeout = next_interval - t;
		if (env->duration_ns && start + env->duration_ns - t < timeout)
			timeout = start + env->duration_ns - t;
		if (wait_a_while(w, rs, timeout, &unblocked) < 0) {
			/* the CSV is incomplete: stop reading records, keep tracing */
			rs = NULL;
			err = -1;
		}
	}
	/* the wall time is CMD's: what it leaves behind is reaped after it */
	res->wall_ns = (res->cmd_exit_ns ? res->cmd_exit_ns : swc_now_ns()) - start;
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	return err;
}
