// SPDX-License-Identifier: GPL-2.0-only
/* switchcost run: process, thread and coroutine switches side by side, with eBPF evidence. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "commands.h"
#include "fmt.h"
#include "json.h"
#include "parse.h"
#include "runner.h"
#include "selfstats.h"
#include "signals.h"
#include "stats.h"
#include "sysinfo.h"
#include "watch.h"

#define DEFAULT_ROUND_TRIPS	20000
#define DEFAULT_REPEATS		5
#define QUICK_ROUND_TRIPS	2000
#define QUICK_REPEATS		3
#define MAX_ROUND_TRIPS		10000000UL
/* BPF group of a workload's probed (counting) pass, beside the timed pass's group id */
#define PROBE_GROUP(id)		(SWC_WL_NR + (id))

static const enum swc_workload_id default_order[] = {
	SWC_WL_PROCESS, SWC_WL_THREAD, SWC_WL_COROUTINE, SWC_WL_UCONTEXT, SWC_WL_SYSCALL,
};

struct run_env {
	enum swc_workload_id order[SWC_WL_NR];
	int nwl;
	unsigned long round_trips, repeats, warmup;
	bool round_trips_set, repeats_set, warmup_set;
	int cpus[2], ncpus;
	enum swc_ipc ipc;
	bool json, hist, no_bpf, verbose, quick;
};

struct row {
	enum swc_workload_id id;
	bool ran;			/* the runner was started and waited for */
	struct swc_runner_result rr;
	struct swc_summary per_switch;	/* ns per switch over the repeats */
	unsigned long long switches_made;	/* warm-up included: what the kernel saw happen */
	bool have_bpf;
	struct swc_group_stats gs;	/* timed pass */
	bool probed;			/* coroutine: separate counting pass */
	bool probe_ok;
	unsigned long long probe_made;	/* switches made in the probed pass */
	struct swc_group_stats ps;	/* probed pass */
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: switchcost [run] [OPTIONS] [WORKLOAD...]\n"
"\n"
"Measures what a process switch, a thread switch and a coroutine switch cost on this machine,\n"
"side by side, with the kernel's own evidence from eBPF programs on sched_switch.\n"
"\n"
"Workloads (default: all, in this order):\n"
"  process    two processes hand a token back and forth\n"
"  thread     two threads of one process, the same hand-off\n"
"  coroutine  two coroutines in one thread, switchcost's own context switch (no kernel)\n"
"  ucontext   the same with libc swapcontext (one rt_sigprocmask syscall per switch)\n"
"  syscall    reference: a trivial syscall in a loop, the cost of entering the kernel\n"
"\n"
"Options:\n"
"  -n, --round-trips N   timed round trips per repeat, 2 switches each (default %d)\n"
"  -r, --repeats R       timed repeats; median, min and max are over these (default %d)\n"
"      --warmup N        untimed round trips first (default: a tenth of -n)\n"
"      --quick           -n %d -r %d: the whole suite in about two seconds\n"
"      --cpus LIST       CPUs of the two parties: one CPU (both pinned there; default: the\n"
"                        first CPU we may use) or two, e.g. 0,1 (cross-CPU hand-off)\n"
"      --ipc futex|pipe  hand-off of process and thread: a futex in shared memory\n"
"                        (default) or a pipe each way (lmbench lat_ctx)\n"
"      --json            one JSON document on stdout\n"
"      --hist            log2 histograms of run, off-CPU and wake-up-to-run times\n"
"      --no-bpf          no eBPF, no root needed: kernel columns are not measured\n"
"  -v, --verbose         libbpf and verifier messages on stderr\n"
"  -h, --help            this help\n"
"\n"
"Examples:\n"
"  sudo switchcost\n"
"  sudo switchcost --quick --json | jq '.results[] | {workload, ns: .ns_per_switch.median}'\n"
"  sudo switchcost thread process --cpus 0,1 --ipc pipe --hist\n",
		DEFAULT_ROUND_TRIPS, DEFAULT_REPEATS, QUICK_ROUND_TRIPS, QUICK_REPEATS);
}

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "switchcost: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, " (see switchcost run --help)\n");
	va_end(ap);
	return 2;
}

