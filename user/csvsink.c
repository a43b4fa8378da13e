// SPDX-License-Identifier: GPL-2.0-only
/* --csv of run and trace: rows, counts, the sidecar, and both files together (csvsink.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "csvsink.h"
#include "fmt.h"
#include "json.h"
#include "validity.h"
#include "watch.h"

/* "32M", "64MiB", "4096", "1G": a power of two of bytes from 4 KiB to 1 GiB. */
static int parse_ringbuf(const char *cmd, const char *arg, unsigned long *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	/* digits first: strtoull alone would take " 32M" and "+32M" */
	if (end != arg && arg[0] >= '0' && arg[0] <= '9' && !errno) {
		unsigned int shift = 0;

		if (*end == 'K' || *end == 'k')
			shift = 10;
		else if (*end == 'M' || *end == 'm')
			shift = 20;
		else if (*end == 'G' || *end == 'g')
			shift = 30;
		if (shift)
			end++;
		if (shift && (!strcmp(end, "iB") || !strcmp(end, "B")))
			end += strlen(end);
		if (!*end && v <= (SWC_CSV_MAX_RINGBUF >> shift)) {
			v <<= shift;
			if (v >= 4096 && !(v & (v - 1))) {
				*out = v;
				return 0;
			}
		}
	}
	return swc_usage_error(cmd, "--ringbuf-size wants a power of two from 4K to 1G, such as "
			       "32M or 64M, not '%s'", arg);
}

int swc_csvsink_option(const char *cmd, int opt, const char *arg, const char **path,
		       unsigned long *ringbuf_bytes, bool *allow_drops)
{
	switch (opt) {
	case SWC_OPT_CSV:
		if (!*arg)
			return swc_usage_error(cmd, "--csv wants a file name, or - for stdout");
		*path = arg;
		return strcmp(arg, "-") ? swc_file_option(cmd, "--csv", arg) : 0;
	case SWC_OPT_RINGBUF:
		return parse_ringbuf(cmd, arg, ringbuf_bytes);
	case SWC_OPT_ALLOW_DROPS:
		*allow_drops = true;
		return 0;
	}
	return swc_usage_error(cmd, "unknown option");	/* not one of SWC_CSVSINK_OPTIONS */
}

int csvsink__open(struct swc_csvsink *s, const char *path)
{
	char *meta;
	int err;

	swc_outfile_init(&s->meta);
	s->path = path;
	s->shown = strcmp(path, "-") ? path : "stdout";
	if (!strcmp(path, "-") && swc_stdout_was_closed()) {
		fprintf(stderr, "switchcost: --csv -: stdout is closed, so the CSV would go "
				"nowhere: give a file name, or open stdout\n");
		return 1;
	}
	/* before the BPF side: a refused target costs nothing and leaves nothing */
	s->csv = csv__open(path);
	if (!s->csv)
		return 1;
	if (!strcmp(path, "-"))
		return 0;
	/* the sidecar's target is checked (and held) now too, not after the run */
	if (asprintf(&meta, "%s.meta.json", path) < 0) {
		fprintf(stderr, "switchcost: writing %s.meta.json: %s\n", path, strerror(ENOMEM));
		err = -ENOMEM;
	} else {
		err = swc_outfile_open(&s->meta, meta);
		free(meta);
	}
	if (err) {
		csv__close(s->csv, false);
		s->csv = NULL;
		return 1;
	}
	return 0;
}

int csvsink__on_record(void *ctx, const struct swc_switch_rec *rec)
{
	struct swc_csvsink *s = ctx;
	const char *wl = s->names && rec->group < s->nnames ? s->names[rec->group] : NULL;
	const char *pass = s->passes && rec->group < s->nnames ? s->passes[rec->group] : NULL;
	int err;

	if (s->failed)
		return -EIO;
	err = csv__write(s->csv, rec, wl, pass);
	if (err) {
		fprintf(stderr, "switchcost: writing %s: %s; it stops here and no file is left "
				"under that name\n", s->shown, strerror(-err));
		s->failed = true;
		return err;
	}
	s->by_kind[rec->kind < SWC_KIND_NR ? rec->kind : SWC_KIND_NR]++;
	if (rec->group == SWC_NO_GROUP)
		s->unwatched++;
	return 0;
}

unsigned long long csvsink__sched_rows(const struct swc_csvsink *s)
{
	unsigned long long sum = 0;

	for (int k = 0; k <= SWC_KIND_NR; k++)
		if (k != SWC_KIND_COROUTINE)
			sum += s->by_kind[k];
	return sum;
}

unsigned long long csvsink__rows(const struct swc_csvsink *s)
{
	return csvsink__sched_rows(s) + s->by_kind[SWC_KIND_COROUTINE];
}

