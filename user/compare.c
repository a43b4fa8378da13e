// SPDX-License-Identifier: GPL-2.0-only
/*
 * switchcost compare A.json B.json ...: saved run or lab results side by side (see compare.h).
 * Files are read as the invoking user under sudo; a file that is not a switchcost document of
 * the first file's kind is named on stderr and left out, and the exit status says so.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "commands.h"
#include "compare.h"
#include "csv.h"
#include "fmt.h"
#include "report_doc.h"
#include "report_page.h"

const char *const cmp_fact_names[F_NR] = {
	[F_HOST] = "host", [F_STARTED] = "started_at", [F_VERSION] = "version",
	[F_KERNEL] = "kernel", [F_CPU] = "cpu_model", [F_VIRT] = "virtualised",
	[F_PTI] = "pti", [F_PCID] = "pcid", [F_IBPB] = "ibpb",
};

static int col_index(struct cmp *c, const char *name, enum cmp_unit unit)
{
	for (int i = 0; i < c->ncols; i++)
		if (!strcmp(c->cols[i].name, name))
			return i;
	if (c->ncols == CMP_MAX_COLS)
		return -1;
	/* a workload's name comes from the file: no control byte may reach the terminal */
	swc_printable(name, c->cols[c->ncols].name, sizeof(c->cols[0].name));
	c->cols[c->ncols].unit = unit;
	return c->ncols++;
}

static void set_val(struct cmp *c, struct cmp_file *f, const char *name, enum cmp_unit u, double v,
		    bool invalid)
{
	int i = col_index(c, name, u);

	/* a cost or a ratio is a positive, finite figure: anything else in a file was not measured
	 * (or was edited), and reads "-" in the table and the CSV alike, never "0 ns" or "-5" */
	if ((u == CMP_NS || u == CMP_RATIO) && !(v > 0 && v < 1e15))
		v = NAN;
	else if (!isfinite(v))
		v = NAN;
	if (i >= 0) {
		f->vals[i] = v;
		f->invalid[i] = invalid;
	}
}

/* A row the file itself marks not valid ("valid": false, e.g. measured on a busy machine) */
static bool row_invalid(struct json_object *row)
{
	return !jr_bool(row, NAMES("valid"), true);
}

static const char *yes_no(struct json_object *o, const char *const *names)
{
	struct json_object *v = jr_get(o, names);

	if (!v)
		return NULL;
	if (json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v) ? "yes" : "no";
	return json_object_get_string(v);
}

static void read_facts(struct cmp_file *f)
{
	struct json_object *d = f->doc, *sys = jr_get(d, NAMES("system"));
	struct json_object *host = jr_get(d, NAMES("host"));
	struct json_object *as = jr_get(sys, NAMES("address_space"));

	f->facts[F_HOST] = jr_str(host, NAMES("name")) ? jr_str(host, NAMES("name")) :
			   jr_str(host, NAMES("id"));
	f->facts[F_STARTED] = jr_str(d, NAMES("started_at"));
	f->facts[F_VERSION] = jr_str(d, NAMES("version"));
	f->facts[F_KERNEL] = jr_str(sys, NAMES("kernel"));
	f->facts[F_CPU] = jr_str(sys, NAMES("cpu_model"));
	f->facts[F_VIRT] = !jr_bool(sys, NAMES("virtualised"), false) ? "no" :
			   jr_str(sys, NAMES("hypervisor")) ? jr_str(sys, NAMES("hypervisor")) : "yes";
	f->facts[F_PTI] = yes_no(as, NAMES("pti"));
	f->facts[F_PCID] = yes_no(as, NAMES("pcid"));
	f->facts[F_IBPB] = yes_no(as, NAMES("ibpb"));
}

/* Each file's figures: per workload (run, lab cost), per variant (timeline, join), per
 * placement (parallel); the columns are the union, in the order first seen. */
