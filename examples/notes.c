// SPDX-License-Identifier: GPL-2.0-only
/*
 * The teaching notes' experiments in C, for switchcost trace:
 *   notes sync | threads-join | threads | daemon | fork | coro [N] ...  [SCALE]
 * sync: three sleeps in a row. threads-join: three threads, joined. threads: not joined, but
 * main ends with pthread_exit(), so the process lives until they finish (what Python does for
 * non-daemon threads). daemon: not joined, main returns: exit() ends every thread at once
 * (Python's daemon threads). fork: the three in child processes. coro N: two ucontext
 * coroutines switching N times in one thread (swapcontext: probe it with --uprobe).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <sys/wait.h>

static double scale = 1.0;
static const int secs[3] = { 6, 2, 3 };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *fun(void *arg)
{
	int i = (int)(long)arg;
	double start = now(), s = secs[i] * scale;
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };

	printf("Starting fun%d Execution\n", i + 1);
	fflush(stdout);
	nanosleep(&ts, NULL);
	printf("Time taken for execution of fun%d :: %.2f second(s)\n", i + 1, now() - start);
	fflush(stdout);
	return NULL;
}

static ucontext_t main_ctx, co_ctx[2];
static long co_left;

static void co_body(int me)
{
	while (co_left > 0) {
		co_left--;
		swapcontext(&co_ctx[me], &co_ctx[!me]);
	}
	setcontext(&main_ctx);
}

static int coro(long n)
{
	static char stacks[2][64 * 1024];

	co_left = n;
	for (int i = 0; i < 2; i++) {
		getcontext(&co_ctx[i]);
		co_ctx[i].uc_stack.ss_sp = stacks[i];
		co_ctx[i].uc_stack.ss_size = sizeof(stacks[i]);
		co_ctx[i].uc_link = &main_ctx;
		makecontext(&co_ctx[i], (void (*)(void))co_body, 1, i);
	}
	swapcontext(&main_ctx, &co_ctx[0]);
	printf("%ld coroutine switches made\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	pthread_t t[3];
	double start = now();

	if (!strcmp(mode, "coro"))
		return coro(argc > 2 ? atol(argv[2]) : 10000);
	if (argc > 2)
		scale = atof(argv[2]);
	if (!strcmp(mode, "sync")) {
		for (long i = 0; i < 3; i++)
			fun((void *)i);
	} else if (!strcmp(mode, "fork")) {
		for (long i = 0; i < 3; i++)
			if (fork() == 0) {
				fun((void *)i);
				_exit(0);
			}
		while (wait(NULL) > 0)
			;
	} else if (!strcmp(mode, "threads-join") || !strcmp(mode, "threads") ||
		   !strcmp(mode, "daemon")) {
		for (long i = 0; i < 3; i++)
			pthread_create(&t[i], NULL, fun, (void *)i);
		if (!strcmp(mode, "threads-join"))
			for (int i = 0; i < 3; i++)
				pthread_join(t[i], NULL);
		printf("Time taken for %s :: %.2f second(s)\n", mode, now() - start);
		fflush(stdout);
		if (!strcmp(mode, "threads"))
			pthread_exit(NULL);	/* the process lives on until its threads end */
	} else {
		fprintf(stderr, "usage: notes {sync|threads-join|threads|daemon|fork} [SCALE] | "
				"notes coro [N]\n");
		return 2;
	}
	if (strcmp(mode, "threads-join") && strcmp(mode, "daemon"))
		printf("Time taken for %s :: %.2f second(s)\n", mode, now() - start);
	return 0;
}
