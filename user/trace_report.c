// SPDX-License-Identifier: GPL-2.0-only
/* What trace prints: the per-task table, the summary by kind, times, exit status; or JSON. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include "csvsink.h"
#include "fmt.h"
#include "json.h"
#include "offcpu.h"
#include "report.h"
#include "runner.h"
#include "selfstats.h"
#include "stats.h"
#include "sysinfo.h"
#include "trace.h"
#include "watch.h"

struct task_list {
	struct task_row *rows;
	size_t n, cap;
};

static int collect(void *ctx, __u32 tid, const struct swc_task *t)
{
	struct task_list *l = ctx;
	struct task_row *r;

	if (t->group != TRACE_GROUP)
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		r = realloc(l->rows, l->cap * sizeof(*r));
		if (!r)
			return -1;
		l->rows = r;
	}
	l->rows[l->n].tid = tid;
	l->rows[l->n].t = *t;
	l->n++;
	return 0;
}

static int by_pid_tid(const void *a, const void *b)
{
	const struct task_row *x = a, *y = b;

	if (x->t.tgid != y->t.tgid)
		return x->t.tgid < y->t.tgid ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* The per-task rows, sorted; 0, or < 0 when the task map could not be read (no rows). */
static int tasks_read(struct swc_watch *w, struct task_list *l)
{
	int err;

	memset(l, 0, sizeof(*l));
	if (!w)
		return -1;
	err = watch__for_each_task(w, collect, l);
	if (err) {
		fprintf(stderr, "switchcost: reading the per-task counters from BPF: %s\n",
			err == -1 ? "out of memory" : strerror(-err));
		free(l->rows);
		memset(l, 0, sizeof(*l));
		return -1;
	}
	if (l->n)
		qsort(l->rows, l->n, sizeof(l->rows[0]), by_pid_tid);
	return 0;
}

/* The comparison with the kernel's own count: for CMD, once it and its descendants are
 * reaped (wait4 has no numbers for -p's processes, which are not our children). */
static bool filtered(const struct trace_env *env)
{
	return env->tid || env->comm || env->cgroup;
}

static bool can_compare(const struct trace_env *env, const struct trace_result *res)
{
	/* a filter keeps some of CMD's tasks out, which wait4 still counts */
	return env->argv && res->cmd_reaped && res->have_bpf && !filtered(env);
}

/* Tasks that found the per-task table full, each counted once by the BPF side. */
static bool tasks_lost(const struct trace_result *res)
{
	return res->have_ctr && res->ctr.tasks_full;
}

/* -a --latency prints the machine-wide histograms, as --hist does */
static const struct trace_env *hist_env(const struct trace_env *env)
{
	static struct trace_env copy;

	if (!env->all || !env->latency || env->hist)
		return env;
	copy = *env;
	copy.hist = true;
	return &copy;
}

static bool has_probes(const struct trace_env *env)
{
	return env->nprobes > 0;
}

static bool is_python(const struct trace_env *env)
{
	const char *base;

	if (!env->argv)
		return false;
	base = strrchr(env->argv[0], '/');
	base = base ? base + 1 : env->argv[0];
	return !strncmp(base, "python", 6);
}

/* When a task's largest wake-up to run delay ended, in seconds since the trace started. */
static double delay_max_at_s(const struct swc_task *k, const struct trace_result *res)
{
	if (k->delay_max_at_ns < res->start_ns)
		return 0.0;
	return (double)(k->delay_max_at_ns - res->start_ns) / 1e9;
}

/* The per-task table's columns, in order; the wake-up to run ones only when measured. */
enum task_col {
	COL_PID, COL_TID, COL_COMM, COL_SWITCHES, COL_VOLUNTARY, COL_INVOLUNTARY, COL_ON_CPU,
	COL_OFF_CPU, COL_DELAY_P50, COL_DELAY_P99, COL_DELAY_MAX, COL_DELAY_AT, COL_USER_SWITCHES,
	NCOLS
};

