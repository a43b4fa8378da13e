// SPDX-License-Identifier: GPL-2.0-only
/*
 * switchcost lab address-space: the notes' "process switch high, thread medium" posed, then
 * answered by the causes this machine measures: what it does on a change of address space
 * (PTI, PCID, IBPB), process against thread timed side by side, the per-process IBPB barrier
 * where the kernel takes the request, and the working-set sweep (what the switch costs the
 * caches and TLB afterwards). One closing sentence is built from the numbers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addrspace.h"
#include "fmt.h"
#include "ibpb.h"
#include "json.h"
#include "lab.h"
#include "sweep.h"

#define AS_ROUND_TRIPS		5000UL
#define AS_QUICK_ROUND_TRIPS	1500UL
#define AS_REPEATS		5
#define AS_QUICK_REPEATS	3
#define NROWS			4	/* process, thread, and each +ibpb */

static const unsigned long long full_sizes[] = { 0, 16 << 10, 256 << 10, 1 << 20, 4 << 20,
						 16 << 20 };
static const unsigned long long quick_sizes[] = { 0, 16 << 10, 256 << 10, 1 << 20, 4 << 20 };

static const char claim[] = "The notes: \"process switch high, thread medium\": a process is "
			    "heavier, so switching to it costs more.";

struct as_result {
	struct swc_measurement rows[NROWS];
	int nrows;
	char ibpb_why[160];		/* why the +ibpb rows did not run, or "" */
	struct swc_sweep *sweep;
};

static const struct swc_measurement *find(const struct as_result *res, enum swc_workload_id id,
					  bool ibpb)
{
	return swc_measure_find_variant(res->rows, res->nrows, id, ibpb);
}

/* The indirect cost of workload id at the largest size of the "lines" pattern, or NaN. */
static double indirect_at(const struct swc_sweep *s, enum swc_workload_id id,
			  unsigned long long ws)
{
	const struct swc_sweep_point *pt = swc_sweep_find(s, id, SWC_WS_LINES, ws);

	return pt && pt->ok ? pt->indirect_ns : NAN;
}

/* The closing sentence, from the measured numbers only. */
static void conclusion(const struct lab *lab, const struct as_result *res, char *buf, size_t len)
{
	const struct swc_measurement *p = find(res, SWC_WL_PROCESS, false);
	const struct swc_measurement *t = find(res, SWC_WL_THREAD, false);
	const struct swc_measurement *pi = find(res, SWC_WL_PROCESS, true);
	const struct swc_sweep *s = res->sweep;
	unsigned long long w = s->o.sizes[s->o.nsizes - 1];
	double ratio = swc_measure_ratio(p, t), ip = indirect_at(s, SWC_WL_PROCESS, w);
	double it = indirect_at(s, SWC_WL_THREAD, w);
	char a[32], b[32], c[32], d[32], e[32], facts[256];
	bool same;
	size_t o;

	if (!p || !t) {
		snprintf(buf, len, "Not answered: the process or thread row failed.");
		return;
	}
	same = swc_same_cost(p->per_switch.median, t->per_switch.median);
	o = (size_t)snprintf(buf, len, "Answer from this machine: a process switch costs %.2f× a "
			     "thread switch (%s against %s): %s (%s)", ratio,
			     swc_fmt_ns(p->per_switch.median, a, sizeof(a)),
			     swc_fmt_ns(t->per_switch.median, b, sizeof(b)),
			     same ? "about the same, so \"high, medium\" does not hold here; the "
			     "change of address space adds little" : "\"high, medium\" holds here, "
			     "and the change of address space is what costs",
			     swc_addrspace_facts(&lab->si.as, facts, sizeof(facts)));
	if (o < len && pi)
		o += (size_t)snprintf(buf + o, len - o, "; with IBPB asked for, a process switch "
				      "costs %s", swc_fmt_ns(pi->per_switch.median, c, sizeof(c)));
	if (o < len && !isnan(ip) && !isnan(it))
		o += (size_t)snprintf(buf + o, len - o, ". After the switch, with %s of data each, "
				      "the refills add %s to a process switch and %s to a thread "
				      "switch", swc_ws_fmt_bytes(w, e, sizeof(e)),
				      swc_fmt_signed_ns(ip, c, sizeof(c)),
				      swc_fmt_signed_ns(it, d, sizeof(d)));
	if (o < len)
		snprintf(buf + o, len - o, ".%s", lab->any_invalid ? " Some of these were not clean "
			 "measurements ('!'): trust the answer after a quiet run." : "");
}

