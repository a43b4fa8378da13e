// SPDX-License-Identifier: GPL-2.0-only
/*
 * A program with known switching behaviour, for tests/40-trace.bats:
 *   traced threads K   two threads hand a token back and forth K times through a futex
 *   traced fork K      a parent and a forked child do the same through two pipes
 *   traced calls N     calls tick() N times (a uprobe on tick counts exactly N)
 *   traced uid         prints "uid=U gid=G euid=E home=H"
 *   traced exit N      exits with status N
 *   traced sleep S     sleeps S seconds (after printing "ready"), then exits 0
 *   traced spawn N     starts N threads one after another, each joined before the next
 *   traced reaped N    forks N children one after another, each reaped before its last switch
 *                      as often as a busy parent on another CPU can (exits 3 on one CPU)
 *   traced reapedthreads N  the same, each child starting and joining a thread first
 *   traced unwaited N  ignores SIGCHLD, then forks N children that switch (a thread of theirs,
 *                      a grandchild they wait for): the kernel reaps them, no wait4 returns them
 *   traced nocldwait N the same with SA_NOCLDWAIT (a SIGCHLD handler) instead of SIG_IGN
 *   traced leaderfirst N  as unwaited, but each child's main thread exits first (its other
 *                      thread's release then reaps the process)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static atomic_int turn;
static long rounds;

static void futex_wait(atomic_int *addr, int val)
{
	syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(atomic_int *addr)
{
	syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

/* Waits for its turn (me), then hands it to the other side. */
static void *party(void *arg)
{
	int me = (int)(long)arg;

	for (long i = 0; i < rounds; i++) {
		while (atomic_load(&turn) != me)
			futex_wait(&turn, !me);
		atomic_store(&turn, !me);
		futex_wake(&turn);
	}
	return NULL;
}

static int threads(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, party, (void *)1L))
		return 1;
	party((void *)0L);
	return pthread_join(t, NULL) != 0;
}