static int parse_count(const char *opt, const char *arg, unsigned long min, unsigned long max,
		       unsigned long *out)
{
	char range[64];

	if (!swc_parse_ulong(arg, min, max, out))
		return 0;
	snprintf(range, sizeof(range), "a whole number from %lu to %lu", min, max);
	fprintf(stderr, "switchcost: %s wants %s, not '%s' (see switchcost run --help)\n", opt,
		range, arg);
	return 2;
}

static int parse_cpus(struct run_env *env, const char *arg)
{
	int n = swc_parse_cpulist(arg, env->cpus, 2);

	if (n == -ERANGE)
		return usage_error("--cpus takes one or two CPUs, not '%s'", arg);
	if (n <= 0)
		return usage_error("--cpus wants a CPU list such as 0 or 0,1, not '%s'", arg);
	for (int i = 0; i < n; i++) {
		if (!swc_cpu_online(env->cpus[i])) {
			return usage_error("CPU %d does not exist or is offline (--cpus %s)",
					   env->cpus[i], arg);
		}
	}
	env->ncpus = n;
	return 0;
}

static int first_allowed_cpu(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set))
			return c;
	return 0;
}

static int parse_args(struct run_env *env, int argc, char **argv)
{
	enum { OPT_WARMUP = 256, OPT_QUICK, OPT_CPUS, OPT_IPC, OPT_JSON, OPT_HIST, OPT_NO_BPF };
	static const struct option opts[] = {
		{ "round-trips", required_argument, NULL, 'n' },
		{ "repeats", required_argument, NULL, 'r' },
		{ "warmup", required_argument, NULL, OPT_WARMUP },
		{ "quick", no_argument, NULL, OPT_QUICK },
		{ "cpus", required_argument, NULL, OPT_CPUS },
		{ "ipc", required_argument, NULL, OPT_IPC },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "hist", no_argument, NULL, OPT_HIST },
		{ "no-bpf", no_argument, NULL, OPT_NO_BPF },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool seen[SWC_WL_NR] = { false };
	int c, rc, id;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":n:r:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if ((rc = parse_count("-n", optarg, 1, MAX_ROUND_TRIPS, &env->round_trips)))
				return rc;
			env->round_trips_set = true;
			break;
		case 'r':
			if ((rc = parse_count("-r", optarg, 1, SWC_MAX_REPEATS, &env->repeats)))
				return rc;
			env->repeats_set = true;
			break;
		case OPT_WARMUP:
			if ((rc = parse_count("--warmup", optarg, 0, MAX_ROUND_TRIPS, &env->warmup)))
				return rc;
			env->warmup_set = true;
			break;
		case OPT_QUICK:
			env->quick = true;
			break;
		case OPT_CPUS:
			if ((rc = parse_cpus(env, optarg)))
				return rc;
			break;
		case OPT_IPC:
			if (!strcmp(optarg, "futex"))
				env->ipc = SWC_IPC_FUTEX;
			else if (!strcmp(optarg, "pipe"))
				env->ipc = SWC_IPC_PIPE;
			else
				return usage_error("--ipc is futex or pipe, not '%s'", optarg);
			break;
		case OPT_JSON:
			env->json = true;
			break;
		case OPT_HIST:
			env->hist = true;
			break;
		case OPT_NO_BPF:
			env->no_bpf = true;
			break;
		case 'v':
			env->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			return usage_error("option %s needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	for (; optind < argc; optind++) {
		id = swc_workload_from_name(argv[optind]);
		if (id < 0)
			return usage_error("unknown workload '%s': choose from process, thread, "
					   "coroutine, ucontext, syscall", argv[optind]);
		if (!seen[id])
			env->order[env->nwl++] = id;
		seen[id] = true;
	}
	if (env->nwl == 0) {
		memcpy(env->order, default_order, sizeof(default_order));
		env->nwl = SWC_WL_NR;
	}
	if (env->quick && (env->round_trips_set || env->repeats_set))
		return usage_error("--quick sets -n and -r: give either --quick or -n/-r");
	if (env->quick) {
		env->round_trips = QUICK_ROUND_TRIPS;
		env->repeats = QUICK_REPEATS;
	}
	if (!env->round_trips_set && !env->quick)
		env->round_trips = DEFAULT_ROUND_TRIPS;
	if (!env->repeats_set && !env->quick)
		env->repeats = DEFAULT_REPEATS;
	if (!env->warmup_set)
		env->warmup = env->round_trips / 10;
	if (env->ncpus == 0) {
		env->cpus[0] = first_allowed_cpu();
		env->ncpus = 1;
	}
	return 0;
}

