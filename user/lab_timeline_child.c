// SPDX-License-Identifier: GPL-2.0-only
/*
 * lab timeline / join, the child's side: the notes' fun1..fun3 experiment as their code has
 * it, one variant per child (sequential calls, an event loop with blocking or awaiting
 * coroutines, threads joined, not joined, daemon-style), each writing its own clock's times
 * to the parent through shared memory.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include "clock.h"
#include "eventloop.h"
#include "lab_timeline.h"

const unsigned int fun_units[NJOBS] = { 6, 2, 3 };

/* Only ever used in the forked child, which has one variant to run. */
static struct shared *sh;

static pid_t my_tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static void job_begin(int i, const char *name)
{
	struct job *j = &sh->jobs[i];

	snprintf(j->name, sizeof(j->name), "%s", name);
	j->tid = my_tid();
	j->start_ns = swc_now_ns();
	__atomic_store_n(&j->started, 1, __ATOMIC_RELEASE);
}

static void job_end(int i)
{
	sh->jobs[i].end_ns = swc_now_ns();
	__atomic_store_n(&sh->jobs[i].done, 1, __ATOMIC_RELEASE);
}

static void block_units(unsigned int units)
{
	swc_sleep_ns(units * sh->unit_ns);
}

/* ---- the child's side: the notes' functions ------------------------------------------- */

static void *fun_thread(void *arg)
{
	int i = (int)(long)arg;
	char name[16];

	snprintf(name, sizeof(name), "fun%d", i + 1);
	pthread_setname_np(pthread_self(), name);	/* the comm the kernel records */
	job_begin(i, name);
	block_units(fun_units[i]);	/* time.sleep(6), (2), (3) */
	job_end(i);
	return NULL;
}

static void on_coro_state(void *ctx, int task, enum evloop_state state, __u64 start, __u64 end)
{
	struct coseg *s;

	(void)ctx;
	if (sh->nsegs == MAX_COSEGS) {
		sh->lost_segs++;
		return;
	}
	s = &sh->segs[sh->nsegs++];
	s->task = task;
	s->state = state;
	s->start_ns = start;
	s->end_ns = end;
}

static void async_fun1(struct swc_evloop *l, void *arg)
{
	(void)arg;
	job_begin(0, "async_fun1");
	evloop__block_sleep(l, 3 * sh->unit_ns);	/* time.sleep(3): blocks the loop */
	evloop__await_sleep(l, 2 * sh->unit_ns);	/* await asyncio.sleep(2): yields */
	evloop__block_sleep(l, 1 * sh->unit_ns);	/* time.sleep(1) */
	job_end(0);
}

static void async_fun2(struct swc_evloop *l, void *arg)
{
	(void)arg;
	job_begin(1, "async_fun2");
	evloop__await_sleep(l, 2 * sh->unit_ns);
	job_end(1);
}

static void async_fun3(struct swc_evloop *l, void *arg)
{
	(void)arg;
	job_begin(2, "async_fun3");
	evloop__block_sleep(l, 1 * sh->unit_ns);
	evloop__await_sleep(l, 2 * sh->unit_ns);
	job_end(2);
}

static void await_only(struct swc_evloop *l, void *arg)
{
	static const char *const names[NJOBS] = { "async_fun1", "async_fun2", "async_fun3" };
	int i = (int)(long)arg;

	job_begin(i, names[i]);
	evloop__await_sleep(l, 2 * sh->unit_ns);
	job_end(i);
}

static int run_async(bool blocking)
{
	static void (*const blocking_fns[NJOBS])(struct swc_evloop *, void *) = {
		async_fun1, async_fun2, async_fun3,
	};
	struct swc_evloop loop;
	char name[16];
	int err = 0;

	evloop__init(&loop);
	loop.on_state = on_coro_state;
	for (int i = 0; i < NJOBS && !err; i++) {
		snprintf(name, sizeof(name), "async_fun%d", i + 1);
		err = evloop__spawn(&loop, name, blocking ? blocking_fns[i] : await_only,
				    (void *)(long)i);
	}
	if (!err) {
		sh->t0_ns = swc_now_ns();
		evloop__run(&loop);	/* asyncio.gather(...) */
		sh->main_end_ns = swc_now_ns();
	}
	sh->blocked_ready_ns = loop.blocked_ready_ns;
	sh->idle_ns = loop.idle_ns;
	evloop__free(&loop);
	return err;
}

static int start_threads(pthread_t *th)
{
	for (int i = 0; i < NJOBS; i++)
		if (pthread_create(&th[i], NULL, fun_thread, (void *)(long)i))
			return -1;
	return 0;
}

int lab_timeline_child(void *arg)
{
	enum variant v;
	pthread_t th[NJOBS];

	sh = arg;
	v = (enum variant)sh->variant;
	sh->main_tid = my_tid();
	prctl(PR_SET_NAME, v == V_ASYNC || v == V_ASYNC_BLOCKING ? "loop" : "main", 0, 0, 0);
	switch (v) {
	case V_SEQUENTIAL:
		sh->t0_ns = swc_now_ns();
		for (int i = 0; i < NJOBS; i++) {
			char name[16];

			snprintf(name, sizeof(name), "fun%d", i + 1);
			job_begin(i, name);
			block_units(fun_units[i]);
			job_end(i);
		}
		sh->main_end_ns = swc_now_ns();
		return 0;
	case V_ASYNC_BLOCKING:
	case V_ASYNC:
		return run_async(v == V_ASYNC_BLOCKING);
	case V_THREADS_JOIN:
		sh->t0_ns = swc_now_ns();
		if (start_threads(th))
			return 1;
		for (int i = 0; i < NJOBS; i++)
			pthread_join(th[i], NULL);
		sh->main_end_ns = swc_now_ns();
		return 0;
	case V_THREADS_NOJOIN:
		sh->t0_ns = swc_now_ns();
		if (start_threads(th))
			return 1;
		sh->main_end_ns = swc_now_ns();
		/* Python's non-daemon threads keep the program alive: the main thread ends, the
		 * process lives on until the last thread does (status 0). */
		pthread_exit(NULL);
	case V_THREADS_DAEMON:
		sh->t0_ns = swc_now_ns();
		if (start_threads(th))
			return 1;
		block_units(DAEMON_MAIN_UNITS);
		sh->main_end_ns = swc_now_ns();
		/* returning exits the process (exit_group): the kernel kills every other thread */
		return 0;
	default:
		return 1;
	}
}
