/* SPDX-License-Identifier: GPL-2.0-only */
/* A tiny unit-test framework: checks count passes and failures, failures name file:line. */
#ifndef SWC_UNIT_H
#define SWC_UNIT_H

#include <math.h>
#include <stdio.h>
#include <string.h>

extern int unit_passed, unit_failed;

/* Records one check; prints where and what on failure. Returns ok so callers can bail out. */
int unit_check(int ok, const char *file, int line, const char *what);
int unit_check_str(const char *a, const char *b, const char *file, int line, const char *what);
int unit_check_dbl(double a, double b, double eps, const char *file, int line, const char *what);
int unit_check_long(long long a, long long b, const char *file, int line, const char *what);

#define CHECK(cond)		unit_check(!!(cond), __FILE__, __LINE__, #cond)
#define CHECK_STR_EQ(a, b)	unit_check_str((a), (b), __FILE__, __LINE__, #a " == " #b)
#define CHECK_INT_EQ(a, b)	unit_check_long((long long)(a), (long long)(b), __FILE__, \
						__LINE__, #a " == " #b)
/* Near within eps; NaN is near NaN, so "expect NaN" reads CHECK_DBL_NEAR(x, NAN, 0). */
#define CHECK_DBL_NEAR(a, b, eps) \
	unit_check_dbl((a), (b), (eps), __FILE__, __LINE__, #a " ~= " #b)

/* Test groups, one per tests/unit/test_*.c, run by main.c. */
void test_stats(void);
void test_parse(void);
void test_fmt(void);
void test_json(void);
void test_csv(void);
void test_addrspace(void);
void test_validity(void);
void test_contract(void);
void test_coro(void);
void test_sweep(void);
void test_elfsyms(void);
void test_offcpu_frame(void);
void test_timeline(void);
void test_agreement(void);
void test_pmu(void);
/* Writes the JSON test document, for checking it with an outside parser (jq). */
void unit_json_sample(FILE *f, int indent);
/* unit_tests --csv-bench ROWS FILE (a .gz FILE at the production level): the CSV writer's throughput (scripts/bench-csv). */
int unit_csv_bench(int argc, char **argv);

/* Collects what a function writes to a FILE into a malloc'd string (open_memstream). */
struct unit_capture {
	FILE *f;
	char *buf;
	size_t len;
};

int unit_capture_begin(struct unit_capture *c);
/* Closes the stream; c->buf holds the text (free it with unit_capture_free). */
const char *unit_capture_end(struct unit_capture *c);
void unit_capture_free(struct unit_capture *c);

#endif