static bool kernel_handoff(enum swc_workload_id id)
{
	return swc_workload_uses_kernel(id);
}

static int run_workload(struct run_env *env, struct swc_watch *w, struct row *row)
{
	struct swc_workload_cfg cfg = {
		.round_trips = env->round_trips,
		.repeats = env->repeats,
		.warmup = env->warmup,
		.cpu_a = env->cpus[0],
		.cpu_b = env->cpus[env->ncpus - 1],
		.ipc = env->ipc,
	};
	struct swc_runner_result probe;
	unsigned long long per_rt;
	double per_switch[SWC_MAX_REPEATS];
	int err;

	err = swc_runner_run(w, row->id, row->id, &cfg, false, &row->rr);
	if (err)
		return err;
	row->ran = true;
	if (row->rr.ok) {
		for (unsigned int i = 0; i < row->rr.res.repeats; i++)
			per_switch[i] = row->rr.res.ns[i] / (double)row->rr.res.switches;
		swc_summarize(per_switch, row->rr.res.repeats, &row->per_switch);
		per_rt = row->rr.res.switches / cfg.round_trips;
		row->switches_made = per_rt * (cfg.warmup + cfg.repeats * cfg.round_trips);
	}
	if (w && !watch__group_stats(w, row->id, &row->gs))
		row->have_bpf = true;

	/* Coroutine switches are counted, never timed, with a probe on them: a uprobe hit costs
	 * microseconds, a thousand times the switch. So: one more, untimed pass, probed. */
	if (w && row->id == SWC_WL_COROUTINE) {
		cfg.repeats = 1;
		cfg.warmup = 0;
		err = swc_runner_run(w, PROBE_GROUP(row->id), row->id, &cfg, true, &probe);
		if (err)
			return err;
		row->probed = true;
		row->probe_ok = probe.ok;
		row->probe_made = probe.ok ? probe.res.switches : 0;
		watch__group_stats(w, PROBE_GROUP(row->id), &row->ps);
	}
	return 0;
}

static const char *kind_names[SWC_KIND_NR] = {
	[SWC_KIND_PROCESS] = "process", [SWC_KIND_THREAD] = "thread", [SWC_KIND_IDLE] = "idle",
	[SWC_KIND_KERNEL] = "kernel", [SWC_KIND_COROUTINE] = "coroutine",
};

static unsigned long long rusage_switches(const struct row *row)
{
	return (unsigned long long)row->rr.ru.ru_nvcsw + row->rr.ru.ru_nivcsw;
}

/* eBPF minus the kernel's own count, after the final switches the kernel never counts. */
static long long count_difference(const struct row *row)
{
	return (long long)(row->gs.switches_out - row->gs.exit_switches) -
	       (long long)rusage_switches(row);
}

static const struct row *find_row(const struct row *rows, int n, enum swc_workload_id id)
{
	for (int i = 0; i < n; i++)
		if (rows[i].id == id && rows[i].rr.ok)
			return &rows[i];
	return NULL;
}

static double ratio_to_coroutine(const struct row *rows, int n, const struct row *row)
{
	const struct row *co = find_row(rows, n, SWC_WL_COROUTINE);

	if (!co || !row->rr.ok || !(co->per_switch.median > 0))
		return NAN;
	return row->per_switch.median / co->per_switch.median;
}

static double per_made(__u64 v, const struct row *row)
{
	return row->switches_made ? (double)v / row->switches_made : NAN;
}