static void read_figures(struct cmp *c, struct cmp_file *f)
{
	struct json_object *rows = jr_get(f->doc, NAMES("results"));
	struct json_object *vars = jr_get(f->doc, NAMES("variants"));
	struct json_object *runs = jr_get(f->doc, NAMES("runs"));
	double proc = NAN, thr = NAN, coro = NAN;
	bool proc_bad = false, thr_bad = false, coro_bad = false;
	char name[64];

	for (size_t i = 0; i < jr_len(rows); i++) {
		struct json_object *r = jr_at(rows, i);
		const char *w = jr_str(r, NAMES("workload"));
		double ns = jr_num(r, NAMES("ns_per_switch"), NAN);

		bool bad = row_invalid(r);

		if (!w)
			continue;
		set_val(c, f, w, CMP_NS, ns, bad);
		if (!strcmp(w, "process"))
			proc = ns, proc_bad = bad;
		else if (!strcmp(w, "thread"))
			thr = ns, thr_bad = bad;
		else if (!strcmp(w, "coroutine"))
			coro = ns, coro_bad = bad;
	}
	if (jr_len(rows)) {
		set_val(c, f, "process/thread", CMP_RATIO, proc / thr, proc_bad || thr_bad);
		set_val(c, f, "thread/coroutine", CMP_RATIO, thr / coro, thr_bad || coro_bad);
	}
	for (size_t i = 0; i < jr_len(vars); i++) {
		struct json_object *v = jr_at(vars, i);

		if (jr_str(v, NAMES("name")))
			set_val(c, f, jr_str(v, NAMES("name")), CMP_UNITS,
				jr_num(v, NAMES("measured_units"), NAN), row_invalid(v));
	}
	for (size_t i = 0; i < jr_len(runs); i++) {
		struct json_object *r = jr_at(runs, i);

		snprintf(name, sizeof(name), "%s %s", jr_str(r, NAMES("workers")) ?: "?",
			 jr_str(r, NAMES("placement")) ?: "?");
		set_val(c, f, name, CMP_NS, jr_num(r, NAMES("wall_ns"), NAN), row_invalid(r));
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

bool cmp_spread(const struct cmp *c, int col, double out[3])
{
	double *v = malloc((c->nfiles ? c->nfiles : 1) * sizeof(*v));
	size_t n = 0;

	if (!v)
		return false;
	for (size_t i = 0; i < c->nfiles; i++)
		if (!isnan(c->files[i].vals[col]))
			v[n++] = c->files[i].vals[col];
	if (n) {
		qsort(v, n, sizeof(*v), cmp_double);
		out[0] = v[0];
		out[1] = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
		out[2] = v[n - 1];
	}
	free(v);
	return n > 0;
}

const char *cmp_fmt(enum cmp_unit u, double v, char *buf, size_t n)
{
	if (isnan(v))
		snprintf(buf, n, "-");
	else if (u == CMP_NS)
		swc_fmt_ns(v, buf, n);
	else if (u == CMP_RATIO)
		swc_fmt_ratio(v, buf, n);
	else
		snprintf(buf, n, "%.2f", v);
	return buf;
}

bool cmp_col_invalid(const struct cmp *c, int col)
{
	for (size_t r = 0; r < c->nfiles; r++)
		if (c->files[r].invalid[col] && !isnan(c->files[r].vals[col]))
			return true;
	return false;
}

const char *cmp_cell(const struct cmp *c, size_t r, int col, char *buf, size_t n)
{
	size_t len;

	cmp_fmt(c->cols[col].unit, c->files[r].vals[col], buf, n);
	len = strlen(buf);
	if (c->files[r].invalid[col] && !isnan(c->files[r].vals[col]))
		snprintf(buf + len, n - len, " !");
	return buf;
}

/* Why each figure marked "!" is not valid, in its file's own words */
static void print_invalid(const struct cmp *c)
{
	static const char *const arrays[] = { "results", "variants", "runs" };
	char text[512];
	bool any = false;

	for (size_t r = 0; r < c->nfiles; r++) {
		for (int a = 0; a < 3; a++) {
			struct json_object *rows = jr_get(c->files[r].doc, NAMES(arrays[a]));

			for (size_t i = 0; i < jr_len(rows); i++) {
				struct json_object *row = jr_at(rows, i);
				struct json_object *why = jr_get(row, NAMES("reasons"));
				const char *n = jr_str(row, NAMES("workload", "name", "placement"));

				if (!row_invalid(row))
					continue;
				if (!any)
					printf("\n! not valid in its file (the figure is shown, but it is a "
					       "wrong answer until measured again):\n");
				any = true;
				printf("%s: %s:", c->files[r].path,
				       swc_printable(n ? n : "?", text, sizeof(text)));
				for (size_t k = 0; k < jr_len(why); k++)
					printf("%s %s", k ? ";" : "",
					       swc_printable(json_object_get_string(jr_at(why, k)),
							     text, sizeof(text)));
				printf("%s\n", jr_len(why) ? "" : " no reason given");
			}
		}
	}
}

static void print_text(const struct cmp *c, bool grade, char **unread, size_t nunread)
{
	static const enum swc_align left[F_NR + 1] = { SWC_LEFT };
	const char *h[CMP_MAX_COLS + 2], *cells[CMP_MAX_COLS + 2];
	enum swc_align al[CMP_MAX_COLS + 2];
	static const char *const spread[3] = { "min", "median", "max" };
	char buf[CMP_MAX_COLS + 1][32], facts[F_NR][128];
	struct swc_table *t;

	printf("# %zu %s results compared%s\n\n", c->nfiles, c->kind,
	       c->cols[0].unit == CMP_UNITS ? " (figures in the lab's units)" : "");
	h[0] = "file";
	for (int i = 0; i < F_NR; i++)
		h[i + 1] = cmp_fact_names[i];
	t = swc_table__new(F_NR + 1, h, left);
	for (size_t r = 0; t && r < c->nfiles; r++) {
		cells[0] = c->files[r].path;
		for (int i = 0; i < F_NR; i++)	/* host names and the like come from the file */
			cells[i + 1] = c->files[r].facts[i] ?
				swc_printable(c->files[r].facts[i], facts[i], sizeof(facts[i])) : NULL;
		swc_table__add_row(t, cells);
	}
	if (t)
		swc_table__print(t, stdout);
	swc_table__free(t);
	putchar('\n');

	h[0] = "file";
	al[0] = SWC_LEFT;
	for (int i = 0; i < c->ncols; i++) {
		h[i + 1] = c->cols[i].name;
		al[i + 1] = SWC_RIGHT;
	}
	h[c->ncols + 1] = "grade";
	al[c->ncols + 1] = SWC_LEFT;
	t = swc_table__new(c->ncols + 1 + grade, h, al);
	for (size_t r = 0; t && r < c->nfiles; r++) {
		cells[0] = c->files[r].path;
		for (int i = 0; i < c->ncols; i++)
			cells[i + 1] = cmp_cell(c, r, i, buf[i], 32);
		cells[c->ncols + 1] = c->files[r].pass ? "PASS" : "FAIL";
		swc_table__add_row(t, cells);
	}
	for (int s = 0; t && s < 3; s++) {
		cells[0] = spread[s];
		for (int i = 0; i < c->ncols; i++) {
			double v[3];

			cells[i + 1] = "-";
			if (!cmp_spread(c, i, v))
				continue;
			/* a spread over a figure that is not valid is not valid either */
			cells[i + 1] = cmp_fmt(c->cols[i].unit, v[s], buf[i], 30);
			if (cmp_col_invalid(c, i))
				strcat(buf[i], " !");
		}
		cells[c->ncols + 1] = "";
		swc_table__add_row(t, cells);
	}
	if (t)
		swc_table__print(t, stdout);
	swc_table__free(t);
	print_invalid(c);
	if (!grade)
		return;
	putchar('\n');
	for (size_t r = 0; r < c->nfiles; r++)
		printf("%s: %s%s%s\n", c->files[r].path, c->files[r].pass ? "PASS" : "FAIL",
		       c->files[r].reasons[0] ? ": " : "", c->files[r].reasons);
	for (size_t r = 0; r < nunread; r++)
		printf("%s: FAIL: not read (the reason is on stderr)\n", unread[r]);
}

static void csv_field(FILE *f, const char *s, bool last)
{
	char q[1024];
	size_t n = s ? swc_csv_quote(s, strlen(s), q, sizeof(q)) : 0;

	fwrite(q, 1, n, f);
	fputc(last ? '\n' : ',', f);
}

struct csv_arg {
	const struct cmp *c;
	bool grade;
};

static int write_csv(FILE *f, void *arg)
{
	const struct csv_arg *a = arg;
	const struct cmp *c = a->c;
	static const char *const unit_suffix[] = { "_ns", "_units", "" };
	char name[96], num[32];

	csv_field(f, "file", false);
	for (int i = 0; i < F_NR; i++)
		csv_field(f, cmp_fact_names[i], false);
	for (int i = 0; i < c->ncols; i++) {
		snprintf(name, sizeof(name), "%s%s", c->cols[i].name, unit_suffix[c->cols[i].unit]);
		csv_field(f, name, !a->grade && i == c->ncols - 1);
	}
	if (a->grade) {
		csv_field(f, "grade", false);
		csv_field(f, "reasons", true);
	}
	for (size_t r = 0; r < c->nfiles + 3; r++) {
		const struct cmp_file *cf = r < c->nfiles ? &c->files[r] : NULL;
		static const char *const spread[3] = { "min", "median", "max" };

		/* the spread rows: file is min, median or max, the facts empty */
		csv_field(f, cf ? cf->path : spread[r - c->nfiles], false);
		for (int i = 0; i < F_NR; i++)
			csv_field(f, cf ? cf->facts[i] : NULL, false);
		for (int i = 0; i < c->ncols; i++) {
			double v[3], x = cf ? cf->vals[i] : cmp_spread(c, i, v) ? v[r - c->nfiles] : NAN;

			num[0] = 0;
			if (!isnan(x))
				snprintf(num, sizeof(num), "%.6g", x);
			csv_field(f, num, !a->grade && i == c->ncols - 1);
		}
		if (a->grade) {
			csv_field(f, cf ? cf->pass ? "pass" : "fail" : NULL, false);
			csv_field(f, cf ? cf->reasons : NULL, true);
		}
	}
	return 0;
}

static void usage(FILE *f)
{
	fputs("Usage: switchcost compare [OPTIONS] FILE.json FILE.json...\n\n"
	      "Saved `run --json` or `lab SCENARIO --json` results (all of one kind) side by side:\n"
	      "a row per file with its host facts (kernel, CPU, virtualised, PTI, PCID, IBPB),\n"
	      "each workload's cost per switch (or each variant's time, each placement's wall\n"
	      "time), the ratios, and min / median / max across the files.\n\n"
	      "Options:\n"
	      "      --grade       lab results: PASS or FAIL per file against the notes' expected\n"
	      "                    figures and the lab's own tolerances (docs/LAB.md)\n"
	      "      --csv FILE    the same table as CSV (spread rows last: file min/median/max)\n"
	      "      --html FILE   the same table as a self-contained HTML page, with a chart\n"
	      "  -h, --help        this help\n\n"
	      "Exit status: 0 all files read (and, with --grade, all passed); 1 a file could not\n"
	      "be read or is not a switchcost result of the first file's kind (named on stderr,\n"
	      "left out of the table, and FAIL with --grade), or an output could not be written;\n"
	      "2 usage error; 4 with --grade, a file failed.\n\n"
	      "Examples:\n"
	      "  switchcost compare --grade results/*.json\n"
	      "  switchcost compare --csv all.csv --html all.html lab1.json lab2.json lab3.json\n", f);
}

int cmd_compare(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "grade", no_argument, NULL, 'g' },
		{ "csv", required_argument, NULL, 'c' },
		{ "html", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *csv = NULL, *html = NULL;
	struct cmp c = { 0 };
	bool grade = false;
	char **unread = NULL;
	size_t nunread = 0;
	char kind[64];
	int opt, rc = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (opt) {
		case 'g': grade = true; break;
		case 'c': csv = optarg; break;
		case 'H': html = optarg; break;
		case 'h': usage(stdout); return 0;
		default: return swc_usage_bad_option("compare", opt, argv, optind);
		}
	}
	if (optind == argc)
		return swc_usage_error("compare", "compare: give the result files to compare");
	for (int i = optind; i < argc; i++)
		if (!*argv[i])
			return swc_usage_error("compare", "compare: give result files, not an empty "
					       "name");
	if ((csv && (rc = swc_file_option("compare", "compare: --csv", csv))) ||
	    (html && (rc = swc_file_option("compare", "compare: --html", html))))
		return rc;
	if (swc_become_sudo_user("compare"))
		return 1;
	c.files = calloc((size_t)(argc - optind), sizeof(*c.files));
	unread = calloc((size_t)(argc - optind), sizeof(*unread));
	if (!c.files || !unread) {
		fprintf(stderr, "switchcost: compare: out of memory\n");
		free(c.files);
		free(unread);
		return 1;
	}
	for (int i = optind; i < argc; i++) {
		struct cmp_file *f = &c.files[c.nfiles];

		f->path = argv[i];
		f->doc = swc_doc_load("compare", argv[i]);
		if (!f->doc) {
			unread[nunread++] = argv[i];
			continue;
		}
		swc_doc_kind(f->doc, kind, sizeof(kind));
		if (!c.nfiles)
			snprintf(c.kind, sizeof(c.kind), "%s", kind);
		if (strcmp(kind, c.kind) || !strncmp(kind, "trace", 5) ||
		    !strncmp(kind, "doctor", 6)) {
			fprintf(stderr, "switchcost: compare: %s: a %s result, %s: compare run or lab "
					"results of one kind\n", argv[i], kind,
				strcmp(kind, c.kind) ? "not like the first file's" :
				"which compare does not read");
			json_object_put(f->doc);
			unread[nunread++] = argv[i];
			if (!c.nfiles)
				c.kind[0] = 0;
			continue;
		}
		for (int k = 0; k < CMP_MAX_COLS; k++)
			f->vals[k] = NAN;
		read_facts(f);
		read_figures(&c, f);
		c.nfiles++;
	}
	if (!c.nfiles) {
		fprintf(stderr, "switchcost: compare: no file could be read: nothing to compare\n");
		rc = 1;
		goto out;
	}
	if (grade && !cmp_grade(&c)) {
		rc = 2;
		goto out;
	}
	print_text(&c, grade, unread, nunread);
	if (csv) {
		struct csv_arg a = { &c, grade };

		if (swc_page_write(csv, write_csv, &a))
			rc = 1;
	}
	if (html && swc_page_write(html, cmp_page, &c))
		rc = 1;
	if (!rc && nunread)
		rc = 1;
	for (size_t i = 0; !rc && grade && i < c.nfiles; i++)
		if (!c.files[i].pass)
			rc = 4;
out:
	for (size_t i = 0; i < c.nfiles; i++)
		json_object_put(c.files[i].doc);
	free(c.files);
	free(unread);
	return rc;
}
