// SPDX-License-Identifier: GPL-2.0-only
/*
 * lab timeline / join, the reports: each variant's tasks drawn one character per unit, the
 * notes' totals beside the measured ones, and the JSON document.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "fmt.h"
#include "json.h"
#include "report.h"
#include "lab_timeline.h"
#include "watch.h"

const struct lab_variant lab_variants[V_NR] = {
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

		if (s[SWC_TL_RUNNING] * 2 >= u)
			ch = '#';
		else if (s[SWC_TL_RUNNABLE] * 2 >= u)
			ch = '~';
		else if (t->tl.died && t->tl.died_ns >= slot_start && t->tl.died_ns < slot_start + u)
			ch = 'x';
		else if (s[SWC_TL_RUNNING] > 0)
			ch = '|';
		else if (s[SWC_TL_BLOCKED] > 0 && s[SWC_TL_BLOCKED] >= s[SWC_TL_RUNNABLE])
			ch = '.';
		else if (s[SWC_TL_RUNNABLE] > 0)
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

/* ---- output ------------------------------------------------------------------------------ */

static const struct task *main_task(const struct result *r)
{
	for (int i = 0; i < r->ntasks; i++)
		if (r->tasks[i].tl.tid == r->s.main_tid)
			return &r->tasks[i];
	return NULL;
}

static const struct task *job_task(const struct result *r, int j)
{
	for (int i = 0; i < r->ntasks; i++)
		if (r->s.jobs[j].tid && r->tasks[i].tl.tid == r->s.jobs[j].tid)
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

void lab_tl_print_variant(const struct lab *lab, const struct result *r, FILE *f)
{
	char a[32], row[MAX_SLOTS + 1], label[40];
	const int indent = 30;

	(void)lab;
	fprintf(f, "\n%s%s — %s\n", lab_variants[r->v].name, r->val.valid ? "" : " !",
		lab_variants[r->v].what);
	if (!r->ok) {
		fprintf(f, "  failed: %s\n", r->why);
		return;
	}
	fprintf(f, "  measured by %s: %.2f units (%s)   expected: %g units (%s)\n",
		r->v == V_THREADS_NOJOIN || r->v == V_THREADS_DAEMON ? "the main thread" :
		"the program", measured_units(r),
		swc_fmt_ns(r->s.main_end_ns - r->s.t0_ns, a, sizeof(a)), lab_variants[r->v].expected,
		lab_variants[r->v].expected_note);
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
		snprintf(label, sizeof(label), "%.15s [%u]", t->comm, t->tl.tid);
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
			swc_fmt_ns(t->in_state[SWC_TL_RUNNING], a, sizeof(a)),
			swc_fmt_ns(t->in_state[SWC_TL_BLOCKED], b, sizeof(b)),
			swc_fmt_ns(t->in_state[SWC_TL_RUNNABLE], c, sizeof(c)),
			(unsigned long long)t->tl.voluntary, (unsigned long long)t->tl.involuntary);
		if (t->tl.died)
			fprintf(f, "; exited at %.2f", units_at(r, t->tl.died_ns));
		fprintf(f, "\n");
	}
}

void lab_tl_print_legend(FILE *f)
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
	jw_str(j, "name", lab_variants[r->v].name);
	jw_str(j, "description", lab_variants[r->v].what);
	jw_bool(j, "ok", r->ok);
	swc_validity_json(j, &r->val);
	jw_u64(j, "unit_ns", r->s.unit_ns);
	if (!r->ok) {
		jw_str(j, "error", r->why);
		jw_obj_end(j);
		return;
	}
	jw_u64(j, "measured_ns", r->s.main_end_ns - r->s.t0_ns);
	jw_double(j, "measured_units", measured_units(r));
	jw_double(j, "expected_units", lab_variants[r->v].expected);
	jw_str(j, "expected_from", lab_variants[r->v].from_notes ? "notes" : "lab design");
	jw_str(j, "expected_note", lab_variants[r->v].expected_note);
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
		if (t && t->tl.died && t != main_task(r))
			jw_double(j, "thread_exit_units", units_at(r, t->tl.died_ns));
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
		jw_u64(j, "tid", t->tl.tid);
		jw_str(j, "comm", t->comm);
		jw_bool(j, "main_thread", t->tl.tid == r->s.main_tid);
		jw_u64(j, "on_cpu_ns", t->in_state[SWC_TL_RUNNING]);
		jw_u64(j, "blocked_ns", t->in_state[SWC_TL_BLOCKED]);
		jw_u64(j, "runnable_ns", t->in_state[SWC_TL_RUNNABLE]);
		jw_u64(j, "voluntary", t->tl.voluntary);
		jw_u64(j, "involuntary", t->tl.involuntary);
		jw_double(j, "exit_units", t->tl.died ? units_at(r, t->tl.died_ns) : NAN);
		jw_str(j, "timeline", row);
		jw_obj_end(j);
	}
	jw_arr_end(j);
	if (r->have_gs) {
		jw_obj_begin(j, "ebpf");
		jw_u64(j, "switches", r->gs.switches_out);
		jw_u64(j, "voluntary", r->gs.voluntary);
		jw_u64(j, "involuntary", r->gs.involuntary);
		jw_u64(j, "syscalls", r->gs.syscalls);
		jw_u64(j, "wakeups", r->gs.wakeups);
		swc_report_json_by_kind(j, r->gs.by_kind);
		jw_obj_end(j);
	}
	jw_u64(j, "records", r->cap.nrecs);
	jw_obj_end(j);
}