static void print_config(const struct run_env *env, FILE *f)
{
	char a[32], b[32];

	fprintf(f, "# %s round trips x %lu repeats (+%s warm-up), 2 switches per round trip · ",
		swc_fmt_count(env->round_trips, a, sizeof(a)), env->repeats,
		swc_fmt_count(env->warmup, b, sizeof(b)));
	if (env->ncpus == 1)
		fprintf(f, "both parties on CPU %d", env->cpus[0]);
	else
		fprintf(f, "parties on CPUs %d and %d (cross-CPU hand-off)", env->cpus[0],
			env->cpus[1]);
	fprintf(f, " · hand-off: %s\n", env->ipc == SWC_IPC_PIPE ? "pipe" : "futex");
}

static void print_table(const struct row *rows, int n, FILE *f)
{
	static const char *const headers[] = {
		"workload", "per switch", "min .. max", "vs coroutine", "switches",
		"kernel switches", "voluntary / involuntary", "syscalls/switch",
		"wake-up→run p50", "p99",
	};
	static const enum swc_align aligns[] = {
		SWC_LEFT, SWC_RIGHT, SWC_RIGHT, SWC_RIGHT, SWC_RIGHT,
		SWC_RIGHT, SWC_RIGHT, SWC_RIGHT, SWC_RIGHT, SWC_RIGHT,
	};
	char c[10][64], t1[32], t2[32];
	const char *cells[10];
	struct swc_table *t = swc_table__new(10, headers, aligns);

	if (!t)
		return;
	for (int i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		bool kernel = r->have_bpf;

		for (int k = 0; k < 10; k++) {
			c[k][0] = '\0';
			cells[k] = c[k];
		}
		snprintf(c[0], sizeof(c[0]), "%s", swc_workload_name(r->id));
		if (!r->rr.ok) {
			snprintf(c[1], sizeof(c[1]), "failed");
			for (int k = 2; k < 10; k++)
				cells[k] = NULL;
			swc_table__add_row(t, cells);
			continue;
		}
		swc_fmt_ns(r->per_switch.median, c[1], sizeof(c[1]));
		snprintf(c[2], sizeof(c[2]), "%s .. %s", swc_fmt_ns(r->per_switch.min, t1, 32),
			 swc_fmt_ns(r->per_switch.max, t2, 32));
		swc_fmt_ratio(ratio_to_coroutine(rows, n, r), c[3], sizeof(c[3]));
		swc_fmt_count(r->rr.res.switches * r->rr.res.repeats, c[4], sizeof(c[4]));
		if (!kernel) {
			for (int k = 5; k < 10; k++)
				snprintf(c[k], sizeof(c[k]), "n/m");
		} else {
			swc_fmt_count(r->gs.switches_out, c[5], sizeof(c[5]));
			snprintf(c[6], sizeof(c[6]), "%s / %s",
				 swc_fmt_count(r->gs.voluntary, t1, 32),
				 swc_fmt_count(r->gs.involuntary, t2, 32));
			snprintf(c[7], sizeof(c[7]), "%.2f", per_made(r->gs.syscalls, r));
			if (r->gs.delay_count) {
				snprintf(c[8], sizeof(c[8]), "≈%s",
					 swc_fmt_ns(swc_hist_quantile(r->gs.hist_delay,
								      SWC_HIST_SLOTS, 0.5),
						    t1, 32));
				snprintf(c[9], sizeof(c[9]), "≈%s",
					 swc_fmt_ns(swc_hist_quantile(r->gs.hist_delay,
								      SWC_HIST_SLOTS, 0.99),
						    t1, 32));
			} else {
				cells[8] = cells[9] = NULL;
			}
		}
		swc_table__add_row(t, cells);
	}
	swc_table__print(t, f);
	swc_table__free(t);
}

static void print_kinds(const struct swc_group_stats *gs, FILE *f)
{
	char buf[32];
	bool first = true;

	for (int k = 0; k < SWC_KIND_COROUTINE; k++) {
		if (!gs->by_kind[k])
			continue;
		fprintf(f, "%s%s %s", first ? "" : ", ", kind_names[k],
			swc_fmt_count(gs->by_kind[k], buf, sizeof(buf)));
		first = false;
	}
	if (first)
		fprintf(f, "none");
}

