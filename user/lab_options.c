// SPDX-License-Identifier: GPL-2.0-only
/* switchcost lab's command line: its help, its scenarios and the options each one takes. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "json.h"
#include "lab.h"
#include "parse.h"
#include "report.h"

#define DEFAULT_ITERATIONS	200000000UL
#define DEFAULT_ROUND_TRIPS	5000UL
#define MAX_ITERATIONS		100000000000UL
#define MAX_ROUND_TRIPS		1000000UL

enum { LAB_TAKES_UNIT = 1, LAB_TAKES_ITERATIONS = 2, LAB_TAKES_ROUND_TRIPS = 4 };

static const struct lab_scenario scenarios[] = {
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

const struct lab_scenario *lab_find_scenario(const char *name)
{
	for (int i = 0; i < NSCENARIOS; i++)
		if (!strcmp(scenarios[i].name, name))
			return &scenarios[i];
	return NULL;
}

int lab_parse_args(struct lab_env *env, bool *list, int argc, char **argv)
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
	const struct lab_scenario *sc;
	int c, rc;

	env->unit_ns = LAB_DEFAULT_UNIT_NS;
	env->iterations = DEFAULT_ITERATIONS;
	env->round_trips = DEFAULT_ROUND_TRIPS;
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
	sc = lab_find_scenario(argv[optind]);
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

void lab_print_list(const struct lab_env *env)
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