static int fork_pipes(void)
{
	int ab[2], ba[2];
	char c = 'x';
	pid_t pid;
	int st;

	if (pipe(ab) || pipe(ba))
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		for (long i = 0; i < rounds; i++)
			if (read(ab[0], &c, 1) != 1 || write(ba[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	for (long i = 0; i < rounds; i++)
		if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
			return 1;
	return waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st);
}

static void *nothing(void *arg)
{
	return arg;
}

/* N short-lived threads: N + 1 tasks in all, each switching at least once (its last) */
static int spawn(long n)
{
	pthread_t t;

	for (long i = 0; i < n; i++)
		if (pthread_create(&t, NULL, nothing, NULL) || pthread_join(t, NULL))
			return 1;
	return 0;
}

/*
 * A shell and its commands, made frequent: each child exits at once on one CPU while this
 * process, on another, waits for it in a busy loop, so it often reaps the child (and takes its
 * counters) between the child's exit and its last switch, which the kernel then never counts.
 */
static void *nap_thread(void *arg);

static int reaped(long n, bool with_thread)
{
	cpu_set_t allowed, mine, theirs;
	int first = -1, second = -1;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return 1;
	for (int c = 0; c < CPU_SETSIZE && second < 0; c++)
		if (CPU_ISSET(c, &allowed))
			*(first < 0 ? &first : &second) = c;
	if (second < 0)
		return 3;
	CPU_ZERO(&mine);
	CPU_SET(first, &mine);
	CPU_ZERO(&theirs);
	CPU_SET(second, &theirs);
	if (sched_setaffinity(0, sizeof(mine), &mine))
		return 1;
	for (long i = 0; i < n; i++) {
		pid_t pid = fork(), got;
		int st;

		if (pid < 0)
			return 1;
		if (pid == 0) {
			pthread_t t;

			if (sched_setaffinity(0, sizeof(theirs), &theirs))
				_exit(1);
			/* its thread's release folds that thread's counts into the process's */
			if (with_thread && (pthread_create(&t, NULL, nap_thread, NULL) ||
					    pthread_join(t, NULL)))
				_exit(1);
			_exit(0);
		}
		while ((got = waitpid(pid, &st, WNOHANG)) == 0)
			;
		if (got != pid || !WIFEXITED(st) || WEXITSTATUS(st))
			return 1;
	}
	return 0;
}

static void *nap_thread(void *arg)
{
	for (int i = 0; i < 5; i++)
		usleep(200);
	return arg;
}

/* A child whose switches no wait4 will return: its own, its thread's, its grandchild's. */
static void unwaited_child(bool leader_first)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	pthread_t t;
	pid_t pid;
	int st;

	/* it waits for its own child: the parent's SIGCHLD disposition is inherited */
	if (sigaction(SIGCHLD, &dfl, NULL))
		_exit(1);
	if (pthread_create(&t, NULL, nap_thread, NULL))
		_exit(1);
	if (leader_first)
		pthread_exit(NULL);
	if (pthread_join(t, NULL))
		_exit(1);
	pid = fork();
	if (pid == 0) {
		nap_thread(NULL);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		_exit(1);
	nap_thread(NULL);
	_exit(0);
}

static void on_sigchld(int sig)
{
	(void)sig;
}

/*
 * A parent that waits for no child: SIGCHLD ignored (or SA_NOCLDWAIT), so each child is
 * released at its exit (exit_notify()) and its counters are added to no wait4's.
 */
static int unwaited(long n, bool nocldwait, bool leader_first)
{
	struct sigaction sa = { .sa_handler = nocldwait ? on_sigchld : SIG_IGN };

	if (nocldwait)
		sa.sa_flags = SA_NOCLDWAIT;
	if (sigaction(SIGCHLD, &sa, NULL))
		return 1;
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (pid == 0)
			unwaited_child(leader_first);
	}
	/* blocks until every child is gone, then ECHILD: there is no zombie to return */
	while (wait(NULL) >= 0 || errno == EINTR)
		;
	if (errno != ECHILD)
		return 1;
	/* wait() returns once the last child is released, a moment before its last switch;
	 * switchcost reads our SIGCHLD disposition then, so we outlive that moment */
	usleep(50 * 1000);
	return 0;
}

static volatile long ticks;

__attribute__((noinline)) void tick(void);
__attribute__((noinline)) void tick(void)
{
	ticks++;
	__asm__ volatile("" ::: "memory");
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? strtol(argv[2], NULL, 10) : 0;

	rounds = n;
	if (argc < 2)
		return 2;
	/* one CPU: every hand-off is then a switch between the two parties, not via idle */
	if (!strcmp(argv[1], "threads") || !strcmp(argv[1], "fork")) {
		cpu_set_t set;

		if (!sched_getaffinity(0, sizeof(set), &set)) {
			for (int c = 0; c < CPU_SETSIZE; c++) {
				if (CPU_ISSET(c, &set)) {
					CPU_ZERO(&set);
					CPU_SET(c, &set);
					sched_setaffinity(0, sizeof(set), &set);
					break;
				}
			}
		}
	}
	if (!strcmp(argv[1], "threads"))
		return threads();
	if (!strcmp(argv[1], "fork"))
		return fork_pipes();
	if (!strcmp(argv[1], "calls")) {
		for (long i = 0; i < n; i++)
			tick();
		return ticks != n;
	}
	if (!strcmp(argv[1], "uid")) {
		printf("uid=%u gid=%u euid=%u home=%s\n", getuid(), getgid(), geteuid(),
		       getenv("HOME") ? getenv("HOME") : "");
		return 0;
	}
	if (!strcmp(argv[1], "spawn"))
		return spawn(n);
	if (!strcmp(argv[1], "reaped") || !strcmp(argv[1], "reapedthreads"))
		return reaped(n, !strcmp(argv[1], "reapedthreads"));
	if (!strcmp(argv[1], "unwaited") || !strcmp(argv[1], "nocldwait") ||
	    !strcmp(argv[1], "leaderfirst"))
		return unwaited(n, !strcmp(argv[1], "nocldwait"), !strcmp(argv[1], "leaderfirst"));
	if (!strcmp(argv[1], "exit"))
		return (int)n;
	if (!strcmp(argv[1], "sleep")) {
		printf("ready\n");
		fflush(stdout);
		sleep((unsigned int)n);
		return 0;
	}
	return 2;
}