static void print_evidence(const struct row *rows, int n, FILE *f)
{
	char a[32], b[32], c[32];
	bool any_involuntary_lesson = false;

	fprintf(f, "\nThe kernel's evidence (eBPF on sched_switch, whole life of each workload, "
		   "warm-up included):\n");
	for (int i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		long long diff;

		if (!r->have_bpf || !r->ran)
			continue;
		fprintf(f, "  %-9s ", swc_workload_name(r->id));
		if (r->id == SWC_WL_COROUTINE || r->id == SWC_WL_UCONTEXT) {
			fprintf(f, "%s kernel switches while it made %s %s switches in user space",
				swc_fmt_count(r->gs.switches_out, a, sizeof(a)),
				swc_fmt_count(r->switches_made, b, sizeof(b)),
				swc_workload_name(r->id));
			if (r->probed)
				fprintf(f, ";\n            probed pass (untimed): %s coroutine "
					   "switches counted by uprobe of %s made, %s kernel switches",
					swc_fmt_count(r->ps.user_switches, a, sizeof(a)),
					swc_fmt_count(r->probe_made, b, sizeof(b)),
					swc_fmt_count(r->ps.switches_out, c, sizeof(c)));
			fprintf(f, "\n");
			continue;
		}
		fprintf(f, "%s switches out of its tasks (", swc_fmt_count(r->gs.switches_out, a,
									   sizeof(a)));
		print_kinds(&r->gs, f);
		fprintf(f, "), %.2f per switch made;\n", per_made(r->gs.switches_out, r));
		diff = count_difference(r);
		fprintf(f, "            the kernel's own counters (wait4 nvcsw+nivcsw): %s, %s",
			swc_fmt_count(rusage_switches(r), a, sizeof(a)),
			diff == 0 ? "agree" : "DIFFER");
		if (diff)
			fprintf(f, " by %+lld", diff);
		if (r->gs.exit_switches)
			fprintf(f, " once the final switch of %llu exited thread(s) is set aside "
				   "(the kernel stops counting a thread's switches when it exits)",
				(unsigned long long)r->gs.exit_switches);
		fprintf(f, "\n");
		if (kernel_handoff(r->id) && r->gs.involuntary * 4 > r->gs.switches_out)
			any_involuntary_lesson = true;
	}
	fprintf(f, "Coroutine switches are timed in user space with no probe attached, and "
		   "counted by uprobe in a separate pass:\na uprobe hit costs microseconds, a "
		   "thousand times the switch it would time.\n");
	if (any_involuntary_lesson)
		fprintf(f, "About half the kernel switches are involuntary: on one CPU the woken "
			   "task preempts the waker before the waker blocks.\n");
}

static void print_hists(const struct row *rows, int n, FILE *f)
{
	char title[128];

	for (int i = 0; i < n; i++) {
		const struct row *r = &rows[i];

		if (!r->have_bpf)
			continue;
		snprintf(title, sizeof(title), "\n%s: on-CPU time before switching out",
			 swc_workload_name(r->id));
		swc_hist_print(f, title, r->gs.hist_run, SWC_HIST_SLOTS);
		snprintf(title, sizeof(title), "\n%s: off-CPU time before switching in",
			 swc_workload_name(r->id));
		swc_hist_print(f, title, r->gs.hist_off, SWC_HIST_SLOTS);
		snprintf(title, sizeof(title), "\n%s: wake-up to run delay",
			 swc_workload_name(r->id));
		swc_hist_print(f, title, r->gs.hist_delay, SWC_HIST_SLOTS);
	}
}

static void json_hist_summary(struct swc_json *j, const char *key, const __u64 *hist,
			      __u64 sum)
{
	__u64 count = swc_hist_total(hist, SWC_HIST_SLOTS);

	jw_obj_begin(j, key);
	jw_u64(j, "count", count);
	jw_double(j, "mean", count ? (double)sum / count : NAN);
	jw_double(j, "p50_approx", swc_hist_quantile(hist, SWC_HIST_SLOTS, 0.5));
	jw_double(j, "p99_approx", swc_hist_quantile(hist, SWC_HIST_SLOTS, 0.99));
	jw_arr_begin(j, "log2_hist");
	for (int i = 0; i < SWC_HIST_SLOTS; i++)
		jw_u64(j, NULL, hist[i]);
	jw_arr_end(j);
	jw_obj_end(j);
}

