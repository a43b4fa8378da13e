// SPDX-License-Identifier: GPL-2.0-only
/*
 * A trace CSV read back (columns by header name, so a reordered or extended export still reads)
 * and reduced to per-thread states (see report_trace.h): the page bins them by pixel column,
 * Perfetto gets every slice. Coroutine rows (a user-space switch point's hits) are kept apart
 * from the scheduler's switches; the wake-up delay and off-CPU histograms are filled here.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <linux/types.h>
#include "csv.h"
#include "report_trace.h"
#include "switchcost.h"

const char *const swc_trace_state_names[ST_N] = { "running", "runnable", "blocked" };

/* CSV column names read (docs/CSV.md), with alternatives a renamed schema may use. */
static const char *const col_names[][3] = {
	{ "ts_ns", "timestamp_ns", NULL }, { "prev_pid", "prev_tgid", NULL },
	{ "prev_tid", NULL, NULL },	   { "prev_comm", NULL, NULL },
	{ "prev_state", NULL, NULL },	   { "next_pid", "next_tgid", NULL },
	{ "next_tid", NULL, NULL },	   { "next_comm", NULL, NULL },
	{ "delay_ns", "wakeup_delay_ns", NULL }, { "off_ns", NULL, NULL },
	{ "kind", NULL, NULL },	   { "run_ns", NULL, NULL },
};
enum { C_TS, C_PREV_PID, C_PREV_TID, C_PREV_COMM, C_PREV_STATE, C_NEXT_PID, C_NEXT_TID,
       C_NEXT_COMM, C_DELAY, C_OFF, C_KIND, C_RUN, C_N };
#define FIRST_OPTIONAL_COLUMN C_DELAY

#define MAX_FIELDS 64

/* Splits one RFC 4180 line in place; returns the number of fields. */
static int split_csv(char *line, char **fields)
{
	int n = 0;
	char *p = line, *w;

	while (n < MAX_FIELDS) {
		if (*p == '"') {
			fields[n++] = w = ++p;
			while (*p) {
				if (*p == '"' && p[1] == '"') {
					*w++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					*w++ = *p++;
				}
			}
			*w = 0;
			p = strchr(p, ',');
		} else {
			fields[n++] = p;
			p = strpbrk(p, ",\r\n");
			if (p && *p != ',') {
				*p = 0;
				return n;
			}
		}
		if (!p)
			return n;
		*p++ = 0;
	}
	return n;
}

static int thread_index(struct swc_trace_data *td, int pid, int tid, const char *comm)
{
	size_t h, i;

	if (td->nthreads * 2 >= td->hcap) {
		size_t ncap = td->hcap ? td->hcap * 2 : 1024;
		int *nh = calloc(ncap, sizeof(*nh));

		if (!nh)
			return -1;
		for (i = 0; i < td->nthreads; i++) {
			h = (uint32_t)td->threads[i].tid * 2654435761U % ncap;
			while (nh[h])
				h = (h + 1) % ncap;
			nh[h] = (int)i + 1;
		}
		free(td->hash);
		td->hash = nh;
		td->hcap = ncap;
	}
	h = (uint32_t)tid * 2654435761U % td->hcap;
	while (td->hash[h]) {
		struct trace_thread *t = &td->threads[td->hash[h] - 1];

		if (t->tid == tid) {
			snprintf(t->comm, sizeof(t->comm), "%s", comm);	/* the latest (exec) */
			return td->hash[h] - 1;
		}
		h = (h + 1) % td->hcap;
	}
	if (td->nthreads == td->tcap) {
		size_t ncap = td->tcap ? td->tcap * 2 : 64;
		struct trace_thread *nt = realloc(td->threads, ncap * sizeof(*nt));

		if (!nt)
			return -1;
		td->threads = nt;
		td->tcap = ncap;
	}
	memset(&td->threads[td->nthreads], 0, sizeof(struct trace_thread));
	td->threads[td->nthreads].pid = pid;
	td->threads[td->nthreads].tid = tid;
	snprintf(td->threads[td->nthreads].comm, sizeof(td->threads[0].comm), "%s", comm);
	td->hash[h] = (int)td->nthreads + 1;
	return (int)td->nthreads++;
}

void swc_trace_free(struct swc_trace_data *td)
{
	if (!td)
		return;
	free(td->recs);
	free(td->hits);
	free(td->threads);
	free(td->hash);
	free(td);
}

