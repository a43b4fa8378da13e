/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * process and thread: two parties hand a token back and forth through the kernel, with one
 * hand-off implementation for both (a futex word, or a pipe each way), so comparing them
 * compares the switch, not the IPC.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workload.h"
#include "workload_run.h"

/* ---- process and thread: the hand-off ------------------------------------------------ */

/* Values of the futex turn word. */
enum {
	TURN_A = 0,	/* the runner's turn; the partner waits */
	TURN_B,		/* the partner's turn; the runner waits */
	TURN_QUIT,	/* the runner is done: the partner returns */
	TURN_DEAD,	/* set by the SIGCHLD handler: the partner process is gone */
	TURN_ERR,	/* not stored: futex_wait_while() failed, errno says why */
};

/* Error of a burst when the partner went away: the caller reaps and says how it ended. */
#define PARTNER_GONE	(-ECHILD)

struct ipc {
	struct wl_ctx *c;
	enum swc_ipc kind;
	uint32_t *turn;		/* futex: one word of MAP_SHARED memory */
	int futex_flags;	/* 0 (shared) or FUTEX_PRIVATE_FLAG (thread only) */
	int ab[2];		/* pipe: runner -> partner */
	int ba[2];		/* pipe: partner -> runner */
	long partner_count;	/* thread: round trips the partner served, or -1 on error */
	struct swc_wss *ws;	/* the runner's working set (--ws), touched before each hand-off */
};

/*
 * Shared (no FUTEX_PRIVATE_FLAG) by default on purpose: the same call for process and thread.
 * --ipc futex-private gives the thread the private one, which skips the shared key's lookup.
 */
