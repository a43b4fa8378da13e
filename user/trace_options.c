// SPDX-License-Identifier: GPL-2.0-only
/*
 * switchcost trace's command line: its help, its options and their checks, into struct
 * trace_env. Nothing here touches BPF: a usage error costs nothing and leaves nothing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "csvsink.h"
#include "offcpu.h"
#include "parse.h"
#include "report.h"
#include "trace.h"
#include "watch.h"

/* Room for 43,000 records, 130 ms at full rate, where the consumer takes them every 10 ms.
 * Not more: the consumer's mapping of the ring is resident, so 8 MiB took peak RSS (VmHWM) to
 * 21.3 MB against 14.8 MB at 4 MiB (target 16); and a large ring misses the caches at every
 * record (bpf_stats, loaded: on_switch 407 / 412 ns at 4 MiB, 467 / 820 ns at 8 MiB, 517 /
 * 668 ns at 32 MiB). */
#define CSV_RINGBUF	(4UL << 20)

static void usage(FILE *f)
{
	fprintf(f,
"Usage: switchcost trace [OPTIONS] [INTERVAL] -- CMD [ARGS...]\n"
"       switchcost trace [OPTIONS] -p PID[,PID...] [-d SECONDS | INTERVAL [COUNT]]\n"
"       switchcost trace [OPTIONS] -a | -t TID [-d SECONDS | INTERVAL [COUNT]]\n"
"\n"
"Starts CMD, watches it and every descendant from birth with eBPF on sched_switch, and on\n"
"exit prints each thread's switches (voluntary/involuntary) and on- and off-CPU time (with\n"
"--latency, its wake-up-to-run delay too), the switches by kind (process, thread, idle,\n"
"kernel), wall and CPU time, and CMD's exit status, which is also switchcost's. Under\n"
"sudo, CMD runs as the invoking user (SUDO_UID, SUDO_GID, its groups and HOME).\n"
"\n"
"Options:\n"
"  -p, --pid PID[,PID...]  trace running processes (their threads, and children from now)\n"
"  -a, --all               every task on the machine: the top processes and threads by\n"
"                          switches, and the machine's totals (aggregated in BPF)\n"
"      --latency           wake-up to run per task too (p50, p99, max and when), the\n"
"                          run-queue latency: one more eBPF program, run by every\n"
"                          wake-up on the machine; without it that reads \"not\n"
"                          measured\". With -a, on- and off-CPU time too\n"
"      --top N             with -a: rows of each table (default 10)\n"
"  -t, --tid TID           one thread only (alone: that thread, wherever it is)\n"
"      --comm NAME         tasks named NAME only (alone: every such task on the machine)\n"
"      --cgroup PATH       tasks in this cgroup v2 or below it, as a path or as\n"
"                          /proc/PID/cgroup names it (alone: every such task)\n"
"                          Filters are judged on the task each switch side is about\n"
"                          (prev or next), never on the task that happens to run the hook\n"
"  -d, --duration SECONDS  with -p or -a: stop after this long (default: Ctrl-C)\n"
"  -i, --interval SECONDS  print the switches of each interval as they happen (the last,\n"
"                          partial one too); the same as a positional INTERVAL\n"
"  COUNT                   with -p: stop after COUNT intervals (as runqlat 1 10)\n"
"  -T, --timestamp         the time of day on each interval line (to the ms when the\n"
"                          interval is not whole seconds)\n"
"      --hist              log2 histograms of on-CPU time, off-CPU time and wake-up to run\n"
"                          (as runqlat and cpudist); implies --latency\n"
"  -P, --pids              a wake-up-to-run histogram per process; implies --latency\n"
"  -L, --tids              a wake-up-to-run histogram per thread; implies --latency\n"
"  -m, --milliseconds      histograms in msecs (default: the unit that fits)\n"
"      --syscalls          count syscalls and wake-ups too (two more eBPF programs, run\n"
"                          by every syscall and wake-up on the machine; without it they\n"
"                          read \"not measured\")\n"
"      --max-tasks N       rows of the per-task table (default %u, %u bytes each); tasks\n"
"                          beyond it are counted, and the report says it is incomplete\n"
"      --uprobe BINARY:SYMBOL\n"
"                          count calls of a function as user-space (coroutine) switches,\n"
"                          e.g. libc.so.6:swapcontext; repeatable\n"
"      --usdt BINARY:PROVIDER:PROBE\n"
"                          the same for a USDT probe; repeatable\n"
"      --asyncio           count CPython asyncio task steps (CMD is a python3 binary)\n"
"      --stacks            off-CPU stacks: the user and kernel stack of each switch out,\n"
"                          off-CPU time summed per stack in BPF, the top stacks printed\n"
"                          after the report, symbolised (user frames need frame pointers);\n"
"                          with -a, of every task.\n"
"                          It costs ~10 us per switch out of a traced task (see below)\n"
"      --folded FILE       with --stacks: write them as folded lines (comm;user;kernel\n"
"                          frames, root first, then off-CPU MICROSECONDS) for\n"
"                          flamegraph.pl or speedscope; implies --stacks\n"
"      --stack-storage-size N\n"
"                          stacks the BPF stack map holds (default %u, as offcputime);\n"
"                          stacks it has no room for are counted as lost\n"
"      --stacks-top N      stacks printed (default %u)\n"
"      --as-root           run CMD as root even under sudo\n"
"      --json              one JSON document on stdout; CMD's own stdout goes to stderr,\n"
"                          so stdout carries the JSON document only. With an interval:\n"
"                          JSON lines, one document per interval, then the summary\n"
"      --csv FILE          every switch as a CSV row (.gz to compress); - for stdout,\n"
"                          and then the report, -i lines and CMD's own stdout go to stderr;\n"
"                          metadata (command, counts, drops) beside it in FILE.meta.json\n"
"      --ringbuf-size N    ring buffer for --csv, a power of two: 4K .. 1G (default 4M)\n"
"      --allow-drops       exit as CMD did even when switch records were lost (otherwise\n"
"                          %d when CMD exits 0)\n"
"      --strict            exit 4 when CMD exits 0 but the trace is judged invalid ('!':\n"
"                          its tasks preempted by busy tasks outside it, or steal)\n"
"      --html FILE         a page of it at the end: a timeline per thread, the switches by\n"
"                          kind, probe hits, the thread table, histograms (keeps 32 bytes\n"
"                          a switch in memory); implies --latency\n"
"      --perfetto FILE     every switch as Chrome JSON trace events (ui.perfetto.dev);\n"
"                          implies --latency (a woken thread's wait to run)\n"
"      --anonymous         no host name in --json (host.id stays)\n"
"  -v, --verbose           libbpf and verifier messages on stderr\n"
"  -h, --help              this help\n"
"\n"
"A probe hit traps into the kernel (microseconds on a VM): timings taken while --uprobe,\n"
"--usdt or --asyncio are attached are inflated; the counts are exact. The probe sits in\n"
"the file, so every process on the machine that runs the function traps too while the\n"
"trace lasts: the report counts those hits apart (\"more by processes outside the trace\").\n"
"\n"
"--stacks walks two stacks at every switch out of a traced task. Measured with bpf_stats\n"
"(BPF run time per switch out, pinned ping-pong, 2-vCPU KVM guest, kernel 6.18, loaded\n"
"machine): ~10.4 us (kernel stack ~3.4, user stack ~7.5), against ~0.4 us for trace's\n"
"own program; scripts/bench has its row.\n"
"User stacks are walked by frame pointer: code built without them (most of Debian's\n"
"binaries) hides its callers, and the output says when a stack looks truncated.\n"
"\n"
"Exit status: CMD's own; 128+N if signal N killed it (Ctrl-C is passed on to CMD, so it\n"
"is 130 if CMD dies of it); 127 if CMD is not found, 126 if it cannot be run. With -p: 0\n"
"when the trace ends (-d, Ctrl-C, SIGTERM, SIGHUP, or every process gone). 1 when the\n"
"trace itself fails (a CSV or BPF read error turns CMD's 0 into 1); 2 on a usage error;\n"
"4 with --strict when CMD's 0 would be returned but the trace was judged invalid.\n"
"\n"
"Examples:\n"
"  sudo switchcost trace -- python3 examples/notes.py async\n"
"  sudo switchcost trace --latency -- make -j2\n"
"  sudo switchcost trace --uprobe libc.so.6:swapcontext -- ./examples/ucontext\n"
"  sudo switchcost trace -p 1234 -d 10 -i 1\n"
"  sudo switchcost trace -T -p 1234 0.5 20\n"
"  sudo switchcost trace -P -m -- make -j2\n"
"  sudo switchcost trace --stacks --folded out.folded -- ./server\n"
"  sudo switchcost trace -a --latency 5 1\n"
"  sudo switchcost trace --cgroup system.slice/cron.service -d 10\n",
		WATCH_MAX_TASKS, (unsigned int)sizeof(struct swc_task), OFFCPU_STORAGE_DEFAULT,
		OFFCPU_TOP_DEFAULT, SWC_EXIT_DROPS);
}

