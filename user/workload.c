/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The measured workloads: two parties hand a token back and forth, and the runner times
 * round trips. process and thread share one hand-off implementation (futex or pipes), so
 * comparing them compares the switch, not the IPC.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* sched_setaffinity, CPU_SET, syscall, strsignal */
#endif

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "coro.h"
#include "ibpb.h"
#include "workload.h"

#define CORO_STACK_SIZE	(64 * 1024)

static const char *const wl_names[SWC_WL_NR] = {
	[SWC_WL_PROCESS] = "process",
	[SWC_WL_THREAD] = "thread",
	[SWC_WL_COROUTINE] = "coroutine",
	[SWC_WL_UCONTEXT] = "ucontext",
	[SWC_WL_SYSCALL] = "syscall",
	[SWC_WL_CORO_FLOOR] = "coroutine-floor",
	[SWC_WL_CORO_RET] = "coroutine-ret",
};

const char *swc_workload_name(enum swc_workload_id id)
{
	if ((unsigned int)id >= SWC_WL_NR)
		return "unknown";
	return wl_names[id];
}

int swc_workload_from_name(const char *name)
{
	int i;

	if (!name)
		return -1;
	for (i = 0; i < SWC_WL_NR; i++)
		if (strcmp(name, wl_names[i]) == 0)
			return i;
	return -1;
}

bool swc_workload_uses_kernel(enum swc_workload_id id)
{
	return id == SWC_WL_PROCESS || id == SWC_WL_THREAD;
}

const char *swc_workload_handoff(enum swc_workload_id id, enum swc_ipc ipc)
{
	if (!swc_workload_uses_kernel(id))
		return NULL;
	if (ipc == SWC_IPC_PIPE)
		return "pipe";
	if (ipc == SWC_IPC_FUTEX_PRIVATE && id == SWC_WL_THREAD)
		return "futex-private";
	return "futex-shared";
}

/* State of one run, passed to every step so each can report which workload failed. */
struct wl_ctx {
	enum swc_workload_id id;
	const struct swc_workload_cfg *cfg;
	struct swc_workload_result *res;
	cpu_set_t orig;		/* the runner's affinity on entry, restored on return */
};

static void __attribute__((format(printf, 3, 0)))
wl_vreport(const struct wl_ctx *c, const char *cause, const char *fmt, va_list ap)
{
	char step[256];

	vsnprintf(step, sizeof(step), fmt, ap);
	if (cause)
		fprintf(stderr, "switchcost: %s workload: %s: %s\n", swc_workload_name(c->id), step,
			cause);
	else
		fprintf(stderr, "switchcost: %s workload: %s\n", swc_workload_name(c->id), step);
}

/* Reports "<step>: <strerror(err)>" and returns -err. */
static int __attribute__((format(printf, 3, 4)))
wl_fail(const struct wl_ctx *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wl_vreport(c, strerror(err), fmt, ap);
	va_end(ap);
	return -err;
}

