// SPDX-License-Identifier: GPL-2.0-only
/*
 * switchcost lab timeline / join: the notes' fun1..fun3 experiment, variant by variant as
 * their code has it, each in its own child watched from birth. The program's own clock gives
 * the totals the notes print; the sched_switch records give each task's timeline (on the CPU,
 * blocked, waiting for a CPU, exited) and the threads' real end, which no join() reports.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "clock.h"
#include "csv.h"
#include "eventloop.h"
#include "fmt.h"
#include "json.h"
#include "lab.h"
#include "watch.h"

#define NJOBS		3
#define MAX_COSEGS	256
#define MAX_SLOTS	64
#define MAX_TASKS	16
/* daemon variant: the main thread's own work before it exits (the notes give no figure) */
#define DAEMON_MAIN_UNITS	4

enum variant {
	V_SEQUENTIAL, V_ASYNC_BLOCKING, V_ASYNC, V_THREADS_JOIN, V_THREADS_NOJOIN,
	V_THREADS_DAEMON, V_NR,
};

static const struct {
	const char *name;
	const char *what;
	double expected;	/* units */
	bool from_notes;	/* else: this lab's own design */
	const char *expected_note;
} variants[V_NR] = {
	[V_SEQUENTIAL] = { "sequential", "fun1, fun2, fun3 one after the other (sleep 6, 2, 3)",
			   11, true, "the notes' sync_calls(): 11 s" },
	[V_ASYNC_BLOCKING] = { "async_blocking",
			       "async_fun1..3 on one event loop, with blocking sleeps inside",
			       6, true, "the notes' async_calls() with time.sleep: 6 s" },
	[V_ASYNC] = { "async", "three coroutines that only await 2 units each",
		      2, true, "the notes' fully async row: 2 s" },
	[V_THREADS_JOIN] = { "threads_join", "fun1..fun3 in threads, joined",
			     6, true, "the notes' multi_threaded() with join: ~6 s" },
	[V_THREADS_NOJOIN] = { "threads_nojoin",
			       "fun1..fun3 in threads, not joined: what the main thread measures",
			       0, true, "the notes: without join() the main thread's time is very "
					"small" },
	[V_THREADS_DAEMON] = { "threads_daemon",
			       "daemon-style threads: main works 4 units, then exits the process",
			       DAEMON_MAIN_UNITS, false,
			       "this lab's design: the main thread works 4 units; the notes give "
			       "no figure" },
};

/* Blocking durations of fun1..fun3 in the notes' code, in units. */
static const unsigned int fun_units[NJOBS] = { 6, 2, 3 };

struct job {
	char name[16];
	__u64 start_ns, end_ns;
	__u32 tid, started, done, _pad;
};

struct coseg {
	__u64 start_ns, end_ns;
	__u32 task, state;
};

/* What the child writes for the parent (MAP_SHARED). */
struct shared {
	__u64 unit_ns;
	__u64 t0_ns, main_end_ns;
	__u32 main_tid, variant;
	struct job jobs[NJOBS];
	__u64 blocked_ready_ns, idle_ns;
	__u32 nsegs, lost_segs;
	struct coseg segs[MAX_COSEGS];
};

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

static int variant_main(void *arg)
{
	enum variant v = (enum variant)(long)arg;
	pthread_t th[NJOBS];

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

/* ---- the parent's side: timelines from the records ------------------------------------- */

enum tstate { TS_NONE, TS_RUN, TS_RUNNABLE, TS_BLOCKED, TS_DEAD, TS_NR };

struct task {
	__u32 tid;
	char comm[SWC_COMM_LEN];
	enum tstate state;
	__u64 since;
	bool died;
	__u64 died_ns;
	__u64 in_state[TS_NR];		/* ns inside the window */
	__u64 voluntary, involuntary, switches_in;
	double slot[MAX_SLOTS][TS_NR];	/* ns of each state in each unit */
};

struct result {
	enum variant v;
	bool ok;
	char why[128];
	struct shared s;		/* the child's copy */
	struct lab_capture cap;
	struct swc_group_stats gs;
	bool have_gs;
	struct task tasks[MAX_TASKS];
	int ntasks;
	__u64 t0, t_end;
	int nslots;
	__u64 main_died_ns;		/* the main thread's final switch, 0 if unseen */
	double coslot[NJOBS][MAX_SLOTS][EVLOOP_NSTATES];
};

static double units(const struct result *r, __u64 ns)
{
	return (double)ns / r->s.unit_ns;
}

static double units_at(const struct result *r, __u64 ts)
{
	return ts >= r->t0 ? units(r, ts - r->t0) : -units(r, r->t0 - ts);
}

static void spread(const struct result *r, double (*slots)[TS_NR], int state, __u64 a, __u64 b)
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
		slots[k][state] += e - a;
		a = e;
	}
}

