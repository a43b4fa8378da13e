// SPDX-License-Identifier: GPL-2.0-only
/*
 * A trace CSV read back (columns by header name, so a reordered or extended export still reads)
 * and reduced to per-thread states: running from a switch-in to the next switch-out; after a
 * switch-out, runnable when preempted (prev_state R), blocked otherwise; a switch-in's delay_ns,
 * when known, marks the runnable stretch before it. The HTML page bins those states by pixel
 * column, so a million switches make a page of bounded size; Perfetto gets every slice.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "report_trace.h"
#include "svg.h"

enum { ST_RUNNING, ST_RUNNABLE, ST_BLOCKED, ST_N };
static const char *const state_names[ST_N] = { "running", "runnable", "blocked" };

struct rec {
	uint64_t ts, delay;
	uint32_t prev, next;	/* thread indices */
	char state;
};

struct thread {
	int pid, tid;
	char comm[32];
	/* reduction state */
	int st;
	uint64_t since;
	bool seen;
};

struct swc_trace_data {
	struct rec *recs;
	size_t nrecs, cap;
	struct thread *threads;
	size_t nthreads, tcap;
	int *hash;		/* tid -> index + 1, open addressing */
	size_t hcap;
};

/* CSV column names read (docs/CSV.md), with alternatives a renamed schema may use. */
static const char *const col_names[][3] = {
	{ "ts_ns", "timestamp_ns", NULL }, { "prev_pid", "prev_tgid", NULL },
	{ "prev_tid", NULL, NULL },	   { "prev_comm", NULL, NULL },
	{ "prev_state", NULL, NULL },	   { "next_pid", "next_tgid", NULL },
	{ "next_tid", NULL, NULL },	   { "next_comm", NULL, NULL },
	{ "delay_ns", "wakeup_delay_ns", NULL },
};
enum { C_TS, C_PREV_PID, C_PREV_TID, C_PREV_COMM, C_PREV_STATE, C_NEXT_PID, C_NEXT_TID,
       C_NEXT_COMM, C_DELAY, C_N };

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
		struct thread *t = &td->threads[td->hash[h] - 1];

		if (t->tid == tid) {
			snprintf(t->comm, sizeof(t->comm), "%s", comm);	/* the latest (exec) */
			return td->hash[h] - 1;
		}
		h = (h + 1) % td->hcap;
	}
	if (td->nthreads == td->tcap) {
		size_t ncap = td->tcap ? td->tcap * 2 : 64;
		struct thread *nt = realloc(td->threads, ncap * sizeof(*nt));

		if (!nt)
			return -1;
		td->threads = nt;
		td->tcap = ncap;
	}
	memset(&td->threads[td->nthreads], 0, sizeof(struct thread));
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
	free(td->threads);
	free(td->hash);
	free(td);
}

static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
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
		if (col[c] < 0 && c != C_DELAY) {
			fprintf(stderr, "switchcost: report: %s has no column %s: is it a switchcost "
					"--csv export (docs/CSV.md)?\n", path, col_names[c][0]);
			goto fail;
		}
	}
	while (gzgets(gz, line, sizeof(line))) {
		struct rec *r;
		int p, n;

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
		if (td->nrecs == td->cap) {
			size_t ncap = td->cap ? td->cap * 2 : 4096;
			struct rec *nr = realloc(td->recs, ncap * sizeof(*nr));

			if (!nr) {
				fprintf(stderr, "switchcost: report: reading %s: %s\n", path,
					strerror(ENOMEM));
				goto fail;
			}
			td->recs = nr;
			td->cap = ncap;
		}
		p = thread_index(td, atoi(fields[col[C_PREV_PID]]), atoi(fields[col[C_PREV_TID]]),
				 fields[col[C_PREV_COMM]]);
		n = thread_index(td, atoi(fields[col[C_NEXT_PID]]), atoi(fields[col[C_NEXT_TID]]),
				 fields[col[C_NEXT_COMM]]);
		if (p < 0 || n < 0) {
			fprintf(stderr, "switchcost: report: reading %s: %s\n", path, strerror(ENOMEM));
			goto fail;
		}
		r = &td->recs[td->nrecs++];
		r->ts = strtoull(fields[col[C_TS]], NULL, 10);
		r->delay = col[C_DELAY] >= 0 ? strtoull(fields[col[C_DELAY]], NULL, 10) : 0;
		r->prev = (uint32_t)p;
		r->next = (uint32_t)n;
		r->state = fields[col[C_PREV_STATE]][0];
	}
	if (!gzeof(gz)) {
		int e;

		fprintf(stderr, "switchcost: report: reading %s: %s\n", path, gzerror(gz, &e));
		goto fail;
	}
	gzclose(gz);
	/* rows come per CPU in order, across CPUs nearly so: one time order for the reduction */
	qsort(td->recs, td->nrecs, sizeof(*td->recs), cmp_rec);
	return td;
