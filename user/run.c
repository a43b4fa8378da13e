// SPDX-License-Identifier: GPL-2.0-only
/* switchcost run: process, thread and coroutine switches side by side, with eBPF evidence. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "clock.h"
#include "commands.h"
#include "csv.h"
#include "fmt.h"
#include "ibpb.h"
#include "json.h"
#include "parse.h"
#include "records.h"
#include "report.h"
#include "runner.h"
#include "run_ws.h"
#include "selfstats.h"
#include "signals.h"
#include "feature_probe.h"
#include "stats.h"
#include "sysinfo.h"
#include "validity.h"
#include "watch.h"

#define DEFAULT_ROUND_TRIPS	20000
#define DEFAULT_REPEATS		5
#define QUICK_ROUND_TRIPS	2000
#define QUICK_REPEATS		3
#define MAX_ROUND_TRIPS		10000000UL
/* BPF group of a workload's probed (counting) pass, beside the timed pass's group id */
#define PROBE_GROUP(g)		(SWC_WL_NR + (g))
/* BPF group of a workload's --ibpb row (its probed pass: PROBE_GROUP of that) */
#define IBPB_GROUP(id)		(2 * SWC_WL_NR + (id))
/*
 * Ring buffer for --csv. A record takes 96 bytes there (88 + libbpf's 8-byte header), so
 * 32 MiB holds 349,525 of them: more than a whole default thread or process workload makes
 * (2 x 102,000 round trips, about 205,000 records), so the default suite loses nothing even if
 * the consumer were starved for a whole workload. It is locked kernel memory, freed at exit.
 */
#define DEFAULT_RINGBUF_BYTES	(32UL << 20)
#define MAX_RINGBUF_BYTES	(1UL << 30)
/* Exit status of a run that completed but lost switch records (without --allow-drops). */
#define EXIT_DROPS		3
/* Exit status of a --strict run with a row judged invalid (user/validity.h) */
#define EXIT_INVALID		SWC_EXIT_INVALID

static const enum swc_workload_id default_order[] = {
	SWC_WL_PROCESS, SWC_WL_THREAD, SWC_WL_COROUTINE, SWC_WL_CORO_FLOOR, SWC_WL_CORO_RET,
	SWC_WL_UCONTEXT, SWC_WL_SYSCALL,
};
_Static_assert(sizeof(default_order) / sizeof(default_order[0]) == SWC_WL_NR,
	       "every workload runs by default");

struct run_env {
	enum swc_workload_id order[SWC_WL_NR];
	int nwl;
	unsigned long round_trips, repeats, warmup;
	bool round_trips_set, repeats_set, warmup_set;
	int cpus[2], ncpus;
	enum swc_ipc ipc;
	bool json, hist, no_bpf, verbose, quick;
	const char *csv;		/* --csv FILE, "-" for stdout */
	bool allow_drops, all_tasks;
	bool ibpb;			/* --ibpb: process+ibpb and thread+ibpb rows too */
	bool strict;			/* --strict: an invalid row makes the exit status 4 */
	const char *ws;			/* --ws LIST: the working-set sweep instead of the rows */
	struct swc_sweep_opts ws_opts;
	unsigned long ringbuf_bytes;	/* 0 until --ringbuf-size, then DEFAULT_RINGBUF_BYTES */
};

/* What the record consumer has written, by kind and by whose records they were. */
struct csv_ctx {
	struct swc_csv *csv;
	const char *path;
	const char *names[4 * SWC_WL_NR];	/* workload column per BPF group */
	char probed[SWC_WL_NR][32];
	char ibpb_probed[SWC_WL_NR][40];
	unsigned long long by_kind[SWC_KIND_NR + 1];	/* [SWC_KIND_NR]: unknown kind */
	unsigned long long unwatched;		/* rows of no group (--all-tasks) */
	bool failed;
	struct swc_outfile meta;		/* FILE.meta.json, opened up front */
};

struct row {
	enum swc_workload_id id;
	bool ibpb;			/* both parties asked for IBPB (--ibpb) */
	bool unavailable;		/* an --ibpb row this kernel does not allow: why says why */
	char why[160];
	__u32 group;			/* BPF group of the timed pass */
	double wall_ns, steal_ns;	/* the timed pass, fork to reap; steal on its CPUs */
	struct swc_validity val;	/* judged after the timed pass */
	bool ran;			/* the runner was started and waited for */
	struct swc_runner_result rr;
	struct swc_summary per_switch;	/* ns per switch over the repeats */
	unsigned long long switches_made;	/* warm-up included: what the kernel saw happen */
	bool have_bpf;
	struct swc_group_stats gs;	/* timed pass */
	bool probed;			/* the untimed counting pass ran (syscalls, uprobe) */
	bool probe_ok;
	unsigned long long probe_made;	/* switches made in the probed pass */
	struct swc_group_stats ps;	/* probed pass */
	char probe_skipped[160];	/* why the probed pass did not run, or "" */
};

/* Whether the kernel lets us put a uprobe on ourselves (CAP_BPF + CAP_PERFMON alone do not
 * suffice); asked once, by loading a tiny program. "" when it does, else why not. */
