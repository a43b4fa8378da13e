/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A minimal single-threaded event loop on switchcost's own coroutine switch (coro.h), the
 * shape of asyncio's: `await sleep` parks the coroutine on a timer and switches to the loop;
 * a blocking call is a real nanosleep inside the coroutine and stalls the whole loop. The loop
 * blocks in clock_nanosleep until the earliest timer when nothing is ready, and measures how
 * long it was stuck in a coroutine's blocking call while another coroutine was ready to run.
 */
#ifndef SWC_EVENTLOOP_H
#define SWC_EVENTLOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "coro.h"

#define EVLOOP_MAX_TASKS	8

/* What a coroutine is doing, as the loop sees it. */
enum evloop_state {
	EVLOOP_READY = 0,	/* may run; waits for the loop to resume it */
	EVLOOP_RUNNING,		/* the loop's thread is executing it */
	EVLOOP_BLOCKING,	/* ... inside a blocking call: nothing else can run */
	EVLOOP_WAITING,		/* parked on a timer (await sleep) */
	EVLOOP_DONE,
	EVLOOP_NSTATES,
};

struct swc_evloop;

struct evloop_task {
	struct swc_coro ctx;
	struct swc_evloop *loop;
	void (*fn)(struct swc_evloop *l, void *arg);
	void *arg;
	char name[16];
	enum evloop_state state;
	__u64 since_ns;		/* CLOCK_MONOTONIC time it entered state */
	__u64 wake_ns;		/* timer due (EVLOOP_WAITING) */
	void *stack;
	size_t mapped;
};

struct swc_evloop {
	struct swc_coro main;		/* the loop's own context */
	struct evloop_task tasks[EVLOOP_MAX_TASKS];
	int ntasks;
	struct evloop_task *current;
	__u64 blocked_ready_ns;		/* stuck in a blocking call while another was ready */
	__u64 idle_ns;			/* asleep because nothing was ready */
	/* called on every state change with the state that just ended; may be NULL */
	void (*on_state)(void *ctx, int task, enum evloop_state state, __u64 start_ns,
			 __u64 end_ns);
	void *ctx;
};

void evloop__init(struct swc_evloop *l);
/* Adds a coroutine, ready to run in the order added (asyncio.gather). Returns 0 or -errno. */
int evloop__spawn(struct swc_evloop *l, const char *name,
		  void (*fn)(struct swc_evloop *l, void *arg), void *arg);
/* Runs until every coroutine is done. */
void evloop__run(struct swc_evloop *l);
void evloop__free(struct swc_evloop *l);

/* From inside a coroutine: `await sleep(ns)` - park on a timer and let the loop run others. */
void evloop__await_sleep(struct swc_evloop *l, __u64 ns);
/* From inside a coroutine: a blocking sleep (time.sleep in asyncio code): the loop stalls. */
void evloop__block_sleep(struct swc_evloop *l, __u64 ns);

/* A blocking relative sleep of ns that resumes after signals it survives. */
void swc_sleep_ns(__u64 ns);

#endif