static long futex_op(uint32_t *uaddr, int op, uint32_t val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

/* Blocks while *w == val; returns the value that ended the wait, or TURN_ERR. */
static inline uint32_t futex_wait_while(uint32_t *w, uint32_t val, int flags)
{
	uint32_t t;

	while ((t = __atomic_load_n(w, __ATOMIC_ACQUIRE)) == val) {
		/* EAGAIN: it changed before we slept; EINTR: a signal. Both just look again. */
		if (futex_op(w, FUTEX_WAIT | flags, val) < 0 && errno != EAGAIN && errno != EINTR)
			return TURN_ERR;
	}
	return t;
}

/*
 * Passes the turn from -> to and wakes the other side; returns the value found, which is
 * from on success. A compare-and-swap, not a store, so a TURN_DEAD from the SIGCHLD handler
 * or a TURN_QUIT from the runner is never overwritten.
 */
static inline uint32_t futex_handoff(uint32_t *w, uint32_t from, uint32_t to, int flags)
{
	uint32_t seen = from;

	if (!__atomic_compare_exchange_n(w, &seen, to, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return seen;
	futex_op(w, FUTEX_WAKE | flags, 1);
	return from;
}

static int futex_burst(void *st, unsigned long n)
{
	struct ipc *ipc = st;
	unsigned long i;
	uint32_t t;

	for (i = 0; i < n; i++) {
		if (ipc->ws)
			swc_wss_touch(ipc->ws);
		t = futex_handoff(ipc->turn, TURN_A, TURN_B, ipc->futex_flags);
		if (t != TURN_A)
			return PARTNER_GONE;
		t = futex_wait_while(ipc->turn, TURN_B, ipc->futex_flags);
		if (t == TURN_ERR)
			return wl_fail(ipc->c, errno, "FUTEX_WAIT");
		if (t != TURN_A)
			return PARTNER_GONE;
	}
	return 0;
}

static int pipe_burst(void *st, unsigned long n)
{
	struct ipc *ipc = st;
	unsigned long i;
	char b = 0;
	ssize_t r;

	for (i = 0; i < n; i++) {
		if (ipc->ws)
			swc_wss_touch(ipc->ws);
		do
			r = write(ipc->ab[1], &b, 1);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			return errno == EPIPE ? PARTNER_GONE : wl_fail(ipc->c, errno, "pipe write");
		do
			r = read(ipc->ba[0], &b, 1);
		while (r < 0 && errno == EINTR);
		if (r == 0)
			return PARTNER_GONE;
		if (r < 0)
			return wl_fail(ipc->c, errno, "pipe read");
	}
	return 0;
}

/* The partner's side: echoes until told to stop, touching ws (may be NULL) before each echo;
 * returns the round trips served, or -1. */
static long partner_loop(struct ipc *ipc, struct swc_wss *ws)
{
	long count = 0;
	uint32_t t;
	char b;
	ssize_t r;

	if (ipc->kind == SWC_IPC_FUTEX) {
		for (;;) {
			t = futex_wait_while(ipc->turn, TURN_A, ipc->futex_flags);
			if (t != TURN_B)
				return t == TURN_QUIT ? count : -1;
			if (ws)
				swc_wss_touch(ws);
			if (futex_handoff(ipc->turn, TURN_B, TURN_A, ipc->futex_flags) != TURN_B)
				return -1;
			count++;
		}
	}
	for (;;) {
		do
			r = read(ipc->ab[0], &b, 1);
		while (r < 0 && errno == EINTR);
		if (r == 0)
			return count;	/* the runner closed its end: done */
		if (r < 0)
			return -1;
		if (ws)
			swc_wss_touch(ws);
		do
			r = write(ipc->ba[1], &b, 1);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			return -1;
		count++;
	}
}

/* The partner's own working set, mapped by the partner itself: never one shared with the runner. */
static long partner_serve(struct ipc *ipc)
{
	const struct swc_workload_cfg *cfg = ipc->c->cfg;
	struct swc_wss own, *ws = NULL;
	long count;

	if (cfg->ws_bytes) {
		if (swc_wss_open(&own, cfg->ws_bytes, cfg->ws_pattern))
			return -1;
		ws = &own;
	}
	count = partner_loop(ipc, ws);
	swc_wss_close(ws);
	return count;
}

/* Tells the partner to return: QUIT in the turn word, or EOF on its pipe. */
static void partner_quit(struct ipc *ipc)
{
	if (ipc->kind == SWC_IPC_FUTEX) {
		/* Unconditional: after an error the turn may be either side's. */
		__atomic_store_n(ipc->turn, TURN_QUIT, __ATOMIC_RELEASE);
		futex_op(ipc->turn, FUTEX_WAKE | ipc->futex_flags, 1);
	} else if (ipc->ab[1] >= 0) {
		close(ipc->ab[1]);
		ipc->ab[1] = -1;
	}
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int ipc_open(struct wl_ctx *c, struct ipc *ipc)
{
	memset(ipc, 0, sizeof(*ipc));
	ipc->c = c;
	ipc->kind = c->cfg->ipc;
	if (ipc->kind == SWC_IPC_FUTEX_PRIVATE) {
		/* private only where both parties share one address space */
		ipc->kind = SWC_IPC_FUTEX;
		ipc->futex_flags = c->id == SWC_WL_THREAD ? FUTEX_PRIVATE_FLAG : 0;
	}
	ipc->ab[0] = ipc->ab[1] = ipc->ba[0] = ipc->ba[1] = -1;
	if (ipc->kind == SWC_IPC_FUTEX) {
		void *p = mmap(NULL, sizeof(uint32_t), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return wl_fail(c, errno, "mapping the futex word");
		ipc->turn = p;
		*ipc->turn = TURN_A;
		return 0;
	}
	if (ipc->kind != SWC_IPC_PIPE)
		return wl_msg(c, EINVAL, "unknown IPC kind %d", (int)ipc->kind);
	if (pipe2(ipc->ab, O_CLOEXEC) || pipe2(ipc->ba, O_CLOEXEC)) {
		int err = errno;

		close_fd(&ipc->ab[0]);
		close_fd(&ipc->ab[1]);
		return wl_fail(c, err, "creating the pipes");
	}
	return 0;
}

static void ipc_close(struct ipc *ipc)
{
	if (ipc->turn)
		munmap(ipc->turn, sizeof(uint32_t));
	ipc->turn = NULL;
	close_fd(&ipc->ab[0]);
	close_fd(&ipc->ab[1]);
	close_fd(&ipc->ba[0]);
	close_fd(&ipc->ba[1]);
}

static unsigned long long total_round_trips(const struct swc_workload_cfg *cfg)
{
	return cfg->warmup + (unsigned long long)cfg->repeats * cfg->round_trips;
}

/* The runner's working set (--ws), mapped after the fork: the partner maps its own. */
static int runner_wss_open(struct wl_ctx *c, struct ipc *ipc, struct swc_wss *ws)
{
	int err;

	if (!c->cfg->ws_bytes)
		return 0;
	err = swc_wss_open(ws, c->cfg->ws_bytes, c->cfg->ws_pattern);
	if (err)
		return wl_fail(c, -err, "mapping the runner's working set");
	ipc->ws = ws;
	return 0;
}

/* ---- process ---------------------------------------------------------------------------- */

/* For the SIGCHLD handler: the partner process and its futex word (NULL with pipes). */
static volatile pid_t sigchld_pid;
static uint32_t *volatile sigchld_turn;

/*
 * A partner dying in FUTEX_WAIT mode would leave the runner asleep forever: on its death,
 * mark the turn word and wake the runner. WNOWAIT leaves the zombie for process_reap().
 */
static void on_sigchld(int sig)
{
	int saved = errno;
	pid_t pid = sigchld_pid;
	uint32_t *turn = sigchld_turn;
	siginfo_t si;

	(void)sig;
	memset(&si, 0, sizeof(si));
	if (pid > 0 && turn &&
	    waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid) {
		__atomic_store_n(turn, TURN_DEAD, __ATOMIC_RELEASE);
		futex_op(turn, FUTEX_WAKE, 1);
	}
	errno = saved;
}

/* Exit statuses of the partner process. */
enum {
	CHILD_OK = 0,
	CHILD_ORPHANED = 10,	/* the runner died before PR_SET_PDEATHSIG took */
	CHILD_IPC_ERROR,	/* the hand-off failed on its side */
	CHILD_COUNT,		/* it served a different number of round trips than expected */
};

static void __attribute__((noreturn)) process_child(struct ipc *ipc, pid_t runner,
						    unsigned long long expected)
{
	long count;

	/* Die with the runner, and check it did not die before the line above took effect. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != runner)
		_exit(CHILD_ORPHANED);
	/* Without the runner's ends, its death or its quit is seen as EOF here. */
	close_fd(&ipc->ab[1]);
	close_fd(&ipc->ba[0]);
	count = partner_serve(ipc);
	if (count < 0)
		_exit(CHILD_IPC_ERROR);
	_exit((unsigned long long)count == expected ? CHILD_OK : CHILD_COUNT);
}

/* Waits for the partner process; 0 if it ended as planned, else says how it ended. */
static int process_reap(struct wl_ctx *c, pid_t pid, bool report)
{
	const char *why;
	siginfo_t info;
	int st;
	pid_t r;

	/* its exit, not yet reaped: the caller may want its final switch to happen first */
	if (c->cfg->before_reap) {
		while (waitid(P_PID, pid, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR)
			;
		c->cfg->before_reap(pid, c->cfg->before_reap_arg);
	}
	do
		r = waitpid(pid, &st, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return wl_fail(c, errno, "waiting for the partner process %d", (int)pid);
	if (WIFEXITED(st) && WEXITSTATUS(st) == CHILD_OK)
		return 0;
	if (!report)
		return -ECHILD;
	if (WIFSIGNALED(st))
		return wl_msg(c, ECHILD, "partner process %d died: killed by signal %d (%s)",
			      (int)pid, WTERMSIG(st), strsignal(WTERMSIG(st)));
	switch (WEXITSTATUS(st)) {
	case CHILD_ORPHANED:
		why = "runner gone at start";
		break;
	case CHILD_IPC_ERROR:
		why = "hand-off failed on its side";
		break;
	case CHILD_COUNT:
		why = "round-trip count mismatch";
		break;
	default:
		why = "unexpected status";
		break;
	}
	return wl_msg(c, EPROTO, "partner process %d exited with status %d (%s)", (int)pid,
		      WEXITSTATUS(st), why);
}

int run_process(struct wl_ctx *c)
{
	const struct swc_workload_cfg *cfg = c->cfg;
	struct sigaction sa, old_chld, old_pipe;
	sigset_t block, old_mask;
	struct swc_wss ws = { 0 };
	struct ipc ipc;
	pid_t runner, pid;
	int err;

	err = ipc_open(c, &ipc);
	if (err)
		return err;

	/* The partner inherits the mask it forks with: cpu_b, or the original one. */
	err = pin_self(c, cfg->cpu_b);
	if (err)
		goto out_ipc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigchld_turn = ipc.turn;
	sigchld_pid = 0;
	sigaction(SIGCHLD, &sa, &old_chld);
	/* A dead partner shows as EPIPE/EOF, not as a fatal SIGPIPE in the runner. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, &old_pipe);

	/* Block SIGCHLD until sigchld_pid is set, so an early death is not missed. */
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old_mask);
	runner = getpid();
	pid = fork();
	if (pid == 0)
		process_child(&ipc, runner, total_round_trips(cfg));
	if (pid < 0) {
		err = wl_fail(c, errno, "forking the partner process");
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
		goto out_sig;
	}
	sigchld_pid = pid;
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	close_fd(&ipc.ab[0]);
	close_fd(&ipc.ba[1]);

	err = pin_self(c, cfg->cpu_a);
	if (!err)
		err = runner_wss_open(c, &ipc, &ws);
	if (!err)
		err = run_repeats(c, ipc.kind == SWC_IPC_FUTEX ? futex_burst : pipe_burst, &ipc);
	if (!err) {
		partner_quit(&ipc);
		err = process_reap(c, pid, true);
	} else if (err == PARTNER_GONE) {
		err = process_reap(c, pid, true);
		if (!err)	/* it exited 0 without being told to: still a failure */
			err = wl_msg(c, EPROTO, "partner process %d ended early", (int)pid);
	} else {
		kill(pid, SIGKILL);
		process_reap(c, pid, false);
	}
out_sig:
	sigaction(SIGCHLD, &old_chld, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	sigchld_pid = 0;
	sigchld_turn = NULL;
out_ipc:
	swc_wss_close(&ws);
	ipc_close(&ipc);
	return err;
}

/* ---- thread ----------------------------------------------------------------------------- */

static void *thread_partner(void *arg)
{
	struct ipc *ipc = arg;

	ipc->partner_count = partner_serve(ipc);
	return NULL;
}

int run_thread(struct wl_ctx *c)
{
	const struct swc_workload_cfg *cfg = c->cfg;
	struct swc_wss ws = { 0 };
	struct ipc ipc;
	pthread_t tid;
	int err, rc;

	err = ipc_open(c, &ipc);
	if (err)
		return err;
	err = runner_wss_open(c, &ipc, &ws);
	if (err)
		goto out;
	/* A new thread inherits its creator's mask: cpu_b, or the original one. */
	err = pin_self(c, cfg->cpu_b);
	if (err)
		goto out;
	rc = pthread_create(&tid, NULL, thread_partner, &ipc);
	if (rc) {
		err = wl_fail(c, rc, "creating the partner thread");
		goto out;
	}
	err = pin_self(c, cfg->cpu_a);
	if (!err)
		err = run_repeats(c, ipc.kind == SWC_IPC_FUTEX ? futex_burst : pipe_burst, &ipc);
	/* Also on error: the partner is waiting for its turn, so this always lets it return. */
	partner_quit(&ipc);
	pthread_join(tid, NULL);
	if (err == PARTNER_GONE)
		err = wl_msg(c, EPROTO, "partner thread ended early (after %ld round trips)",
			     ipc.partner_count);
	else if (!err && (ipc.partner_count < 0 ||
			  (unsigned long long)ipc.partner_count != total_round_trips(cfg)))
		err = wl_msg(c, EPROTO, "partner thread served %ld round trips, expected %llu",
			     ipc.partner_count, total_round_trips(cfg));
out:
	swc_wss_close(&ws);
	ipc_close(&ipc);
	return err;
}
