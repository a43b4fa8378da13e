/* SPDX-License-Identifier: GPL-2.0-only */
/* switchcost lab: what the scenarios share (options, the watched child, records, output). */
#ifndef SWC_LAB_H
#define SWC_LAB_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <linux/types.h>
#include "switchcost.h"
#include "measure.h"
#include "sysinfo.h"
#include "validity.h"

struct swc_json;
struct swc_watch;

#define LAB_DEFAULT_UNIT_NS	100000000ULL	/* 100 ms: the whole timeline in seconds */
#define LAB_PARALLEL_WORKERS	2		/* parallel: workers per run */
/*
 * The tolerance of a timeline or join variant, as docs/LAB.md gives it for grading scripts
 * and tests/50-lab.bats and `compare --grade` apply it: |measured - expected| within
 * LAB_TOLERANCE_UNITS of a unit plus LAB_SLACK_NS of scheduling slack (a woken sleeper on a
 * loaded, shared machine waits tens of ms for a CPU, whatever the unit).
 */
#define LAB_TOLERANCE_UNITS	0.3
#define LAB_SLACK_NS		100000000ULL
/* parallel: pinned to one CPU, two workers get at most this much CPU time per wall time */
#define LAB_ONE_CPU_MAX_CPU_PER_WALL	1.3
/* cost: a kernel switch (process, thread) costs at least this many coroutine switches */
#define LAB_COST_MIN_RATIO	10

#define LAB_MAX_CPUS	256

struct lab_env {
	const char *scenario;
	__u64 unit_ns;
	unsigned long iterations;	/* parallel: CPU work per worker */
	unsigned long round_trips;	/* cost: timed round trips per repeat */
	bool json, verbose;
	int ncpus;			/* --cpus given: the lab runs on these; 0: all ours */
	int cpus[LAB_MAX_CPUS];
	bool strict;			/* --strict: a result judged invalid makes the exit status 4 */
	bool quick;			/* --quick: address-space's shorter form */
	bool wide;			/* --wide: tables as wide as they are on a terminal too */
	const char *html;		/* --html FILE */
};

struct lab {
	struct lab_env env;
	struct swc_watch *w;
	struct swc_sysinfo si;
	struct lab_capture *cap;	/* where records of the running variant go */
	int next_group;
	__u64 child_timeout_ns;		/* a variant still running after this is stuck */
	const char *timeout_hint;	/* ... and what to try then ("a shorter --unit") */
	bool any_invalid;		/* lab_judge() found a result that is not clean */
	bool html_failed;		/* --html could not be written: exit 1 */
};

/* What one watched child did: its switch records, its fate and its rusage. */
struct lab_capture {
	pid_t pid;
	__u32 group;
	struct swc_switch_rec *recs;
	size_t nrecs, cap;
	int status;
	struct rusage ru;
	__u64 start_ns, end_ns;		/* the parent's view: fork to reaped */
	double steal_ns;		/* the hypervisor's steal on our CPUs meanwhile; NaN */
	double outside_wait_ns;		/* its tasks runnable behind outsiders (records); NaN */
};

/*
 * Forks fn(arg) into a new BPF group, watched from birth, in its own process group, and
 * collects the group's switch records while it runs. The child's exit status is fn's return.
 * Returns 0, -EINTR on a stop request (the child's process group killed and reaped), or
 * another -errno with the reason printed.
 */
int lab_run_child(struct lab *lab, const char *what, int (*fn)(void *arg), void *arg,
		  struct lab_capture *cap);
void lab_capture_free(struct lab_capture *cap);

/* MAP_SHARED memory the child writes and the parent reads. */
void *lab_shared_alloc(size_t size);
void lab_shared_free(void *p, size_t size);

/* lab_options.c: lab's command line and its scenarios */
struct lab_scenario {
	const char *name;
	int (*fn)(struct lab *lab);
	bool emit;		/* needs per-switch records */
	bool lean;		/* times switches: only counters while timing, as run does; its
				 * untimed counting pass turns the rest on */
	bool by_iterations;	/* runs --iterations of work, not --unit: its timeout scales so */
	unsigned int takes;	/* the LAB_TAKES_* options it reads; the others are refused */
	const char *what;
};
/* Parses lab's command line into env, its defaults first. Returns 0 with *list set for --list
 * or env->scenario named, or the exit status with one line printed (2: a usage error); -h
 * prints the help and exits. */
int lab_parse_args(struct lab_env *env, bool *list, int argc, char **argv);
/* The scenario of that name, or NULL. */
const struct lab_scenario *lab_find_scenario(const char *name);
/* --list: the scenarios, one per line, or with --json one document naming each and its
 * options. */
void lab_print_list(const struct lab_env *env);

/* The JSON header every scenario shares (report.c's, then "scenario"), leaving the top-level
 * object open. */
void lab_json_begin(struct lab *lab, struct swc_json *j, FILE *f);
/* The end every scenario's document shares: the "bpf" object of the BPF side's own counters
 * (report.c's) if they can be read, then the top-level object closed and the document done. */
void lab_json_end(struct lab *lab, struct swc_json *j);
/* With --html, the page of the document write_json(f, arg) writes; a failure (said on
 * stderr) makes the exit status 1. A no-op without --html. */
void lab_html(struct lab *lab, void (*write_json)(FILE *f, void *arg), void *arg);

/*
 * Judges one child as run judges a row (validity.h): its tasks waiting behind tasks outside it,
 * switches involving busy outsiders, steal. Sets lab->any_invalid when it is not clean.
 */
void lab_judge(struct lab *lab, const struct lab_capture *cap, struct swc_validity *v);
/* The same for a result that already has its validity input (lab cost's timed rows). */
void lab_judge_in(struct lab *lab, const struct swc_validity_in *in, struct swc_validity *v);
/* "! NAME: not a clean measurement: reasons" when v is invalid; returns whether it printed. */
bool lab_print_invalid(FILE *f, const char *name, const struct swc_validity *v);

/* Measures one workload as run does (measure.c), in BPF groups of the lab's, and notes an
 * invalid result in lab->any_invalid. Returns 0 or -errno. */
int lab_measure(struct lab *lab, const struct swc_workload_cfg *cfg, struct swc_measurement *m);
/* "valid", "reasons", "ns_per_switch" {median, min, max, mean, repeats} of a completed row */
void lab_json_timing(struct swc_json *j, const struct swc_measurement *m);

int lab_timeline(struct lab *lab);
int lab_join(struct lab *lab);
int lab_parallel(struct lab *lab);
int lab_cost(struct lab *lab);
int lab_address_space(struct lab *lab);

#endif