/* one line on stderr, exit status 2 */
#define usage_error(...) swc_usage_error("trace", __VA_ARGS__)

static int parse_seconds(const char *opt, const char *arg, __u64 *ns)
{
	if (swc_parse_duration_ns(arg, ns))
		return usage_error("%s wants a duration such as 5, 0.5 or 200ms, not '%s'", opt,
				   arg);
	return 0;
}

static int add_probe(struct trace_env *env, enum trace_probe_type type, const char *spec)
{
	int rc;

	if (env->nprobes == SWC_MAX_PROBES)
		return usage_error("at most %d --uprobe/--usdt/--asyncio probes", SWC_MAX_PROBES);
	rc = trace_probe_parse(&env->probes[env->nprobes], type, spec);
	if (rc)
		return rc == -2 ? 2 : 1;
	env->nprobes++;
	return 0;
}

/* A whole number from min to max, nothing around it. */
static int parse_uint(const char *arg, unsigned int min, unsigned int max, unsigned int *out)
{
	unsigned long v;

	if (swc_parse_ulong(arg, min, max, &v))
		return -1;
	*out = (unsigned int)v;
	return 0;
}

/* A positional INTERVAL or COUNT: "1", "0.5", "200ms"; never an option or a path. */
static bool looks_numeric(const char *s)
{
	return (s[0] >= '0' && s[0] <= '9') || (s[0] == '.' && s[1] >= '0' && s[1] <= '9');
}

