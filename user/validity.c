// SPDX-License-Identifier: GPL-2.0-only
/* The validity judgement of a row: thresholds on evidence already measured (see validity.h). */
#define _GNU_SOURCE
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/types.h>
#include "json.h"
#include "stats.h"
#include "switchcost.h"
#include "validity.h"

/*
 * Per group the BPF side counts switches with both sides inside once, so the kinds sum to
 * inside + out-only + in-only, and out + in = 2 inside + out-only + in-only.
 */
long long swc_outside_switches(const struct swc_group_stats *gs)
{
	unsigned long long kinds = swc_group_switches(gs);

	return (long long)(2 * kinds - gs->switches_out - gs->switches_in -
			   gs->by_kind[SWC_KIND_IDLE]);
}

unsigned long long swc_group_switches(const struct swc_group_stats *gs)
{
	unsigned long long kinds = 0;

	for (int k = 0; k < SWC_KIND_COROUTINE; k++)
		kinds += gs->by_kind[k];
	return kinds;
}

_Static_assert(sizeof(struct swc_group_stats) % sizeof(__u64) == 0, "only __u64 fields");

void swc_group_stats_sub(const struct swc_group_stats *after, const struct swc_group_stats *before,
			 struct swc_group_stats *out)
{
	const __u64 *a = (const __u64 *)after, *b = (const __u64 *)before;
	__u64 *o = (__u64 *)out;

	for (size_t i = 0; i < sizeof(*out) / sizeof(__u64); i++)
		o[i] = a[i] - b[i];
}

void swc_validity_add(struct swc_validity *v, const char *fmt, ...)
{
	va_list ap;

	v->valid = false;
	if (v->nreasons >= SWC_VALID_MAX_REASONS)
		return;
	va_start(ap, fmt);
	vsnprintf(v->reasons[v->nreasons++], sizeof(v->reasons[0]), fmt, ap);
	va_end(ap);
}

void swc_validity_judge(const struct swc_validity_in *in, struct swc_validity *out)
{
	memset(out, 0, sizeof(*out));
	out->valid = true;
	out->spread = in->min_ns > 0 && in->max_ns > 0 ? in->max_ns / in->min_ns : NAN;
	out->cpu_share = NAN;
	if (in->one_cpu && in->wall_ns >= SWC_VALID_MIN_WALL_NS && in->cpu_ns >= 0)
		out->cpu_share = in->cpu_ns / in->wall_ns;

	if (out->cpu_share < SWC_VALID_MIN_CPU_SHARE) {
		if (in->outside_switches > 0)
			swc_validity_add(out, "its tasks had their CPU %.0f%% of the time: tasks outside the "
				    "workload ran in between (%lld switches involved them)",
			       100 * out->cpu_share, in->outside_switches);
		else
			swc_validity_add(out, "its tasks had their CPU %.0f%% of the time: something else "
				    "ran there", 100 * out->cpu_share);
	}
	/* Across CPUs the share of CPU time says nothing, but each party's CPU idles while it
	 * waits: when busy tasks ran there instead, it shared its CPUs with other work. */
	if (!in->one_cpu && in->switches > 0 && in->outside_switches >= 0 &&
	    in->outside_switches > SWC_VALID_MAX_OUTSIDE_SHARE * in->switches)
		swc_validity_add(out, "busy tasks outside it ran on its CPUs between its switches: "
				 "%lld of its %lld switches involved them, not idle",
				 in->outside_switches, in->switches);
	if (in->outside_wait_ns > SWC_VALID_MAX_OUTSIDE_WAIT * in->wall_ns && in->wall_ns > 0)
		swc_validity_add(out, "its tasks waited runnable behind tasks outside it for %.0f%% of its "
			    "time (summed over its tasks)%s", 100 * in->outside_wait_ns / in->wall_ns,
		       in->outside_switches > 0 ? "" : " (kernel threads or other programs)");
	if (out->spread > SWC_VALID_MAX_SPREAD)
		swc_validity_add(out, "its repeats spread %.2f× (slowest/fastest, over %.1f×)", out->spread,
		       SWC_VALID_MAX_SPREAD);
	if (in->steal_ns > SWC_VALID_MAX_STEAL * in->wall_ns && in->wall_ns > 0)
		swc_validity_add(out, "the hypervisor stole %.0f%% of its time (steal in /proc/stat)",
		       100 * in->steal_ns / in->wall_ns);
}