fail:
	if (gz)
		gzclose(gz);
	swc_trace_free(td);
	return NULL;
}

/* Idle (tid 0) is the CPU doing nothing, not a thread: no track. */
static bool tracked(const struct thread *t)
{
	return t->tid != 0;
}

typedef void (*interval_fn)(void *arg, struct swc_trace_data *td, size_t thread, int st,
			    uint64_t from, uint64_t to);
typedef void (*switch_fn)(void *arg, struct swc_trace_data *td, const struct rec *r);

static void set_state(struct swc_trace_data *td, size_t i, int st, uint64_t ts, interval_fn fn,
		      void *arg)
{
	struct thread *t = &td->threads[i];

	if (t->seen && ts > t->since)
		fn(arg, td, i, t->st, t->since, ts);
	t->seen = true;
	t->st = st;
	t->since = ts;
}

static void reduce(struct swc_trace_data *td, interval_fn fn, switch_fn sw, void *arg)
{
	for (size_t i = 0; i < td->nthreads; i++)
		td->threads[i].seen = false;
	for (size_t k = 0; k < td->nrecs; k++) {
		const struct rec *r = &td->recs[k];
		struct thread *n = &td->threads[r->next];

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

/* ---- HTML: states binned by pixel column ---- */

#define COLUMNS 800
#define MAX_TRACKS 200

struct bins {
	uint64_t t0, t1;
	double col_ns;
	int *row;		/* thread -> track row, -1 untracked */
	float (*ns)[COLUMNS][ST_N];
	uint32_t (*switches)[COLUMNS];
};

static void bin_interval(void *arg, struct swc_trace_data *td, size_t thread, int st,
			 uint64_t from, uint64_t to)
{
	struct bins *b = arg;
	int row = b->row[thread];
	(void)td;

	if (row < 0)
		return;
	while (from < to) {
		size_t c = (size_t)((double)(from - b->t0) / b->col_ns);
		uint64_t end;

		if (c >= COLUMNS)
			c = COLUMNS - 1;
		end = b->t0 + (uint64_t)((double)(c + 1) * b->col_ns);
		if (end <= from || c == COLUMNS - 1)
			end = to;
		if (end > to)
			end = to;
		b->ns[row][c][st] += (float)(end - from);
		from = end;
	}
}

static void bin_switch(void *arg, struct swc_trace_data *td, const struct rec *r)
{
	struct bins *b = arg;
	size_t c = (size_t)((double)(r->ts - b->t0) / b->col_ns);
	(void)td;

	if (c >= COLUMNS)
		c = COLUMNS - 1;
	if (b->row[r->next] >= 0)
		b->switches[b->row[r->next]][c]++;
	if (b->row[r->prev] >= 0)
		b->switches[b->row[r->prev]][c]++;
}

int swc_trace_html(FILE *f, struct swc_trace_data *td, const char *source)
{
	struct bins b = { 0 };
	size_t ntracks = 0, nhidden = 0;
	const double x0 = 190, rowh = 18;
	int rc = 1;

	if (!td->nrecs) {
		fprintf(stderr, "switchcost: report: %s holds no switches: nothing to draw\n", source);
		return 1;
	}
	b.t0 = td->recs[0].ts;
	b.t1 = td->recs[td->nrecs - 1].ts;
	b.col_ns = b.t1 > b.t0 ? (double)(b.t1 - b.t0) / COLUMNS : 1;
	b.row = malloc(td->nthreads * sizeof(*b.row));
	for (size_t i = 0; b.row && i < td->nthreads; i++) {
		b.row[i] = -1;
		if (!tracked(&td->threads[i]))
			continue;
		if (ntracks < MAX_TRACKS)
			b.row[i] = (int)ntracks++;
		else
			nhidden++;
	}
	b.ns = calloc(ntracks ? ntracks : 1, sizeof(*b.ns));
	b.switches = calloc(ntracks ? ntracks : 1, sizeof(*b.switches));
	if (!b.row || !b.ns || !b.switches) {
		fprintf(stderr, "switchcost: report: %s\n", strerror(ENOMEM));
		goto out;
	}
	reduce(td, bin_interval, bin_switch, &b);

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<title>switchcost trace timeline</title>\n<style>"
	      "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}"
	      "svg text{font:11px system-ui,sans-serif}.running{fill:#2ca02c}.runnable{fill:#ff7f0e}"
	      ".blocked{fill:#e8e8e8}.switch{fill:#000}.legend span{display:inline-block;width:12px;"
	      "height:12px;margin:0 4px 0 12px;vertical-align:middle}"
	      "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px}"
	      "</style>\n</head>\n<body>\n<h1>switchcost trace: per-thread timeline</h1>\n<p>From <code>", f);
	svg_escape(f, source);
	fprintf(f, "</code>: %zu switches, %zu threads, %.3f ms.</p>\n", td->nrecs, ntracks,
		(double)(b.t1 - b.t0) / 1e6);
	fprintf(f, "<p id=\"binning\">Binned by pixel column: %d columns of %.1f µs each; a column "
		   "shows the state its thread spent most of that time in, and a tick marks "
		   "columns with switches (hover for the counts).%s</p>\n",
		COLUMNS, b.col_ns / 1e3, nhidden ? " Only the first threads are drawn." : "");
	if (nhidden)
		fprintf(f, "<p>%zu more threads are not drawn (at most %d tracks).</p>\n", nhidden,
			MAX_TRACKS);
	fputs("<p class=\"legend\"><span class=\"running\" style=\"background:#2ca02c\"></span>running"
	      "<span style=\"background:#ff7f0e\"></span>runnable (woken or preempted, waiting for a "
	      "CPU)<span style=\"background:#e8e8e8\"></span>blocked<span style=\"background:#000\">"
	      "</span>switches</p>\n", f);
	fprintf(f, "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
		   "height=\"%.0f\">\n", x0 + COLUMNS + 10, ntracks * rowh + 30);
	for (size_t i = 0; i < td->nthreads; i++) {
		const struct thread *t = &td->threads[i];
		int row = b.row[i];
		double y;

		if (row < 0)
			continue;
		y = row * rowh;
		fprintf(f, "<g class=\"thread\" data-tid=\"%d\"><text x=\"0\" y=\"%.0f\">", t->tid,
			y + 12);
		svg_escape(f, t->comm);
		fprintf(f, " %d/%d</text>\n", t->pid, t->tid);
		/* runs of columns with the same dominant state become one rect */
		for (int c = 0; c < COLUMNS;) {
			int st = -1, c2;
			float best = 0;

			for (int s = 0; s < ST_N; s++)
				if (b.ns[row][c][s] > best) {
					best = b.ns[row][c][s];
					st = s;
				}
			for (c2 = c + 1; c2 < COLUMNS; c2++) {
				int st2 = -1;
				float best2 = 0;

				for (int s = 0; s < ST_N; s++)
					if (b.ns[row][c2][s] > best2) {
						best2 = b.ns[row][c2][s];
						st2 = s;
					}
				if (st2 != st)
					break;
			}
			if (st >= 0)
				fprintf(f, "<rect class=\"%s\" x=\"%.0f\" y=\"%.0f\" width=\"%d\" "
					   "height=\"12\"><title>%s %.3f..%.3f ms</title></rect>\n",
					state_names[st], x0 + c, y + 2, c2 - c, state_names[st],
					c * b.col_ns / 1e6, c2 * b.col_ns / 1e6);
			c = c2;
		}
		for (int c = 0; c < COLUMNS; c++)
			if (b.switches[row][c])
				fprintf(f, "<rect class=\"switch\" x=\"%.0f\" y=\"%.0f\" width=\"1\" "
					   "height=\"4\"><title>%u switches</title></rect>\n",
					x0 + c, y + 14, b.switches[row][c]);
		fputs("</g>\n", f);
	}
	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\">0</text><text x=\"%.0f\" y=\"%.0f\" "
		   "text-anchor=\"end\">%.3f ms</text>\n</svg>\n",
		x0, ntracks * rowh + 20, x0 + COLUMNS, ntracks * rowh + 20, (double)(b.t1 - b.t0) / 1e6);
	fputs("</body>\n</html>\n", f);
	rc = 0;
out:
	free(b.row);
	free(b.ns);
	free(b.switches);
	return rc;
}

