// SPDX-License-Identifier: GPL-2.0-only
/* switchcost run's command line: its help, options and their checks. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "parse.h"
#include "report.h"
#include "run.h"
#include "sysinfo.h"
#include "validity.h"

static const enum swc_workload_id default_order[] = {
	SWC_WL_PROCESS, SWC_WL_THREAD, SWC_WL_COROUTINE, SWC_WL_CORO_FLOOR, SWC_WL_CORO_RET,
	SWC_WL_UCONTEXT, SWC_WL_SYSCALL,
};
_Static_assert(sizeof(default_order) / sizeof(default_order[0]) == SWC_WL_NR,
	       "every workload runs by default");

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
"      --html FILE       the same results drawn as one self-contained page (switchcost\n"
"                        report's); --anonymous: no host name in --json (host.id stays)\n"
"      --hist            log2 histograms of run, off-CPU and wake-up-to-run times\n"
"      --no-bpf          no eBPF, no root needed: kernel columns are not measured\n"
"      --csv FILE        one row per switch (and per counted coroutine switch) to FILE,\n"
"                        '-' for stdout, FILE.gz gzip-compressed; metadata (config, counts,\n"
"                        drops) beside it in FILE.meta.json. See docs/CSV.md\n"
"      --ringbuf-size N  ring buffer for --csv, a power of two: 4K .. 1G (default 8M)\n"
"      --allow-drops     exit 0 even when switch records were lost (otherwise exit %d)\n"
"      --all-tasks       with --csv: every switch on the machine, not only the workloads'\n"
"      --strict          exit %d when a row is judged invalid (marked '!': a busy CPU,\n"
"                        repeats spread over %.1fx, steal over %.0f%%)\n"
"      --ibpb            also rows process+ibpb and thread+ibpb: both parties ask for IBPB\n"
"                        (prctl PR_SPEC_INDIRECT_BRANCH), where the kernel allows it\n"
"      --wide            tables and text as wide as they are (on a terminal they fit 100\n"
"                        columns: the table leaves out switches, kernel sw, vol / invol,\n"
"                        syscalls/sw, and longer lines are wrapped)\n"
"      --pmu[=software]  per switch, from the counting pass: instructions, cache misses\n"
"                        and dTLB read misses (perf_event_open; says so where there is no\n"
"                        PMU); =software: task-clock, context switches, page faults\n"
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

int run_parse_args(struct run_env *env, int argc, char **argv)
{
	enum { OPT_WARMUP = 256, OPT_QUICK, OPT_CPUS, OPT_IPC, OPT_JSON, OPT_HIST, OPT_NO_BPF,
	       OPT_ALL_TASKS, OPT_IBPB, OPT_STRICT, OPT_WS, OPT_PMU, OPT_WIDE, OPT_HTML };
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
		SWC_CSVSINK_OPTIONS,
		{ "all-tasks", no_argument, NULL, OPT_ALL_TASKS },
		{ "ibpb", no_argument, NULL, OPT_IBPB },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "ws", required_argument, NULL, OPT_WS },
		{ "pmu", optional_argument, NULL, OPT_PMU },
		{ "wide", no_argument, NULL, OPT_WIDE },
		{ "html", required_argument, NULL, OPT_HTML },
		SWC_COMMON_OPTIONS,
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
			if ((rc = swc_cpus_option("run", optarg, 2, "takes one or two CPUs",
						  "0 or 0,1", env->cpus, &env->ncpus)))
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
		case SWC_OPT_CSV:
		case SWC_OPT_RINGBUF:
		case SWC_OPT_ALLOW_DROPS:
			if ((rc = swc_csvsink_option("run", c, optarg, &env->csv,
						     &env->ringbuf_bytes, &env->allow_drops)))
				return rc;
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
		case OPT_WIDE:
			env->wide = true;
			break;
		case OPT_PMU:
			env->pmu = true;
			if (!optarg || !strcmp(optarg, "hardware"))
				env->pmu_kind = SWC_PMU_HARDWARE;
			else if (!strcmp(optarg, "software"))
				env->pmu_kind = SWC_PMU_SOFTWARE;
			else
				return usage_error("--pmu is hardware (the default) or software, "
						   "not '%s'", optarg);
			break;
		case OPT_HTML:
			if ((rc = swc_file_option("run", "--html", optarg)))
				return rc;
			env->html = optarg;
			break;
		case OPT_WS:
			if ((rc = swc_run_ws_parse(optarg, &env->ws_opts)))
				return rc;
			env->ws = optarg;
			break;
		default:	/* --anonymous, -v, -h, or not an option of ours */
			if ((rc = swc_common_option("run", c, argv, &env->verbose, usage)))
				return rc;
			break;
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
	if (env->pmu && env->no_bpf)
		return usage_error("--pmu counts in the counting pass, which --no-bpf skips: give "
				   "one of them");
	if (env->pmu && env->ws)
		return usage_error("--pmu counts run's rows, not the --ws sweep: give one of them");
	if (env->hist && env->no_bpf)
		return usage_error("--hist draws what eBPF measured, which --no-bpf turns off: "
				   "give one of them");
	if (env->html && env->ws)
		return usage_error("--html draws the workloads' rows and --ws replaces them with "
				   "a sweep: give either");
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
	if (!env->csv && env->allow_drops)
		return usage_error("--allow-drops is about records lost from --csv: add --csv FILE");
	if (env->csv && strcmp(env->csv, "-") &&
	    strlen(strrchr(env->csv, '/') ? strrchr(env->csv, '/') + 1 : env->csv) +
	    strlen(".meta.json") > NAME_MAX)
		return usage_error("--csv %s: the name is too long for its sidecar NAME.meta.json: "
				   "give a file name of at most %zu bytes", env->csv,
				   NAME_MAX - strlen(".meta.json"));
	if (env->csv && !env->ringbuf_bytes)
		env->ringbuf_bytes = SWC_CSV_DEFAULT_RINGBUF;
	if (env->ncpus == 0) {
		if (swc_allowed_cpus(env->cpus, 1) != 1)
			env->cpus[0] = 0;
		env->ncpus = 1;
	}
	return 0;
}
