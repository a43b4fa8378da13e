/* SPDX-License-Identifier: GPL-2.0-only */
/* Summary statistics of repeats, and log2 histograms as the BPF side fills them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

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

void swc_hist_print(FILE *f, const char *title, const __u64 *slots, int nslots)
{
	int i, lo_idx = -1, hi_idx = -1, stars, j;
	const char *unit;
	__u64 max = 0, div, top;

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
		if (slots[i] > max)
			max = slots[i];
	}
	if (hi_idx < 0)
		return;

	/*
	 * The slots are log2 of nanoseconds. Pick the unit from the upper edge of the highest
	 * non-empty slot so the edges stay short; edges are divided down (truncating), so rows
	 * below one unit read "0 -> 0" and the printed ranges are approximate when scaled.
	 */
	top = ((__u64)1 << (hi_idx + 1)) - 1;
	if (top < 1000000ULL) {
		unit = "nsecs";
		div = 1;
	} else if (top < 1000000000ULL) {
		unit = "usecs";
		div = 1000;
	} else {
		unit = "msecs";
		div = 1000000;
	}

	fprintf(f, "%5s%-19s : count    distribution\n", "", unit);
	/* Rows from the lowest to the highest non-empty slot: leading empty rows say nothing. */
	for (i = lo_idx; i <= hi_idx; i++) {
		__u64 low = i == 0 ? 0 : (__u64)1 << i;
		__u64 high = ((__u64)1 << (i + 1)) - 1;

		fprintf(f, "%10llu -> %-10llu : %-8llu |", (unsigned long long)(low / div),
			(unsigned long long)(high / div), (unsigned long long)slots[i]);
		/* Integer scaling: the fullest row gets exactly the whole bar. */
		stars = (int)((double)slots[i] * HIST_BAR_WIDTH / (double)max);
		for (j = 0; j < HIST_BAR_WIDTH; j++)
			fputc(j < stars ? '*' : ' ', f);
		fputs("|\n", f);
	}
}