void csvsink__json(const struct swc_csvsink *s, struct swc_json *j)
{
	jw_obj_begin(j, "csv");
	jw_str(j, "path", s->path);
	if (strcmp(s->path, "-")) {
		char meta[PATH_MAX];

		snprintf(meta, sizeof(meta), "%s.meta.json", s->path);
		jw_str(j, "metadata", meta);
	} else {
		jw_null(j, "metadata");
	}
	jw_u64(j, "rows", csvsink__rows(s));
	jw_u64(j, "sched_rows", csvsink__sched_rows(s));
	jw_u64(j, "coroutine_rows", s->by_kind[SWC_KIND_COROUTINE]);
	jw_u64(j, "unwatched_rows", s->unwatched);
	jw_obj_begin(j, "rows_by_kind");
	for (int k = 0; k < SWC_KIND_NR; k++)
		jw_u64(j, swc_kind_name(k), s->by_kind[k]);
	jw_obj_end(j);
	jw_u64(j, "ringbuf_bytes", s->ringbuf_bytes);
	jw_bool(j, "all_tasks", s->all_tasks);
	jw_obj_end(j);
}

/* Switches and coroutine switches the BPF side counted in one group: each switch once per
 * group, so the group's rows, unless records were dropped. */
static void group_counts(struct swc_watch *w, __u32 group, unsigned long long *sched,
			 unsigned long long *coro)
{
	struct swc_group_stats gs;

	*sched = *coro = 0;
	if (!w || watch__group_stats(w, group, &gs))
		return;
	*sched = swc_group_switches(&gs);
	*coro = gs.by_kind[SWC_KIND_COROUTINE];
}

void csvsink__json_groups(const struct swc_csvsink *s, struct swc_json *j, struct swc_watch *w,
			  const struct swc_counters *ctr)
{
	unsigned long long sched, coro, sched_total = 0, coro_total = 0;

	jw_arr_begin(j, "groups");
	for (unsigned int g = 0; g < s->nnames; g++) {
		if (!s->names[g])
			continue;
		group_counts(w, g, &sched, &coro);
		sched_total += sched;
		coro_total += coro;
		if (!sched && !coro)
			continue;
		jw_obj_begin(j, NULL);
		jw_str(j, "workload", s->names[g]);
		if (s->passes)
			jw_str(j, "pass", s->passes[g]);
		jw_u64(j, "sched_switches", sched);
		jw_u64(j, "coroutine_switches", coro);
		jw_obj_end(j);
	}
	jw_arr_end(j);
	jw_obj_begin(j, "bpf");
	jw_u64(j, "sched_switches", sched_total);
	jw_u64(j, "coroutine_switches", coro_total);
	jw_u64(j, "events_dropped", ctr ? ctr->events_dropped : 0);
	jw_u64(j, "tasks_untracked", ctr ? ctr->tasks_full : 0);
	jw_u64(j, "processes_unwatched", ctr ? ctr->watch_full : 0);
	jw_obj_end(j);
}

int csvsink__drops(const struct swc_csvsink *s, unsigned long long dropped)
{
	char a[32];

	if (!dropped)
		return 0;
	fprintf(stderr, "switchcost: %s switch records were lost (ring buffer full), so %s "
			"lacks them: give a larger --ringbuf-size (now %lu%s)%s\n",
		swc_fmt_count(dropped, a, sizeof(a)), s->shown,
		s->ringbuf_bytes >> (s->ringbuf_bytes >> 20 ? 20 : 10),
		s->ringbuf_bytes >> 20 ? "M" : "K", s->allow_drops ? "" :
		", or --allow-drops to accept that (exit status 3)");
	return s->allow_drops ? 0 : SWC_EXIT_DROPS;
}

/* The sidecar's document, whole, into its (unnamed) file. */
static int write_meta(struct swc_csvsink *s, int (*meta)(void *ctx, FILE *f), void *ctx)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	err = meta(ctx, f);
	if (fclose(f) || !buf) {
		free(buf);
		return -ENOMEM;
	}
	if (!err)
		err = swc_outfile_write(&s->meta, buf, len);
	if (err)
		fprintf(stderr, "switchcost: writing %s: %s\n", s->meta.path, strerror(-err));
	free(buf);
	return err;
}

int csvsink__close(struct swc_csvsink *s, bool keep,
		   int (*meta)(void *ctx, FILE *f), void *ctx)
{
	struct swc_outfile *csv_file;
	int err = 0;

	if (!s || !s->csv)
		return 0;
	keep = keep && !s->failed;
	if (keep)
		err = csv__finish(s->csv);
	csv_file = csv__outfile(s->csv);
	/* the sidecar is written first, and both go in place together: a full disk leaves
	 * neither name behind */
	if (keep && !err && csv_file && meta)
		err = write_meta(s, meta, ctx);
	if (csv_file && keep && !err)
		err = swc_outfile_commit_pair(csv_file, &s->meta, true);
	swc_outfile_commit(&s->meta, false);	/* still open only on a failure */
	if (csv__close(s->csv, keep && !err && !csv_file) && !err)
		err = -EIO;
	s->csv = NULL;
	if (err || !keep)
		s->failed = true;
	return err;
}