static void print_rows(const struct as_result *res, FILE *f)
{
	static const char *const headers[] = { "switch", "per switch", "min .. max", "vs thread" };
	static const enum swc_align aligns[] = { SWC_LEFT, SWC_RIGHT, SWC_RIGHT, SWC_RIGHT };
	const struct swc_measurement *t = find(res, SWC_WL_THREAD, false);
	struct swc_table *tb = swc_table__new(4, headers, aligns);
	char c[4][48], a[32], b[32];
	const char *cells[4];
	bool any = false;

	if (!tb)
		return;
	for (int i = 0; i < res->nrows; i++) {
		const struct swc_measurement *r = &res->rows[i];

		for (int k = 0; k < 4; k++)
			cells[k] = c[k];
		snprintf(c[0], sizeof(c[0]), "%s%s", swc_measure_row_name(r),
			 r->rr.ok && !r->val.valid ? " !" : "");
		if (!r->rr.ok) {
			snprintf(c[1], sizeof(c[1]), "failed");
			cells[2] = cells[3] = NULL;
		} else {
			swc_fmt_ns(r->per_switch.median, c[1], sizeof(c[1]));
			snprintf(c[2], sizeof(c[2]), "%s .. %s", swc_fmt_ns(r->per_switch.min, a,
				 sizeof(a)), swc_fmt_ns(r->per_switch.max, b, sizeof(b)));
			swc_fmt_ratio(swc_measure_ratio(r, t), c[3], sizeof(c[3]));
		}
		swc_table__add_row(tb, cells);
	}
	swc_table__print(tb, f);
	swc_table__free(tb);
	if (res->ibpb_why[0])
		fprintf(f, "process+ibpb, thread+ibpb: not available: %s.\n", res->ibpb_why);
	for (int i = 0; i < res->nrows; i++)
		any |= res->rows[i].rr.ok && lab_print_invalid(f, swc_measure_row_name(&res->rows[i]),
							       &res->rows[i].val);
	if (any)
		fprintf(f, "! %s.\n", swc_validity_advice());
}

static void print_human(struct lab *lab, const struct as_result *res)
{
	const struct swc_measurement *p = find(res, SWC_WL_PROCESS, false);
	const struct swc_measurement *t = find(res, SWC_WL_THREAD, false);
	char why[768];

	swc_sysinfo_print(&lab->si, stdout);
	printf("\n%s\n\n1. What this machine does when a switch changes address space (above, "
	       "'# address space'): the causes in force.\n\n2. Process against thread, both "
	       "parties on CPU %d, futex hand-off, timed (%lu round trips x %u):\n\n", claim,
	       res->sweep->o.cpu, lab->env.quick ? AS_QUICK_ROUND_TRIPS : AS_ROUND_TRIPS,
	       lab->env.quick ? AS_QUICK_REPEATS : AS_REPEATS);
	print_rows(res, stdout);
	if (p && t && swc_addrspace_explain(&lab->si.as, p->per_switch.median,
					    t->per_switch.median, why, sizeof(why))[0])
		printf("%s\n", why);
	printf("\n3. What the switch costs afterwards: the working-set sweep.\n");
	swc_sweep_print(res->sweep, &lab->si.as, stdout);
	conclusion(lab, res, why, sizeof(why));
	printf("\n%s\n", why);
}

