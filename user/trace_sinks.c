// SPDX-License-Identifier: GPL-2.0-only
/*
 * Where trace's switch records go: the CSV sink (--csv) and the records kept for the pages
 * (--html, --perfetto). Opened before the BPF side, so a refused target costs nothing; at the
 * end the pages are drawn and the CSV is put in place with its sidecar, or not at all.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "csvsink.h"
#include "pictures.h"
#include "report_trace.h"
#include "trace.h"
#include "watch.h"

/* The records consumer: keeps each record for the pages, then hands it to the CSV sink. */
static int on_record(void *ctx, const struct swc_switch_rec *rec)
{
	struct trace_sinks *rs = ctx;

	if (rs->td && !rs->td_failed && swc_trace_add_rec(rs->td, rec)) {
		fprintf(stderr, "switchcost: keeping switches for --html/--perfetto: %s\n",
			strerror(ENOMEM));
		rs->td_failed = true;
	}
	return rs->csv ? csvsink__on_record(rs->csv, rec) : 0;
}

int trace_sinks_open(const struct trace_env *env, struct trace_sinks *rs,
		     struct swc_watch_opts *wopts)
{
	static const char *const names[] = { [TRACE_GROUP] = "trace" };

	memset(rs, 0, sizeof(*rs));
	rs->sink.names = names;
	rs->sink.nnames = 1;
	if (env->csv_path) {
		/* before the BPF side: a refused target costs nothing and leaves nothing */
		rs->sink.ringbuf_bytes = env->ringbuf_bytes;
		rs->sink.allow_drops = env->allow_drops;
		if (csvsink__open(&rs->sink, env->csv_path))
			return 1;
		rs->csv = &rs->sink;
	}
	if (env->html_path || env->perfetto_path) {
		rs->td = swc_trace_new();
		if (!rs->td) {
			fprintf(stderr, "switchcost: trace: %s\n", strerror(ENOMEM));
			csvsink__close(&rs->sink, false, NULL, NULL);
			return 1;
		}
	}
	if (rs->csv || rs->td) {
		wopts->emit = true;
		wopts->ringbuf_bytes = env->ringbuf_bytes;
		wopts->on_record = on_record;
		wopts->ctx = rs;
	}
	return 0;
}

void trace_sinks_pages(const struct trace_env *env, struct trace_sinks *rs)
{
	if (rs->td && (rs->td_failed || swc_pictures_trace(rs->td, env->html_path,
							   env->perfetto_path, env->argv ?
							   env->argv[0] : "switchcost trace -p")))
		rs->td_failed = true;
}

int trace_sinks_close_csv(const struct trace_env *env, struct trace_result *res,
			  struct swc_watch *w, struct trace_sinks *rs, int rc)
{
	struct trace_meta meta;
	int code;

	if (!rs->sink.csv)
		return rc;
	/* the CSV's contract is run's: lost records are said, and fail a clean exit */
	code = res->have_ctr ? csvsink__drops(&rs->sink, res->ctr.events_dropped) : 0;
	if (rc == 0)
		rc = code;
	res->csv_rows = csvsink__rows(&rs->sink);
	meta = (struct trace_meta){ env, res, w, &rs->sink, rc };
	/* before the report, which must not count rows of a CSV that is not there */
	if (csvsink__close(&rs->sink, true, trace_write_meta, &meta) && rc == 0)
		rc = 1;
	res->csv_kept = !rs->sink.failed;
	return rc;
}

void trace_sinks_close(struct trace_sinks *rs)
{
	csvsink__close(&rs->sink, false, NULL, NULL);	/* still open only on a failure */
	swc_trace_free(rs->td);
	rs->td = NULL;
}