static bool column_shown(const struct trace_env *env, int col)
{
	if (col >= COL_DELAY_P50 && col <= COL_DELAY_AT)
		return env->latency;
	return col != COL_USER_SWITCHES || has_probes(env);
}

static void print_tasks(const struct trace_env *env, const struct trace_result *res,
			const struct task_list *l, FILE *f)
{
	static const char *const headers[NCOLS] = {
		"pid", "tid", "comm", "switches", "voluntary", "involuntary", "on-CPU",
		"off-CPU", "wake→run p50", "p99", "max", "at", "user switches",
	};
	const char *shown_headers[NCOLS], *cells[NCOLS], *row[NCOLS];
	enum swc_align aligns[NCOLS];
	char c[NCOLS][64];
	int ncols = 0;
	struct swc_table *t;

	for (int j = 0; j < NCOLS; j++) {
		if (!column_shown(env, j))
			continue;
		shown_headers[ncols] = headers[j];
		aligns[ncols++] = j == COL_COMM ? SWC_LEFT : SWC_RIGHT;
	}
	t = swc_table__new(ncols, shown_headers, aligns);
	if (!t)
		return;
	for (size_t i = 0; i < l->n; i++) {
		const struct swc_task *k = &l->rows[i].t;

		for (int j = 0; j < NCOLS; j++)
			cells[j] = c[j];
		snprintf(c[COL_PID], sizeof(c[0]), "%u", k->tgid);
		snprintf(c[COL_TID], sizeof(c[0]), "%u", l->rows[i].tid);
		snprintf(c[COL_COMM], sizeof(c[0]), "%.*s", SWC_COMM_LEN, k->comm);
		swc_fmt_count(k->switches_out, c[COL_SWITCHES], sizeof(c[0]));
		swc_fmt_count(k->voluntary, c[COL_VOLUNTARY], sizeof(c[0]));
		swc_fmt_count(k->involuntary, c[COL_INVOLUNTARY], sizeof(c[0]));
		swc_fmt_ns(k->on_cpu_ns, c[COL_ON_CPU], sizeof(c[0]));
		swc_fmt_ns(k->off_cpu_ns, c[COL_OFF_CPU], sizeof(c[0]));
		if (k->delay_count) {
			char a[32];

			snprintf(c[COL_DELAY_P50], sizeof(c[0]), "≈%s", swc_fmt_ns(
				 swc_task_delay_quantile(k, 0.5), a, sizeof(a)));
			snprintf(c[COL_DELAY_P99], sizeof(c[0]), "≈%s", swc_fmt_ns(
				 swc_task_delay_quantile(k, 0.99), a, sizeof(a)));
			/* the exact largest, and when: seconds into the trace */
			swc_fmt_ns(k->delay_max_ns, c[COL_DELAY_MAX], sizeof(c[0]));
			snprintf(c[COL_DELAY_AT], sizeof(c[0]), "+%.3f s", delay_max_at_s(k, res));
		} else {
			cells[COL_DELAY_P50] = cells[COL_DELAY_P99] = NULL;
			cells[COL_DELAY_MAX] = cells[COL_DELAY_AT] = NULL;
		}
		swc_fmt_count(k->user_switches, c[COL_USER_SWITCHES], sizeof(c[0]));
		ncols = 0;
		for (int j = 0; j < NCOLS; j++)
			if (column_shown(env, j))
				row[ncols++] = cells[j];
		swc_table__add_row(t, row);
	}
	swc_table__print(t, f);
	swc_table__free(t);
}

