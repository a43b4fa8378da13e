// SPDX-License-Identifier: GPL-2.0-only
/*
 * trace -i / [interval] [count]: one line per interval with the switches since the previous
 * line, as the libbpf-tools print them; with --json, one JSON document per line (JSON lines).
 * Every line is a difference of two snapshots of the same counters, so the lines add up to
 * the summary that follows them (taken from the same last snapshot).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "csv.h"
#include "json.h"
#include "report.h"
#include "trace.h"

#define NS_PER_SEC	1000000000ULL

void trace_ticker_start(struct trace_ticker *tk, __u64 start_ns)
{
	memset(tk, 0, sizeof(*tk));
	tk->last_ns = start_ns;
}

/* Wall-clock time of day, to the millisecond when the interval is not whole seconds. */
static void time_of_day(bool subsecond, char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, len, "%H:%M:%S", &tm);
	if (subsecond && n)
		snprintf(buf + n, len - n, ".%03ld", ts.tv_nsec / 1000000);
}

static __u64 delta(__u64 now, __u64 last)
{
	return now - last;
}

static void print_json_line(const struct trace_env *env, const struct trace_ticker *tk,
			    const struct swc_group_stats *now, __u64 now_ns, FILE *f)
{
	const struct swc_group_stats *l = &tk->last;
	struct swc_json j;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	jw_init(&j, f, 0);
	jw_obj_begin(&j, NULL);
	jw_u64(&j, "schema_version", SWC_SCHEMA_VERSION);	/* each line stands alone */
	jw_str(&j, "tool", "switchcost");
	jw_str(&j, "command", "trace");
	jw_str(&j, "record", "interval");
	jw_u64(&j, "interval", tk->printed + 1);
	jw_u64(&j, "time_unix_ns", (__u64)ts.tv_sec * NS_PER_SEC + (__u64)ts.tv_nsec);
	jw_u64(&j, "interval_ns", now_ns - tk->last_ns);
	/* only the last line can be short: a whole interval printed late is still whole, and
	 * the one after it merely looks short */
	jw_bool(&j, "partial", tk->closing && now_ns - tk->last_ns < env->interval_ns);
	jw_u64(&j, "switches", delta(now->switches_out, l->switches_out));
	jw_u64(&j, "voluntary", delta(now->voluntary, l->voluntary));
	jw_u64(&j, "involuntary", delta(now->involuntary, l->involuntary));
	jw_obj_begin(&j, "by_kind");
	for (int k = 0; k < SWC_KIND_NR; k++)
		jw_u64(&j, swc_kind_name(k), delta(now->by_kind[k], l->by_kind[k]));
	jw_obj_end(&j);
	if (env->syscalls)
		jw_u64(&j, "wakeups", delta(now->wakeups, l->wakeups));
	else
		jw_null(&j, "wakeups");	/* counted only with --syscalls */
	jw_u64(&j, "user_switches", delta(now->user_switches, l->user_switches));
	jw_obj_end(&j);
	jw_finish(&j);
}

void trace_interval_print(const struct trace_env *env, struct trace_ticker *tk,
			  const struct swc_group_stats *now, __u64 now_ns, FILE *f)
{
	const struct swc_group_stats *l = &tk->last;
	char ts[32];

	if (env->json) {
		print_json_line(env, tk, now, now_ns, f);
	} else {
		if (!tk->printed) {
			if (env->timestamp)
				fprintf(f, "%-12s ", "TIME");
			fprintf(f, "%10s %10s %11s %9s %9s %9s %9s %9s\n", "SWITCHES",
				"VOLUNTARY", "INVOLUNTARY", "PROCESS", "THREAD", "IDLE", "KERNEL",
				"USER");
		}
		if (env->timestamp) {
			time_of_day(env->interval_ns % NS_PER_SEC != 0, ts, sizeof(ts));
			fprintf(f, "%-12s ", ts);
		}
		fprintf(f, "%10llu %10llu %11llu %9llu %9llu %9llu %9llu %9llu\n",
			(unsigned long long)delta(now->switches_out, l->switches_out),
			(unsigned long long)delta(now->voluntary, l->voluntary),
			(unsigned long long)delta(now->involuntary, l->involuntary),
			(unsigned long long)delta(now->by_kind[SWC_KIND_PROCESS],
						  l->by_kind[SWC_KIND_PROCESS]),
			(unsigned long long)delta(now->by_kind[SWC_KIND_THREAD],
						  l->by_kind[SWC_KIND_THREAD]),
			(unsigned long long)delta(now->by_kind[SWC_KIND_IDLE],
						  l->by_kind[SWC_KIND_IDLE]),
			(unsigned long long)delta(now->by_kind[SWC_KIND_KERNEL],
						  l->by_kind[SWC_KIND_KERNEL]),
			(unsigned long long)delta(now->user_switches, l->user_switches));
	}
	fflush(f);
	tk->last = *now;
	tk->last_ns = now_ns;
	tk->printed++;
}