/* Reports a message that already says the cause, and returns -err. */
static int __attribute__((format(printf, 3, 4)))
wl_msg(const struct wl_ctx *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wl_vreport(c, NULL, fmt, ap);
	va_end(ap);
	return -err;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Pins the calling thread to cpu, or gives it back the runner's original mask when cpu < 0. */
static int pin_self(const struct wl_ctx *c, int cpu)
{
	cpu_set_t set;

	if (cpu < 0) {
		if (sched_setaffinity(0, sizeof(c->orig), &c->orig))
			return wl_fail(c, errno, "restoring the original CPU affinity");
		return 0;
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);	/* out of range leaves the set empty: EINVAL below */
	if (sched_setaffinity(0, sizeof(set), &set))
		return wl_fail(c, errno, "pinning to CPU %d", cpu);
	return 0;
}

/*
 * Test hook, not a feature: SWITCHCOST_TEST_CRASH=<workload name> makes that workload die of
 * SIGSEGV right after its warm-up, so tests can check that a crashed workload is reported
 * and the other workloads still run.
 */
static void test_crash_hook(const struct wl_ctx *c)
{
	const char *v = getenv("SWITCHCOST_TEST_CRASH");
	sigset_t set;

	if (!v || strcmp(v, swc_workload_name(c->id)) != 0)
		return;
	signal(SIGSEGV, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGSEGV);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(SIGSEGV);
}

/*
 * The timing skeleton shared by all workloads. burst() does n round trips (the loop is inside
 * it, so the indirect call is paid once per repeat, not per switch) and returns 0 or a
 * negative errno.
 */
static int run_repeats(struct wl_ctx *c, int (*burst)(void *st, unsigned long n), void *st)
{
	const struct swc_workload_cfg *cfg = c->cfg;
	unsigned int r;
	int err;

	if (cfg->warmup) {
		err = burst(st, cfg->warmup);
		if (err)
			return err;
	}
	test_crash_hook(c);
	for (r = 0; r < cfg->repeats; r++) {
		uint64_t t0, t1;

		t0 = now_ns();
		err = burst(st, cfg->round_trips);
		t1 = now_ns();
		if (err)
			return err;
		c->res->ns[r] = (double)(t1 - t0);
		c->res->repeats = r + 1;
	}
	return 0;
}

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

static int run_process(struct wl_ctx *c)
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

static int run_thread(struct wl_ctx *c)
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

/* ---- coroutine -------------------------------------------------------------------------- */

struct coro_pair {
	struct swc_coro main;	/* the runner's context while the peer runs */
	struct swc_coro peer;
	void (*sw)(struct swc_coro *from, void *to_sp);	/* the switch this row times */
	struct swc_wss *ws_main, *ws_peer;	/* --ws: each side's working set, or NULL */
};

/* Switches straight back, forever: it is abandoned, suspended, when the workload ends. */
static void __attribute__((noreturn)) coro_peer(void *arg)
{
	struct coro_pair *p = arg;

	if (p->sw == swc_coro_switch_ret)
		for (;;)
			swc_coro_switch_ret(&p->peer, p->main.sp);
	if (p->ws_peer)
		for (;;) {
			swc_wss_touch(p->ws_peer);
			swc_coro_switch(&p->peer, p->main.sp);
		}
	for (;;)
		swc_coro_switch(&p->peer, p->main.sp);
}

/*
 * One round trip = two calls of the switch (main -> peer, peer -> main), nothing else. The
 * calls are direct, as a real caller's would be: an indirect call would add its own
 * prediction to what is timed.
 */
static int coro_burst(void *st, unsigned long n)
{
	struct coro_pair *p = st;
	unsigned long i;

	for (i = 0; i < n; i++)
		swc_coro_switch(&p->main, p->peer.sp);
	return 0;
}

/* The same with each side touching its working set before it switches away (--ws). */
static int coro_ws_burst(void *st, unsigned long n)
{
	struct coro_pair *p = st;
	unsigned long i;

	for (i = 0; i < n; i++) {
		swc_wss_touch(p->ws_main);
		swc_coro_switch(&p->main, p->peer.sp);
	}
	return 0;
}

static int coro_ret_burst(void *st, unsigned long n)
{
	struct coro_pair *p = st;
	unsigned long i;

	for (i = 0; i < n; i++)
		swc_coro_switch_ret(&p->main, p->peer.sp);
	return 0;
}

/* The floor: the same two calls per round trip, each resuming its own caller. */
static int coro_floor_burst(void *st, unsigned long n)
{
	struct coro_pair *p = st;
	unsigned long i;

	for (i = 0; i < n; i++) {
		swc_coro_floor(&p->main, p->peer.sp);
		swc_coro_floor(&p->peer, p->main.sp);
	}
	return 0;
}

/* A coroutine stack with a PROT_NONE guard page below it, so an overflow faults. */
static void *stack_alloc(const struct wl_ctx *c, size_t size, size_t *mapped)
{
	size_t guard = (size_t)sysconf(_SC_PAGESIZE);
	char *p;

	*mapped = size + guard;
	p = mmap(NULL, *mapped, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (p == MAP_FAILED) {
		wl_fail(c, errno, "mapping the coroutine stack");
		return NULL;
	}
	if (mprotect(p + guard, size, PROT_READ | PROT_WRITE)) {
		wl_fail(c, errno, "mapping the coroutine stack");
		munmap(p, *mapped);
		return NULL;
	}
	return p;
}

static int run_coroutine(struct wl_ctx *c)
{
	size_t guard = (size_t)sysconf(_SC_PAGESIZE), mapped;
	struct swc_wss ws[2] = { { 0 }, { 0 } };
	struct coro_pair pair = { 0 };
	char *stack;
	int err;

	err = pin_self(c, c->cfg->cpu_a);
	if (err)
		return err;
	if (c->cfg->ws_bytes && c->id == SWC_WL_COROUTINE) {
		for (int i = 0; i < 2; i++)
			if ((err = swc_wss_open(&ws[i], c->cfg->ws_bytes, c->cfg->ws_pattern))) {
				swc_wss_close(&ws[0]);
				return wl_fail(c, -err, "mapping the working sets");
			}
		pair.ws_main = &ws[0];
		pair.ws_peer = &ws[1];
	}
	stack = stack_alloc(c, CORO_STACK_SIZE, &mapped);
	if (!stack) {
		err = -ENOMEM;
		goto out;
	}
	/* No switch happens here: the first call in coro_burst() starts the peer. */
	pair.sw = c->id == SWC_WL_CORO_RET ? swc_coro_switch_ret : swc_coro_switch;
	swc_coro_init(&pair.peer, stack + guard, CORO_STACK_SIZE, coro_peer, &pair);
	if (c->id == SWC_WL_CORO_FLOOR)
		err = run_repeats(c, coro_floor_burst, &pair);
	else if (pair.ws_main)
		err = run_repeats(c, coro_ws_burst, &pair);
	else
		err = run_repeats(c, c->id == SWC_WL_CORO_RET ? coro_ret_burst : coro_burst, &pair);
	munmap(stack, mapped);
out:
	swc_wss_close(&ws[0]);
	swc_wss_close(&ws[1]);
	return err;
}

/* ---- ucontext --------------------------------------------------------------------------- */

/* File scope because makecontext() passes only int arguments to the entry function. */
static ucontext_t uc_main, uc_peer;

static void __attribute__((noreturn)) uc_peer_fn(void)
{
	for (;;)
		if (swapcontext(&uc_peer, &uc_main))
			abort();
}

static int uc_burst(void *st, unsigned long n)
{
	const struct wl_ctx *c = st;
	unsigned long i;

	for (i = 0; i < n; i++)
		if (swapcontext(&uc_main, &uc_peer))
			return wl_fail(c, errno, "swapcontext");
	return 0;
}

static int run_ucontext(struct wl_ctx *c)
{
	size_t guard = (size_t)sysconf(_SC_PAGESIZE), mapped;
	char *stack;
	int err;

	err = pin_self(c, c->cfg->cpu_a);
	if (err)
		return err;
	stack = stack_alloc(c, CORO_STACK_SIZE, &mapped);
	if (!stack)
		return -ENOMEM;
	if (getcontext(&uc_peer)) {
		err = wl_fail(c, errno, "getcontext");
		goto out;
	}
	uc_peer.uc_stack.ss_sp = stack + guard;
	uc_peer.uc_stack.ss_size = CORO_STACK_SIZE;
	uc_peer.uc_link = NULL;
	makecontext(&uc_peer, uc_peer_fn, 0);
	err = run_repeats(c, uc_burst, c);
out:
	munmap(stack, mapped);
	return err;
}

/* ---- syscall ---------------------------------------------------------------------------- */

/*
 * getpid: the cheapest syscall there is (it reads one field of current). Called through
 * syscall(), so no libc cache (glibc cached getpid once) can answer in its place. getppid,
 * which this row timed before, does more: it reads the parent under the RCU read lock.
 */
static int syscall_burst(void *st, unsigned long n)
{
	unsigned long i;

	(void)st;
	for (i = 0; i < n; i++)
		syscall(SYS_getpid);
	return 0;
}

static int run_syscall(struct wl_ctx *c)
{
	int err = pin_self(c, c->cfg->cpu_a);

	return err ? err : run_repeats(c, syscall_burst, NULL);
}

/* ---- the sweep's baseline: the same touching, no switch -------------------------------- */

static int touch_burst(void *st, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < 2 * n; i++)
		swc_wss_touch(st);
	return 0;
}

/* One party touching its working set as often as the two parties of a round trip do, with no
 * hand-off: its data stays in the caches and TLB, so a switched row's excess over this is what
 * the switch costs, the refills after it included. */
static int run_touch_only(struct wl_ctx *c)
{
	struct swc_wss ws;
	int err = pin_self(c, c->cfg->cpu_a);

	if (err)
		return err;
	err = swc_wss_open(&ws, c->cfg->ws_bytes, c->cfg->ws_pattern);
	if (err)
		return wl_fail(c, -err, "mapping the working set");
	err = run_repeats(c, touch_burst, &ws);
	swc_wss_close(&ws);
	return err;
}

/* ---- entry ------------------------------------------------------------------------------ */

int swc_workload_run(enum swc_workload_id id, const struct swc_workload_cfg *cfg,
		     struct swc_workload_result *res)
{
	struct wl_ctx c = { .id = id, .cfg = cfg, .res = res };
	int err;

	if ((unsigned int)id >= SWC_WL_NR)
		return wl_msg(&c, EINVAL, "no workload with id %d", (int)id);
	memset(res, 0, sizeof(*res));
	if (cfg->repeats < 1 || cfg->repeats > SWC_MAX_REPEATS)
		return wl_msg(&c, EINVAL, "repeats must be 1..%d, not %u", SWC_MAX_REPEATS,
			      cfg->repeats);
	if (cfg->round_trips < 1)
		return wl_msg(&c, EINVAL, "round trips must be at least 1");
	if (sched_getaffinity(0, sizeof(c.orig), &c.orig))
		return wl_fail(&c, errno, "reading the CPU affinity");
	res->switches = id == SWC_WL_SYSCALL ? cfg->round_trips : 2ull * cfg->round_trips;
	/* asked before the partner is forked or cloned: it inherits the request */
	if (cfg->ibpb && (err = swc_ibpb_opt_in()))
		return wl_fail(&c, -err, "asking for IBPB (prctl PR_SPEC_INDIRECT_BRANCH)");

	if (cfg->ws_baseline) {
		err = run_touch_only(&c);
		sched_setaffinity(0, sizeof(c.orig), &c.orig);
		return err;
	}
	switch (id) {
	case SWC_WL_PROCESS:
		err = run_process(&c);
		break;
	case SWC_WL_THREAD:
		err = run_thread(&c);
		break;
	case SWC_WL_COROUTINE:
	case SWC_WL_CORO_FLOOR:
	case SWC_WL_CORO_RET:
		err = run_coroutine(&c);
		break;
	case SWC_WL_UCONTEXT:
		err = run_ucontext(&c);
		break;
	default:
		err = run_syscall(&c);
		break;
	}
	/* Give the runner back its own mask (best effort: it was readable a moment ago). */
	sched_setaffinity(0, sizeof(c.orig), &c.orig);
	return err;
}
