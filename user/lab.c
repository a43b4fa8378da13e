// SPDX-License-Identifier: GPL-2.0-only
/*
 * switchcost lab: the teaching notes' experiments, each one command whose output shows the
 * lesson with measured numbers and the kernel's evidence. This file holds the dispatch and
 * what the scenarios share: the watched child and the switch records it leaves.
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
#define DEFAULT_ITERATIONS	200000000UL
#define DEFAULT_ROUND_TRIPS	5000UL
#define MAX_ITERATIONS		100000000000UL
#define MAX_ROUND_TRIPS		1000000UL
/*
 * A variant that runs this long is stuck. timeline and join: the longest variant is 11 units.
 * parallel: LAB_PARALLEL_WORKERS x --iterations multiply-adds on one CPU take ~1.3 ns each
 * here (2 x 2e8 in 0.5 s); 20 ns each leaves room for a slow CPU shared with a busy machine,
 * so even MAX_ITERATIONS (about 4 minutes pinned here) stays far from it.
 */
#define LAB_TIMEOUT_UNITS		20
#define LAB_TIMEOUT_BASE_NS		(60ULL * 1000000000ULL)
#define LAB_TIMEOUT_NS_PER_ITERATION	20ULL

struct scenario {
	const char *name;
	int (*fn)(struct lab *lab);
	bool emit;		/* needs per-switch records */
	bool lean;		/* times switches: only counters while timing, as run does; its
				 * untimed counting pass turns the rest on */
	bool by_iterations;	/* runs --iterations of work, not --unit: its timeout scales so */
	unsigned int takes;	/* the LAB_TAKES_* options it reads; the others are refused */
	const char *what;
};

enum { LAB_TAKES_UNIT = 1, LAB_TAKES_ITERATIONS = 2, LAB_TAKES_ROUND_TRIPS = 4 };

static const struct scenario scenarios[] = {
	{ "timeline", lab_timeline, true, false, false, LAB_TAKES_UNIT,
	  "the notes' fun1..fun3 sequential, async (blocking and not), threads: per-task timeline" },
	{ "cost", lab_cost, false, true, false, LAB_TAKES_ROUND_TRIPS,
	  "process vs thread vs coroutine switch, with ratios and what the kernel did" },
	{ "parallel", lab_parallel, true, false, true, LAB_TAKES_ITERATIONS,
	  "concurrency vs parallelism: CPU work in 2 threads / 2 processes, 1 CPU vs all" },
	{ "join", lab_join, true, false, false, LAB_TAKES_UNIT,
	  "thread work without join(), and daemon threads at exit, as the kernel saw it" },
	{ "address-space", lab_address_space, false, true, false, 0,
	  "why a process switch costs more than a thread switch here, or does not: the causes" },
};

#define NSCENARIOS (int)(sizeof(scenarios) / sizeof(scenarios[0]))

static void usage(FILE *f)
{
	fprintf(f,
"Usage: switchcost lab SCENARIO [OPTIONS]\n"
"       switchcost lab --list\n"
"\n"
"The teaching notes' experiments, measured, with the kernel's evidence from sched_switch.\n"
"\n"
"Scenarios:\n");
	for (int i = 0; i < NSCENARIOS; i++)
		fprintf(f, "  %-13s %s\n", scenarios[i].name, scenarios[i].what);
	fprintf(f,
"\n"
"Options:\n"
"      --unit DUR        the notes' second, scaled (timeline, join; default 100ms)\n"
"      --iterations N    CPU work per worker of parallel (default %lu)\n"
"      --cpus LIST       the CPUs every variant may use, e.g. 0 (one CPU, as on a 1-vCPU\n"
"                        machine) or 0-3 (default: all this process may use)\n"
"  -n, --round-trips N   timed round trips per repeat of cost (default %lu)\n"
"      --json            one JSON document on stdout\n"
"      --quick           address-space: fewer round trips and sizes (about 15 s)\n"
"      --strict          exit 4 when a result is judged invalid (marked '!': tasks\n"
"                        outside it took its CPU, repeats spread, hypervisor steal)\n"
"      --wide            tables as wide as they are (on a terminal they fit 100 columns)\n"
"      --html FILE       the results drawn as one self-contained page (switchcost\n"
"                        report's); --anonymous: no host name in --json (host.id stays)\n"
"      --list            the scenarios, one per line\n"
"  -v, --verbose         libbpf and verifier messages on stderr\n"
"  -h, --help            this help\n"
"\n"
"Examples:\n"
"  sudo switchcost lab timeline\n"
"  sudo switchcost lab timeline --unit 20ms --json | jq '.variants[] | {name, measured_units}'\n"
"  sudo switchcost lab parallel\n"
"  sudo switchcost lab address-space --quick\n",
		DEFAULT_ITERATIONS, DEFAULT_ROUND_TRIPS);
}

