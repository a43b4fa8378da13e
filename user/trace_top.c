// SPDX-License-Identifier: GPL-2.0-only
/* trace -a: the processes and threads that switch most, from the per-task rows BPF kept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fmt.h"
#include "json.h"
#include "stats.h"
#include "trace.h"

#define TOP_DEFAULT	10

/* One process: its threads' rows added up. */
struct proc_row {
	__u32 pid, threads;
	char comm[SWC_COMM_LEN];
	struct swc_task sum;
};

static unsigned int top_n(const struct trace_env *env)
{
	return env->top ? env->top : TOP_DEFAULT;
}

/* The timings are there only with --latency (-a counts switches only by default). */
static bool timed(const struct trace_env *env)
{
	return env->latency;
}

static void add_task(struct swc_task *to, const struct swc_task *t)
{
	to->switches_out += t->switches_out;
	to->voluntary += t->voluntary;
	to->involuntary += t->involuntary;
	to->off_cpu_ns += t->off_cpu_ns;
	to->on_cpu_ns += t->on_cpu_ns;
	to->delay_count += t->delay_count;
	for (int i = 0; i < SWC_HIST_SLOTS; i++)
		to->hist_delay[i] += t->hist_delay[i];
	/* a process's largest delay is its threads' largest: its quantiles stop there */
	if (t->delay_max_ns > to->delay_max_ns) {
		to->delay_max_ns = t->delay_max_ns;
		to->delay_max_at_ns = t->delay_max_at_ns;
	}
}

/* rows come sorted by pid, tid: one pass makes the processes */
static struct proc_row *processes(const struct task_row *rows, size_t n, size_t *np)
{
	struct proc_row *p = calloc(n ? n : 1, sizeof(*p));
	size_t k = 0;

	if (!p)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const struct swc_task *t = &rows[i].t;

		if (!k || p[k - 1].pid != t->tgid) {
			p[k].pid = t->tgid;
			memcpy(p[k].comm, t->comm, SWC_COMM_LEN);
			k++;
		}
		if (rows[i].tid == t->tgid)	/* the leader names the process */
			memcpy(p[k - 1].comm, t->comm, SWC_COMM_LEN);
		p[k - 1].threads++;
		add_task(&p[k - 1].sum, t);
	}
	*np = k;
	return p;
}