static void add_seg(struct result *r, struct task *t, enum tstate st, __u64 a, __u64 b)
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
		if (r->tasks[i].tid == tid)
			return &r->tasks[i];
	if (r->ntasks == MAX_TASKS)
		return NULL;
	t = &r->tasks[r->ntasks++];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	return t;
}

static int cmp_rec(const void *a, const void *b)
{
	const struct swc_switch_rec *x = a, *y = b;

	return x->ts_ns < y->ts_ns ? -1 : x->ts_ns > y->ts_ns;
}

static void switch_out(struct result *r, const struct swc_switch_rec *rec)
{
	struct task *t = task_get(r, rec->prev_tid);

	if (!t)
		return;
	memcpy(t->comm, rec->prev_comm, sizeof(t->comm));
	if (t->state == TS_RUN)
		add_seg(r, t, TS_RUN, t->since, rec->ts_ns);
	t->since = rec->ts_ns;
	if (rec->prev_state & SWC_TASK_DEAD) {
		t->state = TS_DEAD;
		t->died = true;
		t->died_ns = rec->ts_ns;
	} else if (swc_is_voluntary(rec->preempt, rec->prev_state)) {
		t->state = TS_BLOCKED;
		t->voluntary++;
	} else {
		t->state = TS_RUNNABLE;
		t->involuntary++;
	}
}

static void switch_in(struct result *r, const struct swc_switch_rec *rec)
{
	struct task *t = task_get(r, rec->next_tid);
	__u64 ts = rec->ts_ns, woke = ts;

	if (!t)
		return;
	memcpy(t->comm, rec->next_comm, sizeof(t->comm));
	if (rec->delay_ns != SWC_UNKNOWN && rec->delay_ns <= ts)
		woke = ts - rec->delay_ns;
	switch (t->state) {
	case TS_NONE:		/* born: runnable from its wake-up (sched_wakeup_new) */
		add_seg(r, t, TS_RUNNABLE, woke, ts);
		break;
	case TS_BLOCKED:
		if (woke < t->since)
			woke = t->since;
		add_seg(r, t, TS_BLOCKED, t->since, woke);
		add_seg(r, t, TS_RUNNABLE, woke, ts);
		break;
	case TS_RUNNABLE:
		add_seg(r, t, TS_RUNNABLE, t->since, ts);
		break;
	default:
		break;
	}
	t->state = TS_RUN;
	t->since = ts;
	t->switches_in++;
}

static int cmp_task(const void *a, const void *b)
{
	const struct task *x = a, *y = b;

	return x->tid < y->tid ? -1 : x->tid > y->tid;
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

		if (t->state != TS_DEAD && t->state != TS_NONE)
			add_seg(r, t, t->state, t->since, r->t_end);
		if (t->tid == r->s.main_tid && t->died)
			r->main_died_ns = t->died_ns;
	}
}

/* Coroutine segments go in their own grid (EVLOOP states, not kernel ones). */
static void build_coro_grid(struct result *r)
{
	__u64 u = r->s.unit_ns;

	for (__u32 i = 0; i < r->s.nsegs; i++) {
		const struct coseg *s = &r->s.segs[i];
		__u64 a = s->start_ns < r->t0 ? r->t0 : s->start_ns, b = s->end_ns;

		if (s->task >= NJOBS || s->state >= EVLOOP_NSTATES)
			continue;
		if (b > r->t_end)
			b = r->t_end;
		while (a < b) {
			__u64 k = (a - r->t0) / u, slot_end = r->t0 + (k + 1) * u;
			__u64 e = b < slot_end ? b : slot_end;

			if (k >= MAX_SLOTS)
				break;
			r->coslot[s->task][k][s->state] += e - a;
			a = e;
		}
	}
}

/*
 * One character per unit for a kernel task: on the CPU most of it '#', woke and ran briefly
 * '|', blocked '.', runnable but waiting for a CPU '~' (most of it), exited in it 'x', not
 * alive ' '.
 */
