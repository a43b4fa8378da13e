/* SPDX-License-Identifier: GPL-2.0-only */
/* Summary statistics of repeats, and log2 histograms as the BPF side fills them. */
#ifndef SWC_STATS_H
#define SWC_STATS_H

#include <stdio.h>
#include <stddef.h>
#include <linux/types.h>

struct swc_task;

struct swc_summary {
	size_t n;
	double min, median, max, mean;
};

/* Summarises v[0..n) without changing it; n == 0 gives all-NaN fields and n 0. */
void swc_summarize(const double *v, size_t n, struct swc_summary *out);

__u64 swc_hist_total(const __u64 *slots, int nslots);
/* Estimate of the p-th quantile (0 < p <= 1) by linear interpolation inside the log2 bucket;
 * NaN for an empty histogram. Callers print it marked as approximate (≈). */
double swc_hist_quantile(const __u64 *slots, int nslots, double p);
/* The same, never above max, the exact largest value the histogram holds: the spread-evenly
 * guess inside the top bucket can pass it (a p99 of ≈63.6 µs beside a max of 32.8 µs). */
double swc_hist_quantile_upto(const __u64 *slots, int nslots, double p, __u64 max);
/* A task row's wake-up to run quantile: from its buckets, never above its exact max */
double swc_task_delay_quantile(const struct swc_task *t, double p);
/* Prints a bcc-style log2 histogram ("     usecs : count  distribution") with values in ns
 * scaled to the unit that fits, title first. Prints nothing but the title line if empty. */
void swc_hist_print(FILE *f, const char *title, const __u64 *slots, int nslots);
/* The same in a fixed unit: unit_ns 1 (nsecs), 1000 (usecs) or 1000000 (msecs); any other
 * value picks the unit that fits, as swc_hist_print does. */
void swc_hist_print_in(FILE *f, const char *title, const __u64 *slots, int nslots,
		       __u64 unit_ns);

#endif
