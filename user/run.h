/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * switchcost run, shared by its files: run.c (orchestration and the CSV consumer),
 * run_options.c (the command line), run_print.c (the human report), run_json.c (--json and
 * the CSV's metadata). Each row is measured by measure.c.
 */
#ifndef SWC_RUN_H
#define SWC_RUN_H

#include <stdbool.h>
#include <stdio.h>
#include "csvsink.h"
#include "measure.h"
#include "run_ws.h"
#include "sysinfo.h"
#include "workload.h"

struct swc_watch;

#define DEFAULT_ROUND_TRIPS	20000
#define DEFAULT_REPEATS		5
#define QUICK_ROUND_TRIPS	2000
#define QUICK_REPEATS		3
#define MAX_ROUND_TRIPS		10000000UL
/* BPF group of a workload's counting pass, beside the timed pass's group id */
#define COUNTING_GROUP(g)	(SWC_WL_NR + (g))
/* BPF group of a workload's --ibpb row (its counting pass: COUNTING_GROUP of that) */
#define IBPB_GROUP(id)		(2 * SWC_WL_NR + (id))
#define EXIT_DROPS		SWC_EXIT_DROPS
/* Exit status of a --strict run with a row judged invalid (user/validity.h) */
#define EXIT_INVALID		SWC_EXIT_INVALID

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
	bool wide;			/* --wide: tables as wide as they are, even on a terminal */
	bool pmu;			/* --pmu[=software]: counters in the counting pass */
	enum swc_pmu_kind pmu_kind;
	char pmu_why[200];		/* why they cannot be counted here, or "" */
	unsigned long ringbuf_bytes;	/* 0 until --ringbuf-size, then SWC_CSV_DEFAULT_RINGBUF */
	const char *html;		/* --html FILE: the report's page of this run */
};

/* --csv: the sink, and its workload and pass columns by BPF group. */
struct csv_ctx {
	struct swc_csvsink sink;
	const char *names[4 * SWC_WL_NR];
	const char *passes[4 * SWC_WL_NR];
};

/* What the sidecar describes. */
struct run_meta {
	const struct run_env *env;
	const struct swc_sysinfo *si;
	struct swc_watch *w;
	const struct swc_counters *ctr;
	const struct csv_ctx *cc;
	const struct swc_measurement *rows;
	int n;
	bool interrupted;
	int exit_status;
};

/* Parses run's command line into env; returns 0, or the exit status of a usage error. */
int run_parse_args(struct run_env *env, int argc, char **argv);

const char *run_ipc_name(enum swc_ipc ipc);
void run_print_human(const struct run_env *env, const struct swc_sysinfo *si,
		     const struct swc_measurement *rows, int n, const struct swc_counters *ctr,
		     const struct csv_ctx *cc, FILE *f);
void run_print_json(const struct run_env *env, const struct swc_sysinfo *si,
		    const struct swc_measurement *rows, int n, const struct swc_counters *ctr,
		    const struct csv_ctx *cc, FILE *f);
/* --html: the page of the document run_print_json() writes; 0, or 1 with a line printed. */
int run_write_html(const struct run_env *env, const struct swc_sysinfo *si,
		   const struct swc_measurement *rows, int n, const struct swc_counters *ctr,
		   const struct csv_ctx *cc);

/* FILE.meta.json's document (ctx: struct run_meta), for csvsink__close(). */
int run_write_meta(void *ctx, FILE *f);

#endif