static void print_target(const struct trace_env *env, const struct trace_result *res, FILE *f)
{
	fprintf(f, "# trace of ");
	if (env->all) {
		fprintf(f, "every task on the machine (-a)%s", filtered(env) ? "" : "\n");
	} else if (env->argv) {
		for (char **a = env->argv; *a; a++)
			fprintf(f, "%s%s", a == env->argv ? "" : " ", *a);
		fprintf(f, " (pid %d, uid %u gid %u%s)", (int)res->cmd_pid, (unsigned int)res->uid,
			(unsigned int)res->gid, res->ran_as_user ? ": the user who ran sudo" : "");
	} else {
		fprintf(f, "pid");
		for (int i = 0; i < env->npids; i++)
			fprintf(f, "%s%d", i ? "," : " ", env->pids[i]);
	}
	if (!env->all)
		fprintf(f, env->argv ? "; every descendant followed from birth\n"
				     : "; its threads, and children from now on\n");
	if (filtered(env)) {
		fprintf(f, "%s only", env->all ? "," : "#");
		if (env->tid)
			fprintf(f, " thread %u", env->tid);
		if (env->comm)
			fprintf(f, " tasks named '%s'", env->comm);
		if (env->cgroup)
			fprintf(f, " tasks in cgroup %s", env->cgroup);
		fprintf(f, " (each switch side judged on its own task)\n");
	}
}

void trace_report_header(const struct trace_env *env, const struct trace_result *res, FILE *f)
{
	struct swc_sysinfo si;

	swc_sysinfo_read(&si);
	swc_sysinfo_print(&si, f);
	print_target(env, res, f);
	fprintf(f, "\n");
	fflush(f);
}