static void task_row(const struct result *r, const struct task *t, char *row)
{
	__u64 u = r->s.unit_ns;

	for (int k = 0; k < r->nslots; k++) {
		const double *s = t->slot[k];
		__u64 slot_start = r->t0 + (__u64)k * u;
		char ch = ' ';

		if (s[TS_RUN] * 2 >= u)
			ch = '#';
		else if (s[TS_RUNNABLE] * 2 >= u)
			ch = '~';
		else if (t->died && t->died_ns >= slot_start && t->died_ns < slot_start + u)
			ch = 'x';
		else if (s[TS_RUN] > 0)
			ch = '|';
		else if (s[TS_BLOCKED] > 0 && s[TS_BLOCKED] >= s[TS_RUNNABLE])
			ch = '.';
		else if (s[TS_RUNNABLE] > 0)
			ch = '~';
		row[k] = ch;
	}
	row[r->nslots] = '\0';
}

/* A coroutine's row: in a blocking call 'B', running '#', ready but the loop is busy '~',
 * awaiting a timer '.', not started or done ' ' (whichever takes most of the unit). */
static void coro_row(const struct result *r, int task, char *row)
{
	static const char ch[EVLOOP_NSTATES] = {
		[EVLOOP_READY] = '~', [EVLOOP_RUNNING] = '#', [EVLOOP_BLOCKING] = 'B',
		[EVLOOP_WAITING] = '.', [EVLOOP_DONE] = ' ',
	};

	for (int k = 0; k < r->nslots; k++) {
		const double *s = r->coslot[task][k];
		double best = 0;
		char c = ' ';

		for (int st = 0; st < EVLOOP_NSTATES; st++) {
			if (st != EVLOOP_DONE && s[st] > best) {
				best = s[st];
				c = ch[st];
			}
		}
		/* less than a tenth of the unit alive: it was not really there */
		row[k] = best * 10 >= r->s.unit_ns ? c : ' ';
	}
	row[r->nslots] = '\0';
}

static bool is_async(enum variant v)
{
	return v == V_ASYNC || v == V_ASYNC_BLOCKING;
}

static int run_variant(struct lab *lab, enum variant v, struct result *r)
{
	int err;

	memset(r, 0, sizeof(*r));
	r->v = v;
	sh = lab_shared_alloc(sizeof(*sh));
	if (!sh)
		return -ENOMEM;
	sh->unit_ns = lab->env.unit_ns;
	sh->variant = v;
	err = lab_run_child(lab, variants[v].name, variant_main, (void *)(long)v, &r->cap);
	r->s = *sh;
	lab_shared_free(sh, sizeof(*sh));
	sh = NULL;
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
	return 0;
}

/* ---- output ------------------------------------------------------------------------------ */

static const struct task *main_task(const struct result *r)
{
	for (int i = 0; i < r->ntasks; i++)
		if (r->tasks[i].tid == r->s.main_tid)
			return &r->tasks[i];
	return NULL;
}

static const struct task *job_task(const struct result *r, int j)
{
	for (int i = 0; i < r->ntasks; i++)
		if (r->s.jobs[j].tid && r->tasks[i].tid == r->s.jobs[j].tid)
			return &r->tasks[i];
	return NULL;
}

static double measured_units(const struct result *r)
{
	return units(r, r->s.main_end_ns - r->s.t0_ns);
}

static void print_ruler(const struct result *r, int indent, FILE *f)
{
	fprintf(f, "%*s", indent, "");
	for (int k = 0; k < r->nslots; k++)
		fputc(k % 5 == 0 ? '|' : ' ', f);
	fprintf(f, "\n%*s", indent, "");
	for (int k = 0; k < r->nslots; k += 5) {
		int w = fprintf(f, "%d", k);

		if (k + 5 < r->nslots)
			fprintf(f, "%*s", 5 - w, "");
	}
	fprintf(f, "   (units)\n");
}