/* one line on stderr, exit status 2 */
#define usage_error(...) swc_usage_error("lab", __VA_ARGS__)

static const struct scenario *find_scenario(const char *name)
{
	for (int i = 0; i < NSCENARIOS; i++)
		if (!strcmp(scenarios[i].name, name))
			return &scenarios[i];
	return NULL;
}

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

static int parse_args(struct lab_env *env, bool *list, int argc, char **argv)
{
	enum { OPT_UNIT = 256, OPT_ITER, OPT_JSON, OPT_LIST, OPT_CPUS, OPT_STRICT,
	       OPT_QUICK, OPT_WIDE, OPT_HTML };
	static const struct option opts[] = {
		{ "cpus", required_argument, NULL, OPT_CPUS },
		{ "unit", required_argument, NULL, OPT_UNIT },
		{ "iterations", required_argument, NULL, OPT_ITER },
		{ "round-trips", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "quick", no_argument, NULL, OPT_QUICK },
		{ "wide", no_argument, NULL, OPT_WIDE },
		{ "html", required_argument, NULL, OPT_HTML },
		SWC_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	/* what was given, to refuse an option the scenario would silently ignore */
	const char *given[3] = { NULL, NULL, NULL };
	static const unsigned int takes[3] = { LAB_TAKES_UNIT, LAB_TAKES_ITERATIONS,
					       LAB_TAKES_ROUND_TRIPS };
	const struct scenario *sc;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":n:vh", opts, NULL)) != -1) {
		if (c == OPT_UNIT || c == OPT_ITER || c == 'n')
			given[c == OPT_UNIT ? 0 : c == OPT_ITER ? 1 : 2] =
				c == OPT_UNIT ? "--unit" : c == OPT_ITER ? "--iterations" : "-n";
		switch (c) {
		case OPT_UNIT:
			/* under a millisecond, wake-up latency is a visible part of every unit */
			if (swc_parse_duration_ns(optarg, &env->unit_ns) ||
			    env->unit_ns < 1000000ULL || env->unit_ns > 10000000000ULL)
				return usage_error("--unit wants a duration from 1ms to 10s such as "
						   "20ms or 0.5s, not '%s'", optarg);
			break;
		case OPT_ITER:
			if (swc_parse_ulong(optarg, 1000, MAX_ITERATIONS, &env->iterations))
				return usage_error("--iterations wants a whole number from 1000 to "
						   "%lu, not '%s'", MAX_ITERATIONS, optarg);
			break;
		case 'n':
			if (swc_parse_ulong(optarg, 10, MAX_ROUND_TRIPS, &env->round_trips))
				return usage_error("-n wants a whole number from 10 to %lu, not "
						   "'%s'", MAX_ROUND_TRIPS, optarg);
			break;
		case OPT_CPUS:
			/* the CPUs every variant may use, as taskset would give them */
			if ((rc = swc_cpus_option("lab", optarg, LAB_MAX_CPUS, NULL,
						  "0 or 0,1 or 0-3", env->cpus, &env->ncpus)))
				return rc;
			break;
		case OPT_JSON:
			env->json = true;
			break;
		case OPT_LIST:
			*list = true;
			break;
		case OPT_STRICT:
			env->strict = true;
			break;
		case OPT_QUICK:
			env->quick = true;
			break;
		case OPT_WIDE:
			env->wide = true;
			break;
		case OPT_HTML:
			if ((rc = swc_file_option("lab", "--html", optarg)))
				return rc;
			env->html = optarg;
			break;
		default:	/* --anonymous, -v, -h, or not an option of ours */
			if ((rc = swc_common_option("lab", c, argv, &env->verbose, usage)))
				return rc;
			break;
		}
	}
	if (optind >= argc) {
		if (*list)
			return 0;
		return usage_error("no scenario given: choose from timeline, cost, parallel, "
				   "join, address-space");
	}
	if (optind + 1 < argc)
		return usage_error("one scenario at a time, not '%s' and '%s'", argv[optind],
				   argv[optind + 1]);
	sc = find_scenario(argv[optind]);
	if (!sc)
		return usage_error("unknown scenario '%s': choose from timeline, cost, parallel, "
				   "join, address-space", argv[optind]);
	if (*list)
		return usage_error("--list lists every scenario and '%s' runs one: give either",
				   argv[optind]);
	for (int i = 0; i < 3; i++)
		if (given[i] && !(sc->takes & takes[i]))
			return usage_error("lab %s does not take %s (%s)", sc->name, given[i],
					   i == 0 ? "timeline and join do" :
					   i == 1 ? "parallel does" : "cost does");
	env->scenario = argv[optind];
	return 0;
}