static int by_switches_proc(const void *a, const void *b)
{
	const struct proc_row *x = a, *y = b;

	if (x->sum.switches_out != y->sum.switches_out)
		return x->sum.switches_out > y->sum.switches_out ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static int by_switches_task(const void *a, const void *b)
{
	const struct task_row *x = a, *y = b;

	if (x->t.switches_out != y->t.switches_out)
		return x->t.switches_out > y->t.switches_out ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static void share(const struct swc_task *t, char *buf, size_t len)
{
	if (t->switches_out)
		snprintf(buf, len, "%.1f%%", 100.0 * t->involuntary / t->switches_out);
	else
		snprintf(buf, len, "-");
}

/* cells 0..: [tid,] comm, (threads,) switches, involuntary share, [p99, off-CPU] */
static void timing_cells(const struct trace_env *env, const struct swc_task *t, char c[][64],
			 const char **cells, int at)
{
	char a[32];

	if (!timed(env))
		return;
	cells[at] = NULL;
	if (t->delay_count) {
		snprintf(c[at], 64, "≈%s", swc_fmt_ns(swc_task_delay_quantile(t, 0.99),
							a, sizeof(a)));
		cells[at] = c[at];
	}
	swc_fmt_ns(t->off_cpu_ns, c[at + 1], 64);
	cells[at + 1] = c[at + 1];
}

/* One line of either table: a process (tid 0, its threads added up) or a thread. */
struct top_line {
	__u32 pid, tid, threads;
	const char *comm;
	const struct swc_task *t;
};

static void print_lines(const struct trace_env *env, const char *what, const struct top_line *l,
			size_t n, FILE *f)
{
	/* the processes' table has its thread count where the threads' has the tid */
	const char *headers[] = {
		"pid", strcmp(what, "processes") ? "tid" : "threads", "comm", "switches",
		"involuntary", "wake→run p99", "off-CPU",
	};
	static const enum swc_align aligns[] = {
		SWC_RIGHT, SWC_RIGHT, SWC_LEFT, SWC_RIGHT, SWC_RIGHT, SWC_RIGHT, SWC_RIGHT,
	};
	struct swc_table *t = swc_table__new(timed(env) ? 7 : 5, headers, aligns);
	size_t shown = n < top_n(env) ? n : top_n(env);
	char c[7][64];
	const char *cells[7];

	if (!t)
		return;
	for (size_t i = 0; i < shown; i++) {
		for (int j = 0; j < 7; j++)
			cells[j] = c[j];
		snprintf(c[0], 64, "%u", l[i].pid);
		snprintf(c[1], 64, "%u", l[i].tid ? l[i].tid : l[i].threads);
		snprintf(c[2], 64, "%.*s", SWC_COMM_LEN, l[i].comm);
		swc_fmt_count(l[i].t->switches_out, c[3], 64);
		share(l[i].t, c[4], 64);
		timing_cells(env, l[i].t, c, cells, 5);
		swc_table__add_row(t, cells);
	}
	fprintf(f, "%sTop %zu %s by switches out (of %zu seen):\n", strcmp(what, "processes") ?
		"\n" : "", shown, what, n);
	swc_table__print(t, f);
	swc_table__free(t);
}

/* Both tables' lines: the processes, then the threads, each sorted by switches out. */
struct top {
	struct proc_row *procs;
	struct task_row *threads;
	struct top_line *lines;		/* np process lines, then n thread lines */
	size_t np, n;
};

static void top_free(struct top *t)
{
	free(t->procs);
	free(t->threads);
	free(t->lines);
}

/* 0, or -1 when out of memory (t is then freed) */
static int top_build(struct top *t, const struct task_row *rows, size_t n)
{
	memset(t, 0, sizeof(*t));
	t->n = n;
	t->procs = processes(rows, n, &t->np);
	t->threads = malloc((n ? n : 1) * sizeof(*t->threads));
	t->lines = calloc(2 * n + 1, sizeof(*t->lines));
	if (!t->procs || !t->threads || !t->lines) {
		top_free(t);
		return -1;
	}
	qsort(t->procs, t->np, sizeof(*t->procs), by_switches_proc);
	memcpy(t->threads, rows, n * sizeof(*t->threads));
	qsort(t->threads, n, sizeof(*t->threads), by_switches_task);
	for (size_t i = 0; i < t->np; i++) {
		const struct proc_row *p = &t->procs[i];

		t->lines[i] = (struct top_line){ p->pid, 0, p->threads, p->comm, &p->sum };
	}
	for (size_t i = 0; i < n; i++) {
		const struct task_row *r = &t->threads[i];

		t->lines[t->np + i] = (struct top_line){ r->t.tgid, r->tid, 1, r->t.comm, &r->t };
	}
	return 0;
}

void trace_top_print(const struct trace_env *env, const struct task_row *rows, size_t n, FILE *f)
{
	struct top t;

	if (top_build(&t, rows, n)) {
		fprintf(f, "Top processes and threads: not measured (out of memory)\n");
		return;
	}
	print_lines(env, "processes", t.lines, t.np, f);
	print_lines(env, "threads", t.lines + t.np, t.n, f);
	fprintf(f, "(involuntary: the share of its switches out that were preemptions; %s)\n",
		timed(env) ? "≈: from log2 buckets" :
		"wake-up to run and off-CPU: not measured, --latency measures them");
	top_free(&t);
}

static void json_common(struct swc_json *j, const struct trace_env *env, const struct swc_task *t)
{
	jw_u64(j, "switches", t->switches_out);
	jw_u64(j, "voluntary", t->voluntary);
	jw_u64(j, "involuntary", t->involuntary);
	if (t->switches_out)
		jw_double(j, "involuntary_share", (double)t->involuntary / t->switches_out);
	else
		jw_null(j, "involuntary_share");
	if (timed(env) && t->delay_count)
		jw_double(j, "wakeup_delay_p99_ns_approx",
			  swc_task_delay_quantile(t, 0.99));
	else
		jw_null(j, "wakeup_delay_p99_ns_approx");
	if (timed(env))
		jw_u64(j, "off_cpu_ns", t->off_cpu_ns);
	else
		jw_null(j, "off_cpu_ns");
}

static void json_lines(struct swc_json *j, const struct trace_env *env, const char *key,
		       const struct top_line *l, size_t n)
{
	jw_arr_begin(j, key);
	for (size_t i = 0; i < n && i < top_n(env); i++) {
		jw_obj_begin(j, NULL);
		jw_u64(j, "pid", l[i].pid);
		if (l[i].tid)
			jw_u64(j, "tid", l[i].tid);
		jw_str(j, "comm", l[i].comm);
		if (!l[i].tid)
			jw_u64(j, "threads", l[i].threads);
		json_common(j, env, l[i].t);
		jw_obj_end(j);
	}
	jw_arr_end(j);
}

void trace_top_json(const struct trace_env *env, const struct task_row *rows, size_t n,
		    struct swc_json *j)
{
	struct top t;

	if (top_build(&t, rows, n)) {
		jw_null(j, "processes");
		jw_null(j, "threads");
		return;
	}
	jw_u64(j, "processes_seen", t.np);
	jw_u64(j, "threads_seen", t.n);
	json_lines(j, env, "processes", t.lines, t.np);
	json_lines(j, env, "threads", t.lines + t.np, t.n);
	top_free(&t);
}