static void print_variant(const struct lab *lab, const struct result *r, FILE *f)
{
	char a[32], row[MAX_SLOTS + 1], label[40];
	const int indent = 30;

	(void)lab;
	fprintf(f, "\n%s — %s\n", variants[r->v].name, variants[r->v].what);
	if (!r->ok) {
		fprintf(f, "  failed: %s\n", r->why);
		return;
	}
	fprintf(f, "  measured by %s: %.2f units (%s)   expected: %g units (%s)\n",
		r->v == V_THREADS_NOJOIN || r->v == V_THREADS_DAEMON ? "the main thread" :
		"the program", measured_units(r),
		swc_fmt_ns(r->s.main_end_ns - r->s.t0_ns, a, sizeof(a)), variants[r->v].expected,
		variants[r->v].expected_note);
	fprintf(f, "  work done (the program's own clock):");
	for (int j = 0; j < NJOBS; j++) {
		const struct job *jb = &r->s.jobs[j];

		if (!jb->started)
			fprintf(f, "  fun%d never started", j + 1);
		else if (!jb->done)
			fprintf(f, "  %s %.2f→ NEVER COMPLETED", jb->name, units_at(r, jb->start_ns));
		else
			fprintf(f, "  %s %.2f→%.2f", jb->name, units_at(r, jb->start_ns),
				units_at(r, jb->end_ns));
	}
	fprintf(f, "\n");
	if (is_async(r->v))
		fprintf(f, "  event loop blocked inside a coroutine's blocking call while another "
			   "coroutine was ready: %.2f units; idle waiting for timers: %.2f units\n",
			units(r, r->s.blocked_ready_ns), units(r, r->s.idle_ns));
	fprintf(f, "  timeline, one column per unit:\n");
	print_ruler(r, indent, f);
	for (int i = 0; i < r->ntasks; i++) {
		const struct task *t = &r->tasks[i];

		task_row(r, t, row);
		snprintf(label, sizeof(label), "%.15s [%u]", t->comm, t->tid);
		fprintf(f, "  %-*s%s\n", indent - 2, label, row);
	}
	if (is_async(r->v)) {
		for (int j = 0; j < NJOBS; j++) {
			coro_row(r, j, row);
			snprintf(label, sizeof(label), "  %s (coroutine)", r->s.jobs[j].name);
			fprintf(f, "  %-*s%s\n", indent - 2, label, row);
		}
	}
	for (int i = 0; i < r->ntasks; i++) {
		const struct task *t = &r->tasks[i];
		char b[32], c[32];

		fprintf(f, "    %-15s on CPU %s, blocked %s, waiting for a CPU %s; %llu voluntary, "
			   "%llu involuntary switches", t->comm,
			swc_fmt_ns(t->in_state[TS_RUN], a, sizeof(a)),
			swc_fmt_ns(t->in_state[TS_BLOCKED], b, sizeof(b)),
			swc_fmt_ns(t->in_state[TS_RUNNABLE], c, sizeof(c)),
			(unsigned long long)t->voluntary, (unsigned long long)t->involuntary);
		if (t->died)
			fprintf(f, "; exited at %.2f", units_at(r, t->died_ns));
		fprintf(f, "\n");
	}
}

static void print_legend(FILE *f)
{
	fprintf(f, "\nTimelines from sched_switch: '#' on the CPU most of the unit, '|' woke and "
		   "ran briefly, '.' blocked\n(asleep in the kernel), '~' runnable but waiting "
		   "for a CPU, 'x' exited, ' ' not alive. Coroutine rows come from\nthe event "
		   "loop's own clock (the kernel sees one thread): 'B' in a blocking call (the loop "
		   "is stuck),\n'~' ready but the loop is busy elsewhere, '.' awaiting a timer.\n");
}

