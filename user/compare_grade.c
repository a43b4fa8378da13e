// SPDX-License-Identifier: GPL-2.0-only
/*
 * compare --grade: each lab result judged as docs/LAB.md tells a grading script to and
 * tests/50-lab.bats does, with the tolerances in lab.h: every variant within its tolerance of
 * the notes' figure and in the notes' order (timeline, join), the daemon's first job cut off
 * (join), more preemption by the sibling on one CPU than spread and no more than one CPU's time
 * there (parallel), the kernel switches far above the coroutine's (cost); everywhere each row
 * ok and valid, and no eBPF event dropped.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/types.h>
#include "compare.h"
#include "lab.h"
#include "report_doc.h"

__attribute__((format(printf, 2, 3)))
static void fail(struct cmp_file *f, const char *fmt, ...)
{
	size_t len = strlen(f->reasons);
	va_list ap;

	f->pass = false;
	if (len + 3 >= sizeof(f->reasons))
		return;
	if (len)
		len += (size_t)snprintf(f->reasons + len, sizeof(f->reasons) - len, "; ");
	va_start(ap, fmt);
	vsnprintf(f->reasons + len, sizeof(f->reasons) - len, fmt, ap);
	va_end(ap);
}

/* ok, valid (with the file's own reasons) of every row of an array */
static void rows_ok(struct cmp_file *f, struct json_object *rows, const char *const *name)
{
	for (size_t i = 0; i < jr_len(rows); i++) {
		struct json_object *r = jr_at(rows, i);
		struct json_object *why = jr_get(r, NAMES("reasons"));
		const char *n = jr_str(r, name) ? jr_str(r, name) : "?";

		if (!jr_bool(r, NAMES("ok"), true))
			fail(f, "%s failed", n);
		else if (!jr_bool(r, NAMES("valid"), true))
			fail(f, "%s not valid (%s)", n,
			     jr_len(why) ? json_object_get_string(jr_at(why, 0)) : "no reason given");
	}
}

static struct json_object *find(struct json_object *arr, const char *key, const char *val,
				const char *key2, const char *val2)
{
	for (size_t i = 0; i < jr_len(arr); i++) {
		struct json_object *o = jr_at(arr, i);
		const char *a = jr_str(o, NAMES(key)), *b = key2 ? jr_str(o, NAMES(key2)) : NULL;

		if (a && !strcmp(a, val) && (!key2 || (b && !strcmp(b, val2))))
			return o;
	}
	return NULL;
}

static double units_of(struct json_object *vars, const char *name)
{
	return jr_num(find(vars, "name", name, NULL, NULL), NAMES("measured_units"), NAN);
}

static void grade_variants(struct cmp_file *f)
{
	struct json_object *vars = jr_get(f->doc, NAMES("variants"));
	struct json_object *daemon = find(vars, "name", "threads_daemon", NULL, NULL);
	double unit_ns = jr_num(f->doc, NAMES("unit_ns"), NAN);
	double seq = units_of(vars, "sequential"), blk = units_of(vars, "async_blocking");
	double asy = units_of(vars, "async"), join = units_of(vars, "threads_join");

	rows_ok(f, vars, NAMES("name"));
	for (size_t i = 0; i < jr_len(vars); i++) {
		struct json_object *v = jr_at(vars, i);
		double m = jr_num(v, NAMES("measured_units"), NAN);
		double e = jr_num(v, NAMES("expected_units"), NAN);
		double u = jr_num(v, NAMES("unit_ns"), unit_ns);
		double tol = LAB_TOLERANCE_UNITS + (double)LAB_SLACK_NS / u;

		if (isnan(e) || !jr_bool(v, NAMES("ok"), true))
			continue;
		if (!(u > 0))
			fail(f, "%s: no unit_ns to judge it by", jr_str(v, NAMES("name")));
		else if (!(fabs(m - e) <= tol))
			fail(f, "%s measured %.2f units, expected %g ± %.2f",
			     jr_str(v, NAMES("name")), m, e, tol);
	}
	if (!isnan(seq) && !isnan(blk) && !isnan(asy) && !(seq > blk && blk > asy))
		fail(f, "not sequential > async_blocking > async (%.2f, %.2f, %.2f)", seq, blk, asy);
	if (!isnan(seq) && !isnan(join) && !(join < seq))
		fail(f, "threads_join (%.2f) not faster than sequential (%.2f)", join, seq);
	if (daemon && jr_bool(jr_at(jr_get(daemon, NAMES("jobs")), 0), NAMES("completed"), false))
		fail(f, "threads_daemon's first job completed: the process should end before it");
}

