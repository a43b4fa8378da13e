// SPDX-License-Identifier: GPL-2.0-only
/*
 * switchcost lab timeline / join: the notes' fun1..fun3 experiment, variant by variant as
 * their code has it, each in its own child watched from birth (lab_timeline_child.c). The
 * program's own clock gives the totals the notes print; the sched_switch records, reduced by
 * timeline.c, give each task's timeline (on the CPU, blocked, waiting for a CPU, exited) and
 * the threads' real end, which no join() reports. lab_timeline_print.c draws them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "lab.h"
#include "lab_timeline.h"
#include "timeline.h"
#include "watch.h"

/* ---- the parent's side: timelines from the records ------------------------------------- */

/* Adds the time of [a, b) within the result's span to the unit slots it overlaps: slot k's
 * share goes to cells[k * nstates + state] (a row of nstates states per slot). */
static void spread_cells(const struct result *r, double *cells, int nstates, int state, __u64 a,
			 __u64 b)
{
	__u64 u = r->s.unit_ns;

	if (a < r->t0)
		a = r->t0;
	if (b > r->t_end)
		b = r->t_end;
	while (a < b) {
		__u64 k = (a - r->t0) / u, slot_end = r->t0 + (k + 1) * u;
		__u64 e = b < slot_end ? b : slot_end;

		if (k >= MAX_SLOTS)
			break;
		cells[k * nstates + state] += e - a;
		a = e;
	}
}

static void spread(const struct result *r, double (*slots)[SWC_TL_NR], int state, __u64 a, __u64 b)
{
	spread_cells(r, &slots[0][0], SWC_TL_NR, state, a, b);
}

static void add_seg(struct result *r, struct task *t, enum swc_tl_state st, __u64 a, __u64 b)
{
	__u64 ca = a < r->t0 ? r->t0 : a, cb = b > r->t_end ? r->t_end : b;

	if (b <= a)
		return;
	if (cb > ca)
		t->in_state[st] += cb - ca;
	spread(r, t->slot, st, a, b);
}

static struct task *task_get(struct result *r, __u32 tid)
{
	struct task *t;

	for (int i = 0; i < r->ntasks; i++)
		if (r->tasks[i].tl.tid == tid)
			return &r->tasks[i];
	if (r->ntasks == MAX_TASKS)
		return NULL;
	t = &r->tasks[r->ntasks++];
	memset(t, 0, sizeof(*t));
	t->tl.tid = tid;
	return t;
}

static int cmp_rec(const void *a, const void *b)
{
	const struct swc_switch_rec *x = a, *y = b;

	return x->ts_ns < y->ts_ns ? -1 : x->ts_ns > y->ts_ns;
}

/* A segment the reducer closed: into the window's totals and the per-unit grid. */
static void on_seg(void *arg, struct swc_tl_task *tl, enum swc_tl_state st, __u64 a, __u64 b)
{
	add_seg(arg, (struct task *)tl, st, a, b);
}

static void switch_out(struct result *r, const struct swc_switch_rec *rec)
{
	struct task *t = task_get(r, rec->prev_tid);

	if (!t)
		return;
	memcpy(t->comm, rec->prev_comm, sizeof(t->comm));
	swc_tl_switch_out(&t->tl, rec->ts_ns, rec->prev_state & SWC_TASK_DEAD,
			  swc_is_voluntary(rec->preempt, rec->prev_state), on_seg, r);
}

static void switch_in(struct result *r, const struct swc_switch_rec *rec)
{
	struct task *t = task_get(r, rec->next_tid);

	if (!t)
		return;
	memcpy(t->comm, rec->next_comm, sizeof(t->comm));
	swc_tl_switch_in(&t->tl, rec->ts_ns, rec->delay_ns, on_seg, r);
}

static int cmp_task(const void *a, const void *b)
{
	const struct task *x = a, *y = b;

	return x->tl.tid < y->tl.tid ? -1 : x->tl.tid > y->tl.tid;
}