static void json_variant(struct swc_json *j, const struct result *r)
{
	char row[MAX_SLOTS + 1];

	jw_obj_begin(j, NULL);
	jw_str(j, "name", variants[r->v].name);
	jw_str(j, "description", variants[r->v].what);
	jw_bool(j, "ok", r->ok);
	jw_u64(j, "unit_ns", r->s.unit_ns);
	if (!r->ok) {
		jw_str(j, "error", r->why);
		jw_obj_end(j);
		return;
	}
	jw_u64(j, "measured_ns", r->s.main_end_ns - r->s.t0_ns);
	jw_double(j, "measured_units", measured_units(r));
	jw_double(j, "expected_units", variants[r->v].expected);
	jw_str(j, "expected_from", variants[r->v].from_notes ? "notes" : "lab design");
	jw_str(j, "expected_note", variants[r->v].expected_note);
	jw_double(j, "process_end_units", units_at(r, r->t_end));
	if (r->main_died_ns)
		jw_double(j, "main_thread_exit_units", units_at(r, r->main_died_ns));
	else
		jw_null(j, "main_thread_exit_units");
	jw_arr_begin(j, "jobs");
	for (int k = 0; k < NJOBS; k++) {
		const struct job *jb = &r->s.jobs[k];
		const struct task *t = job_task(r, k);

		jw_obj_begin(j, NULL);
		jw_str(j, "name", jb->name);
		jw_bool(j, "started", jb->started);
		jw_bool(j, "completed", jb->done);
		jw_double(j, "start_units", jb->started ? units_at(r, jb->start_ns) : NAN);
		jw_double(j, "end_units", jb->done ? units_at(r, jb->end_ns) : NAN);
		jw_u64(j, "tid", jb->tid);
		if (t && t->died && t != main_task(r))
			jw_double(j, "thread_exit_units", units_at(r, t->died_ns));
		else
			jw_null(j, "thread_exit_units");
		jw_obj_end(j);
	}
	jw_arr_end(j);
	if (is_async(r->v)) {
		jw_u64(j, "loop_blocked_while_ready_ns", r->s.blocked_ready_ns);
		jw_double(j, "loop_blocked_while_ready_units", units(r, r->s.blocked_ready_ns));
		jw_u64(j, "loop_idle_ns", r->s.idle_ns);
		jw_arr_begin(j, "coroutines");
		for (int k = 0; k < NJOBS; k++) {
			coro_row(r, k, row);
			jw_obj_begin(j, NULL);
			jw_str(j, "name", r->s.jobs[k].name);
			jw_str(j, "timeline", row);
			jw_obj_end(j);
		}
		jw_arr_end(j);
	}
	jw_arr_begin(j, "tasks");
	for (int i = 0; i < r->ntasks; i++) {
		const struct task *t = &r->tasks[i];

		task_row(r, t, row);
		jw_obj_begin(j, NULL);
		jw_u64(j, "tid", t->tid);
		jw_str(j, "comm", t->comm);
		jw_bool(j, "main_thread", t->tid == r->s.main_tid);
		jw_u64(j, "on_cpu_ns", t->in_state[TS_RUN]);
		jw_u64(j, "blocked_ns", t->in_state[TS_BLOCKED]);
		jw_u64(j, "runnable_ns", t->in_state[TS_RUNNABLE]);
		jw_u64(j, "voluntary", t->voluntary);
		jw_u64(j, "involuntary", t->involuntary);
		jw_double(j, "exit_units", t->died ? units_at(r, t->died_ns) : NAN);
		jw_str(j, "timeline", row);
		jw_obj_end(j);
	}
	jw_arr_end(j);
	if (r->have_gs) {
		jw_obj_begin(j, "kernel");
		jw_u64(j, "switches", r->gs.switches_out);
		jw_u64(j, "voluntary", r->gs.voluntary);
		jw_u64(j, "involuntary", r->gs.involuntary);
		jw_u64(j, "syscalls", r->gs.syscalls);
		jw_u64(j, "wakeups", r->gs.wakeups);
		jw_obj_begin(j, "by_kind");
		for (int k = 0; k < SWC_KIND_NR; k++)
			jw_u64(j, swc_kind_name(k), r->gs.by_kind[k]);
		jw_obj_end(j);
		jw_obj_end(j);
	}
	jw_u64(j, "records", r->cap.nrecs);
	jw_obj_end(j);
}

static void json_doc(struct lab *lab, const struct result *rs, int n, FILE *f)
{
	struct swc_json j;

	lab_json_begin(lab, &j, f);
	jw_u64(&j, "unit_ns", lab->env.unit_ns);
	jw_arr_begin(&j, "variants");
	for (int i = 0; i < n; i++)
		json_variant(&j, &rs[i]);
	jw_arr_end(&j);
	lab_json_bpf(lab, &j);
	jw_obj_end(&j);
	jw_finish(&j);
}

static void print_drops(struct lab *lab, FILE *f)
{
	struct swc_counters ctr;

	if (watch__counters(lab->w, &ctr))
		return;
	fprintf(f, "Switch records lost (ring buffer full): %llu; tasks untracked: %llu.\n",
		(unsigned long long)ctr.events_dropped, (unsigned long long)ctr.tasks_full);
}

static void print_header(struct lab *lab, FILE *f)
{
	char a[32];

	swc_sysinfo_print(&lab->si, f);
	fprintf(f, "# 1 unit = %s (the notes' second; --unit)\n",
		swc_fmt_ns(lab->env.unit_ns, a, sizeof(a)));
}

