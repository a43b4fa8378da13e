// SPDX-License-Identifier: GPL-2.0-only
/* The sweep's arithmetic and its one sentence: pure, unit-tested (see sweep.h). */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "addrspace.h"
#include "fmt.h"
#include "sweep.h"

/* "+1.20 µs", "−310 ns", "-" for NaN */
char *swc_fmt_signed_ns(double ns, char *buf, size_t len)
{
	char m[32];

	if (isnan(ns))
		return snprintf(buf, len, "-"), buf;
	snprintf(buf, len, "%s%s", ns < 0 ? "−" : "+", swc_fmt_ns(fabs(ns), m, sizeof(m)));
	return buf;
}

const struct swc_sweep_point *swc_sweep_find(const struct swc_sweep *s, int id,
					     enum swc_ws_pattern p, unsigned long long ws)
{
	for (int i = 0; i < s->n; i++) {
		const struct swc_sweep_point *pt = &s->p[i];

		if (pt->ws_bytes != ws || (ws && pt->pattern != p))
			continue;
		if (id < 0 ? pt->baseline : !pt->baseline && (int)pt->id == id)
			return pt;
	}
	return NULL;
}

void swc_sweep_derive(struct swc_sweep *s)
{
	for (int i = 0; i < s->n; i++) {
		struct swc_sweep_point *pt = &s->p[i];
		const struct swc_sweep_point *base, *zero;
		double b;

		pt->cost_ns = pt->indirect_ns = NAN;
		if (pt->baseline || !pt->ok)
			continue;
		base = pt->ws_bytes ? swc_sweep_find(s, -1, pt->pattern, pt->ws_bytes) : NULL;
		b = !pt->ws_bytes ? 0 : base && base->ok ? base->per_switch.median : NAN;
		pt->cost_ns = pt->per_switch.median - b;
		zero = swc_sweep_find(s, pt->id, pt->pattern, 0);
		if (zero && zero->ok)
			pt->indirect_ns = pt->cost_ns - zero->per_switch.median;
	}
}

bool swc_sweep_ok(const struct swc_sweep *s)
{
	for (int i = 0; i < s->n; i++)
		if (!s->p[i].ok)
			return false;
	return true;
}

bool swc_sweep_valid(const struct swc_sweep *s)
{
	for (int i = 0; i < s->n; i++)
		if (s->p[i].ok && !s->p[i].val.valid)
			return false;
	return true;
}

/* The largest data cache smaller than bytes (what a footprint of bytes overflows), or NULL. */
static const struct swc_cache *overflowed(const struct swc_cpucache *cc, unsigned long long bytes)
{
	const struct swc_cache *best = NULL;

	for (int i = 0; i < cc->n; i++)
		if (strcmp(cc->c[i].type, "Instruction") && cc->c[i].bytes < bytes &&
		    (!best || cc->c[i].level > best->level))
			best = &cc->c[i];
	return best;
}

static int explain_turn(const struct swc_sweep *s, enum swc_ws_pattern p, unsigned long long *at)
{
	*at = 0;
	for (int i = 0; i < s->o.nsizes; i++) {
		unsigned long long ws = s->o.sizes[i];

		for (int k = 0; ws && k < s->o.nwl; k++) {
			const struct swc_sweep_point *pt = swc_sweep_find(s, s->o.wl[k], p, ws);
			const struct swc_sweep_point *z = swc_sweep_find(s, s->o.wl[k], p, 0);
			double noise = SWC_SWEEP_NOTICE_NS;

			if (!pt || !pt->ok || !z || !z->ok)
				continue;
			if (z->per_switch.max - z->per_switch.min > noise)
				noise = z->per_switch.max - z->per_switch.min;
			if (pt->indirect_ns > noise) {
				*at = ws;
				return 1;
			}
		}
	}
	return 0;
}

char *swc_sweep_explain(const struct swc_sweep *s, enum swc_ws_pattern p,
			const struct swc_addrspace *as, char *buf, size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned long long at;
	const struct swc_cache *c;
	char w[32], x[32], y[48];
	size_t o;

	buf[0] = '\0';
	if (!s->n)
		return buf;
	if (!explain_turn(s, p, &at)) {
		snprintf(buf, len, "%s: no indirect cost above max(%.0f ns, the W = 0 rows' repeat "
			 "range) up to W = %s.", swc_ws_pattern_name(p), SWC_SWEEP_NOTICE_NS,
			 swc_ws_fmt_bytes(s->o.sizes[s->o.nsizes - 1], w, sizeof(w)));
		return buf;
	}
	o = (size_t)snprintf(buf, len, "%s: the indirect cost turns up at W = %s (",
			     swc_ws_pattern_name(p), swc_ws_fmt_bytes(at, w, sizeof(w)));
	for (int k = 0; k < s->o.nwl && o < len; k++) {
		const struct swc_sweep_point *pt = swc_sweep_find(s, s->o.wl[k], p, at);

		o += (size_t)snprintf(buf + o, len - o, "%s%s %s", k ? ", " : "",
				      swc_workload_name(s->o.wl[k]),
				      swc_fmt_signed_ns(pt ? pt->indirect_ns : NAN, y, sizeof(y)));
	}
	if (o >= len)
		return buf;
	if (p == SWC_WS_LINES) {
		c = overflowed(&s->caches, 2 * at);
		if (c)
			o += (size_t)snprintf(buf + o, len - o, "): the two working sets, 2 × %s, no "
					      "longer fit the %s L%d", w,
					      swc_ws_fmt_bytes(c->bytes, x, sizeof(x)), c->level);
		else
			o += (size_t)snprintf(buf + o, len - o, "): 2 × %s still fits the L1d, so "
					      "what the switch made it refill is not cache capacity", w);
	} else {
		long pages = (long)((2 * at + (unsigned long long)page - 1) / (unsigned long long)page);
		long l2 = s->caches.dtlb_l2_4k, l1 = s->caches.dtlb_l1_4k;

		o += (size_t)snprintf(buf + o, len - o, "): the two parties touch %ld pages", pages);
		if (l2 > 0 && pages > l2)
			o += (size_t)snprintf(buf + o, len - o, ", more than the L2 data TLB's %ld "
					      "entries", l2);
		else if (l1 > 0 && pages > l1)
			o += (size_t)snprintf(buf + o, len - o, ", more than the L1 data TLB's %ld "
					      "entries", l1);
		else if (l1 > 0)
			o += (size_t)snprintf(buf + o, len - o, ", which the data TLB (%ld entries) "
					      "would hold", l1);
	}
	if (o < len && as && as->pti == 1 && as->pcid != 1)
		snprintf(buf + o, len - o, "; with PTI and no PCID every entry to the kernel "
			 "flushes the TLB, so process and thread both walk the page tables again, "
			 "and the coroutine, which never enters the kernel, does not.");
	else if (o < len)
		snprintf(buf + o, len - o, ".");
	return buf;
}