static void json_kernel(struct swc_json *j, const char *key, const struct swc_group_stats *gs,
			const struct row *r)
{
	jw_obj_begin(j, key);
	jw_u64(j, "switches", gs->switches_out);
	jw_u64(j, "voluntary", gs->voluntary);
	jw_u64(j, "involuntary", gs->involuntary);
	jw_u64(j, "switches_in", gs->switches_in);
	jw_u64(j, "exit_switches", gs->exit_switches);
	jw_obj_begin(j, "by_kind");
	for (int k = 0; k < SWC_KIND_NR; k++)
		jw_u64(j, kind_names[k], gs->by_kind[k]);
	jw_obj_end(j);
	jw_u64(j, "wakeups", gs->wakeups);
	jw_u64(j, "syscalls", gs->syscalls);
	if (r)
		jw_double(j, "syscalls_per_switch", per_made(gs->syscalls, r));
	json_hist_summary(j, "run_ns", gs->hist_run, gs->run_ns_sum);
	json_hist_summary(j, "off_ns", gs->hist_off, gs->off_ns_sum);
	json_hist_summary(j, "wakeup_delay_ns", gs->hist_delay, gs->delay_ns_sum);
	jw_obj_end(j);
}

static void print_json(const struct run_env *env, const struct swc_sysinfo *si,
		       const struct row *rows, int n, const struct swc_counters *ctr, FILE *f)
{
	struct swc_json j;
	char buf[128];

	jw_init(&j, f, 2);
	jw_obj_begin(&j, NULL);
	jw_str(&j, "tool", "switchcost");
	jw_str(&j, "version", SWC_VERSION);
	jw_str(&j, "command", "run");
	swc_sysinfo_json(si, &j);
	jw_obj_begin(&j, "config");
	jw_u64(&j, "round_trips", env->round_trips);
	jw_u64(&j, "repeats", env->repeats);
	jw_u64(&j, "warmup_round_trips", env->warmup);
	jw_arr_begin(&j, "cpus");
	for (int i = 0; i < env->ncpus; i++)
		jw_i64(&j, NULL, env->cpus[i]);
	jw_arr_end(&j);
	jw_str(&j, "ipc", env->ipc == SWC_IPC_PIPE ? "pipe" : "futex");
	jw_bool(&j, "bpf", !env->no_bpf);
	jw_obj_end(&j);
	jw_arr_begin(&j, "results");
	for (int i = 0; i < n; i++) {
		const struct row *r = &rows[i];

		jw_obj_begin(&j, NULL);
		jw_str(&j, "workload", swc_workload_name(r->id));
		jw_bool(&j, "ok", r->rr.ok);
		if (!r->rr.ok) {
			jw_str(&j, "error", r->ran ? swc_describe_status(r->rr.status, buf,
									 sizeof(buf))
						   : "not run");
			jw_obj_end(&j);
			continue;
		}
		jw_u64(&j, "switches", r->rr.res.switches * r->rr.res.repeats);
		jw_u64(&j, "switches_made", r->switches_made);
		jw_obj_begin(&j, "ns_per_switch");
		jw_double(&j, "median", r->per_switch.median);
		jw_double(&j, "min", r->per_switch.min);
		jw_double(&j, "max", r->per_switch.max);
		jw_double(&j, "mean", r->per_switch.mean);
		jw_arr_begin(&j, "repeats");
		for (unsigned int k = 0; k < r->rr.res.repeats; k++)
			jw_double(&j, NULL, r->rr.res.ns[k] / (double)r->rr.res.switches);
		jw_arr_end(&j);
		jw_obj_end(&j);
		jw_double(&j, "ratio_to_coroutine", ratio_to_coroutine(rows, n, r));
		if (r->have_bpf)
			json_kernel(&j, "kernel", &r->gs, r);
		else
			jw_null(&j, "kernel");
		jw_u64(&j, "rusage_switches", rusage_switches(r));
		jw_u64(&j, "rusage_voluntary", r->rr.ru.ru_nvcsw);
		jw_u64(&j, "rusage_involuntary", r->rr.ru.ru_nivcsw);
		if (r->have_bpf) {
			jw_i64(&j, "kernel_minus_rusage", count_difference(r));
			jw_bool(&j, "counts_agree", count_difference(r) == 0);
		}
		if (r->probed) {
			jw_obj_begin(&j, "probe_pass");
			jw_bool(&j, "ok", r->probe_ok);
			jw_u64(&j, "switches_made", r->probe_made);
			jw_u64(&j, "uprobe_hits", r->ps.user_switches);
			jw_u64(&j, "kernel_switches", r->ps.switches_out);
			jw_obj_end(&j);
		}
		jw_obj_end(&j);
	}
	jw_arr_end(&j);
	if (ctr) {
		jw_obj_begin(&j, "bpf");
		jw_u64(&j, "events_dropped", ctr->events_dropped);
		jw_u64(&j, "tasks_untracked", ctr->tasks_full);
		jw_u64(&j, "processes_unwatched", ctr->watch_full);
		jw_obj_end(&j);
	}
	swc_self_json(&j);
	jw_obj_end(&j);
	jw_finish(&j);
}