static const char *uprobe_refused(void)
{
	static char why[128];
	static bool asked;
	int err;

	if (!asked) {
		asked = true;
		err = swc_feature_probe(SWC_FEAT_UPROBE);
		if (err)
			snprintf(why, sizeof(why), "uprobes refused (%s): needs root "
				 "(CAP_SYS_ADMIN); see switchcost doctor", strerror(-err));
	}
	return why;
}

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
"  coroutine-floor  reference: the same switch without changing stacks, the floor\n"
"  coroutine-ret    teaching row: the switch ending in ret, what a return-stack mispredict\n"
"                   costs\n"
"  ucontext   the same with libc swapcontext (one rt_sigprocmask syscall per switch)\n"
"  syscall    reference: getpid in a loop, the cheapest way into the kernel and back\n"
"\n"
"Options:\n"
"  -n, --round-trips N   timed round trips per repeat, 2 switches each (default %d)\n"
"  -r, --repeats R       timed repeats; median, min and max are over these (default %d)\n"
"      --warmup N        untimed round trips first (default: a tenth of -n)\n"
"      --quick           -n %d -r %d: the whole suite in under two seconds\n"
"      --cpus LIST       CPUs of the two parties: one CPU (both pinned there; default: the\n"
"                        first CPU we may use) or two, e.g. 0,1 (cross-CPU hand-off)\n"
"      --ipc futex|futex-private|pipe  hand-off of process and thread: a shared futex\n"
"                        (default, the same for both), a private futex for the thread\n"
"                        (the process keeps the shared one), or a pipe each way\n"
"                        (lmbench lat_ctx)\n"
"      --json            one JSON document on stdout\n"
"      --hist            log2 histograms of run, off-CPU and wake-up-to-run times\n"
"      --no-bpf          no eBPF, no root needed: kernel columns are not measured\n"
"      --csv FILE        one row per switch (and per probed coroutine switch) to FILE,\n"
"                        '-' for stdout, FILE.gz gzip-compressed; metadata (config, counts,\n"
"                        drops) beside it in FILE.meta.json. See docs/CSV.md\n"
"      --ringbuf-size N  ring buffer for --csv, a power of two: 4K .. 1G (default 32M)\n"
"      --allow-drops     exit 0 even when switch records were lost (otherwise exit %d)\n"
"      --all-tasks       with --csv: every switch on the machine, not only the workloads'\n"
"      --strict          exit %d when a row is judged invalid (marked '!': a busy CPU,\n"
"                        repeats spread over %.1fx, steal over %.0f%%)\n"
"      --ibpb            also rows process+ibpb and thread+ibpb: both parties ask for IBPB\n"
"                        (prctl PR_SPEC_INDIRECT_BRANCH), where the kernel allows it\n"
"      --ws LIST         the indirect cost instead: a working-set sweep such as\n"
"                        0,16K,256K,1M,4M,16M (K/M/G = 1024^n, at most half of RAM); each\n"
"                        party touches its own W bytes between hand-offs (every line, then\n"
"                        one line per page), a baseline touches alone; process, thread and\n"
"                        coroutine on one CPU (--cpus N)\n"
"  -v, --verbose         libbpf and verifier messages on stderr\n"
"  -h, --help            this help\n"
"\n"
"Examples:\n"
"  sudo switchcost\n"
"  sudo switchcost --quick --json | jq '.results[] | {workload, ns: .ns_per_switch.median}'\n"
"  sudo switchcost thread process --cpus 0,1 --ipc pipe --hist\n"
"  sudo switchcost --quick --csv switches.csv.gz thread\n"
"  sudo switchcost --ws 0,16K,256K,1M,4M,16M\n",
		DEFAULT_ROUND_TRIPS, DEFAULT_REPEATS, QUICK_ROUND_TRIPS, QUICK_REPEATS, EXIT_DROPS,
		EXIT_INVALID, SWC_VALID_MAX_SPREAD, 100 * SWC_VALID_MAX_STEAL);
}

/* one line on stderr, exit status 2 */
#define usage_error(...) swc_usage_error("run", __VA_ARGS__)

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

/* "32M", "64MiB", "4096", "1G": a power of two of bytes from 4 KiB to 1 GiB. */
static int parse_ringbuf_size(struct run_env *env, const char *arg)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	/* digits first: strtoull alone would take " 32M" and "+32M" */
	if (end != arg && arg[0] >= '0' && arg[0] <= '9' && !errno) {
		unsigned int shift = 0;

		if (*end == 'K' || *end == 'k')
			shift = 10;
		else if (*end == 'M' || *end == 'm')
			shift = 20;
		else if (*end == 'G' || *end == 'g')
			shift = 30;
		if (shift)
			end++;
		if (shift && (!strcmp(end, "iB") || !strcmp(end, "B")))
			end += strlen(end);
		if (!*end && v <= (MAX_RINGBUF_BYTES >> shift)) {
			v <<= shift;
			if (v >= 4096 && !(v & (v - 1))) {
				env->ringbuf_bytes = v;
				return 0;
			}
		}
	}
	return usage_error("--ringbuf-size wants a power of two from 4K to 1G, such as 32M or "
			   "64M, not '%s'", arg);
}

/* --ws: the sweep takes process, thread and coroutine on one CPU, and its own round trips. */
static int ws_args(struct run_env *env)
{
	struct swc_sweep_opts *o = &env->ws_opts;

	for (int i = 0; i < env->nwl; i++)
		if (!swc_sweep_takes(env->order[i]))
			return usage_error("--ws sweeps process, thread and coroutine, not %s",
					   swc_workload_name(env->order[i]));
	if (env->ncpus > 1)
		return usage_error("--ws pins both parties to one CPU: give --cpus one CPU");
	if (env->round_trips_set || env->repeats_set || env->warmup_set)
		return usage_error("--ws picks its round trips per size: drop -n, -r and --warmup "
				   "(--quick for a shorter sweep)");
	if (env->ibpb || env->csv || env->hist)
		return usage_error("--ws is a sweep of its own: drop %s", env->ibpb ? "--ibpb" :
				   env->csv ? "--csv" : "--hist");
	o->nwl = 0;
	for (int i = 0; i < env->nwl; i++)
		o->wl[o->nwl++] = env->order[i];
	if (!o->nwl) {
		o->wl[o->nwl++] = SWC_WL_PROCESS;
		o->wl[o->nwl++] = SWC_WL_THREAD;
		o->wl[o->nwl++] = SWC_WL_COROUTINE;
	}
	o->ipc = env->ipc;
	o->quick = env->quick;
	return 0;
}