static void build_timeline(struct result *r)
{
	struct lab_capture *c = &r->cap;
	__u64 last = 0;

	qsort(c->recs, c->nrecs, sizeof(*c->recs), cmp_rec);
	r->t0 = r->s.t0_ns;
	/* the window ends when the last task of the process died, or the main thread's clock */
	for (size_t i = 0; i < c->nrecs; i++)
		if ((c->recs[i].prev_state & SWC_TASK_DEAD) && c->recs[i].prev_tgid == (__u32)c->pid)
			last = c->recs[i].ts_ns;
	r->t_end = last > r->s.main_end_ns ? last : r->s.main_end_ns;
	if (r->t_end <= r->t0)
		r->t_end = r->t0 + 1;
	r->nslots = (int)((r->t_end - r->t0 + r->s.unit_ns - 1) / r->s.unit_ns);
	if (r->nslots > MAX_SLOTS)
		r->nslots = MAX_SLOTS;
	for (size_t i = 0; i < c->nrecs; i++) {
		const struct swc_switch_rec *rec = &c->recs[i];

		if (rec->kind == SWC_KIND_COROUTINE)
			continue;
		if (rec->prev_tgid == (__u32)c->pid)
			switch_out(r, rec);
		if (rec->next_tgid == (__u32)c->pid)
			switch_in(r, rec);
	}
	/* creation order: main, then fun1..fun3 */
	qsort(r->tasks, r->ntasks, sizeof(r->tasks[0]), cmp_task);
	for (int i = 0; i < r->ntasks; i++) {
		struct task *t = &r->tasks[i];

		swc_tl_end(&t->tl, r->t_end, on_seg, r);
		if (t->tl.tid == r->s.main_tid && t->tl.died)
			r->main_died_ns = t->tl.died_ns;
	}
}

/* Coroutine segments go in their own grid (EVLOOP states, not kernel ones). */
static void build_coro_grid(struct result *r)
{
	for (__u32 i = 0; i < r->s.nsegs; i++) {
		const struct coseg *s = &r->s.segs[i];

		if (s->task >= NJOBS || s->state >= EVLOOP_NSTATES)
			continue;
		spread_cells(r, &r->coslot[s->task][0][0], EVLOOP_NSTATES, s->state, s->start_ns,
			     s->end_ns);
	}
}

/* sequential: fun1 + fun2 + fun3 = 6 + 2 + 3 units, the longest any variant takes */
#define LONGEST_VARIANT_UNITS	11

static int run_variant(struct lab *lab, enum variant v, struct result *r)
{
	struct shared *sh;
	int err;

	memset(r, 0, sizeof(*r));
	r->v = v;
	sh = lab_shared_alloc(sizeof(*sh));
	if (!sh)
		return -ENOMEM;
	sh->unit_ns = lab->env.unit_ns;
	sh->variant = v;
	err = lab_run_child(lab, lab_variants[v].name, lab_timeline_child, sh, &r->cap);
	r->s = *sh;
	lab_shared_free(sh, sizeof(*sh));
	if (err)
		return err;
	r->ok = WIFEXITED(r->cap.status) && WEXITSTATUS(r->cap.status) == 0 && r->s.t0_ns &&
		r->s.main_end_ns >= r->s.t0_ns;
	if (!r->ok)
		snprintf(r->why, sizeof(r->why), "the variant's child %s",
			 r->cap.status ? "failed" : "did not report its times");
	if (!watch__group_stats(lab->w, r->cap.group, &r->gs))
		r->have_gs = true;
	if (r->ok) {
		build_timeline(r);
		build_coro_grid(r);
	}
	lab_judge(lab, &r->cap, &r->val);
	/* the longest variant is designed to take 11 units: far beyond that, something else
	 * held it up (a process end at 67.67 units was once reported without a word) */
	if (r->ok && units_at(r, r->t_end) > LONGEST_VARIANT_UNITS * 1.25 + 1) {
		swc_validity_add(&r->val, "the process ended at %.2f units, where the longest "
				 "variant is designed to take %d", units_at(r, r->t_end),
				 LONGEST_VARIANT_UNITS);
		lab->any_invalid = true;
	}
	return 0;
}