static void print_json(struct lab *lab, const struct as_result *res)
{
	struct swc_json j;
	char why[768];

	lab_json_begin(lab, &j, stdout);
	jw_str(&j, "claim", claim);
	jw_bool(&j, "quick", lab->env.quick);
	jw_arr_begin(&j, "results");
	for (int i = 0; i < res->nrows; i++) {
		const struct swc_measurement *r = &res->rows[i];

		jw_obj_begin(&j, NULL);
		jw_str(&j, "workload", swc_measure_row_name(r));
		jw_bool(&j, "ok", r->rr.ok);
		if (r->rr.ok)
			lab_json_timing(&j, r);
		jw_obj_end(&j);
	}
	jw_arr_end(&j);
	jw_str(&j, "ibpb_not_available", res->ibpb_why[0] ? res->ibpb_why : NULL);
	jw_arr_begin(&j, "sweep_results");
	swc_sweep_json_results(res->sweep, &j);
	jw_arr_end(&j);
	swc_sweep_json(res->sweep, &lab->si.as, &j);
	conclusion(lab, res, why, sizeof(why));
	jw_str(&j, "conclusion", why);
	lab_json_end(lab, &j);
}

int lab_address_space(struct lab *lab)
{
	struct swc_workload_cfg cfg = {
		.round_trips = lab->env.quick ? AS_QUICK_ROUND_TRIPS : AS_ROUND_TRIPS,
		.repeats = lab->env.quick ? AS_QUICK_REPEATS : AS_REPEATS,
		.ipc = SWC_IPC_FUTEX,
	};
	const unsigned long long *sizes = lab->env.quick ? quick_sizes : full_sizes;
	int nsizes = lab->env.quick ? (int)(sizeof(quick_sizes) / sizeof(quick_sizes[0])) :
		     (int)(sizeof(full_sizes) / sizeof(full_sizes[0]));
	struct as_result res = { .nrows = 0 };
	bool ibpb = swc_ibpb_available(&lab->si.as, res.ibpb_why, sizeof(res.ibpb_why));
	int cpu = 0, err = 0, rc = 0;

	res.sweep = calloc(1, sizeof(*res.sweep));
	if (!res.sweep)
		return -ENOMEM;
	swc_allowed_cpus(&cpu, 1);	/* CPU 0 if the affinity cannot be read */
	cfg.cpu_a = cfg.cpu_b = cpu;
	cfg.warmup = cfg.round_trips / 10;
	if (ibpb)
		res.ibpb_why[0] = '\0';
	for (int v = 0; v < (ibpb ? 2 : 1) && !err; v++) {
		for (int k = 0; k < 2 && !err; k++) {
			struct swc_measurement *r = &res.rows[res.nrows++];

			r->id = k ? SWC_WL_THREAD : SWC_WL_PROCESS;
			r->ibpb = v;
			err = lab_measure(lab, &cfg, r);
			if (!err && !r->rr.ok)
				rc = 1;
		}
	}
	if (!err) {
		struct swc_sweep_opts *o = &res.sweep->o;

		memcpy(o->sizes, sizes, (size_t)nsizes * sizeof(sizes[0]));
		o->nsizes = nsizes;
		o->wl[0] = SWC_WL_PROCESS;
		o->wl[1] = SWC_WL_THREAD;
		o->wl[2] = SWC_WL_COROUTINE;
		o->nwl = 3;
		o->cpu = cpu;
		o->ipc = SWC_IPC_FUTEX;
		o->quick = lab->env.quick;
		err = swc_sweep_run(res.sweep, lab->w, lab->next_group++);
	}
	if (!err) {
		if (!swc_sweep_ok(res.sweep))
			rc = 1;
		if (!swc_sweep_valid(res.sweep))
			lab->any_invalid = true;
		if (lab->env.json)
			print_json(lab, &res);
		else
			print_human(lab, &res);
	}
	free(res.sweep);
	return err ? err : rc;
}