static void print_human(const struct run_env *env, const struct swc_sysinfo *si,
			const struct row *rows, int n, const struct swc_counters *ctr, FILE *f)
{
	char why[128];

	swc_sysinfo_print(si, f);
	print_config(env, f);
	fprintf(f, "\n");
	print_table(rows, n, f);
	if (!env->no_bpf)
		print_evidence(rows, n, f);
	else
		fprintf(f, "\nKernel columns n/m: not measured (--no-bpf).\n");
	for (int i = 0; i < n; i++)
		if (rows[i].ran && !rows[i].rr.ok)
			fprintf(f, "The %s workload failed: its runner %s.\n",
				swc_workload_name(rows[i].id),
				swc_describe_status(rows[i].rr.status, why, sizeof(why)));
	if (ctr && (ctr->tasks_full || ctr->watch_full))
		fprintf(f, "eBPF maps were full: %llu task(s) untracked, %llu process(es) "
			   "unwatched; counts are low.\n", (unsigned long long)ctr->tasks_full,
			(unsigned long long)ctr->watch_full);
	if (env->hist)
		print_hists(rows, n, f);
}

int cmd_run(int argc, char **argv)
{
	struct run_env env = { .ipc = SWC_IPC_FUTEX };
	struct swc_watch_opts wopts = { 0 };
	struct swc_counters ctr, *ctrp = NULL;
	struct row rows[SWC_WL_NR];
	struct swc_watch *w = NULL;
	struct swc_sysinfo si;
	int rc, err = 0, n = 0;
	bool failed = false;

	rc = parse_args(&env, argc, argv);
	if (rc)
		return rc;
	if (!env.no_bpf && swc_bpf_preflight())
		return 1;
	if (swc_signals_install()) {
		fprintf(stderr, "switchcost: installing signal handlers: %s\n", strerror(errno));
		return 1;
	}
	swc_sysinfo_read(&si);
	if (!env.no_bpf) {
		wopts.verbose = env.verbose;
		w = watch__open(&wopts);
		if (!w)
			return 1;
	}
	memset(rows, 0, sizeof(rows));
	for (int i = 0; i < env.nwl && !stop_requested; i++) {
		rows[n].id = env.order[i];
		err = run_workload(&env, w, &rows[n]);
		n++;
		if (err)
			break;
	}
	if (stop_requested || err == -EINTR) {
		fprintf(stderr, "switchcost: interrupted by %s: workloads stopped, nothing left "
				"running\n", strsignal(stop_requested ? stop_requested : SIGINT));
		rc = swc_signal_exit_code(stop_requested ? stop_requested : SIGINT);
		goto cleanup;
	}
	if (err) {
		rc = 1;
		goto cleanup;
	}
	if (w && !watch__counters(w, &ctr))
		ctrp = &ctr;
	if (env.json)
		print_json(&env, &si, rows, n, ctrp, stdout);
	else
		print_human(&env, &si, rows, n, ctrp, stdout);
	for (int i = 0; i < n; i++)
		if (!rows[i].rr.ok || (rows[i].probed && !rows[i].probe_ok))
			failed = true;
	rc = failed ? 1 : 0;
cleanup:
	watch__close(w);
	return rc;
}
