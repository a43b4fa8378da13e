// SPDX-License-Identifier: GPL-2.0-only
/*
 * switchcost lab: the teaching notes' experiments, each one command whose output shows the
 * lesson with measured numbers and the kernel's evidence. This file holds the dispatch and
 * what the scenarios share: the watched child and the switch records it leaves. The command
 * line and the table of scenarios are in lab_options.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "cli.h"
#include "clock.h"
#include "commands.h"
#include "fmt.h"
#include "json.h"
#include "lab.h"
#include "sysinfo.h"
#include "parse.h"
#include "pictures.h"
#include "records.h"
#include "report.h"
#include "runner.h"
#include "signals.h"
#include "validity.h"
#include "watch.h"

/* Exit status of --strict with a result judged invalid: run's, for grading scripts alike */
#define LAB_EXIT_INVALID	4
#define LAB_RINGBUF_BYTES	(4U << 20)
/*
 * A variant that runs this long is stuck. timeline and join: the longest variant is 11 units.
 * parallel: LAB_PARALLEL_WORKERS x --iterations multiply-adds on one CPU take ~1.3 ns each
 * here (2 x 2e8 in 0.5 s); 20 ns each leaves room for a slow CPU shared with a busy machine,
 * so even lab_options.c's MAX_ITERATIONS (about 4 minutes pinned here) stays far from it.
 */
#define LAB_TIMEOUT_UNITS		20
#define LAB_TIMEOUT_BASE_NS		(60ULL * 1000000000ULL)
#define LAB_TIMEOUT_NS_PER_ITERATION	20ULL

/* Keeps this process (and so every variant it forks) on --cpus. */
static int apply_cpus(const struct lab_env *env)
{
	cpu_set_t set;

	if (!env->ncpus)
		return 0;
	CPU_ZERO(&set);
	for (int i = 0; i < env->ncpus; i++)
		CPU_SET(env->cpus[i], &set);
	if (!sched_setaffinity(0, sizeof(set), &set))
		return 0;
	fprintf(stderr, "switchcost: lab --cpus: %s: those CPUs are not ours to use (taskset -p "
			"%d shows which are)\n", strerror(errno), (int)getpid());
	return -1;
}

/* How long a variant may run before it counts as stuck, and the advice that fits. */
static void set_child_timeout(struct lab *lab, const struct lab_scenario *sc)
{
	if (sc->by_iterations) {
		lab->child_timeout_ns = LAB_TIMEOUT_BASE_NS + (__u64)lab->env.iterations *
					LAB_PARALLEL_WORKERS * LAB_TIMEOUT_NS_PER_ITERATION;
		lab->timeout_hint = "fewer --iterations";
	} else {
		lab->child_timeout_ns = LAB_TIMEOUT_BASE_NS + LAB_TIMEOUT_UNITS * lab->env.unit_ns;
		lab->timeout_hint = "a shorter --unit";
	}
}

void *lab_shared_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		fprintf(stderr, "switchcost: mapping shared memory for the lab's child: %s\n",
			strerror(errno));
		return NULL;
	}
	return p;
}

void lab_shared_free(void *p, size_t size)
{
	if (p)
		munmap(p, size);
}

static int on_record(void *ctx, const struct swc_switch_rec *rec)
{
	struct lab *lab = ctx;
	struct lab_capture *cap = lab->cap;
	struct swc_switch_rec *n;

	if (!cap || rec->group != cap->group)
		return 0;
	if (cap->nrecs == cap->cap) {
		size_t want = cap->cap ? cap->cap * 2 : 1024;

		n = realloc(cap->recs, want * sizeof(*n));
		if (!n)
			return -ENOMEM;
		cap->recs = n;
		cap->cap = want;
	}
	cap->recs[cap->nrecs++] = *rec;
	return 0;
}

struct tid_set {
	__u32 group;
	__u32 *tids;
	size_t n, cap;
};