void trace_report_human(const struct trace_env *env, struct swc_watch *w,
			const struct trace_result *res, FILE *f)
{
	const struct swc_group_stats *gs = &res->gs;
	struct swc_agreement agree;
	struct task_list l;
	char a[32], b[32], c[32];
	__u64 on_cpu = 0;
	bool have_tasks;

	/* with -i the header came before the first interval line */
	if (!env->interval_ns)
		trace_report_header(env, res, f);
	else
		fprintf(f, "\n");
	have_tasks = tasks_read(w, &l) == 0;
	for (size_t i = 0; i < l.n; i++)
		on_cpu += l.rows[i].t.on_cpu_ns;
	if (l.n && env->all)
		trace_top_print(env, l.rows, l.n, f);
	else if (l.n)
		print_tasks(env, res, &l, f);
	else if (have_tasks)
		fprintf(f, "No task of the program was seen switching.\n");
	else
		fprintf(f, "Per-task counters: not measured (reading the BPF task map failed)\n");
	if (!env->all && env->latency)
		fprintf(f, "(≈: from log2 buckets, never above max; max: the largest wake-up to run "
			   "delay, exact, at: when it ended, into the trace; off-CPU counts only gaps "
			   "that ended while traced)\n");
	else if (!env->all)
		fprintf(f, "(off-CPU counts only gaps that ended while traced)\n");
	trace_hist_print(hist_env(env), res->have_bpf ? gs : NULL, l.rows, l.n, f);

	/* by_kind counts every switch with one of the program's tasks on either side (in or
	 * out); "out of its tasks" is the per-task switches_out summed, what wait4 counts */
	if (res->have_bpf) {
		fprintf(f, "\nSwitches involving %s (either side of sched_switch), by "
			   "kind: ", env->all ? "the tasks watched" : "the program");
		for (int k = 0; k < SWC_KIND_COROUTINE; k++)
			fprintf(f, "%s%s %s", k ? ", " : "", swc_kind_name(k),
				swc_fmt_count(gs->by_kind[k], a, sizeof(a)));
		fprintf(f, "\nSwitches out of its tasks: %s (%s voluntary, %s involuntary)",
			swc_fmt_count(gs->switches_out, a, sizeof(a)),
			swc_fmt_count(gs->voluntary, b, sizeof(b)),
			swc_fmt_count(gs->involuntary, c, sizeof(c)));
		if (can_compare(env, res)) {
			swc_agreement_compute(gs, &res->ru, &agree);
			fprintf(f, "; ");
			swc_agreement_print(f, &agree);
		}
		if (env->syscalls)
			fprintf(f, "\n  %s wake-ups, %s syscalls\n",
				swc_fmt_count(gs->wakeups, a, sizeof(a)),
				swc_fmt_count(gs->syscalls, b, sizeof(b)));
		else
			fprintf(f, "\n  wake-ups and syscalls: not measured (--syscalls counts them)\n");
		if (!env->latency && !env->all)
			fprintf(f, "  wake-up to run: not measured (--latency measures it: %s)\n",
				env->syscalls ? "a clock read more at every wake-up on the machine"
					      : "one more eBPF program, run by every wake-up on the "
						"machine");
	} else {
		fprintf(f, "\nSwitches involving the program: not measured (reading the BPF "
			   "counters failed)\n");
	}
	for (int i = 0; i < env->nprobes; i++) {
		fprintf(f, "User-space switch point %s (%s): ", env->probes[i].spec,
			env->probes[i].binary);
		if (env->probes[i].not_measured)
			fprintf(f, "not measured: %s\n", env->probes[i].not_measured);
		else if (res->have_ctr && env->probes[i].hits_outside)
			fprintf(f, "%s hits; %s more by processes outside the trace, not counted\n",
				swc_fmt_count(env->probes[i].hits, a, sizeof(a)),
				swc_fmt_count(env->probes[i].hits_outside, b, sizeof(b)));
		else if (res->have_ctr)
			fprintf(f, "%s hits\n", swc_fmt_count(env->probes[i].hits, a, sizeof(a)));
		else
			fprintf(f, "not measured\n");
	}
	if (has_probes(env))
		fprintf(f, "Timings above are inflated: each probe hit traps into the kernel "
			   "(microseconds on a VM), far more than a coroutine switch costs.\n");

	fprintf(f, "\nWall time %s", swc_fmt_ns(res->wall_ns, a, sizeof(a)));
	if (env->argv)
		fprintf(f, ", CPU time %s (user %s + system %s, wait4)",
			swc_fmt_ns(swc_timeval_ns(&res->ru.ru_utime) +
				   swc_timeval_ns(&res->ru.ru_stime), a, sizeof(a)),
			swc_fmt_ns(swc_timeval_ns(&res->ru.ru_utime), b, sizeof(b)),
			swc_fmt_ns(swc_timeval_ns(&res->ru.ru_stime), c, sizeof(c)));
	if (have_tasks && !(env->all && !env->latency))
		fprintf(f, "; on-CPU seen by eBPF %s\n", swc_fmt_ns(on_cpu, a, sizeof(a)));
	else
		fprintf(f, "; on-CPU seen by eBPF: not measured%s\n",
			have_tasks ? " (--latency measures it)" : "");
	if (env->argv && res->cmd_reaped)
		fprintf(f, "%s %s\n", env->argv[0],
			swc_describe_status(res->status, a, sizeof(a)));
	if (res->left_running)
		fprintf(f, "%llu process(es) it left running were stopped when it ended.\n",
			(unsigned long long)res->left_running);
	if (res->interrupted)
		fprintf(f, "Interrupted by %s: what was collected until then.\n",
			strsignal(res->stop_sig));
	if (res->have_ctr)
		fprintf(f, "eBPF: %llu events dropped, %llu tasks untracked, %llu processes "
			   "unwatched", (unsigned long long)res->ctr.events_dropped,
			(unsigned long long)res->ctr.tasks_full,
			(unsigned long long)res->ctr.watch_full);
	else
		fprintf(f, "eBPF: drops and full maps not measured (reading the counters failed)");
	if (env->csv_path && res->csv_kept)
		fprintf(f, "; %llu CSV rows", res->csv_rows);
	else if (env->csv_path)
		fprintf(f, "; no CSV written");
	fprintf(f, "\n");
	if (tasks_lost(res))
		fprintf(f, "INCOMPLETE: %llu task(s) found the per-task table full (%u rows) and "
			   "are not in the table above; the totals by kind still count them. Rerun "
			   "with --max-tasks above %llu.\n", (unsigned long long)res->ctr.tasks_full,
			res->tasks_capacity,
			(unsigned long long)res->tasks_capacity + res->ctr.tasks_full);
	if (!res->val.valid) {
		fprintf(f, "! not a clean measurement: ");
		for (int k = 0; k < res->val.nreasons; k++)
			fprintf(f, "%s%s", k ? "; " : "", res->val.reasons[k]);
		fprintf(f, "\n! %s.\n", swc_validity_advice());
	}
	if (is_python(env) && !env->asyncio)
		fprintf(f, "Python: asyncio task switches happen inside the interpreter and never "
			   "reach the kernel; what shows above is the event loop waiting (epoll_wait), "
			   "time.sleep() and threads. --asyncio counts task steps.\n");
	if (res->offcpu)
		offcpu_print_human(res->offcpu, env->stacks_top, f);
	else if (env->stacks)
		fprintf(f, "Off-CPU stacks: not measured (reading them failed)\n");
	free(l.rows);
}