static int parse_args(struct run_env *env, int argc, char **argv)
{
	enum { OPT_WARMUP = 256, OPT_QUICK, OPT_CPUS, OPT_IPC, OPT_JSON, OPT_HIST, OPT_NO_BPF,
	       OPT_CSV, OPT_RINGBUF, OPT_ALLOW_DROPS, OPT_ALL_TASKS,
	       OPT_IBPB, OPT_STRICT, OPT_WS };
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
		{ "csv", required_argument, NULL, OPT_CSV },
		{ "ringbuf-size", required_argument, NULL, OPT_RINGBUF },
		{ "allow-drops", no_argument, NULL, OPT_ALLOW_DROPS },
		{ "all-tasks", no_argument, NULL, OPT_ALL_TASKS },
		{ "ibpb", no_argument, NULL, OPT_IBPB },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "ws", required_argument, NULL, OPT_WS },
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
			else if (!strcmp(optarg, "futex-private"))
				env->ipc = SWC_IPC_FUTEX_PRIVATE;
			else if (!strcmp(optarg, "pipe"))
				env->ipc = SWC_IPC_PIPE;
			else
				return usage_error("--ipc is futex, futex-private or pipe, not '%s'",
						   optarg);
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
		case OPT_CSV:
			if (!*optarg)
				return usage_error("--csv wants a file name, or - for stdout");
			env->csv = optarg;
			break;
		case OPT_RINGBUF:
			if ((rc = parse_ringbuf_size(env, optarg)))
				return rc;
			break;
		case OPT_ALLOW_DROPS:
			env->allow_drops = true;
			break;
		case OPT_ALL_TASKS:
			env->all_tasks = true;
			break;
		case OPT_IBPB:
			env->ibpb = true;
			break;
		case OPT_STRICT:
			env->strict = true;
			break;
		case OPT_WS:
			if ((rc = swc_run_ws_parse(optarg, &env->ws_opts)))
				return rc;
			env->ws = optarg;
			break;
		case 'v':
			env->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return swc_usage_bad_option("run", c, argv, optind);
		}
	}
	for (; optind < argc; optind++) {
		id = swc_workload_from_name(argv[optind]);
		if (id < 0)
			return usage_error("unknown workload '%s': choose from process, thread, "
					   "coroutine, coroutine-floor, coroutine-ret, ucontext, "
					   "syscall", argv[optind]);
		if (!seen[id])
			env->order[env->nwl++] = id;
		seen[id] = true;
	}
	if (env->ws && (rc = ws_args(env)))
		return rc;
	if (env->nwl == 0) {
		memcpy(env->order, default_order, sizeof(default_order));
		env->nwl = SWC_WL_NR;
	}
	if (env->ibpb && !seen[SWC_WL_PROCESS] && !seen[SWC_WL_THREAD] && env->nwl != SWC_WL_NR)
		return usage_error("--ibpb adds variants of process and thread: name one of them "
				   "too, or no workload");
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
	if (env->hist && env->no_bpf)
		return usage_error("--hist draws what eBPF measured, which --no-bpf turns off: "
				   "give one of them");
	if (env->hist && env->json)
		return usage_error("--hist draws histograms for the terminal; --json already "
				   "carries them (log2_hist): give one of them");
	if (env->csv && env->no_bpf)
		return usage_error("--csv needs the eBPF records that --no-bpf turns off: give "
				   "one of them");
	if (env->csv && !strcmp(env->csv, "-") && env->json)
		return usage_error("--csv - and --json both want stdout: write the CSV to a file, "
				   "or drop --json");
	if (!env->csv && env->all_tasks)
		return usage_error("--all-tasks only changes what --csv writes: add --csv FILE");
	if (!env->csv && env->ringbuf_bytes)
		return usage_error("--ringbuf-size only sizes --csv's ring buffer: add --csv FILE");
	if (env->csv && !env->ringbuf_bytes)
		env->ringbuf_bytes = DEFAULT_RINGBUF_BYTES;
	if (env->ncpus == 0) {
		if (swc_allowed_cpus(env->cpus, 1) != 1)
			env->cpus[0] = 0;
		env->ncpus = 1;
	}
	return 0;
}

/* Switches with a busy task outside the workload on one side; -1 without eBPF. */
static long long outside_switches(const struct row *r)
{
	return r->have_bpf ? swc_outside_switches(&r->gs) : -1;
}

static void judge(const struct run_env *env, struct row *row)
{
	const struct rusage *ru = &row->rr.ru;
	struct swc_validity_in in = {
		.min_ns = row->per_switch.min,
		.max_ns = row->per_switch.max,
		.wall_ns = row->wall_ns,
		.cpu_ns = (ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1e9 +
			  (ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) * 1e3,
		.one_cpu = env->ncpus == 1,
		.outside_switches = outside_switches(row),
		.steal_ns = row->steal_ns,
	};

	swc_validity_judge(&in, &row->val);
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
		.ibpb = row->ibpb,
	};
	struct swc_runner_result probe;
	unsigned long long per_rt, t0;
	double steal0;
	double per_switch[SWC_MAX_REPEATS];
	int err;

	t0 = swc_now_ns();
	steal0 = swc_stat_steal_ns(env->cpus, env->ncpus);
	err = swc_runner_run(w, row->group, row->id, &cfg, false, &row->rr);
	if (err)
		return err;
	row->wall_ns = (double)(swc_now_ns() - t0);
	row->steal_ns = swc_stat_steal_ns(env->cpus, env->ncpus) - steal0;
	row->ran = true;
	if (row->rr.ok) {
		for (unsigned int i = 0; i < row->rr.res.repeats; i++)
			per_switch[i] = row->rr.res.ns[i] / (double)row->rr.res.switches;
		swc_summarize(per_switch, row->rr.res.repeats, &row->per_switch);
		per_rt = row->rr.res.switches / cfg.round_trips;
		row->switches_made = per_rt * (cfg.warmup + cfg.repeats * cfg.round_trips);
	}
	if (w && !watch__group_stats(w, row->group, &row->gs))
		row->have_bpf = true;
	if (row->rr.ok)
		judge(env, row);

	/* Some probes cost more than what they would time: a uprobe hit costs microseconds, a
	 * thousand times a coroutine switch, and a sys_enter counter sends every syscall on the
	 * machine through the tracing slow path. So they count, in one more pass, never timed. */
	if (w && row->id == SWC_WL_COROUTINE && uprobe_refused()[0]) {
		snprintf(row->probe_skipped, sizeof(row->probe_skipped), "%s", uprobe_refused());
		return 0;	/* degrade, don't die: the timed row stands on its own */
	}
	if (w) {
		cfg.repeats = 1;
		cfg.warmup = 0;
		err = swc_runner_run(w, PROBE_GROUP(row->group), row->id, &cfg, true, &probe);
		if (err)
			return err;
		row->probed = true;
		row->probe_ok = probe.ok;
		row->probe_made = probe.ok ? probe.res.switches : 0;
		/* counts that cannot be read are not measured: no zeros in their place */
		if (watch__group_stats(w, PROBE_GROUP(row->group), &row->ps))
			row->probe_ok = false;
	}
	return 0;
}

static void agreement(const struct row *r, struct swc_agreement *a)
{
	swc_agreement_compute(&r->gs, &r->rr.ru, a);
}

/* "process", or "process+ibpb" for its --ibpb row */
static const char *row_name(const struct row *r)
{
	if (!r->ibpb)
		return swc_workload_name(r->id);
	return r->id == SWC_WL_PROCESS ? "process+ibpb" : "thread+ibpb";
}

