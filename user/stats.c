/* SPDX-License-Identifier: GPL-2.0-only */
/* Summary statistics of repeats, and log2 histograms as the BPF side fills them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "switchcost.h"

#define HIST_BAR_WIDTH	40

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void swc_summarize(const double *v, size_t n, struct swc_summary *out)
{
	double *sorted, sum = 0.0;
	size_t i;

	out->n = n;
	out->min = out->median = out->max = out->mean = NAN;
	if (n == 0)
		return;

	for (i = 0; i < n; i++)
		sum += v[i];
	out->mean = sum / (double)n;

	/* Sort a copy: callers keep the repeats in run order for their own output. */
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted) {
		/* Without memory the median is unknown, but min/max/mean are still exact. */
		out->min = out->max = v[0];
		for (i = 1; i < n; i++) {
			if (v[i] < out->min)
				out->min = v[i];
			if (v[i] > out->max)
				out->max = v[i];
		}
		return;
	}
	memcpy(sorted, v, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_double);
	out->min = sorted[0];
	out->max = sorted[n - 1];
	if (n % 2)
		out->median = sorted[n / 2];
	else
		out->median = (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
	free(sorted);
}

__u64 swc_hist_total(const __u64 *slots, int nslots)
{
	__u64 total = 0;
	int i;

	for (i = 0; i < nslots; i++)
		total += slots[i];
	return total;
}

/* Slot i holds [2^i, 2^(i+1)); slot 0 holds 0 and 1, so its lower edge is 0. */
static double slot_low(int i)
{
	return i == 0 ? 0.0 : ldexp(1.0, i);
}

static double slot_high(int i)
{
	return ldexp(1.0, i + 1);
}

double swc_hist_quantile(const __u64 *slots, int nslots, double p)
{
	__u64 total = swc_hist_total(slots, nslots), cum = 0;
	double target;
	int i;

	if (total == 0 || isnan(p))
		return NAN;
	if (p <= 0.0)
		p = 0.0;
	if (p > 1.0)
		p = 1.0;
	target = p * (double)total;

	for (i = 0; i < nslots; i++) {
		double frac;

		if (!slots[i])
			continue;
		if ((double)(cum + slots[i]) < target) {
			cum += slots[i];
			continue;
		}
		/* The values inside a bucket are unknown: assume them spread evenly over it. */
		frac = (target - (double)cum) / (double)slots[i];
		return slot_low(i) + frac * (slot_high(i) - slot_low(i));
	}
	/* Only reachable through rounding of target at p == 1: the top of the last bucket. */
	for (i = nslots - 1; i >= 0; i--)
		if (slots[i])
			return slot_high(i);
	return NAN;
}

double swc_hist_quantile_upto(const __u64 *slots, int nslots, double p, __u64 max)
{
	double q = swc_hist_quantile(slots, nslots, p);

	return q > (double)max ? (double)max : q;
}

double swc_task_delay_quantile(const struct swc_task *t, double p)
{
	return swc_hist_quantile_upto(t->hist_delay, SWC_HIST_SLOTS, p, t->delay_max_ns);
}

/* The unit the edges of slots [0, hi_idx] read best in: the upper edge of the highest slot
 * stays short. */
static __u64 hist_unit_for(int hi_idx)
{
	__u64 top = ((__u64)1 << (hi_idx + 1)) - 1;

	if (top < 1000000ULL)
		return 1;
	if (top < 1000000000ULL)
		return 1000;
	return 1000000;
}

static const char *hist_unit_name(__u64 div)
{
	return div == 1 ? "nsecs" : div == 1000 ? "usecs" : "msecs";
}

void swc_hist_print(FILE *f, const char *title, const __u64 *slots, int nslots)
{
	swc_hist_print_in(f, title, slots, nslots, 0);
}

void swc_hist_print_in(FILE *f, const char *title, const __u64 *slots, int nslots,
		       __u64 unit_ns)
{
	__u64 low[63], high[63], count[63], max = 0, div;
	int i, lo_idx = -1, hi_idx = -1, stars, j, nrows = 0;

	if (title)
		fprintf(f, "%s\n", title);
	/* Edges are computed with 64-bit shifts. */
	if (nslots > 63)
		nslots = 63;
	for (i = 0; i < nslots; i++) {
		if (!slots[i])
			continue;
		if (lo_idx < 0)
			lo_idx = i;
		hi_idx = i;
	}
	if (hi_idx < 0)
		return;

	/*
	 * The slots are log2 of nanoseconds. Edges are divided down (truncating), so the printed
	 * ranges are approximate when scaled; slots whose scaled edges read the same (all the
	 * sub-millisecond ones under msecs: "0 -> 0") are one row, their counts summed.
	 */
	div = unit_ns == 1 || unit_ns == 1000 || unit_ns == 1000000 ? unit_ns
								     : hist_unit_for(hi_idx);
	/* Rows from the lowest to the highest non-empty slot: leading empty rows say nothing. */
	for (i = lo_idx; i <= hi_idx; i++) {
		__u64 l = (i == 0 ? 0 : (__u64)1 << i) / div;
		__u64 h = (((__u64)1 << (i + 1)) - 1) / div;

		if (nrows && low[nrows - 1] == l && high[nrows - 1] == h) {
			count[nrows - 1] += slots[i];
		} else {
			low[nrows] = l;
			high[nrows] = h;
			count[nrows++] = slots[i];
		}
	}
	for (i = 0; i < nrows; i++)
		if (count[i] > max)
			max = count[i];

	fprintf(f, "%5s%-19s : count    distribution\n", "", hist_unit_name(div));
	for (i = 0; i < nrows; i++) {
		fprintf(f, "%10llu -> %-10llu : %-8llu |", (unsigned long long)low[i],
			(unsigned long long)high[i], (unsigned long long)count[i]);
		/* Integer scaling: the fullest row gets exactly the whole bar. */
		stars = (int)((double)count[i] * HIST_BAR_WIDTH / (double)max);
		for (j = 0; j < HIST_BAR_WIDTH; j++)
			fputc(j < stars ? '*' : ' ', f);
		fputs("|\n", f);
	}
}
