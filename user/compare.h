/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * switchcost compare: saved results of one kind (run, or one lab scenario) from several
 * machines or students, as one table with a row per file: host facts, each workload's (or
 * variant's) figure, the ratios, and their spread across files. compare.c builds the table and
 * prints it (text, CSV), compare_grade.c judges lab results, compare_page.c draws it.
 */
#ifndef SWC_COMPARE_H
#define SWC_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <json-c/json.h>

#define CMP_MAX_COLS	32
#define CMP_MAX_REASONS	512

enum cmp_unit { CMP_NS, CMP_UNITS, CMP_RATIO };

/* A host fact, a column of strings. */
enum cmp_fact { F_HOST, F_STARTED, F_VERSION, F_KERNEL, F_CPU, F_VIRT, F_PTI, F_PCID, F_IBPB,
		F_NR };
extern const char *const cmp_fact_names[F_NR];

struct cmp_col {
	char name[64];		/* workload, variant or ratio */
	enum cmp_unit unit;
};

struct cmp_file {
	const char *path;
	struct json_object *doc;
	const char *facts[F_NR];	/* pointers into doc, or static strings */
	double vals[CMP_MAX_COLS];	/* NaN: not in this file */
	bool invalid[CMP_MAX_COLS];	/* the file says the figure is not valid (busy machine) */
	bool graded, pass;
	char reasons[CMP_MAX_REASONS];	/* why it failed, "; "-separated */
};

struct cmp {
	char kind[64];			/* "run", "lab timeline", ... of every file */
	struct cmp_col cols[CMP_MAX_COLS];
	int ncols;
	struct cmp_file *files;
	size_t nfiles;
};

/* min, median and max of column c over the files that have it; false when none has it. */
bool cmp_spread(const struct cmp *c, int col, double out[3]);
/* A figure in its unit: "3.40 µs", "6.05", "2.62×"; "-" for NaN. */
const char *cmp_fmt(enum cmp_unit u, double v, char *buf, size_t n);
/* Whether a figure of column col is one its file says is not valid. */
bool cmp_col_invalid(const struct cmp *c, int col);
/* File r's figure in column col as cmp_fmt, with " !" when that file says it is not valid. */
const char *cmp_cell(const struct cmp *c, size_t r, int col, char *buf, size_t n);

/* Grades every file against the notes' expectations and the lab's tolerances; returns
 * false when the kind cannot be graded (with a line printed). */
bool cmp_grade(struct cmp *c);
/* The HTML page: the table, the spread, a dot per file on each column's axis. */
int cmp_page(FILE *f, void *arg);

#endif