static int run_list(struct lab *lab, const enum variant *list, int n, struct result *rs)
{
	int err = 0, done = 0;

	for (int i = 0; i < n; i++) {
		err = run_variant(lab, list[i], &rs[i]);
		done = i + 1;
		if (err)
			break;
	}
	if (err)
		for (int i = 0; i < done; i++)
			lab_capture_free(&rs[i].cap);
	return err;
}

static int finish(struct result *rs, int n)
{
	int rc = 0;

	for (int i = 0; i < n; i++) {
		if (!rs[i].ok)
			rc = 1;
		lab_capture_free(&rs[i].cap);
	}
	return rc;
}

/* Runs the variants of list, then reports them: the JSON document, or human(). */
/* lab_html()'s view of the JSON document */
struct json_arg {
	struct lab *lab;
	const struct result *rs;
	int n;
};

static void json_doc_to(FILE *f, void *arg)
{
	const struct json_arg *a = arg;

	lab_tl_json_doc(a->lab, a->rs, a->n, f);
}

static int run_scenario(struct lab *lab, const enum variant *list, int n,
			void (*human)(struct lab *lab, const struct result *rs, int n))
{
	struct result *rs = calloc(n, sizeof(*rs));
	int err;

	if (!rs)
		return -ENOMEM;
	err = run_list(lab, list, n, rs);
	if (!err) {
		if (lab->env.json)
			lab_tl_json_doc(lab, rs, n, stdout);
		else
			human(lab, rs, n);
		lab_html(lab, json_doc_to, &(struct json_arg){ lab, rs, n });
		err = finish(rs, n);
	}
	free(rs);
	return err;
}

static void timeline_human(struct lab *lab, const struct result *rs, int n)
{
	lab_tl_print_header(lab, stdout);
	for (int i = 0; i < n; i++)
		lab_tl_print_variant(lab, &rs[i], stdout);
	lab_tl_print_legend(stdout);
	lab_tl_print_summary(rs, n, stdout);
	lab_tl_print_drops(lab, stdout);
	lab_tl_print_invalid(rs, n, stdout);
}

int lab_timeline(struct lab *lab)
{
	static const enum variant all[V_NR] = {
		V_SEQUENTIAL, V_ASYNC_BLOCKING, V_ASYNC, V_THREADS_JOIN, V_THREADS_NOJOIN,
		V_THREADS_DAEMON,
	};

	return run_scenario(lab, all, V_NR, timeline_human);
}

/* The thread variants told from the threads' side, then drawn as in timeline. */
static void join_human(struct lab *lab, const struct result *rs, int n)
{
	lab_tl_print_header(lab, stdout);
	for (int i = 0; i < n; i++)
		lab_tl_print_join(&rs[i], stdout);
	fprintf(stdout, "\nWith join() the main thread waits: its clock shows the slowest "
			"thread. Without it the main thread's\nclock shows only the "
			"start-up; the threads (non-daemon) keep the process alive until "
			"they finish.\nDaemon-style threads die with the process: the "
			"kernel's final switch of each is at the main thread's exit.\n");
	for (int i = 0; i < n; i++)
		lab_tl_print_variant(lab, &rs[i], stdout);
	lab_tl_print_legend(stdout);
	lab_tl_print_drops(lab, stdout);
	lab_tl_print_invalid(rs, n, stdout);
}

int lab_join(struct lab *lab)
{
	static const enum variant list[] = {
		V_THREADS_JOIN, V_THREADS_NOJOIN, V_THREADS_DAEMON,
	};

	return run_scenario(lab, list, sizeof(list) / sizeof(list[0]), join_human);
}