static void print_summary(const struct result *rs, int n, FILE *f)
{
	fprintf(f, "\nExecution time, as in the notes' table (units; the notes use seconds):\n");
	fprintf(f, "  %-16s %9s %9s\n", "variant", "measured", "expected");
	for (int i = 0; i < n; i++) {
		const struct result *r = &rs[i];

		if (!r->ok) {
			fprintf(f, "  %-16s %9s\n", variants[r->v].name, "failed");
			continue;
		}
		fprintf(f, "  %-16s %9.2f %8g%s\n", variants[r->v].name, measured_units(r),
			variants[r->v].expected, variants[r->v].from_notes ? "" : "*");
		if (r->v == V_THREADS_NOJOIN)
			fprintf(f, "  %-16s %9.2f %9s\n", "  (threads end)", units_at(r, r->t_end),
				"-");
	}
	fprintf(f, "  * not from the notes: this lab's own design.\n");
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

int lab_timeline(struct lab *lab)
{
	static const enum variant all[V_NR] = {
		V_SEQUENTIAL, V_ASYNC_BLOCKING, V_ASYNC, V_THREADS_JOIN, V_THREADS_NOJOIN,
		V_THREADS_DAEMON,
	};
	struct result *rs = calloc(V_NR, sizeof(*rs));
	int err;

	if (!rs)
		return -ENOMEM;
	err = run_list(lab, all, V_NR, rs);
	if (err) {
		free(rs);
		return err;
	}
	if (lab->env.json) {
		json_doc(lab, rs, V_NR, stdout);
	} else {
		print_header(lab, stdout);
		for (int i = 0; i < V_NR; i++)
			print_variant(lab, &rs[i], stdout);
		print_legend(stdout);
		print_summary(rs, V_NR, stdout);
		print_drops(lab, stdout);
	}
	err = finish(rs, V_NR);
	free(rs);
	return err;
}

/* ---- join: the thread variants, told from the threads' side --------------------------- */

static void print_join(const struct result *r, FILE *f)
{
	const struct task *m = main_task(r);

	fprintf(f, "\n%s — %s\n", variants[r->v].name, variants[r->v].what);
	if (!r->ok) {
		fprintf(f, "  failed: %s\n", r->why);
		return;
	}
	fprintf(f, "  main thread measured %.2f units", measured_units(r));
	if (m && m->died)
		fprintf(f, "; the kernel saw it exit at %.2f", units_at(r, m->died_ns));
	fprintf(f, "; the process ended at %.2f\n", units_at(r, r->t_end));
	for (int k = 0; k < NJOBS; k++) {
		const struct job *jb = &r->s.jobs[k];
		const struct task *t = job_task(r, k);

		fprintf(f, "  %-5s %u units of work: ", jb->name, fun_units[k]);
		if (jb->done)
			fprintf(f, "completed at %.2f", units_at(r, jb->end_ns));
		else
			fprintf(f, "NEVER COMPLETED (started at %.2f)", units_at(r, jb->start_ns));
		if (t && t->died)
			fprintf(f, "; its thread's final switch (TASK_DEAD) at %.2f%s",
				units_at(r, t->died_ns),
				!jb->done ? ", killed when the main thread exited the process" : "");
		fprintf(f, "\n");
	}
}

int lab_join(struct lab *lab)
{
	static const enum variant list[] = {
		V_THREADS_JOIN, V_THREADS_NOJOIN, V_THREADS_DAEMON,
	};
	const int n = sizeof(list) / sizeof(list[0]);
	struct result *rs = calloc(n, sizeof(*rs));
	int err;

	if (!rs)
		return -ENOMEM;
	err = run_list(lab, list, n, rs);
	if (err) {
		free(rs);
		return err;
	}
	if (lab->env.json) {
		json_doc(lab, rs, n, stdout);
	} else {
		print_header(lab, stdout);
		for (int i = 0; i < n; i++)
			print_join(&rs[i], stdout);
		fprintf(stdout, "\nWith join() the main thread waits: its clock shows the slowest "
				"thread. Without it the main thread's\nclock shows only the "
				"start-up; the threads (non-daemon) keep the process alive until "
				"they finish.\nDaemon-style threads die with the process: the "
				"kernel's final switch of each is at the main thread's exit.\n");
		for (int i = 0; i < n; i++)
			print_variant(lab, &rs[i], stdout);
		print_legend(stdout);
		print_drops(lab, stdout);
	}
	err = finish(rs, n);
	free(rs);
	return err;
}