static void json_task(struct swc_json *j, const struct trace_env *env, const struct task_row *r,
		      const struct trace_result *res)
{
	const struct swc_task *k = &r->t;

	jw_obj_begin(j, NULL);
	jw_u64(j, "pid", k->tgid);
	jw_u64(j, "tid", r->tid);
	jw_str(j, "comm", k->comm);
	jw_u64(j, "switches", k->switches_out);
	jw_u64(j, "voluntary", k->voluntary);
	jw_u64(j, "involuntary", k->involuntary);
	jw_u64(j, "switches_in", k->switches_in);
	jw_u64(j, "on_cpu_ns", k->on_cpu_ns);
	jw_u64(j, "off_cpu_ns", k->off_cpu_ns);
	/* not measured without --latency: null, never a 0 that looks measured */
	if (env->latency)
		jw_u64(j, "wakeup_delay_count", k->delay_count);
	else
		jw_null(j, "wakeup_delay_count");
	jw_double(j, "wakeup_delay_p50_ns_approx",
		  swc_task_delay_quantile(k, 0.5));
	jw_double(j, "wakeup_delay_p99_ns_approx",
		  swc_task_delay_quantile(k, 0.99));
	if (k->delay_count) {
		jw_u64(j, "wakeup_delay_max_ns", k->delay_max_ns);
		jw_double(j, "wakeup_delay_max_at_s", delay_max_at_s(k, res));
		jw_u64(j, "wakeup_delay_max_at_unix_ns", k->delay_max_at_ns + res->realtime_offset_ns);
	} else {
		jw_null(j, "wakeup_delay_max_ns");
		jw_null(j, "wakeup_delay_max_at_s");
		jw_null(j, "wakeup_delay_max_at_unix_ns");
	}
	jw_u64(j, "user_switches", k->user_switches);
	jw_bool(j, "exited", k->exited);
	jw_obj_end(j);
}