unsigned long long swc_outside_preemptions(const struct swc_group_stats *gs)
{
	unsigned long long kinds = swc_group_switches(gs), inside, out_only, to_busy;

	/* out + in = 2 inside + out-only + in-only, and kinds = inside + out-only + in-only */
	inside = gs->switches_out + gs->switches_in - kinds;
	out_only = gs->switches_out - inside;
	/* about half the idle switches are into idle: those preempt nobody */
	to_busy = out_only > gs->by_kind[SWC_KIND_IDLE] / 2 ? out_only -
		  gs->by_kind[SWC_KIND_IDLE] / 2 : 0;
	return to_busy < gs->involuntary ? to_busy : gs->involuntary;
}

void swc_validity_judge_traced(const struct swc_group_stats *gs, double wall_ns, double cpu_ns,
			       double steal_ns, struct swc_validity *out)
{
	unsigned long long p = swc_outside_preemptions(gs);

	memset(out, 0, sizeof(*out));
	out->valid = true;
	out->spread = out->cpu_share = NAN;
	if (wall_ns > 0 && p > SWC_VALID_MAX_PREEMPT_RATE * wall_ns / 1e9 &&
	    p > SWC_VALID_MAX_PREEMPT_SHARE * gs->switches_out)
		swc_validity_add(out, "busy tasks outside it took its CPU up to %llu times (%.0f "
				 "a second, %.1f%% of its switches)", p, p / (wall_ns / 1e9),
				 100.0 * p / gs->switches_out);
	else if (gs->involuntary >= gs->voluntary && p >= SWC_VALID_MIN_PREEMPT && wall_ns > 0 &&
		 cpu_ns < SWC_VALID_MIN_CPU_SHARE * wall_ns)
		swc_validity_add(out, "it was CPU-bound but had a CPU %.0f%% of the time: busy tasks "
				 "outside it took the CPU up to %llu times", 100 * cpu_ns / wall_ns, p);
	if (steal_ns > SWC_VALID_MAX_STEAL * wall_ns && wall_ns > 0)
		swc_validity_add(out, "the hypervisor stole %.0f%% of its time (steal in "
				 "/proc/stat)", 100 * steal_ns / wall_ns);
}

long long swc_stat_steal_parse(const char *proc_stat, const int *cpus, int n)
{
	long long total = 0;

	for (int i = 0; i < n; i++) {
		char key[24];
		const char *p;
		unsigned long long f[8];
		size_t klen;

		klen = (size_t)snprintf(key, sizeof(key), "\ncpu%d ", cpus[i]);
		/* the file starts with the "cpu " total line, so every cpuN line follows a \n */
		p = strstr(proc_stat, key);
		if (!p)
			return -1;
		/* user nice system idle iowait irq softirq steal */
		if (sscanf(p + klen, "%llu %llu %llu %llu %llu %llu %llu %llu", &f[0], &f[1], &f[2],
			   &f[3], &f[4], &f[5], &f[6], &f[7]) != 8)
			return -1;
		total += (long long)f[7];
	}
	return total;
}

double swc_stat_steal_ns(const int *cpus, int n)
{
	FILE *f = fopen("/proc/stat", "re");
	char *buf;
	size_t len;
	long long ticks = -1;
	long hz = sysconf(_SC_CLK_TCK);

	if (!f)
		return NAN;
	buf = malloc(1 << 16);
	if (buf) {
		len = fread(buf, 1, (1 << 16) - 1, f);
		buf[len] = '\0';
		ticks = swc_stat_steal_parse(buf, cpus, n);
		free(buf);
	}
	fclose(f);
	return ticks < 0 || hz <= 0 ? NAN : ticks * (1e9 / hz);
}

void swc_validity_json(struct swc_json *j, const struct swc_validity *v)
{
	jw_bool(j, "valid", v->valid);
	jw_arr_begin(j, "reasons");
	for (int k = 0; k < v->nreasons; k++)
		jw_str(j, NULL, v->reasons[k]);
	jw_arr_end(j);
}

void swc_ns_per_switch_json(struct swc_json *j, const struct swc_summary *s,
			    const double *repeats, unsigned int n)
{
	jw_obj_begin(j, "ns_per_switch");
	jw_double(j, "median", s->median);
	jw_double(j, "min", s->min);
	jw_double(j, "max", s->max);
	jw_double(j, "mean", s->mean);
	jw_arr_begin(j, "repeats");
	for (unsigned int k = 0; k < n; k++)
		jw_double(j, NULL, repeats[k]);
	jw_arr_end(j);
	jw_obj_end(j);
}

const char *swc_validity_advice(void)
{
	return "for a quiet run, stop other work on that CPU (or pick an idle one with --cpus) "
	       "and run again";
}