/* ---- Perfetto / Chrome JSON trace events ---- */

struct pf {
	FILE *f;
	uint64_t t0;
	bool first;
};

static void pf_sep(struct pf *p)
{
	fputs(p->first ? "\n" : ",\n", p->f);
	p->first = false;
}

static void pf_interval(void *arg, struct swc_trace_data *td, size_t thread, int st,
			uint64_t from, uint64_t to)
{
	struct pf *p = arg;
	const struct thread *t = &td->threads[thread];

	if (st == ST_BLOCKED || !tracked(t))
		return;
	pf_sep(p);
	fprintf(p->f, "{\"name\":\"%s\",\"ph\":\"X\",\"pid\":%d,\"tid\":%d,\"ts\":%.3f,\"dur\":%.3f}",
		state_names[st], t->pid, t->tid, (double)(from - p->t0) / 1e3,
		(double)(to - from) / 1e3);
}

static void pf_switch(void *arg, struct swc_trace_data *td, const struct rec *r)
{
	struct pf *p = arg;
	const struct thread *t = &td->threads[r->next];

	if (!tracked(t))
		return;
	pf_sep(p);
	fprintf(p->f, "{\"name\":\"switch in\",\"ph\":\"i\",\"s\":\"t\",\"pid\":%d,\"tid\":%d,"
		      "\"ts\":%.3f,\"args\":{\"from_tid\":%d}}",
		t->pid, t->tid, (double)(r->ts - p->t0) / 1e3, td->threads[r->prev].tid);
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

int swc_trace_perfetto(FILE *f, struct swc_trace_data *td)
{
	struct pf p = { f, td->nrecs ? td->recs[0].ts : 0, true };

	fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", f);
	for (size_t i = 0; i < td->nthreads; i++) {
		const struct thread *t = &td->threads[i];

		if (!tracked(t))
			continue;
		pf_sep(&p);
		fprintf(f, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":%d,"
			   "\"args\":{\"name\":", t->pid, t->tid);
		json_str(f, t->comm);
		fputs("}}", f);
		if (t->pid == t->tid) {
			pf_sep(&p);
			fprintf(f, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%d,\"args\":"
				   "{\"name\":", t->pid);
			json_str(f, t->comm);
			fputs("}}", f);
		}
	}
	reduce(td, pf_interval, pf_switch, &p);
	fputs("\n]}\n", f);
	return 0;
}