/* -a, -t or a filter without CMD or -p: what follows the options is INTERVAL [COUNT]. */
static bool standalone(const struct trace_env *env)
{
	return env->all || env->tid || env->comm || env->cgroup;
}

/* A whole number from 1 to max for option opt; prints the usage error. */
static int parse_count(const char *opt, const char *arg, unsigned long max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || arg[0] == '-' || !arg[0] || v < 1 || v > max)
		return usage_error("%s wants a whole number from 1 to %lu, not '%s'", opt, max,
				   arg);
	*out = (unsigned int)v;
	return 0;
}

/* getopt stopped after "--": what follows is CMD, numbers included. */
static bool after_dashdash(char **argv, int optind_now)
{
	return optind_now > 1 && !strcmp(argv[optind_now - 1], "--");
}

/* A "--" further on: the numbers before it are ours and CMD follows it. */
static bool dashdash_follows(int argc, char **argv, int from)
{
	for (int i = from; i < argc; i++)
		if (!strcmp(argv[i], "--"))
			return true;
	return false;
}

int trace_parse_args(struct trace_env *env, int argc, char **argv)
{
	enum { OPT_UPROBE = 256, OPT_USDT, OPT_ASYNCIO, OPT_AS_ROOT, OPT_JSON,
	       OPT_HIST, OPT_STACKS, OPT_FOLDED, OPT_STACK_STORAGE, OPT_STACKS_TOP,
	       OPT_SYSCALLS, OPT_MAX_TASKS, OPT_LATENCY, OPT_TOP, OPT_COMM, OPT_CGROUP,
	       OPT_STRICT, OPT_HTML, OPT_PERFETTO };
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 'd' },
		{ "interval", required_argument, NULL, 'i' },
		{ "timestamp", no_argument, NULL, 'T' },
		{ "hist", no_argument, NULL, OPT_HIST },
		{ "syscalls", no_argument, NULL, OPT_SYSCALLS },
		{ "all", no_argument, NULL, 'a' },
		{ "latency", no_argument, NULL, OPT_LATENCY },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "tid", required_argument, NULL, 't' },
		{ "comm", required_argument, NULL, OPT_COMM },
		{ "cgroup", required_argument, NULL, OPT_CGROUP },
		{ "max-tasks", required_argument, NULL, OPT_MAX_TASKS },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "pids", no_argument, NULL, 'P' },
		{ "tids", no_argument, NULL, 'L' },
		{ "milliseconds", no_argument, NULL, 'm' },
		{ "uprobe", required_argument, NULL, OPT_UPROBE },
		{ "usdt", required_argument, NULL, OPT_USDT },
		{ "asyncio", no_argument, NULL, OPT_ASYNCIO },
		{ "as-root", no_argument, NULL, OPT_AS_ROOT },
		{ "json", no_argument, NULL, OPT_JSON },
		SWC_CSVSINK_OPTIONS,
		{ "stacks", no_argument, NULL, OPT_STACKS },
		{ "folded", required_argument, NULL, OPT_FOLDED },
		{ "stack-storage-size", required_argument, NULL, OPT_STACK_STORAGE },
		{ "stacks-top", required_argument, NULL, OPT_STACKS_TOP },
		{ "html", required_argument, NULL, OPT_HTML },
		{ "perfetto", required_argument, NULL, OPT_PERFETTO },
		SWC_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *probe_specs[SWC_MAX_PROBES];
	enum trace_probe_type probe_types[SWC_MAX_PROBES];
	int c, n, rc, nspecs = 0, npositional = 0;
	const char *positional[2];

	opterr = 0;
	optind = 1;
	/* '+': stop at CMD, so its own options are not taken for ours */
	for (;;) {
		c = getopt_long(argc, argv, "+:p:d:i:TPLmvhat:", opts, NULL);
		if (c == -1) {
			/* [INTERVAL] [COUNT] between the options, as the libbpf-tools take
			 * them; anything else is CMD */
			if (optind < argc && npositional < 2 && !after_dashdash(argv, optind) &&
			    looks_numeric(argv[optind]) && (env->npids || standalone(env) ||
							    dashdash_follows(argc, argv, optind))) {
				positional[npositional++] = argv[optind++];
				continue;
			}
			break;
		}
		switch (c) {
		case 'p':
			n = swc_parse_pidlist(optarg, env->pids, TRACE_MAX_PIDS);
			if (n == -ERANGE)
				return usage_error("-p takes 1 to %d pids above 0, not '%s'",
						   TRACE_MAX_PIDS, optarg);
			if (n < 0)
				return usage_error("-p wants pids such as 1234 or 12,34, not '%s'",
						   optarg);
			env->npids = n;
			break;
		case 'd':
			if ((rc = parse_seconds("-d", optarg, &env->duration_ns)))
				return rc;
			break;
		case 'i':
			if ((rc = parse_seconds("-i", optarg, &env->interval_ns)))
				return rc;
			break;
		case OPT_UPROBE:
		case OPT_USDT:
			if (nspecs == SWC_MAX_PROBES)
				return usage_error("at most %d --uprobe/--usdt probes",
						   SWC_MAX_PROBES);
			probe_types[nspecs] = c == OPT_USDT ? PROBE_USDT : PROBE_UPROBE;
			probe_specs[nspecs++] = optarg;
			break;
		case 'T':
			env->timestamp = true;
			break;
		case OPT_STRICT:
			env->strict = true;
			break;
		case OPT_HIST:
			env->hist = true;
			break;
		case OPT_SYSCALLS:
			env->syscalls = true;
			break;
		case 'a':
			env->all = true;
			break;
		case OPT_LATENCY:
			env->latency = true;
			break;
		case OPT_TOP:
			if (parse_count("--top", optarg, 1000, &env->top))
				return 2;
			break;
		case 't': {
			unsigned int tid;

			if (parse_count("-t", optarg, INT_MAX, &tid))
				return 2;
			env->tid = tid;
			break;
		}
		case OPT_COMM:
			if (!optarg[0] || strlen(optarg) >= SWC_COMM_LEN)
				return usage_error("--comm wants a task name of 1 to %d bytes (as ps -o "
						   "comm shows it), not '%s'", SWC_COMM_LEN - 1, optarg);
			env->comm = optarg;
			break;
		case OPT_CGROUP:
			env->cgroup = optarg;
			break;
		case OPT_MAX_TASKS: {
			unsigned int rows;

			/* 1 M rows of 440 bytes: 440 MiB of kernel memory is already a lot */
			if (parse_count("--max-tasks", optarg, 1UL << 20, &rows))
				return 2;
			env->max_tasks = rows;
			break;
		}
		case 'P':
			env->hist_per_process = true;
			break;
		case 'L':
			env->hist_per_thread = true;
			break;
		case 'm':
			env->hist_ms = true;
			break;
		case OPT_ASYNCIO:
			env->asyncio = true;
			break;
		case OPT_AS_ROOT:
			env->as_root = true;
			break;
		case OPT_JSON:
			env->json = true;
			break;
		case SWC_OPT_CSV:
		case SWC_OPT_RINGBUF:
		case SWC_OPT_ALLOW_DROPS:
			if ((rc = swc_csvsink_option("trace", c, optarg, &env->csv_path,
						     &env->ringbuf_bytes, &env->allow_drops)))
				return rc;
			break;
		case OPT_STACKS:
			env->stacks = true;
			break;
		case OPT_FOLDED:
			if ((rc = swc_file_option("trace", "--folded", optarg)))
				return rc;
			env->folded_path = optarg;
			env->stacks = true;
			break;
		case OPT_STACK_STORAGE:
			if (parse_uint(optarg, 1, OFFCPU_STORAGE_MAX, &env->stack_storage_size))
				return usage_error("--stack-storage-size wants a number of stacks from "
						   "1 to %u, not '%s'", OFFCPU_STORAGE_MAX, optarg);
			break;
		case OPT_STACKS_TOP:
			if (parse_uint(optarg, 1, 100000, &env->stacks_top))
				return usage_error("--stacks-top wants a number of stacks from 1 to "
						   "100000, not '%s'", optarg);
			break;
		case OPT_HTML:
			if ((rc = swc_file_option("trace", "--html", optarg)))
				return rc;
			env->html_path = optarg;
			break;
		case OPT_PERFETTO:
			if ((rc = swc_file_option("trace", "--perfetto", optarg)))
				return rc;
			env->perfetto_path = optarg;
			break;
		default:	/* --anonymous, -v, -h, or not an option of ours */
			if ((rc = swc_common_option("trace", c, argv, &env->verbose, usage)))
				return rc;
			break;
		}
	}
	if (optind < argc && !strcmp(argv[optind], "--") && !after_dashdash(argv, optind))
		optind++;	/* the "--" after positional numbers */
	if (optind < argc)
		env->argv = argv + optind;
	swc_json_errors_confirm(env->json);	/* a --json in CMD's arguments is CMD's */
	/* INTERVAL [COUNT]; after -i, a lone number is COUNT */
	if (npositional == 2 && env->interval_ns)
		return usage_error("the interval is given twice (-i and '%s'): give one",
				   positional[0]);
	if (npositional && !env->interval_ns) {
		if ((rc = parse_seconds("INTERVAL", positional[0], &env->interval_ns)))
			return rc;
		positional[0] = positional[1];
		npositional--;
	}
	if (npositional) {
		char *end;

		errno = 0;
		env->count = strtoul(positional[0], &end, 10);
		if (errno || *end || !env->count || positional[0][0] == '-')
			return usage_error("COUNT wants a whole number of intervals above 0, not "
					   "'%s'", positional[0]);
	}
	if (env->interval_ns == 0 && env->timestamp)
		return usage_error("-T stamps interval lines: give an interval (-i 1, or 1 after "
				   "the options)");
	if (env->hist_ms && !env->hist && !env->hist_per_process && !env->hist_per_thread)
		return usage_error("-m sets the histograms' unit: give it with --hist, -P or -L");
	if ((env->stack_storage_size || env->stacks_top) && !env->stacks)
		return usage_error("--stack-storage-size and --stacks-top are about --stacks: "
				   "give --stacks too");
	if (env->folded_path && !strcmp(env->folded_path, "-"))
		return usage_error("--folded wants a file name, not - (stdout carries the report)");
	if (!env->stack_storage_size)
		env->stack_storage_size = OFFCPU_STORAGE_DEFAULT;
	if (!env->stacks_top)
		env->stacks_top = OFFCPU_TOP_DEFAULT;
	if (env->all && (env->argv || env->npids))
		return usage_error("-a traces every task; -p and CMD name some: give one of them");
	if (env->top && !env->all)
		return usage_error("--top sizes -a's tables: give it with -a");
	/* every histogram has wake-up to run in it (-P and -L nothing else), and the pages draw
	 * it: its histogram, and each thread's wait to run */
	if (env->hist || env->hist_per_process || env->hist_per_thread || env->html_path ||
	    env->perfetto_path)
		env->latency = true;
	/* a filter alone watches the machine through it */
	if (!env->argv && !env->npids && (env->comm || env->cgroup))
		env->all = true;
	/* the off-CPU object knows the watch set or every task, not the filters */
	if (env->stacks && env->all && (env->comm || env->cgroup || env->tid))
		return usage_error("--stacks with -a follows every task: --comm, --cgroup and -t "
				   "do not narrow it; drop them, or trace CMD or -p");
	if (!env->argv && !env->npids && !env->all && !env->tid)
		return usage_error("nothing to trace: give -- CMD [ARGS...], -p PID, -t TID or -a");
	if (env->argv && !env->argv[0][0])
		return usage_error("CMD is an empty name: give the program to run");
	if (env->argv && env->npids)
		return usage_error("-p traces running processes and CMD starts one: give either");
	if (env->duration_ns && env->argv)
		return usage_error("-d goes with -p, -t or -a; a command is traced until it exits");
	if (env->as_root && !env->argv)
		return usage_error("--as-root is about starting CMD; -p processes keep their user");
	if (env->asyncio && !env->argv)
		return usage_error("--asyncio needs CMD (python3 SCRIPT), not -p");
	if (env->count && env->argv)
		return usage_error("COUNT goes with -p, -t or -a; a command is traced until it exits");
	if (env->count && env->duration_ns)
		return usage_error("-d and COUNT both say when to stop: give one of them");
	if (env->count)
		env->duration_ns = env->interval_ns * env->count;
	/* every line reads and prints every counter: faster than this is a flood, not a view */
	if (env->interval_ns && env->interval_ns < TRACE_MIN_INTERVAL_NS)
		return usage_error("the interval must be at least 10ms (at most 100 lines a "
				   "second); for every switch, use --csv");
	if (env->json && env->csv_path && !strcmp(env->csv_path, "-"))
		return usage_error("--json and --csv - both want stdout: write the CSV to a file");
	if (!env->csv_path && env->ringbuf_bytes)
		return usage_error("--ringbuf-size only sizes --csv's ring buffer: add --csv FILE");
	if (!env->csv_path && env->allow_drops)
		return usage_error("--allow-drops is about --csv's records: add --csv FILE");
	if ((env->csv_path || env->html_path || env->perfetto_path) && !env->ringbuf_bytes)
		env->ringbuf_bytes = CSV_RINGBUF;	/* records for the CSV or the pages */
	env->cmd_stdout_to_stderr = env->argv && (env->json ||
						  (env->csv_path && !strcmp(env->csv_path, "-")));
	/* probes last: their checks read files, and a usage error should come first */
	for (int i = 0; i < nspecs; i++)
		if ((rc = add_probe(env, probe_types[i], probe_specs[i])))
			return rc;
	if (env->asyncio) {
		if (env->nprobes == SWC_MAX_PROBES)
			return usage_error("at most %d probes, --asyncio included", SWC_MAX_PROBES);
		if (trace_probe_asyncio(&env->probes[env->nprobes], env->argv))
			return 1;
		env->nprobes++;
	}
	return 0;
}
