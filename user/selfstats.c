// SPDX-License-Identifier: GPL-2.0-only
/* What switchcost itself costs, measured in-process for the benchmark and --json. */
#include <math.h>
#include <time.h>
#include <sys/resource.h>
#include "json.h"
#include "selfstats.h"

static struct timespec started, attached;

void swc_self_started(void)
{
	clock_gettime(CLOCK_MONOTONIC, &started);
}

void swc_self_attached(void)
{
	clock_gettime(CLOCK_MONOTONIC, &attached);
}

void swc_self_json(struct swc_json *j)
{
	struct rusage ru;
	double ms = NAN;

	if (attached.tv_sec || attached.tv_nsec)
		ms = (attached.tv_sec - started.tv_sec) * 1e3 +
		     (attached.tv_nsec - started.tv_nsec) / 1e6;
	getrusage(RUSAGE_SELF, &ru);	/* ru_maxrss: this process only, in KiB */
	jw_obj_begin(j, "switchcost");
	jw_double(j, "start_to_attach_ms", ms);
	jw_u64(j, "max_rss_kib", ru.ru_maxrss);
	jw_obj_end(j);
}
