// SPDX-License-Identifier: GPL-2.0-only
/* What switchcost itself costs, measured in-process for the benchmark and --json. */
#include <math.h>
#include <stdio.h>
#include <time.h>
#include "json.h"
#include "selfstats.h"

static struct timespec started, started_real, attached;

void swc_self_started(void)
{
	clock_gettime(CLOCK_MONOTONIC, &started);
	clock_gettime(CLOCK_REALTIME, &started_real);
}

void swc_self_start_times(struct timespec *mono, struct timespec *real)
{
	*mono = started;
	*real = started_real;
}

void swc_self_attached(void)
{
	clock_gettime(CLOCK_MONOTONIC, &attached);
}

/*
 * Peak resident set of this process, from VmHWM in /proc/self/status; -1 if unreadable.
 * Not getrusage's ru_maxrss: that one survives exec, so a switchcost started from a large
 * parent (a Python harness, a shell that had grown) reports the parent's peak as its own.
 */
long swc_self_peak_rss_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

void swc_self_json(struct swc_json *j)
{
	long rss = swc_self_peak_rss_kib();
	double ms = NAN;

	if (attached.tv_sec || attached.tv_nsec)
		ms = (attached.tv_sec - started.tv_sec) * 1e3 +
		     (attached.tv_nsec - started.tv_nsec) / 1e6;
	jw_obj_begin(j, "switchcost");
	jw_double(j, "start_to_attach_ms", ms);
	if (rss >= 0)
		jw_u64(j, "peak_rss_kib", (unsigned long long)rss);
	else
		jw_null(j, "peak_rss_kib");
	jw_str(j, "peak_rss_source", "VmHWM");
	jw_obj_end(j);
}