void lab_tl_json_doc(struct lab *lab, const struct result *rs, int n, FILE *f)
{
	struct swc_json j;

	lab_json_begin(lab, &j, f);
	jw_u64(&j, "unit_ns", lab->env.unit_ns);
	jw_arr_begin(&j, "variants");
	for (int i = 0; i < n; i++)
		json_variant(&j, &rs[i]);
	jw_arr_end(&j);
	lab_json_end(lab, &j);
}

void lab_tl_print_drops(struct lab *lab, FILE *f)
{
	struct swc_counters ctr;

	if (watch__counters(lab->w, &ctr))
		return;
	fprintf(f, "Switch records lost (ring buffer full): %llu; tasks untracked: %llu.\n",
		(unsigned long long)ctr.events_dropped, (unsigned long long)ctr.tasks_full);
}

void lab_tl_print_header(struct lab *lab, FILE *f)
{
	char a[32];

	swc_sysinfo_print(&lab->si, f);
	fprintf(f, "# 1 unit = %s (the notes' second; --unit)\n",
		swc_fmt_ns(lab->env.unit_ns, a, sizeof(a)));
}

void lab_tl_print_invalid(const struct result *rs, int n, FILE *f)
{
	bool any = false;

	for (int i = 0; i < n; i++) {
		if (!rs[i].val.valid && !any)
			fprintf(f, "\n");
		any |= lab_print_invalid(f, lab_variants[rs[i].v].name, &rs[i].val);
	}
	if (any)
		fprintf(f, "! %s.\n", swc_validity_advice());
}

void lab_tl_print_summary(const struct result *rs, int n, FILE *f)
{
	fprintf(f, "\nExecution time, as in the notes' table (units; the notes use seconds):\n");
	fprintf(f, "  %-16s %9s %9s\n", "variant", "measured", "expected");
	for (int i = 0; i < n; i++) {
		const struct result *r = &rs[i];

		if (!r->ok) {
			fprintf(f, "  %-16s %9s\n", lab_variants[r->v].name, "failed");
			continue;
		}
		fprintf(f, "  %-16s %9.2f %8g%s%s\n", lab_variants[r->v].name, measured_units(r),
			lab_variants[r->v].expected, lab_variants[r->v].from_notes ? "" : "*",
			r->val.valid ? "" : " !");
		if (r->v == V_THREADS_NOJOIN)
			fprintf(f, "  %-16s %9.2f %9s\n", "  (threads end)", units_at(r, r->t_end),
				"-");
	}
	fprintf(f, "  * not from the notes: this lab's own design.\n");
}

/* ---- join: the thread variants, told from the threads' side --------------------------- */

void lab_tl_print_join(const struct result *r, FILE *f)
{
	const struct task *m = main_task(r);

	fprintf(f, "\n%s%s — %s\n", lab_variants[r->v].name, r->val.valid ? "" : " !",
		lab_variants[r->v].what);
	if (!r->ok) {
		fprintf(f, "  failed: %s\n", r->why);
		return;
	}
	fprintf(f, "  main thread measured %.2f units", measured_units(r));
	if (m && m->tl.died)
		fprintf(f, "; the kernel saw it exit at %.2f", units_at(r, m->tl.died_ns));
	fprintf(f, "; the process ended at %.2f\n", units_at(r, r->t_end));
	for (int k = 0; k < NJOBS; k++) {
		const struct job *jb = &r->s.jobs[k];
		const struct task *t = job_task(r, k);

		fprintf(f, "  %-5s %u units of work: ", jb->name, fun_units[k]);
		if (jb->done)
			fprintf(f, "completed at %.2f", units_at(r, jb->end_ns));
		else
			fprintf(f, "NEVER COMPLETED (started at %.2f)", units_at(r, jb->start_ns));
		if (t && t->tl.died)
			fprintf(f, "; its thread's final switch (TASK_DEAD) at %.2f%s",
				units_at(r, t->tl.died_ns),
				!jb->done ? ", killed when the main thread exited the process" : "");
		fprintf(f, "\n");
	}
}
