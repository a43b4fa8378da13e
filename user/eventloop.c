// SPDX-License-Identifier: GPL-2.0-only
/* A minimal event loop on swc_coro: timers, a FIFO of ready coroutines, blocking calls. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include "clock.h"
#include "eventloop.h"

#define EVLOOP_STACK	(64 * 1024)

void swc_sleep_ns(__u64 ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000ULL, .tv_nsec = ns % 1000000000ULL };

	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

static void sleep_until(__u64 when_ns)
{
	struct timespec ts = { .tv_sec = when_ns / 1000000000ULL,
			       .tv_nsec = when_ns % 1000000000ULL };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void set_state(struct swc_evloop *l, struct evloop_task *t, enum evloop_state s,
		      __u64 now)
{
	if (l->on_state && t->state != s)
		l->on_state(l->ctx, (int)(t - l->tasks), t->state, t->since_ns, now);
	t->state = s;
	t->since_ns = now;
}

void evloop__init(struct swc_evloop *l)
{
	memset(l, 0, sizeof(*l));
}

/* Every coroutine starts here; fn returning is the coroutine finishing. */
static void __attribute__((noreturn)) task_entry(void *arg)
{
	struct evloop_task *t = arg;

	t->fn(t->loop, t->arg);
	set_state(t->loop, t, EVLOOP_DONE, swc_now_ns());
	swc_coro_switch(&t->ctx, t->loop->main.sp);
	abort();	/* a finished coroutine is never resumed */
}

int evloop__spawn(struct swc_evloop *l, const char *name,
		  void (*fn)(struct swc_evloop *l, void *arg), void *arg)
{
	size_t guard = (size_t)sysconf(_SC_PAGESIZE);
	struct evloop_task *t;
	char *p;

	if (l->ntasks == EVLOOP_MAX_TASKS)
		return -E2BIG;
	t = &l->tasks[l->ntasks];
	memset(t, 0, sizeof(*t));
	/* a PROT_NONE page below the stack: an overflow faults instead of corrupting memory */
	t->mapped = EVLOOP_STACK + guard;
	p = mmap(NULL, t->mapped, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	if (mprotect(p + guard, EVLOOP_STACK, PROT_READ | PROT_WRITE)) {
		munmap(p, t->mapped);
		return -errno;
	}
	t->stack = p;
	t->loop = l;
	t->fn = fn;
	t->arg = arg;
	strncpy(t->name, name, sizeof(t->name) - 1);
	t->state = EVLOOP_READY;
	t->since_ns = swc_now_ns();
	swc_coro_init(&t->ctx, p + guard, EVLOOP_STACK, task_entry, t);
	l->ntasks++;
	return 0;
}

/* Timers that are due become ready, earliest first; returns the earliest still pending. */
static __u64 expire_timers(struct swc_evloop *l, __u64 now)
{
	__u64 next = 0;

	for (;;) {
		struct evloop_task *due = NULL;

		for (int i = 0; i < l->ntasks; i++) {
			struct evloop_task *t = &l->tasks[i];

			if (t->state == EVLOOP_WAITING && t->wake_ns <= now &&
			    (!due || t->wake_ns < due->wake_ns))
				due = t;
		}
		if (!due)
			break;
		/* it became ready when its timer expired, however late the loop noticed */
		set_state(l, due, EVLOOP_READY, due->wake_ns);
	}
	for (int i = 0; i < l->ntasks; i++) {
		struct evloop_task *t = &l->tasks[i];

		if (t->state == EVLOOP_WAITING && (!next || t->wake_ns < next))
			next = t->wake_ns;
	}
	return next;
}

/* The ready coroutine that has waited longest (FIFO by readiness, then spawn order). */
static struct evloop_task *pick_ready(struct swc_evloop *l)
{
	struct evloop_task *best = NULL;

	for (int i = 0; i < l->ntasks; i++) {
		struct evloop_task *t = &l->tasks[i];

		if (t->state == EVLOOP_READY && (!best || t->since_ns < best->since_ns))
			best = t;
	}
	return best;
}

void evloop__run(struct swc_evloop *l)
{
	for (;;) {
		struct evloop_task *t;
		__u64 now = swc_now_ns(), next;
		bool live = false;

		next = expire_timers(l, now);
		t = pick_ready(l);
		if (t) {
			set_state(l, t, EVLOOP_RUNNING, swc_now_ns());
			l->current = t;
			swc_coro_switch(&l->main, t->ctx.sp);
			l->current = NULL;
			continue;
		}
		for (int i = 0; i < l->ntasks; i++)
			live |= l->tasks[i].state != EVLOOP_DONE;
		if (!live || !next)
			return;
		sleep_until(next);
		l->idle_ns += swc_now_ns() - now;
	}
}

void evloop__free(struct swc_evloop *l)
{
	for (int i = 0; i < l->ntasks; i++)
		if (l->tasks[i].stack)
			munmap(l->tasks[i].stack, l->tasks[i].mapped);
	l->ntasks = 0;
}

void evloop__await_sleep(struct swc_evloop *l, __u64 ns)
{
	struct evloop_task *t = l->current;
	__u64 now = swc_now_ns();

	t->wake_ns = now + ns;
	set_state(l, t, EVLOOP_WAITING, now);
	swc_coro_switch(&t->ctx, l->main.sp);
}

/* Since when another coroutine has been ready (0: none is, nor will be before until_ns). */
static __u64 ready_since(struct swc_evloop *l, struct evloop_task *self, __u64 until_ns)
{
	__u64 since = 0, s;

	for (int i = 0; i < l->ntasks; i++) {
		struct evloop_task *t = &l->tasks[i];

		if (t == self)
			continue;
		if (t->state == EVLOOP_READY)
			s = t->since_ns;
		else if (t->state == EVLOOP_WAITING && t->wake_ns < until_ns)
			s = t->wake_ns;
		else
			continue;
		if (!since || s < since)
			since = s;
	}
	return since;
}

void evloop__block_sleep(struct swc_evloop *l, __u64 ns)
{
	struct evloop_task *t = l->current;
	__u64 start = swc_now_ns(), end, since;

	set_state(l, t, EVLOOP_BLOCKING, start);
	swc_sleep_ns(ns);
	end = swc_now_ns();
	set_state(l, t, EVLOOP_RUNNING, end);
	/* Once ready, a coroutine stays ready until the loop runs it: the stall is one interval. */
	since = ready_since(l, t, end);
	if (since)
		l->blocked_ready_ns += end - (since > start ? since : start);
}
