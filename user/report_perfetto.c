// SPDX-License-Identifier: GPL-2.0-only
/*
 * A trace as Chrome JSON trace events, which Perfetto UI and chrome://tracing open: one track
 * per thread (M events name threads and processes), running and runnable as X slices, every
 * switch an instant on the track of the thread switched in (of the one switched out when the CPU
 * went idle), every user-space switch point hit an instant on its thread. Within a track the
 * events come in time order: a thread's hits are written after the slice they fall in.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/types.h>
#include "csv.h"
#include "json.h"
#include "report_trace.h"
#include "switchcost.h"

struct pf {
	FILE *f;
	uint64_t t0;
	bool first;
	size_t *hit_cursor;	/* per thread: its next hit not yet written */
};

static void pf_sep(struct pf *p)
{
	fputs(p->first ? "\n" : ",\n", p->f);
	p->first = false;
}

static void pf_hits_before(struct pf *p, struct swc_trace_data *td, size_t thread, uint64_t to)
{
	const struct trace_thread *t = &td->threads[thread];
	size_t *k = &p->hit_cursor[thread];

	for (; *k < t->nhits && td->hits[t->first_hit + *k].ts < to; (*k)++) {
		pf_sep(p);
		fprintf(p->f, "{\"name\":\"switch point hit\",\"ph\":\"i\",\"s\":\"t\",\"pid\":%d,"
			      "\"tid\":%d,\"ts\":%.3f}", t->pid, t->tid,
			(double)(td->hits[t->first_hit + *k].ts - p->t0) / 1e3);
	}
}

static void pf_interval(void *arg, struct swc_trace_data *td, size_t thread, int st,
			uint64_t from, uint64_t to)
{
	struct pf *p = arg;
	const struct trace_thread *t = &td->threads[thread];

	if (!swc_trace_tracked(t))
		return;
	if (st != ST_BLOCKED) {
		pf_sep(p);
		fprintf(p->f, "{\"name\":\"%s\",\"ph\":\"X\",\"pid\":%d,\"tid\":%d,\"ts\":%.3f,"
			      "\"dur\":%.3f}", swc_trace_state_names[st], t->pid, t->tid,
			(double)(from - p->t0) / 1e3, (double)(to - from) / 1e3);
	}
	pf_hits_before(p, td, thread, to);
}

static void pf_switch(void *arg, struct swc_trace_data *td, const struct trace_rec *r)
{
	struct pf *p = arg;
	const struct trace_thread *in = &td->threads[r->next], *out = &td->threads[r->prev];
	const struct trace_thread *t = swc_trace_tracked(in) ? in : out;
	const char *kind = r->kind < SWC_KIND_NR ? swc_kind_name(r->kind) : "unknown";

	pf_sep(p);
	fprintf(p->f, "{\"name\":\"switch\",\"ph\":\"i\",\"s\":\"t\",\"pid\":%d,\"tid\":%d,"
		      "\"ts\":%.3f,\"args\":{\"kind\":\"%s\",\"from_tid\":%d,\"to_tid\":%d,"
		      "\"prev_state\":\"%c\"}}",
		t->pid, t->tid, (double)(r->ts - p->t0) / 1e3, kind, out->tid, in->tid,
		r->state >= 'A' && r->state <= 'z' ? r->state : '?');
}

int swc_trace_perfetto(FILE *f, struct swc_trace_data *td)
{
	struct pf p = { f, td->nrecs || td->nhits ? td->t0 : 0, true, NULL };

	p.hit_cursor = calloc(td->nthreads ? td->nthreads : 1, sizeof(*p.hit_cursor));
	if (!p.hit_cursor) {
		fprintf(stderr, "switchcost: writing Perfetto JSON: out of memory\n");
		return 1;
	}
	fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", f);
	for (size_t i = 0; i < td->nthreads; i++) {
		const struct trace_thread *t = &td->threads[i];

		if (!swc_trace_tracked(t))
			continue;
		pf_sep(&p);
		fprintf(f, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":%d,"
			   "\"args\":{\"name\":", t->pid, t->tid);
		swc_json_string(f, t->comm);
		fputs("}}", f);
		if (t->pid == t->tid) {
			pf_sep(&p);
			fprintf(f, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%d,\"args\":"
				   "{\"name\":", t->pid);
			swc_json_string(f, t->comm);
			fputs("}}", f);
		}
	}
	swc_trace_reduce(td, pf_interval, pf_switch, &p);
	for (size_t i = 0; i < td->nthreads; i++)
		if (swc_trace_tracked(&td->threads[i]))
			pf_hits_before(&p, td, i, UINT64_MAX);
	fputs("\n]}\n", f);
	free(p.hit_cursor);
	return 0;
}