/* The plain row of a workload (not its --ibpb variant) that ran to completion. */
static const struct row *find_row(const struct row *rows, int n, enum swc_workload_id id)
{
	for (int i = 0; i < n; i++)
		if (rows[i].id == id && !rows[i].ibpb && rows[i].rr.ok)
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

/* Latencies (run, off-CPU, wake-up to run) come from the counting pass: the clock and the
 * per-task state they need are off while timing. */
static const struct swc_group_stats *latency_stats(const struct row *r)
{
	return r->probed ? &r->ps : &r->gs;
}

/* From the counting pass: the sys_enter counter is never attached while timing. */
static double syscalls_per_switch(const struct row *r)
{
	return r->probed && r->probe_ok && r->probe_made ? (double)r->ps.syscalls / r->probe_made
							   : NAN;
}

static const char *ipc_name(enum swc_ipc ipc)
{
	return ipc == SWC_IPC_PIPE ? "pipe" : ipc == SWC_IPC_FUTEX_PRIVATE ? "futex-private"
									    : "futex";
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
	fprintf(f, " · hand-off: %s", ipc_name(env->ipc));
	for (int i = 0; i < env->nwl; i++)
		if (swc_workload_handoff(env->order[i], env->ipc))
			fprintf(f, "%s%s %s", i && swc_workload_handoff(env->order[i - 1], env->ipc)
					      ? ", " : " (", swc_workload_name(env->order[i]),
				swc_workload_handoff(env->order[i], env->ipc));
	for (int i = 0; i < env->nwl; i++)
		if (swc_workload_handoff(env->order[i], env->ipc)) {
			fprintf(f, ")");
			break;
		}
	fprintf(f, "\n");
}

static void print_table(const struct row *rows, int n, FILE *f)
{
	static const char *const headers[] = {
		"workload", "per switch", "min .. max", "×coro", "switches",
		"kernel sw", "vol / invol", "syscalls/sw", "wake→run p50", "p99",
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
		snprintf(c[0], sizeof(c[0]), "%s%s", row_name(r),
			 r->rr.ok && !r->val.valid ? " !" : "");
		if (!r->rr.ok) {
			snprintf(c[1], sizeof(c[1]), r->unavailable ? "not available" : "failed");
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
			if (isnan(syscalls_per_switch(r)))
				snprintf(c[7], sizeof(c[7]), "n/m");
			else
				snprintf(c[7], sizeof(c[7]), "%.2f", syscalls_per_switch(r));
			if (latency_stats(r)->delay_count) {
				snprintf(c[8], sizeof(c[8]), "≈%s",
					 swc_fmt_ns(swc_hist_quantile(latency_stats(r)->hist_delay,
								      SWC_HIST_SLOTS, 0.5),
						    t1, 32));
				snprintf(c[9], sizeof(c[9]), "≈%s",
					 swc_fmt_ns(swc_hist_quantile(latency_stats(r)->hist_delay,
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
		fprintf(f, "%s%s %s", first ? "" : ", ", swc_kind_name(k),
			swc_fmt_count(gs->by_kind[k], buf, sizeof(buf)));
		first = false;
	}
	if (first)
		fprintf(f, "none");
}

static char *fmt_percent(__u64 part, __u64 whole, char *buf, size_t len)
{
	if (!whole)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.0f%%", 100.0 * part / whole);
	return buf;
}

static void print_evidence(const struct run_env *env, const struct row *rows, int n, FILE *f)
{
	char a[32], b[32], c[32];
	bool involuntary_lesson = false;

	fprintf(f, "\nThe kernel's evidence (eBPF on sched_switch, whole life of each workload, "
		   "warm-up included):\n");
	for (int i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		struct swc_agreement ag;

		if (!r->have_bpf || !r->ran)
			continue;
		fprintf(f, "  %-9s ", row_name(r));
		if (!swc_workload_uses_kernel(r->id) && r->id != SWC_WL_SYSCALL) {
			fprintf(f, "%s kernel switches while it made %s %s switches in user space",
				swc_fmt_count(r->gs.switches_out, a, sizeof(a)),
				swc_fmt_count(r->switches_made, b, sizeof(b)),
				row_name(r));
			if (r->probed && r->id == SWC_WL_COROUTINE)
				fprintf(f, ";\n            probed pass (untimed): %s coroutine "
					   "switches counted by uprobe of %s made, %s kernel switches",
					swc_fmt_count(r->ps.user_switches, a, sizeof(a)),
					swc_fmt_count(r->probe_made, b, sizeof(b)),
					swc_fmt_count(r->ps.switches_out, c, sizeof(c)));
			else if (r->probe_skipped[0])
				fprintf(f, ";\n            probed pass: not measured: %s",
					r->probe_skipped);
			fprintf(f, "\n");
			continue;
		}
		fprintf(f, "%s switches out of its tasks (%s involuntary), %.2f per switch "
			   "made;\n            switches involving it, by kind: ",
			swc_fmt_count(r->gs.switches_out, a, sizeof(a)),
			fmt_percent(r->gs.involuntary, r->gs.switches_out, b, sizeof(b)),
			per_made(r->gs.switches_out, r));
		print_kinds(&r->gs, f);
		agreement(r, &ag);
		fprintf(f, ";\n            ");
		swc_agreement_print(f, &ag);
		fprintf(f, "\n");
		if (swc_workload_uses_kernel(r->id) && r->gs.involuntary * 4 > r->gs.switches_out &&
		    env->ncpus == 1)
			involuntary_lesson = true;
	}
	if (!env->csv)
		fprintf(f, "Each workload runs twice. The timed pass has only the cheap half of "
			   "the eBPF side on: it counts and classifies\nswitches. An untimed "
			   "counting pass adds what costs more than it measures: the clock and "
			   "per-task state\nbehind wake-up→run (and --hist), the sys_enter counter "
			   "behind syscalls/switch, and for the coroutine\na uprobe on its switch: a "
			   "uprobe hit costs microseconds, a thousand times the switch it would "
			   "time.\n");
	else
		fprintf(f, "Each workload runs twice. With --csv the timed pass also times every "
			   "switch and sends it to the ring buffer\n(so its times include that); "
			   "an untimed counting pass adds the sys_enter counter behind syscalls/switch "
			   "and,\nfor the coroutine, a uprobe on its switch (a uprobe hit costs "
			   "microseconds, a thousand times the switch).\n");
	if (involuntary_lesson)
		fprintf(f, "Involuntary switches are a lesson in themselves: on one CPU the woken "
			   "task preempts the waker before the\nwaker gets to block, so the waker's "
			   "switch is involuntary (percentages above).\n");
}

static void print_hists(const struct row *rows, int n, FILE *f)
{
	char title[128];

	fprintf(f, "\nHistograms from each workload's untimed counting pass (eBPF):\n");
	for (int i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		const struct swc_group_stats *ls = latency_stats(r);

		if (!r->have_bpf)
			continue;
		snprintf(title, sizeof(title), "\n%s: on-CPU time before switching out",
			 row_name(r));
		swc_hist_print(f, title, ls->hist_run, SWC_HIST_SLOTS);
		snprintf(title, sizeof(title), "\n%s: off-CPU time before switching in",
			 row_name(r));
		swc_hist_print(f, title, ls->hist_off, SWC_HIST_SLOTS);
		snprintf(title, sizeof(title), "\n%s: wake-up to run delay",
			 row_name(r));
		swc_hist_print(f, title, ls->hist_delay, SWC_HIST_SLOTS);
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
		jw_u64(j, swc_kind_name(k), gs->by_kind[k]);
	jw_obj_end(j);
	/* the rest from the counting pass (see latency_stats()) */
	jw_double(j, "syscalls_per_switch", syscalls_per_switch(r));
	jw_u64(j, "wakeups", latency_stats(r)->wakeups);
	json_hist_summary(j, "run_ns", latency_stats(r)->hist_run, latency_stats(r)->run_ns_sum);
	json_hist_summary(j, "off_ns", latency_stats(r)->hist_off, latency_stats(r)->off_ns_sum);
	json_hist_summary(j, "wakeup_delay_ns", latency_stats(r)->hist_delay,
			  latency_stats(r)->delay_ns_sum);
	jw_obj_end(j);
}

/* "config": what was asked for, in --json and in the CSV's metadata alike. */
static void json_config(struct swc_json *j, const struct run_env *env)
{
	jw_obj_begin(j, "config");
	jw_u64(j, "round_trips", env->round_trips);
	jw_u64(j, "repeats", env->repeats);
	jw_u64(j, "warmup_round_trips", env->warmup);
	jw_arr_begin(j, "cpus");
	for (int i = 0; i < env->ncpus; i++)
		jw_i64(j, NULL, env->cpus[i]);
	jw_arr_end(j);
	jw_str(j, "ipc", ipc_name(env->ipc));
	jw_arr_begin(j, "workloads");
	for (int i = 0; i < env->nwl; i++)
		jw_str(j, NULL, swc_workload_name(env->order[i]));
	jw_arr_end(j);
	jw_bool(j, "bpf", !env->no_bpf);
	jw_bool(j, "allow_drops", env->allow_drops);
	jw_obj_end(j);
}

/* ---- per-switch CSV (--csv) ------------------------------------------------------------ */

static int csv_on_record(void *ctx, const struct swc_switch_rec *rec)
{
	struct csv_ctx *cc = ctx;
	const char *wl = rec->group < 4 * SWC_WL_NR ? cc->names[rec->group] : NULL;
	int err;

	err = csv__write(cc->csv, rec, wl);
	if (err) {
		if (!cc->failed)
			fprintf(stderr, "switchcost: writing %s: %s; the run is stopped and no "
					"file is left under that name\n", cc->path, strerror(-err));
		cc->failed = true;
		return err;
	}
	cc->by_kind[rec->kind < SWC_KIND_NR ? rec->kind : SWC_KIND_NR]++;
	if (rec->group == SWC_NO_GROUP)
		cc->unwatched++;
	return 0;
}

/* The workload column: group g < SWC_WL_NR is workload g's timed pass, SWC_WL_NR + g its
 * probed pass ("coroutine:probed"); a switch of no watched task (--all-tasks) has none. */
static void csv_ctx_init(struct csv_ctx *cc, const char *path)
{
	memset(cc, 0, sizeof(*cc));
	swc_outfile_init(&cc->meta);
	cc->path = strcmp(path, "-") ? path : "stdout";
	for (int g = 0; g < SWC_WL_NR; g++) {
		cc->names[g] = swc_workload_name(g);
		snprintf(cc->probed[g], sizeof(cc->probed[g]), "%s:probed", swc_workload_name(g));
		cc->names[PROBE_GROUP(g)] = cc->probed[g];
	}
	cc->names[IBPB_GROUP(SWC_WL_PROCESS)] = "process+ibpb";
	cc->names[IBPB_GROUP(SWC_WL_THREAD)] = "thread+ibpb";
	for (int g = SWC_WL_PROCESS; g <= SWC_WL_THREAD; g++) {
		snprintf(cc->ibpb_probed[g], sizeof(cc->ibpb_probed[g]), "%s:probed",
			 cc->names[IBPB_GROUP(g)]);
		cc->names[PROBE_GROUP(IBPB_GROUP(g))] = cc->ibpb_probed[g];
	}
}

static unsigned long long csv_sched_rows(const struct csv_ctx *cc)
{
	unsigned long long sum = 0;

	for (int k = 0; k <= SWC_KIND_NR; k++)
		if (k != SWC_KIND_COROUTINE)
			sum += cc->by_kind[k];
	return sum;
}

/* Switches and coroutine switches the BPF side counted in one group: each switch once per
 * group, so the group's rows, unless records were dropped. */
static void group_counts(struct swc_watch *w, __u32 group, unsigned long long *sched,
			 unsigned long long *coro)
{
	struct swc_group_stats gs;

	*sched = *coro = 0;
	if (watch__group_stats(w, group, &gs))
		return;
	for (int k = 0; k < SWC_KIND_NR; k++)
		if (k != SWC_KIND_COROUTINE)
			*sched += gs.by_kind[k];
	*coro = gs.by_kind[SWC_KIND_COROUTINE];
}

static void json_csv(struct swc_json *j, const struct run_env *env, const struct csv_ctx *cc)
{
	jw_obj_begin(j, "csv");
	jw_str(j, "path", env->csv);
	if (strcmp(env->csv, "-")) {
		char meta[PATH_MAX];

		snprintf(meta, sizeof(meta), "%s.meta.json", env->csv);
		jw_str(j, "metadata", meta);
	} else {
		jw_null(j, "metadata");
	}
	jw_u64(j, "rows", csv_sched_rows(cc) + cc->by_kind[SWC_KIND_COROUTINE]);
	jw_u64(j, "sched_rows", csv_sched_rows(cc));
	jw_u64(j, "coroutine_rows", cc->by_kind[SWC_KIND_COROUTINE]);
	jw_u64(j, "unwatched_rows", cc->unwatched);
	jw_obj_begin(j, "rows_by_kind");
	for (int k = 0; k < SWC_KIND_NR; k++)
		jw_u64(j, swc_kind_name(k), cc->by_kind[k]);
	jw_obj_end(j);
	jw_u64(j, "ringbuf_bytes", env->ringbuf_bytes);
	jw_bool(j, "all_tasks", env->all_tasks);
	jw_obj_end(j);
}

/*
 * FILE.meta.json beside the CSV: what the CSV cannot hold without comment lines. Written
 * like the CSV (temporary file, renamed into place), after it. Returns 0 or -errno.
 */
static int open_meta(struct csv_ctx *cc, const char *csv_path)
{
	char *path;
	int err;

	if (asprintf(&path, "%s.meta.json", csv_path) < 0)
		return -ENOMEM;
	err = swc_outfile_open(&cc->meta, path);
	free(path);
	return err;
}

static int write_meta(const struct run_env *env, const struct swc_sysinfo *si,
		      struct swc_watch *w, const struct swc_counters *ctr,
		      struct csv_ctx *cc, bool interrupted, int exit_status)
{
	unsigned long long sched, coro, sched_total = 0, coro_total = 0;
	struct swc_outfile *out = &cc->meta;
	struct swc_json j;
	char *path, *buf = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	if (asprintf(&path, "%s.meta.json", env->csv) < 0)
		return -ENOMEM;
	f = open_memstream(&buf, &len);
	if (!f) {
		free(path);
		return -ENOMEM;
	}
	swc_report_json_begin(&j, f, "run", si);
	json_config(&j, env);
	json_csv(&j, env, cc);
	jw_arr_begin(&j, "groups");
	for (int g = 0; g < 4 * SWC_WL_NR; g++) {
		if (!cc->names[g])
			continue;
		group_counts(w, g, &sched, &coro);
		sched_total += sched;
		coro_total += coro;
		if (!sched && !coro)
			continue;
		jw_obj_begin(&j, NULL);
		jw_str(&j, "workload", cc->names[g]);
		jw_str(&j, "pass", g % (2 * SWC_WL_NR) < SWC_WL_NR ? "timed" : "probed");
		jw_u64(&j, "sched_switches", sched);
		jw_u64(&j, "coroutine_switches", coro);
		jw_obj_end(&j);
	}
	jw_arr_end(&j);
	jw_obj_begin(&j, "bpf");
	jw_u64(&j, "sched_switches", sched_total);
	jw_u64(&j, "coroutine_switches", coro_total);
	jw_u64(&j, "events_dropped", ctr ? ctr->events_dropped : 0);
	jw_u64(&j, "tasks_untracked", ctr ? ctr->tasks_full : 0);
	jw_u64(&j, "processes_unwatched", ctr ? ctr->watch_full : 0);
	jw_obj_end(&j);
	jw_bool(&j, "interrupted", interrupted);
	jw_i64(&j, "exit_status", exit_status);
	jw_obj_end(&j);
	jw_finish(&j);
	if (fclose(f) || !buf) {
		free(buf);
		free(path);
		return -ENOMEM;
	}
	err = 0;
	for (size_t done = 0; done < len;) {
		ssize_t k = write(out->fd, buf + done, len - done);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			err = -errno;
			fprintf(stderr, "switchcost: writing %s: %s\n", path, strerror(errno));
			break;
		}
		done += k;
	}
	if (swc_outfile_commit(out, !err) && !err)
		err = -EIO;
	free(buf);
	free(path);
	return err;
}

/*
 * The record consumer (this process) formats up to a million rows a second: on the parties'
 * CPU it would compete with the very switches it records and slow them. With both parties on
 * one CPU and another CPU we may use, it moves there for the run; saved holds the old mask.
 */
static bool pin_consumer(const struct run_env *env, cpu_set_t *saved)
{
	cpu_set_t set;

	if (env->ncpus != 1 || sched_getaffinity(0, sizeof(*saved), saved))
		return false;
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (c == env->cpus[0] || !CPU_ISSET(c, saved))
			continue;
		CPU_ZERO(&set);
		CPU_SET(c, &set);
		return !sched_setaffinity(0, sizeof(set), &set);
	}
	return false;
}

static void print_json(const struct run_env *env, const struct swc_sysinfo *si,
		       const struct row *rows, int n, const struct swc_counters *ctr,
		       const struct csv_ctx *cc, FILE *f)
{
	struct swc_json j;
	char buf[256];

	swc_report_json_begin(&j, f, "run", si);
	json_config(&j, env);
	jw_arr_begin(&j, "results");
	for (int i = 0; i < n; i++) {
		const struct row *r = &rows[i];

		jw_obj_begin(&j, NULL);
		jw_str(&j, "workload", row_name(r));
		jw_bool(&j, "ok", r->rr.ok);
		if (r->unavailable) {
			snprintf(buf, sizeof(buf), "not available: %s", r->why);
			jw_str(&j, "error", buf);
			jw_obj_end(&j);
			continue;
		}
		if (!r->rr.ok) {
			jw_str(&j, "error", r->ran ? swc_describe_status(r->rr.status, buf,
									 sizeof(buf))
						   : "not run");
			jw_obj_end(&j);
			continue;
		}
		jw_bool(&j, "valid", r->val.valid);
		jw_arr_begin(&j, "reasons");
		for (int k = 0; k < r->val.nreasons; k++)
			jw_str(&j, NULL, r->val.reasons[k]);
		jw_arr_end(&j);
		jw_obj_begin(&j, "validity");
		jw_double(&j, "repeat_spread", r->val.spread);
		jw_double(&j, "cpu_share", r->val.cpu_share);
		if (outside_switches(r) >= 0)
			jw_i64(&j, "outside_switches", outside_switches(r));
		else
			jw_null(&j, "outside_switches");
		jw_double(&j, "steal_ns", r->steal_ns);
		jw_double(&j, "wall_ns", r->wall_ns);
		jw_obj_end(&j);
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
		if (swc_workload_handoff(r->id, env->ipc))
			jw_str(&j, "handoff", swc_workload_handoff(r->id, env->ipc));
		if (r->id == SWC_WL_SYSCALL)
			jw_str(&j, "syscall", SWC_SYSCALL_ROW_NAME);
		if (r->have_bpf)
			json_kernel(&j, "kernel", &r->gs, r);
		else
			jw_null(&j, "kernel");
		jw_u64(&j, "rusage_voluntary", r->rr.ru.ru_nvcsw);
		jw_u64(&j, "rusage_involuntary", r->rr.ru.ru_nivcsw);
		if (r->have_bpf) {
			struct swc_agreement ag;

			agreement(r, &ag);
			swc_agreement_json(&j, &ag);
		} else {
			jw_u64(&j, "rusage_switches",
			       (unsigned long long)r->rr.ru.ru_nvcsw + r->rr.ru.ru_nivcsw);
		}
		if (r->probed) {
			jw_obj_begin(&j, "probe_pass");
			jw_bool(&j, "ok", r->probe_ok);
			jw_u64(&j, "switches_made", r->probe_made);
			jw_u64(&j, "uprobe_hits", r->ps.user_switches);
			jw_u64(&j, "syscalls", r->ps.syscalls);
			jw_u64(&j, "kernel_switches", r->ps.switches_out);
			jw_obj_end(&j);
		} else if (r->probe_skipped[0]) {
			jw_obj_begin(&j, "probe_pass");
			jw_str(&j, "not_measured", r->probe_skipped);
			jw_obj_end(&j);
		}
		jw_obj_end(&j);
	}
	jw_arr_end(&j);
	{
		const struct row *p = find_row(rows, n, SWC_WL_PROCESS);
		const struct row *t = find_row(rows, n, SWC_WL_THREAD);
		char why[512] = "";

		if (p && t)
			swc_addrspace_explain(&si->as, p->per_switch.median,
					      t->per_switch.median, why, sizeof(why));
		jw_str(&j, "process_vs_thread", why[0] ? why : NULL);
		/* the sentence stands on the two rows: say when either is not to be trusted */
		jw_bool(&j, "process_vs_thread_valid", p && t && p->val.valid && t->val.valid);
	}
	if (ctr)
		swc_report_json_bpf(&j, ctr);
	swc_self_json(&j);
	if (cc)
		json_csv(&j, env, cc);
	jw_obj_end(&j);
	jw_finish(&j);
}

/* Why process and thread differ (or not) here, from the address-space facts and this run. */
static void print_process_vs_thread(const struct swc_sysinfo *si, const struct row *rows, int n,
				    FILE *f)
{
	const struct row *p = find_row(rows, n, SWC_WL_PROCESS), *t = find_row(rows, n, SWC_WL_THREAD);
	char why[512];

	if (p && t && swc_addrspace_explain(&si->as, p->per_switch.median, t->per_switch.median,
					    why, sizeof(why))[0])
		fprintf(f, "\n%s%s\n", why, p->val.valid && t->val.valid ? "" :
			" Yet a row of the two is marked '!': trust this ratio after a quiet run.");
}

/* One line per row judged invalid: what interfered, and how to get a quiet run. */
static void print_invalid(const struct row *rows, int n, FILE *f)
{
	bool any = false;

	for (int i = 0; i < n; i++) {
		const struct row *r = &rows[i];

		if (!r->rr.ok || r->val.valid)
			continue;
		fprintf(f, "%s! %s: not a clean measurement: ", any ? "" : "\n", row_name(r));
		for (int k = 0; k < r->val.nreasons; k++)
			fprintf(f, "%s%s", k ? "; " : "", r->val.reasons[k]);
		fprintf(f, "\n");
		any = true;
	}
	if (any)
		fprintf(f, "! %s.\n", swc_validity_advice());
}

/* What asking for IBPB did to each --ibpb row, or why this kernel would not let it. */
static void print_ibpb(const struct row *rows, int n, FILE *f)
{
	for (int i = 0; i < n; i++) {
		const struct row *r = &rows[i], *plain = find_row(rows, n, r->id);

		if (!r->ibpb)
			continue;
		if (r->unavailable)
			fprintf(f, "%s not available: %s.\n", row_name(r), r->why);
		else if (r->rr.ok && plain && plain->per_switch.median > 0)
			fprintf(f, "%s: %.2f× %s, with IBPB asked for by both parties%s.\n",
				row_name(r), r->per_switch.median / plain->per_switch.median,
				row_name(plain), r->id == SWC_WL_THREAD ?
				" (one address space: no barrier between threads)" :
				" (a barrier on every change of address space)");
	}
}

/* Says what the reference rows are, and the coroutine against its floor, both measured here. */
static void print_references(const struct row *rows, int n, FILE *f)
{
	const struct row *co = find_row(rows, n, SWC_WL_COROUTINE);
	const struct row *fl = find_row(rows, n, SWC_WL_CORO_FLOOR);
	const struct row *rt = find_row(rows, n, SWC_WL_CORO_RET);
	char a[32], b[32];

	if (fl)
		fprintf(f, "coroutine-floor: the coroutine switch without its stack change, every "
			   "branch predictable: the reference a switch is held against");
	if (fl && co && fl->per_switch.median > 0) {
		/* swc_fmt_ns prints magnitudes only: the sign goes in front of it */
		double d = co->per_switch.median - fl->per_switch.median;

		fprintf(f, "; coroutine %s = %.2f× the floor (%s%s)", swc_fmt_ns(co->per_switch.median,
			a, sizeof(a)), co->per_switch.median / fl->per_switch.median,
			d < -0.005 ? "−" : "+", swc_fmt_ns(d < 0 ? -d : d, b, sizeof(b)));
	}
	if (fl)
		fprintf(f, "\n");
	if (rt) {
		fprintf(f, "coroutine-ret: the same switch ending in ret, which the return-stack "
			   "predictor misses");
		if (co)
			fprintf(f, ": a mispredict costs %s here",
				swc_fmt_ns(rt->per_switch.median - co->per_switch.median, a,
					   sizeof(a)));
		fprintf(f, "\n");
	}
	if (find_row(rows, n, SWC_WL_SYSCALL))
		fprintf(f, "syscall: %s(2) in a loop, the cheapest syscall\n", SWC_SYSCALL_ROW_NAME);
}

static void print_human(const struct run_env *env, const struct swc_sysinfo *si,
			const struct row *rows, int n, const struct swc_counters *ctr,
			const struct csv_ctx *cc, FILE *f)
{
	char why[128];

	swc_sysinfo_print(si, f);
	print_config(env, f);
	fprintf(f, "\n");
	print_table(rows, n, f);
	print_invalid(rows, n, f);
	print_process_vs_thread(si, rows, n, f);
	print_ibpb(rows, n, f);
	print_references(rows, n, f);
	if (!env->no_bpf)
		print_evidence(env, rows, n, f);
	else
		fprintf(f, "\nKernel columns n/m: not measured (--no-bpf).\n");
	for (int i = 0; i < n; i++)
		if (rows[i].ran && !rows[i].rr.ok)
			fprintf(f, "The %s workload failed: its runner %s.\n",
				row_name(&rows[i]),
				swc_describe_status(rows[i].rr.status, why, sizeof(why)));
	if (ctr && (ctr->tasks_full || ctr->watch_full))
		fprintf(f, "eBPF maps were full: %llu task(s) untracked, %llu process(es) "
			   "unwatched; counts are low.\n", (unsigned long long)ctr->tasks_full,
			(unsigned long long)ctr->watch_full);
	if (cc) {
		char a[32], b[32];

		fprintf(f, "Per-switch CSV: %s rows (%s sched_switch, %s coroutine) to %s",
			swc_fmt_count(csv_sched_rows(cc) + cc->by_kind[SWC_KIND_COROUTINE], a,
				      sizeof(a)),
			swc_fmt_count(csv_sched_rows(cc), b, sizeof(b)),
			swc_fmt_count(cc->by_kind[SWC_KIND_COROUTINE], why, sizeof(why)),
			cc->path);
		if (strcmp(env->csv, "-"))
			fprintf(f, ", metadata in %s.meta.json", env->csv);
		fprintf(f, "; eBPF events dropped: %llu\n",
			ctr ? (unsigned long long)ctr->events_dropped : 0ULL);
	}
	if (env->hist)
		print_hists(rows, n, f);
}

int cmd_run(int argc, char **argv)
{
	struct run_env env = { .ipc = SWC_IPC_FUTEX };
	/* timed passes count and classify only; the counting pass adds the rest */
	struct swc_watch_opts wopts = { .lean = true, .aggregate_only = true };
	struct swc_counters ctr, *ctrp = NULL;
	struct row rows[SWC_WL_NR + 2];
	struct swc_watch *w = NULL;
	struct swc_sysinfo si;
	int rc, r, err = 0, n = 0;
	bool failed = false, interrupted, pinned = false, csv_kept = false;
	struct csv_ctx cc = { 0 }, *ccp = NULL;
	cpu_set_t saved_cpus;
	char a[32];

	swc_outfile_init(&cc.meta);
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
	if (env.csv) {
		csv_ctx_init(&cc, env.csv);
		/* before the BPF side: a refused target costs nothing and leaves nothing */
		cc.csv = csv__open(env.csv);
		if (!cc.csv)
			return 1;
		/* the metadata's target is checked (and held) now too, not after the run */
		if (strcmp(env.csv, "-") && open_meta(&cc, env.csv)) {
			csv__close(cc.csv, false);
			return 1;
		}
		ccp = &cc;
		wopts.emit = true;
		wopts.all_tasks = env.all_tasks;
		wopts.ringbuf_bytes = env.ringbuf_bytes;
		wopts.on_record = csv_on_record;
		wopts.ctx = &cc;
		pinned = pin_consumer(&env, &saved_cpus);
	}
	if (!env.no_bpf) {
		wopts.verbose = env.verbose;
		w = watch__open(&wopts);
		if (!w) {
			rc = 1;
			goto cleanup;
		}
	}
	if (env.ws) {
		env.ws_opts.cpu = env.cpus[0];
		rc = swc_run_ws(&env.ws_opts, env.json, env.strict, &si, w);
		goto cleanup;
	}
	memset(rows, 0, sizeof(rows));
	for (int i = 0; i < env.nwl && !stop_requested; i++) {
		rows[n].id = env.order[i];
		rows[n].group = env.order[i];
		err = run_workload(&env, w, &rows[n]);
		n++;
		if (err)
			break;
	}
	/* the --ibpb variants after the plain rows, so the table reads them side by side */
	for (int i = 0; env.ibpb && !err && i < env.nwl && !stop_requested; i++) {
		struct row *v = &rows[n];

		if (env.order[i] != SWC_WL_PROCESS && env.order[i] != SWC_WL_THREAD)
			continue;
		v->id = env.order[i];
		v->group = IBPB_GROUP(v->id);
		v->ibpb = true;
		n++;
		if (!swc_ibpb_available(&si.as, v->why, sizeof(v->why))) {
			v->unavailable = true;
			continue;
		}
		err = run_workload(&env, w, v);
	}
	interrupted = stop_requested || err == -EINTR;
	/* the rows already received, the runners' last switches among them, are written even
	 * after a stop request */
	if (w && ccp && !cc.failed) {
		r = records__drain(w, 0);
		if (r < 0 && !err)
			err = r;
	}
	if (w && !watch__counters(w, &ctr))
		ctrp = &ctr;
	if (ccp) {
		csv_kept = !cc.failed && (interrupted || !err);
		if (csv__close(cc.csv, csv_kept)) {
			csv_kept = false;
			if (!err)
				err = -EIO;
		}
		cc.csv = NULL;
	}
	if (interrupted) {
		fprintf(stderr, "switchcost: interrupted by %s: workloads stopped, nothing left "
				"running", strsignal(stop_requested ? stop_requested : SIGINT));
		if (csv_kept)
			fprintf(stderr, "; the %s rows received so far are in %s", swc_fmt_count(
				csv_sched_rows(&cc) + cc.by_kind[SWC_KIND_COROUTINE], a, sizeof(a)),
				cc.path);
		fprintf(stderr, "\n");
		rc = swc_signal_exit_code(stop_requested ? stop_requested : SIGINT);
	} else if (err) {
		rc = 1;
	} else {
		/* with --csv -, stdout carries the CSV and the summary goes to stderr */
		FILE *out = env.csv && !strcmp(env.csv, "-") ? stderr : stdout;

		if (env.json)
			print_json(&env, &si, rows, n, ctrp, ccp, out);
		else
			print_human(&env, &si, rows, n, ctrp, ccp, out);
		for (int i = 0; i < n; i++)
			if ((!rows[i].rr.ok && !rows[i].unavailable) ||
			    (rows[i].probed && !rows[i].probe_ok))
				failed = true;
		rc = failed ? 1 : 0;
		for (int i = 0; env.strict && !rc && i < n; i++)
			if (rows[i].rr.ok && !rows[i].val.valid)
				rc = EXIT_INVALID;
		if (ccp && ctrp && ctrp->events_dropped) {
			fprintf(stderr, "switchcost: %s switch records were lost (ring buffer "
					"full), so %s lacks them: give a larger --ringbuf-size "
					"(now %lu%s)%s\n",
				swc_fmt_count(ctrp->events_dropped, a, sizeof(a)), cc.path,
				env.ringbuf_bytes >> (env.ringbuf_bytes >> 20 ? 20 : 10),
				env.ringbuf_bytes >> 20 ? "M" : "K", env.allow_drops ? "" :
				", or --allow-drops to accept that (exit status 3)");
			if (!rc && !env.allow_drops)
				rc = EXIT_DROPS;
		}
	}
	if (csv_kept && strcmp(env.csv, "-") &&
	    write_meta(&env, &si, w, ctrp, &cc, interrupted, rc) && !rc)
		rc = 1;
cleanup:
	if (pinned)
		sched_setaffinity(0, sizeof(saved_cpus), &saved_cpus);
	csv__close(cc.csv, false);	/* still open only on a failure: its file goes */
	swc_outfile_commit(&cc.meta, false);	/* likewise; a no-op once committed */
	watch__close(w);
	return rc;
}
