/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lab timeline / join, shared by the child's side (lab_timeline_child.c: the notes' fun1..fun3,
 * variant by variant) and the parent's (lab_timeline.c: timelines from the records, output).
 */
#ifndef SWC_LAB_TIMELINE_H
#define SWC_LAB_TIMELINE_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include "eventloop.h"
#include "lab.h"
#include "switchcost.h"
#include "timeline.h"

#define NJOBS		3
#define MAX_COSEGS	256
#define MAX_SLOTS	64
#define MAX_TASKS	16
/* daemon variant: the main thread's own work before it exits (the notes give no figure) */
#define DAEMON_MAIN_UNITS	4

enum variant {
	V_SEQUENTIAL, V_ASYNC_BLOCKING, V_ASYNC, V_THREADS_JOIN, V_THREADS_NOJOIN,
	V_THREADS_DAEMON, V_NR,
};

struct job {
	char name[16];
	__u64 start_ns, end_ns;
	__u32 tid, started, done, _pad;
};

struct coseg {
	__u64 start_ns, end_ns;
	__u32 task, state;
};

/* What the child writes for the parent (MAP_SHARED). */
struct shared {
	__u64 unit_ns;
	__u64 t0_ns, main_end_ns;
	__u32 main_tid, variant;
	struct job jobs[NJOBS];
	__u64 blocked_ready_ns, idle_ns;
	__u32 nsegs, lost_segs;
	struct coseg segs[MAX_COSEGS];
};

/* What each variant is, for the reports. */
struct lab_variant {
	const char *name;
	const char *what;
	double expected;	/* units */
	bool from_notes;	/* else: this lab's own design */
	const char *expected_note;
};
extern const struct lab_variant lab_variants[V_NR];

/* The parent's view of one variant: each task's segments from the records. */
struct task {
	struct swc_tl_task tl;		/* the reducer's state and counts (timeline.h); first */
	char comm[SWC_COMM_LEN];
	__u64 in_state[SWC_TL_NR];	/* ns inside the window */
	double slot[MAX_SLOTS][SWC_TL_NR];	/* ns of each state in each unit */
};

struct result {
	enum variant v;
	bool ok;
	char why[128];
	struct shared s;		/* the child's copy */
	struct lab_capture cap;
	struct swc_group_stats gs;
	bool have_gs;
	struct task tasks[MAX_TASKS];
	int ntasks;
	__u64 t0, t_end;
	int nslots;
	__u64 main_died_ns;		/* the main thread's final switch, 0 if unseen */
	struct swc_validity val;	/* lab_judge(), and the process-end check */
	double coslot[NJOBS][MAX_SLOTS][EVLOOP_NSTATES];
};

static inline double units(const struct result *r, __u64 ns)
{
	return (double)ns / r->s.unit_ns;
}

static inline double units_at(const struct result *r, __u64 ts)
{
	return ts >= r->t0 ? units(r, ts - r->t0) : -units(r, r->t0 - ts);
}

static inline bool is_async(enum variant v)
{
	return v == V_ASYNC || v == V_ASYNC_BLOCKING;
}

/* lab_timeline_print.c: the reports */
void lab_tl_print_header(struct lab *lab, FILE *f);
void lab_tl_print_variant(const struct lab *lab, const struct result *r, FILE *f);
void lab_tl_print_legend(FILE *f);
void lab_tl_print_summary(const struct result *rs, int n, FILE *f);
void lab_tl_print_drops(struct lab *lab, FILE *f);
void lab_tl_print_join(const struct result *r, FILE *f);
/* "! VARIANT: not a clean measurement: ..." per invalid variant, then the advice once */
void lab_tl_print_invalid(const struct result *rs, int n, FILE *f);
void lab_tl_json_doc(struct lab *lab, const struct result *rs, int n, FILE *f);

/* Blocking durations of fun1..fun3 in the notes' code, in units. */
extern const unsigned int fun_units[NJOBS];

/* The child of one variant: runs sh->variant, its times into sh (MAP_SHARED); the exit
 * status is the variant's. */
int lab_timeline_child(void *sh);

#endif
