// SPDX-License-Identifier: GPL-2.0-only
/* switchcost run --ws: the working-set sweep as run's output (see sweep.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "json.h"
#include "report.h"
#include "run_ws.h"
#include "signals.h"
#include "sysinfo.h"
#include "watch.h"

/* BPF group of the sweep's runners: beside run's (4 x SWC_WL_NR at most) */
#define SWEEP_GROUP	(SWC_MAX_GROUPS - 1)

int swc_run_ws_parse(const char *arg, struct swc_sweep_opts *o)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	unsigned long long half = pages > 0 && page > 0 ?
				  (unsigned long long)pages * (unsigned long long)page / 2 : 1ULL << 30;
	unsigned long long sizes[SWC_WS_MAX_SIZES];
	char err[160];
	int n = swc_ws_parse_list(arg, half, sizes, SWC_WS_MAX_SIZES, err, sizeof(err));

	if (n < 0) {
		fprintf(stderr, "switchcost: %s (see switchcost run --help)\n", err);
		return 2;
	}
	/* W = 0 is the direct cost every indirect one is measured from: always there */
	o->nsizes = 0;
	if (sizes[0] != 0)
		o->sizes[o->nsizes++] = 0;
	memcpy(o->sizes + o->nsizes, sizes, (size_t)n * sizeof(sizes[0]));
	o->nsizes += n;
	return 0;
}

static void json_config(struct swc_json *j, const struct swc_sweep_opts *o)
{
	jw_obj_begin(j, "config");
	jw_arr_begin(j, "cpus");
	jw_i64(j, NULL, o->cpu);
	jw_arr_end(j);
	jw_bool(j, "quick", o->quick);
	jw_arr_begin(j, "workloads");
	for (int k = 0; k < o->nwl; k++)
		jw_str(j, NULL, swc_workload_name(o->wl[k]));
	jw_arr_end(j);
	jw_obj_end(j);
}

int swc_run_ws(const struct swc_sweep_opts *o, bool json, bool strict,
	       const struct swc_sysinfo *si, struct swc_watch *w)
{
	struct swc_sweep *s = calloc(1, sizeof(*s));
	struct swc_json j;
	int err, rc = 0;

	if (!s) {
		fprintf(stderr, "switchcost: allocating the sweep: %s\n", strerror(ENOMEM));
		return 1;
	}
	s->o = *o;
	err = swc_sweep_run(s, w, SWEEP_GROUP);
	if (err == -EINTR || stop_requested) {
		fprintf(stderr, "switchcost: interrupted by %s: workloads stopped, nothing left "
				"running\n", strsignal(stop_requested ? stop_requested : SIGINT));
		free(s);
		return swc_signal_exit_code(stop_requested ? stop_requested : SIGINT);
	}
	if (err) {
		free(s);
		return 1;
	}
	if (json) {
		swc_report_json_begin(&j, stdout, "run", si);
		json_config(&j, o);
		jw_arr_begin(&j, "results");
		swc_sweep_json_results(s, &j);
		jw_arr_end(&j);
		swc_sweep_json(s, &si->as, &j);
		jw_obj_end(&j);
		jw_finish(&j);
	} else {
		swc_sysinfo_print(si, stdout);
		swc_sweep_print(s, &si->as, stdout);
		if (!swc_sweep_valid(s))
			fprintf(stdout, "! points marked '!' were not clean measurements (see "
					"--json's reasons): %s.\n", swc_validity_advice());
	}
	if (!swc_sweep_ok(s))
		rc = 1;
	else if (strict && !swc_sweep_valid(s))
		rc = SWC_EXIT_INVALID;
	free(s);
	return rc;
}
