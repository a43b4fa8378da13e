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
#include "csv.h"
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
	char counting[SWC_WL_NR][32];
	char ibpb_counting[SWC_WL_NR][40];
	unsigned long long by_kind[SWC_KIND_NR + 1];	/* [SWC_KIND_NR]: unknown kind */
	unsigned long long unwatched;		/* rows of no group (--all-tasks) */
	bool failed;
	struct swc_outfile meta;		/* FILE.meta.json, opened up front */
};

/* Parses run's command line into env; returns 0, or the exit status of a usage error. */
int run_parse_args(struct run_env *env, int argc, char **argv);

/* "process", or "process+ibpb" for its --ibpb row */
const char *run_row_name(const struct swc_measurement *r);
const char *run_ipc_name(enum swc_ipc ipc);
void run_print_human(const struct run_env *env, const struct swc_sysinfo *si,
		     const struct swc_measurement *rows, int n, const struct swc_counters *ctr,
		     const struct csv_ctx *cc, FILE *f);
void run_print_json(const struct run_env *env, const struct swc_sysinfo *si,
		    const struct swc_measurement *rows, int n, const struct swc_counters *ctr,
		    const struct csv_ctx *cc, FILE *f);

unsigned long long run_csv_sched_rows(const struct csv_ctx *cc);
/* FILE.meta.json beside the CSV, its target opened (and checked) before the run. */
int run_open_meta(struct csv_ctx *cc, const char *csv_path);
int run_write_meta(const struct run_env *env, const struct swc_sysinfo *si,
		   struct swc_watch *w, const struct swc_counters *ctr,
		   struct csv_ctx *cc, bool interrupted, int exit_status);

#endif