void trace_report_json(const struct trace_env *env, struct swc_watch *w,
		       const struct trace_result *res, FILE *f)
{
	const struct swc_group_stats *gs = &res->gs;
	struct swc_agreement agree;
	struct swc_sysinfo si;
	struct task_list l;
	struct swc_json j;
	__u64 on_cpu = 0;
	bool have_tasks;

	swc_sysinfo_read(&si);
	have_tasks = tasks_read(w, &l) == 0;
	for (size_t i = 0; i < l.n; i++)
		on_cpu += l.rows[i].t.on_cpu_ns;
	/* with -i every document is one line (JSON lines), the summary too */
	swc_report_json_begin_indent(&j, f, "trace", &si, env->interval_ns ? 0 : 2);
	jw_str(&j, "record", "summary");
	jw_bool(&j, "all_tasks", env->all);
	jw_obj_begin(&j, "filters");	/* null: not filtered on it */
	if (env->tid)
		jw_u64(&j, "tid", env->tid);
	else
		jw_null(&j, "tid");
	jw_str(&j, "comm", env->comm);
	jw_str(&j, "cgroup", env->cgroup);
	jw_obj_end(&j);
	/* -a counts only unless --latency: then the timings are null */
	jw_bool(&j, "timings_measured", !(env->all && !env->latency));
	/* the wake-up hook is attached only with --latency (or --hist, -P, -L) */
	jw_bool(&j, "wakeup_to_run_measured", env->latency);
	if (env->argv) {
		jw_arr_begin(&j, "argv");
		for (char **a = env->argv; *a; a++)
			jw_str(&j, NULL, *a);
		jw_arr_end(&j);
		jw_i64(&j, "pid", res->cmd_pid);
		jw_u64(&j, "uid", res->uid);
		jw_u64(&j, "gid", res->gid);
		jw_bool(&j, "as_invoking_user", res->ran_as_user);
	} else {
		jw_arr_begin(&j, "pids");
		for (int i = 0; i < env->npids; i++)
			jw_i64(&j, NULL, env->pids[i]);
		jw_arr_end(&j);
		jw_u64(&j, "pids_gone", res->pids_gone);
	}
	if (env->argv && res->cmd_reaped) {
		jw_i64(&j, "exit_status", trace_exit_code(res->status));
		if (WIFSIGNALED(res->status))
			jw_i64(&j, "exit_signal", WTERMSIG(res->status));
		else
			jw_null(&j, "exit_signal");
	} else {
		jw_null(&j, "exit_status");
		jw_null(&j, "exit_signal");
	}
	jw_u64(&j, "wall_ns", res->wall_ns);
	if (env->argv) {
		jw_u64(&j, "cpu_user_ns", swc_timeval_ns(&res->ru.ru_utime));
		jw_u64(&j, "cpu_system_ns", swc_timeval_ns(&res->ru.ru_stime));
	}
	/* what could not be read from BPF is null, never a zero that looks measured */
	if (have_tasks)
		jw_u64(&j, "on_cpu_ns", on_cpu);
	else
		jw_null(&j, "on_cpu_ns");
	jw_bool(&j, "interrupted", res->interrupted);
	jw_u64(&j, "left_running", res->left_running);
	if (res->have_bpf) {
		/* every switch with one of the program's tasks on either side */
		swc_report_json_by_kind(&j, gs->by_kind);
		/* switches out of its tasks */
		swc_report_json_switches(&j, gs);
		/* counted only with --syscalls: null, never a 0 that looks measured */
		if (env->syscalls) {
			jw_u64(&j, "wakeups", gs->wakeups);
			jw_u64(&j, "syscalls", gs->syscalls);
		} else {
			jw_null(&j, "wakeups");
			jw_null(&j, "syscalls");
		}
	} else {
		jw_null(&j, "by_kind");
		swc_report_json_switches(&j, NULL);
		jw_null(&j, "wakeups");
		jw_null(&j, "syscalls");
	}
	if (can_compare(env, res)) {
		swc_agreement_compute(gs, &res->ru, &agree);
		swc_kernel_counters_json(&j, &res->ru, &agree);
	}
	jw_arr_begin(&j, "probes");
	for (int i = 0; i < env->nprobes; i++) {
		const struct trace_probe *p = &env->probes[i];

		jw_obj_begin(&j, NULL);
		jw_str(&j, "type", p->type == PROBE_USDT ? "usdt" :
				   p->type == PROBE_ASYNCIO ? "asyncio" : "uprobe");
		jw_str(&j, "spec", p->spec);
		jw_str(&j, "binary", p->binary);
		if (p->offset)
			jw_u64(&j, "offset", p->offset);
		if (res->have_ctr && !p->not_measured) {
			jw_u64(&j, "hits", p->hits);
			jw_u64(&j, "hits_outside_trace", p->hits_outside);
		} else {
			jw_null(&j, "hits");
			jw_null(&j, "hits_outside_trace");
		}
		if (p->not_measured)
			jw_str(&j, "not_measured", p->not_measured);
		jw_obj_end(&j);
	}
	jw_arr_end(&j);
	jw_bool(&j, "timings_inflated_by_probes", has_probes(env));
	if (have_tasks && env->all) {
		trace_top_json(env, l.rows, l.n, &j);
	} else if (have_tasks) {
		jw_arr_begin(&j, "tasks");
		for (size_t i = 0; i < l.n; i++)
			json_task(&j, env, &l.rows[i], res);
		jw_arr_end(&j);
	} else {
		jw_null(&j, "tasks");
	}
	trace_hist_json(hist_env(env), res->have_bpf ? gs : NULL, l.rows, l.n, &j);
	if (res->have_ctr)
		swc_report_json_bpf(&j, &res->ctr);
	else
		jw_null(&j, "bpf");
	if (env->csv_path && res->csv_kept)
		jw_u64(&j, "csv_rows", res->csv_rows);
	else if (env->csv_path)
		jw_null(&j, "csv_rows");	/* no CSV was written */
	if (res->offcpu) {
		offcpu_print_json(res->offcpu, &j);
	} else if (env->stacks) {
		jw_null(&j, "stacks_summary");
		jw_null(&j, "stacks");
	}
	swc_self_json(&j);	/* our own peak RSS and start to BPF attached */
	jw_u64(&j, "tasks_capacity", res->tasks_capacity);
	/* a report with tasks missing from its table is not a valid one */
	jw_bool(&j, "valid", res->val.valid && !tasks_lost(res));
	jw_arr_begin(&j, "reasons");
	for (int k = 0; k < res->val.nreasons; k++)
		jw_str(&j, NULL, res->val.reasons[k]);
	if (tasks_lost(res)) {
		char why[160];

		snprintf(why, sizeof(why), "%llu task(s) found the per-task table full (%u rows): "
			 "rerun with --max-tasks", (unsigned long long)res->ctr.tasks_full,
			 res->tasks_capacity);
		jw_str(&j, NULL, why);
	}
	jw_arr_end(&j);
	jw_obj_begin(&j, "validity");
	jw_double(&j, "steal_ns", res->steal_ns);
	if (res->have_bpf) {
		jw_i64(&j, "outside_switches", swc_outside_switches(gs));
		jw_u64(&j, "outside_preemptions_max", swc_outside_preemptions(gs));
	} else {
		jw_null(&j, "outside_switches");
		jw_null(&j, "outside_preemptions_max");
	}
	jw_obj_end(&j);
	jw_obj_end(&j);
	jw_finish(&j);
	free(l.rows);
}