static int collect_tid(void *ctx, __u32 tid, const struct swc_task *t)
{
	struct tid_set *ts = ctx;
	__u32 *n;

	if (t->group != ts->group)
		return 0;
	if (ts->n == ts->cap) {
		ts->cap = ts->cap ? 2 * ts->cap : 64;
		n = realloc(ts->tids, ts->cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		ts->tids = n;
	}
	ts->tids[ts->n++] = tid;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

static bool in_set(const struct tid_set *ts, __u32 tid)
{
	return bsearch(&tid, ts->tids, ts->n, sizeof(tid), cmp_u32) != NULL;
}

/*
 * From the child's switch records: each time one of its tasks got the CPU back from a busy
 * task outside it, how long it had waited runnable (wake-up to run, or, preempted, its time
 * off the CPU). NaN without records.
 */
static double outside_wait_ns(struct lab *lab, const struct lab_capture *cap)
{
	struct tid_set ts = { .group = cap->group };
	double sum = 0;

	if (!cap->nrecs || watch__for_each_task(lab->w, collect_tid, &ts) || !ts.n) {
		free(ts.tids);
		return NAN;
	}
	qsort(ts.tids, ts.n, sizeof(*ts.tids), cmp_u32);
	for (size_t i = 0; i < cap->nrecs; i++) {
		const struct swc_switch_rec *r = &cap->recs[i];

		if (!r->prev_tid || in_set(&ts, r->prev_tid) || !in_set(&ts, r->next_tid))
			continue;
		if (r->delay_ns != SWC_UNKNOWN)
			sum += (double)r->delay_ns;
		else if (r->off_ns != SWC_UNKNOWN && r->kind != SWC_KIND_IDLE)
			sum += (double)r->off_ns;
	}
	free(ts.tids);
	return sum;
}

void lab_judge_in(struct lab *lab, const struct swc_validity_in *in, struct swc_validity *v)
{
	swc_validity_judge(in, v);
	if (!v->valid)
		lab->any_invalid = true;
}

void lab_judge(struct lab *lab, const struct lab_capture *cap, struct swc_validity *v)
{
	struct swc_group_stats gs;
	struct swc_validity_in in = {
		.min_ns = NAN,
		.max_ns = NAN,
		.wall_ns = (double)(cap->end_ns - cap->start_ns),
		.cpu_ns = NAN,
		.outside_switches = -1,
		.steal_ns = cap->steal_ns,
		.outside_wait_ns = cap->outside_wait_ns,
	};

	if (!watch__group_stats(lab->w, cap->group, &gs))
		in.outside_switches = swc_outside_switches(&gs);
	lab_judge_in(lab, &in, v);
}

int lab_measure(struct lab *lab, const struct swc_workload_cfg *cfg, struct swc_measurement *m)
{
	int cpus[1] = { cfg->cpu_a }, err;

	m->group = lab->next_group++;
	m->counting_group = lab->next_group++;
	err = swc_measure(lab->w, cfg, cpus, 1, m);
	if (!err && m->rr.ok && !m->val.valid)
		lab->any_invalid = true;
	return err;
}

void lab_json_timing(struct swc_json *j, const struct swc_measurement *m)
{
	swc_validity_json(j, &m->val);
	swc_ns_per_switch_json(j, &m->per_switch, m->per_repeat_ns, m->rr.res.repeats);
}

bool lab_print_invalid(FILE *f, const char *name, const struct swc_validity *v)
{
	if (v->valid)
		return false;
	fprintf(f, "! %s: not a clean measurement: ", name);
	for (int k = 0; k < v->nreasons; k++)
		fprintf(f, "%s%s", k ? "; " : "", v->reasons[k]);
	fprintf(f, "\n");
	return true;
}

void lab_capture_free(struct lab_capture *cap)
{
	free(cap->recs);
	cap->recs = NULL;
	cap->nrecs = cap->cap = 0;
}

int lab_run_child(struct lab *lab, const char *what, int (*fn)(void *arg), void *arg,
		  struct lab_capture *cap)
{
	const __u64 timeout_ns = lab->child_timeout_ns;
	static int cpus[CPU_SETSIZE];
	int ncpus;
	double steal0;
	pid_t pid;
	siginfo_t info;
	int err = 0, n, r;

	memset(cap, 0, sizeof(*cap));
	if (lab->next_group >= SWC_MAX_GROUPS) {
		fprintf(stderr, "switchcost: the lab ran out of BPF groups (%d)\n", SWC_MAX_GROUPS);
		return -E2BIG;
	}
	cap->group = lab->next_group++;
	lab->cap = cap;
	ncpus = swc_allowed_cpus(cpus, CPU_SETSIZE);
	steal0 = swc_stat_steal_ns(cpus, ncpus);
	cap->start_ns = swc_now_ns();
	pid = swc_fork_watched(lab->w, cap->group);
	if (pid < 0) {
		err = -errno;
		fprintf(stderr, "switchcost: starting the %s variant: %s\n", what, strerror(errno));
		goto out;
	}
	if (pid == 0)
		_exit(fn(arg) ? 1 : 0);
	cap->pid = pid;
	for (;;) {
		/* the ring buffer drained while the child runs; a tick, then a look at it */
		n = records__wait(lab->w, -1, SWC_RECORD_TICK_MS, NULL);
		if (n < 0 && n != -EINTR) {
			err = n;
			fprintf(stderr, "switchcost: reading switch records of the %s variant: %s\n",
				what, strerror(-n));
			break;
		}
		if (stop_requested) {
			err = -EINTR;
			break;
		}
		/* seen, not reaped: the group stays ours to kill until the leader is reaped */
		info.si_pid = 0;
		r = waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT);
		if (r == 0 && info.si_pid == pid)
			break;
		if (r < 0 && errno != EINTR) {
			err = -errno;
			fprintf(stderr, "switchcost: waiting for the %s variant: %s\n", what,
				strerror(errno));
			break;
		}
		if (swc_now_ns() - cap->start_ns > timeout_ns) {
			err = -ETIMEDOUT;
			fprintf(stderr, "switchcost: the %s variant still runs after %llu s: "
					"killed it (a loaded machine? try %s)\n", what,
				timeout_ns / 1000000000ULL, lab->timeout_hint);
			break;
		}
	}
	cap->end_ns = swc_now_ns();
	/* whatever is left of the group (a worker process of a crashed variant) goes too; then
	 * the child is reaped with its rusage, and the rest of the group */
	kill(-pid, SIGKILL);
	while (wait4(pid, &cap->status, 0, &cap->ru) < 0 && errno == EINTR)
		;
	swc_reap_group(pid);
	records__drain(lab->w, 0);
	cap->steal_ns = swc_stat_steal_ns(cpus, ncpus) - steal0;
	cap->outside_wait_ns = outside_wait_ns(lab, cap);
out:
	lab->cap = NULL;
	return err;
}

void lab_json_begin(struct lab *lab, struct swc_json *j, FILE *f)
{
	swc_report_json_begin(j, f, "lab", &lab->si);
	jw_str(j, "scenario", lab->env.scenario);
}

void lab_html(struct lab *lab, void (*write_json)(FILE *f, void *arg), void *arg)
{
	char source[64];

	if (!lab->env.html)
		return;
	snprintf(source, sizeof(source), "switchcost lab %s", lab->env.scenario);
	if (swc_pictures_json(lab->env.html, write_json, arg, source))
		lab->html_failed = true;
}

void lab_json_end(struct lab *lab, struct swc_json *j)
{
	struct swc_counters ctr;

	if (!watch__counters(lab->w, &ctr))
		swc_report_json_bpf(j, &ctr);
	jw_obj_end(j);
	jw_finish(j);
}

int cmd_lab(int argc, char **argv)
{
	struct lab lab = { 0 };
	struct swc_watch_opts wopts = { 0 };
	const struct lab_scenario *sc;
	bool list = false;
	int rc;

	rc = lab_parse_args(&lab.env, &list, argc, argv);
	if (rc)
		return rc;
	if (list) {
		lab_print_list(&lab.env);
		return 0;
	}
	sc = lab_find_scenario(lab.env.scenario);
	if (swc_bpf_preflight("lab"))
		return 1;
	if (apply_cpus(&lab.env))
		return 1;
	if (swc_signals_install()) {
		fprintf(stderr, "switchcost: installing signal handlers: %s\n", strerror(errno));
		return 1;
	}
	swc_sysinfo_read(&lab.si);
	set_child_timeout(&lab, sc);
	wopts.verbose = lab.env.verbose;
	wopts.emit = sc->emit;
	/* cost times switches: no syscall counter (every syscall on the machine would take the
	 * tracing slow path), no clock, per-task state or wake-up hook while it times */
	wopts.lean = sc->lean;
	wopts.syscalls = true;	/* without lean: syscalls and wake-ups counted throughout */
	wopts.aggregate_only = sc->lean;
	wopts.ringbuf_bytes = LAB_RINGBUF_BYTES;
	wopts.on_record = on_record;
	wopts.ctx = &lab;
	lab.w = watch__open(&wopts);
	if (!lab.w)
		return 1;
	rc = sc->fn(&lab);
	if (stop_requested || rc == -EINTR) {
		fprintf(stderr, "switchcost: interrupted by %s: the lab's children stopped, nothing "
				"left running\n", strsignal(stop_requested ? stop_requested : SIGINT));
		rc = swc_signal_exit_code(stop_requested ? stop_requested : SIGINT);
	} else if (rc < 0 || (lab.html_failed && !rc)) {
		rc = 1;
	} else {
		rc = swc_stdout_check(rc);	/* while errno still names a failed write */
		if (rc == 0 && lab.env.strict && lab.any_invalid)
			rc = LAB_EXIT_INVALID;
	}
	watch__close(lab.w);
	return rc;
}