static int cmp_rec(const void *a, const void *b)
{
	const struct trace_rec *x = a, *y = b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static int cmp_hit(const void *a, const void *b)
{
	const struct trace_hit *x = a, *y = b;

	if (x->thread != y->thread)
		return x->thread < y->thread ? -1 : 1;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* An optional column's value: SWC_UNKNOWN when the column is absent or the field empty. */
static uint64_t opt_u64(char **fields, int col)
{
	char *end;
	uint64_t v;

	if (col < 0)
		return SWC_UNKNOWN;
	v = strtoull(fields[col], &end, 10);
	return end == fields[col] ? SWC_UNKNOWN : v;
}

static unsigned int kind_of(const char *s)
{
	for (unsigned int k = 0; k < SWC_KIND_NR; k++)
		if (!strcmp(s, swc_kind_name(k)))
			return k;
	return SWC_KIND_NR;
}

/* Adds a value to a log2 histogram (bucket b: [2^b, 2^(b+1)) ns). */
static void hist_add(double *hist, uint64_t v)
{
	int b = 0;

	while (b < TRACE_HIST_BUCKETS - 1 && v >> (b + 1))
		b++;
	hist[b]++;
}

static bool grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return true;
	ncap = *cap ? *cap * 2 : 4096;
	p = realloc(*arr, ncap * size);
	if (!p)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

struct swc_trace_data *swc_trace_new(void)
{
	return calloc(1, sizeof(struct swc_trace_data));
}

int swc_trace_add(struct swc_trace_data *td, const struct swc_trace_row *row)
{
	struct trace_rec *r;
	int p, n;

	if (!grow((void **)&td->recs, &td->cap, td->nrecs, sizeof(*td->recs)) ||
	    !grow((void **)&td->hits, &td->hcap_hits, td->nhits, sizeof(*td->hits)))
		return -ENOMEM;
	p = thread_index(td, row->prev_pid, row->prev_tid, row->prev_comm);
	n = thread_index(td, row->next_pid, row->next_tid, row->next_comm);
	if (p < 0 || n < 0)
		return -ENOMEM;
	if (row->kind == SWC_KIND_COROUTINE) {
		td->hits[td->nhits].ts = row->ts;
		td->hits[td->nhits++].thread = (uint32_t)n;
		return 0;
	}
	r = &td->recs[td->nrecs++];
	r->ts = row->ts;
	r->delay = row->delay != SWC_UNKNOWN ? row->delay : 0;
	r->prev = (uint32_t)p;
	r->next = (uint32_t)n;
	r->state = row->state;
	r->kind = (uint8_t)row->kind;
	if (row->delay != SWC_UNKNOWN) {
		hist_add(td->delay_hist, row->delay);
		td->have_delay = true;
	}
	if (row->off != SWC_UNKNOWN) {
		hist_add(td->off_hist, row->off);
		td->threads[n].watched = true;
	}
	if (row->run != SWC_UNKNOWN)
		td->threads[p].watched = true;
	return 0;
}

int swc_trace_add_rec(struct swc_trace_data *td, const struct swc_switch_rec *rec)
{
	struct swc_trace_row row = {
		.ts = rec->ts_ns, .run = rec->run_ns, .off = rec->off_ns, .delay = rec->delay_ns,
		.prev_pid = (int)rec->prev_tgid, .prev_tid = (int)rec->prev_tid,
		.next_pid = (int)rec->next_tgid, .next_tid = (int)rec->next_tid,
		.kind = rec->kind,
		.state = swc_state_letter(rec->prev_state, rec->preempt),
	};

	memcpy(row.prev_comm, rec->prev_comm, SWC_COMM_LEN);
	memcpy(row.next_comm, rec->next_comm, SWC_COMM_LEN);
	row.prev_comm[SWC_COMM_LEN] = row.next_comm[SWC_COMM_LEN] = 0;
	return swc_trace_add(td, &row);
}

void swc_trace_finish(struct swc_trace_data *td)
{
	bool any_watched = false;

	for (size_t i = 0; i < td->nthreads; i++)
		any_watched |= td->threads[i].watched;
	for (size_t i = 0; i < td->nthreads; i++)
		td->threads[i].shown = td->threads[i].tid != 0 &&
				       (td->threads[i].watched || !any_watched);
	/* rows come per CPU in order, across CPUs nearly so: one time order for the reduction */
	if (td->nrecs)	/* a header-only CSV has no array to sort */
		qsort(td->recs, td->nrecs, sizeof(*td->recs), cmp_rec);
	if (td->nhits)
		qsort(td->hits, td->nhits, sizeof(*td->hits), cmp_hit);
	td->t0 = UINT64_MAX;
	td->t1 = 0;
	if (td->nrecs) {
		td->t0 = td->recs[0].ts;
		td->t1 = td->recs[td->nrecs - 1].ts;
	}
	for (size_t i = 0; i < td->nhits; i++) {
		struct trace_thread *t = &td->threads[td->hits[i].thread];

		if (!t->nhits)
			t->first_hit = i;
		t->nhits++;
		td->t0 = td->hits[i].ts < td->t0 ? td->hits[i].ts : td->t0;
		td->t1 = td->hits[i].ts > td->t1 ? td->hits[i].ts : td->t1;
	}
	for (size_t k = 0; k < td->nrecs; k++) {
		struct trace_thread *p = &td->threads[td->recs[k].prev];
		struct trace_thread *n = &td->threads[td->recs[k].next];

		p->switches_out++;
		p->involuntary += td->recs[k].state == 'R';
		if (td->recs[k].delay > n->max_delay)
			n->max_delay = td->recs[k].delay;
	}
}

struct swc_trace_data *swc_trace_load(const char *path)
{
	struct swc_trace_data *td = calloc(1, sizeof(*td));
	static char line[8192];
	char *fields[MAX_FIELDS];
	int col[C_N], nf;
	unsigned long long lineno = 1;
	gzFile gz = gzopen(path, "rb");	/* reads plain files too */

	if (!gz || !td) {
		fprintf(stderr, "switchcost: report: reading %s: %s\n", path,
			strerror(errno ? errno : ENOMEM));
		goto fail;
	}
	if (!gzgets(gz, line, sizeof(line))) {
		fprintf(stderr, "switchcost: report: %s is empty: expected a trace CSV header\n", path);
		goto fail;
	}
	nf = split_csv(line, fields);
	for (int c = 0; c < C_N; c++) {
		col[c] = -1;
		for (int i = 0; i < nf && col[c] < 0; i++)
			for (int a = 0; a < 3 && col_names[c][a]; a++)
				if (!strcmp(fields[i], col_names[c][a]))
					col[c] = i;
		if (col[c] < 0 && c < FIRST_OPTIONAL_COLUMN) {
			fprintf(stderr, "switchcost: report: %s has no column %s: is it a switchcost "
					"--csv export (docs/CSV.md)?\n", path, col_names[c][0]);
			goto fail;
		}
	}
	while (gzgets(gz, line, sizeof(line))) {
		struct swc_trace_row row;

		lineno++;
		nf = split_csv(line, fields);
		if (nf == 1 && !*fields[0])
			continue;
		for (int c = 0; c < C_N; c++)
			if (col[c] >= nf) {
				fprintf(stderr, "switchcost: report: %s line %llu: %d fields, too few\n",
					path, lineno, nf);
				goto fail;
			}
		row.ts = strtoull(fields[col[C_TS]], NULL, 10);
		row.prev_pid = atoi(fields[col[C_PREV_PID]]);
		row.prev_tid = atoi(fields[col[C_PREV_TID]]);
		row.next_pid = atoi(fields[col[C_NEXT_PID]]);
		row.next_tid = atoi(fields[col[C_NEXT_TID]]);
		snprintf(row.prev_comm, sizeof(row.prev_comm), "%s", fields[col[C_PREV_COMM]]);
		snprintf(row.next_comm, sizeof(row.next_comm), "%s", fields[col[C_NEXT_COMM]]);
		row.state = fields[col[C_PREV_STATE]][0];
		row.kind = col[C_KIND] >= 0 ? kind_of(fields[col[C_KIND]]) : SWC_KIND_NR;
		row.run = opt_u64(fields, col[C_RUN]);
		row.off = opt_u64(fields, col[C_OFF]);
		row.delay = opt_u64(fields, col[C_DELAY]);
		if (swc_trace_add(td, &row)) {
			fprintf(stderr, "switchcost: report: reading %s: %s\n", path, strerror(ENOMEM));
			goto fail;
		}
	}
	if (!gzeof(gz)) {
		int e;

		fprintf(stderr, "switchcost: report: reading %s: %s\n", path, gzerror(gz, &e));
		goto fail;
	}
	gzclose(gz);
	return td;
fail:
	if (gz)
		gzclose(gz);
	swc_trace_free(td);
	return NULL;
}

static void set_state(struct swc_trace_data *td, size_t i, int st, uint64_t ts,
		      trace_interval_fn fn, void *arg)
{
	struct trace_thread *t = &td->threads[i];

	if (t->seen && ts > t->since) {
		t->state_ns[t->st] += ts - t->since;
		if (fn)
			fn(arg, td, i, t->st, t->since, ts);
	}
	t->seen = true;
	t->st = st;
	t->since = ts;
}

void swc_trace_reduce(struct swc_trace_data *td, trace_interval_fn fn, trace_switch_fn sw,
		      void *arg)
{
	for (size_t i = 0; i < td->nthreads; i++) {
		td->threads[i].seen = false;
		memset(td->threads[i].state_ns, 0, sizeof(td->threads[i].state_ns));
	}
	for (size_t k = 0; k < td->nrecs; k++) {
		const struct trace_rec *r = &td->recs[k];
		struct trace_thread *n = &td->threads[r->next];

		set_state(td, r->prev, r->state == 'R' ? ST_RUNNABLE : ST_BLOCKED, r->ts, fn, arg);
		if (r->delay && r->delay < r->ts && (!n->seen || r->ts - r->delay >= n->since) &&
		    n->st != ST_RUNNABLE)
			set_state(td, r->next, ST_RUNNABLE, r->ts - r->delay, fn, arg);
		set_state(td, r->next, ST_RUNNING, r->ts, fn, arg);
		if (sw)
			sw(arg, td, r);
	}
	/* the last state of each thread lasts to the end of the trace */
	if (td->nrecs)
		for (size_t i = 0; i < td->nthreads; i++)
			if (td->threads[i].seen)
				set_state(td, i, td->threads[i].st, td->recs[td->nrecs - 1].ts, fn, arg);
}

