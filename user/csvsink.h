/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * --csv of run and trace: one sink with one contract. Each switch record becomes a row (csv.h),
 * counted by kind; the first write error stops the sink (the consumer returns it) and leaves no
 * file. At the end the metadata sidecar FILE.meta.json is written, and the CSV and the sidecar
 * are put in place together or not at all (outfile.h). Records the ring buffer dropped are
 * said on stderr, and make the exit status SWC_EXIT_DROPS unless --allow-drops.
 */
#ifndef SWC_CSVSINK_H
#define SWC_CSVSINK_H

#include <stdbool.h>
#include <stdio.h>
#include "csv.h"
#include "outfile.h"
#include "switchcost.h"

struct swc_json;
struct swc_watch;

/*
 * run's ring buffer for --csv. A record takes 97 bytes there (96, sent 8 at a time behind the
 * ring's 8-byte header; 104 where they go one at a time, can_batch()), so 8 MiB holds 86,480
 * of them: 110 ms at full rate, where the consumer (on another CPU) looks every 10 ms. 4 MiB
 * was too short for .gz's slower consumer on a busy machine (load average 7, one record per
 * entry: 48,000-109,000 of 488,000 records dropped; 8 MiB: none in three runs). Not more: every
 * page of it is resident in switchcost too (ringread.h); 32 MiB took run --csv's peak RSS
 * (VmHWM) to 81 MB (37.6 MB mapped once), 8 MiB leaves it at the 14.7 MB of run without --csv
 * (the BPF load's peak, before the ring exists).
 */
#define SWC_CSV_DEFAULT_RINGBUF	(8UL << 20)
#define SWC_CSV_MAX_RINGBUF	(1UL << 30)
/* Exit status of a command that completed but lost switch records (without --allow-drops). */
#define SWC_EXIT_DROPS		3

struct swc_csvsink {
	struct swc_csv *csv;
	struct swc_outfile meta;	/* FILE.meta.json, opened with the CSV */
	const char *path;		/* as given ("-": stdout, no sidecar) */
	const char *shown;		/* for messages: the path, or "stdout" */
	const char *const *names;	/* the workload column by BPF group; NULL: empty */
	const char *const *passes;	/* the pass by BPF group ("timed", ...); NULL: none */
	unsigned int nnames;
	unsigned long long by_kind[SWC_KIND_NR + 1];	/* [SWC_KIND_NR]: unknown kind */
	unsigned long long unwatched;	/* rows of no group (--all-tasks) */
	unsigned long ringbuf_bytes;
	bool all_tasks, allow_drops;
	bool failed;			/* a write failed: nothing will be kept */
};

/* The sink's options, taken alike by run and trace: entries for their getopt_long tables
 * (<getopt.h>), with values above any command's own. */
enum { SWC_OPT_CSV = 0x1000, SWC_OPT_RINGBUF, SWC_OPT_ALLOW_DROPS };
#define SWC_CSVSINK_OPTIONS						\
	{ "csv", required_argument, NULL, SWC_OPT_CSV },		\
	{ "ringbuf-size", required_argument, NULL, SWC_OPT_RINGBUF },	\
	{ "allow-drops", no_argument, NULL, SWC_OPT_ALLOW_DROPS }

/* One of those options (getopt_long's opt and arg) into *path (--csv FILE), *ringbuf_bytes
 * (--ringbuf-size: a power of two of bytes from 4 KiB to 1 GiB, as 32M, 64MiB or 4096) or
 * *allow_drops. Returns 0, or the usage error's exit status with the line printed for cmd. */
int swc_csvsink_option(const char *cmd, int opt, const char *arg, const char **path,
		       unsigned long *ringbuf_bytes, bool *allow_drops);

/* Opens path's CSV and, for a file, its sidecar's target (both checked before any BPF work).
 * Returns 0, or 1 with the reason printed. */
int csvsink__open(struct swc_csvsink *s, const char *path);
/* The records consumer (swc_watch_opts.on_record): 0, or the write error that stops it. */
int csvsink__on_record(void *ctx, const struct swc_switch_rec *rec);
unsigned long long csvsink__sched_rows(const struct swc_csvsink *s);
unsigned long long csvsink__rows(const struct swc_csvsink *s);
/* The "csv" object of --json and of the sidecar. */
void csvsink__json(const struct swc_csvsink *s, struct swc_json *j);
/* The sidecar's "groups" (rows each BPF group should have, by its own count) and "bpf"
 * (totals, drops, full maps) objects. */
void csvsink__json_groups(const struct swc_csvsink *s, struct swc_json *j, struct swc_watch *w,
			  const struct swc_counters *ctr);
/* Says on stderr that dropped records are missing from the CSV; returns the exit status they
 * call for (SWC_EXIT_DROPS, or 0 with --allow-drops or no drops). */
int csvsink__drops(const struct swc_csvsink *s, unsigned long long dropped);
/*
 * keep: finishes the CSV, has meta() write the sidecar's whole JSON document to f (a memory
 * stream; csvsink__json() gives its "csv" object), and puts both in place, or neither.
 * Otherwise drops both. Returns 0 or -errno with the reason printed. Safe to call again
 * (cleanup paths do, with keep false): the second call does nothing.
 */
int csvsink__close(struct swc_csvsink *s, bool keep,
		   int (*meta)(void *ctx, FILE *f), void *ctx);

#endif