/* How long a variant may run before it counts as stuck, and the advice that fits. */
static void set_child_timeout(struct lab *lab, const struct scenario *sc)
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
	double per[SWC_MAX_REPEATS];

	for (unsigned int k = 0; k < m->rr.res.repeats; k++)
		per[k] = m->rr.res.ns[k] / (double)m->rr.res.switches;
	swc_validity_json(j, &m->val);
	swc_ns_per_switch_json(j, &m->per_switch, per, m->rr.res.repeats);
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

/* The scenarios, one per line, or with --json one document naming each and its options. */
static void print_list(const struct lab_env *env)
{
	static const char *const names[3] = { "--unit", "--iterations", "-n" };
	struct swc_json j;

	if (!env->json) {
		for (int i = 0; i < NSCENARIOS; i++)
			printf("%-9s %s\n", scenarios[i].name, scenarios[i].what);
		return;
	}
	jw_init(&j, stdout, 2);
	jw_obj_begin(&j, NULL);
	jw_i64(&j, "schema_version", SWC_SCHEMA_VERSION);
	jw_str(&j, "command", "lab");
	jw_arr_begin(&j, "scenarios");
	for (int i = 0; i < NSCENARIOS; i++) {
		jw_obj_begin(&j, NULL);
		jw_str(&j, "name", scenarios[i].name);
		jw_str(&j, "what", scenarios[i].what);
		jw_arr_begin(&j, "options");
		for (int o = 0; o < 3; o++)
			if (scenarios[i].takes & (1U << o))
				jw_str(&j, NULL, names[o]);
		jw_arr_end(&j);
		jw_obj_end(&j);
	}
	jw_arr_end(&j);
	jw_obj_end(&j);
	jw_finish(&j);
}

int cmd_lab(int argc, char **argv)
{
	struct lab lab = {
		.env = {
			.unit_ns = LAB_DEFAULT_UNIT_NS,
			.iterations = DEFAULT_ITERATIONS,
			.round_trips = DEFAULT_ROUND_TRIPS,
		},
	};
	struct swc_watch_opts wopts = { 0 };
	const struct scenario *sc;
	bool list = false;
	int rc;

	rc = parse_args(&lab.env, &list, argc, argv);
	if (rc)
		return rc;
	if (list) {
		print_list(&lab.env);
		return 0;
	}
	sc = find_scenario(lab.env.scenario);
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
