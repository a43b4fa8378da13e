/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * coroutine (and its floor and ret rows) and ucontext: two coroutines in one thread switching
 * straight back and forth, with switchcost's own switch or libc's swapcontext; no kernel in
 * the hand-off.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "coro.h"
#include "workload.h"
#include "workload_run.h"

#define CORO_STACK_SIZE	(64 * 1024)

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

int run_coroutine(struct wl_ctx *c)
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

int run_ucontext(struct wl_ctx *c)
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