static void grade_parallel(struct cmp_file *f)
{
	static const char *const workers[] = { "threads", "processes" };
	struct json_object *runs = jr_get(f->doc, NAMES("runs"));

	rows_ok(f, runs, NAMES("workers"));
	for (size_t w = 0; w < 2; w++) {
		struct json_object *one = find(runs, "workers", workers[w], "placement", "one_cpu");
		struct json_object *spr = find(runs, "workers", workers[w], "placement", "spread");
		double a = jr_num(one, NAMES("involuntary_by_sibling"), NAN);
		double b = jr_num(spr, NAMES("involuntary_by_sibling"), NAN);
		double cpw = jr_num(one, NAMES("cpu_per_wall"), NAN);

		if (!one || !spr) {
			fail(f, "%s: one_cpu or spread missing", workers[w]);
			continue;
		}
		if (!(a > b))
			fail(f, "%s preempted by their sibling %.0f times on one CPU, %.0f spread: "
				"expected more on one CPU", workers[w], a, b);
		if (!(cpw < LAB_ONE_CPU_MAX_CPU_PER_WALL))
			fail(f, "%s on one CPU got %.2f CPU per wall time, more than one CPU",
			     workers[w], cpw);
	}
}

static void grade_cost(struct cmp_file *f)
{
	static const char *const kernel_rows[] = { "process", "thread" };
	struct json_object *rows = jr_get(f->doc, NAMES("results"));

	rows_ok(f, rows, NAMES("workload"));
	for (size_t i = 0; i < 2; i++) {
		struct json_object *r = find(rows, "workload", kernel_rows[i], NULL, NULL);
		double ratio = jr_num(r, NAMES("ratio_to_coroutine"), NAN);

		if (!r)
			fail(f, "no %s row", kernel_rows[i]);
		else if (!(ratio > LAB_COST_MIN_RATIO))
			fail(f, "a %s switch costs %.1f coroutine switches, expected over %d",
			     kernel_rows[i], ratio, LAB_COST_MIN_RATIO);
	}
}

bool cmp_grade(struct cmp *c)
{
	const char *scen = strncmp(c->kind, "lab ", 4) ? NULL : c->kind + 4;
	void (*grade)(struct cmp_file *f) = NULL;

	if (scen && (!strcmp(scen, "timeline") || !strcmp(scen, "join")))
		grade = grade_variants;
	else if (scen && !strcmp(scen, "parallel"))
		grade = grade_parallel;
	else if (scen && !strcmp(scen, "cost"))
		grade = grade_cost;
	if (!grade) {
		fprintf(stderr, "switchcost: compare: --grade judges lab results against the notes; "
				"these are %s results (run --strict judges a run's validity) (see "
				"switchcost compare --help)\n", c->kind);
		return false;
	}
	for (size_t i = 0; i < c->nfiles; i++) {
		struct cmp_file *f = &c->files[i];
		double dropped = jr_num(jr_get(f->doc, NAMES("bpf")), NAMES("events_dropped"), 0);

		f->graded = f->pass = true;
		f->reasons[0] = 0;
		grade(f);
		if (dropped > 0)
			fail(f, "eBPF dropped %.0f events", dropped);
	}
	return true;
}
