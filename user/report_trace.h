/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A trace CSV (docs/CSV.md) read back and reduced to per-thread states, for the trace page
 * (report_trace_page.c) and Perfetto JSON (report_perfetto.c). Read by `report` from a saved
 * CSV and by `trace --html/--perfetto` from the CSV it wrote.
 */
#ifndef SWC_REPORT_TRACE_H
#define SWC_REPORT_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum { ST_RUNNING, ST_RUNNABLE, ST_BLOCKED, ST_N };
extern const char *const swc_trace_state_names[ST_N];

#define TRACE_HIST_BUCKETS 64

struct trace_rec {		/* one sched_switch row */
	uint64_t ts, delay;	/* delay: next's wake-up to this switch, 0 unknown */
	uint32_t prev, next;	/* thread indices */
	char state;		/* prev_state's letter */
	uint8_t kind;		/* SWC_KIND_*, SWC_KIND_NR when unknown */
};

struct trace_hit {		/* one user-space switch point hit (kind coroutine) */
	uint64_t ts;
	uint32_t thread;
};

struct trace_thread {
	int pid, tid;
	char comm[32];
	/* per-thread figures */
	uint64_t switches_out, involuntary, hits, state_ns[ST_N], max_delay;
	size_t first_hit, nhits;	/* its hits in td->hits, sorted by thread then time */
	bool watched;		/* switchcost watched it: some latency of it is known */
	bool shown;		/* gets a track */
	/* reduction state */
	int st;
	uint64_t since;
	bool seen;
};

struct swc_trace_data {
	struct trace_rec *recs;
	size_t nrecs, cap;
	struct trace_hit *hits;
	size_t nhits, hcap_hits;
	struct trace_thread *threads;
	size_t nthreads, tcap;
	int *hash;		/* tid -> index + 1, open addressing */
	size_t hcap;
	uint64_t t0, t1;	/* first and last timestamp, switches and hits alike */
	double delay_hist[TRACE_HIST_BUCKETS], off_hist[TRACE_HIST_BUCKETS];
	/* some switch has its delay_ns: trace without --latency writes none (not measured) */
	bool have_delay;
};

/* One switch as the CSV has it; run, off, delay SWC_UNKNOWN when not known. */
struct swc_trace_row {
	uint64_t ts, run, off, delay;
	int prev_pid, prev_tid, next_pid, next_tid;
	char prev_comm[32], next_comm[32];
	char state;		/* prev_state's letter */
	unsigned int kind;	/* SWC_KIND_*, SWC_KIND_NR unknown */
};

/* Reads path (.gz or plain), then finish it; NULL with one line printed on failure. */
struct swc_trace_data *swc_trace_load(const char *path);
/* Or built record by record (trace --html): new, add..., finish. add returns 0 or -ENOMEM. */
struct swc_trace_data *swc_trace_new(void);
int swc_trace_add(struct swc_trace_data *td, const struct swc_trace_row *row);
struct swc_switch_rec;
int swc_trace_add_rec(struct swc_trace_data *td, const struct swc_switch_rec *rec);
void swc_trace_finish(struct swc_trace_data *td);
void swc_trace_free(struct swc_trace_data *td);

/*
 * Which threads get a track: the traced ones. A CSV row names both sides of a switch, and the
 * other side is any task of the machine, seen only when it met a traced one; the CSV leaves its
 * latencies empty, which tells them apart. Without any latency (--all-tasks, older exports),
 * every thread but idle (tid 0: a CPU doing nothing).
 */
static inline bool swc_trace_tracked(const struct trace_thread *t)
{
	return t->shown;
}

typedef void (*trace_interval_fn)(void *arg, struct swc_trace_data *td, size_t thread, int st,
				  uint64_t from, uint64_t to);
typedef void (*trace_switch_fn)(void *arg, struct swc_trace_data *td, const struct trace_rec *r);
/*
 * Replays the switches in time order: running from a switch-in to the next switch-out; after
 * a switch-out runnable when preempted (prev_state R), blocked otherwise; a switch-in's
 * delay_ns marks the runnable stretch before it. fn gets each state interval as it ends
 * (per thread in time order), sw each switch after the intervals it ends.
 */
void swc_trace_reduce(struct swc_trace_data *td, trace_interval_fn fn, trace_switch_fn sw,
		      void *arg);

/* A per-thread timeline page, binned by pixel column; returns 0 or 1. */
int swc_trace_html(FILE *f, struct swc_trace_data *td, const char *source);
/* Chrome JSON trace events: X slices running/runnable, instants per switch and probe hit,
 * M names. */
int swc_trace_perfetto(FILE *f, struct swc_trace_data *td);

#endif