int trace_write_meta(void *ctx, FILE *f)
{
	const struct trace_meta *m = ctx;
	struct swc_sysinfo si;
	struct swc_json j;

	swc_sysinfo_read(&si);
	swc_report_json_begin(&j, f, "trace", &si);
	jw_obj_begin(&j, "config");
	if (m->env->argv) {
		jw_arr_begin(&j, "argv");
		for (char **a = m->env->argv; *a; a++)
			jw_str(&j, NULL, *a);
		jw_arr_end(&j);
	} else {
		jw_arr_begin(&j, "pids");
		for (int i = 0; i < m->env->npids; i++)
			jw_i64(&j, NULL, m->env->pids[i]);
		jw_arr_end(&j);
	}
	jw_bool(&j, "allow_drops", m->env->allow_drops);
	/* without it every delay_ns is empty: not measured, which the file alone cannot say */
	jw_bool(&j, "latency", m->env->latency);
	jw_obj_end(&j);
	csvsink__json(m->sink, &j);
	csvsink__json_groups(m->sink, &j, m->w, m->res->have_ctr ? &m->res->ctr : NULL);
	jw_bool(&j, "interrupted", m->res->interrupted);
	jw_i64(&j, "exit_status", m->exit_status);
	jw_obj_end(&j);
	jw_finish(&j);
	return ferror(f) ? -EIO : 0;
}
