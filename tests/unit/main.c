/* SPDX-License-Identifier: GPL-2.0-only */
/* Runs every unit-test group; the last line of output is "N passed, N failed". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

int unit_passed, unit_failed;

int unit_check(int ok, const char *file, int line, const char *what)
{
	if (ok) {
		unit_passed++;
	} else {
		unit_failed++;
		printf("FAIL %s:%d: %s\n", file, line, what);
	}
	return ok;
}

int unit_check_str(const char *a, const char *b, const char *file, int line, const char *what)
{
	int ok = (a == b) || (a && b && !strcmp(a, b));

	if (!unit_check(ok, file, line, what))
		printf("     got \"%s\", want \"%s\"\n", a ? a : "(null)", b ? b : "(null)");
	return ok;
}

int unit_check_dbl(double a, double b, double eps, const char *file, int line, const char *what)
{
	int ok = (isnan(a) && isnan(b)) || fabs(a - b) <= eps;

	if (!unit_check(ok, file, line, what))
		printf("     got %.17g, want %.17g (eps %g)\n", a, b, eps);
	return ok;
}

int unit_check_long(long long a, long long b, const char *file, int line, const char *what)
{
	int ok = a == b;

	if (!unit_check(ok, file, line, what))
		printf("     got %lld, want %lld\n", a, b);
	return ok;
}

int unit_capture_begin(struct unit_capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	return c->f ? 0 : -1;
}

const char *unit_capture_end(struct unit_capture *c)
{
	if (c->f) {
		fclose(c->f);
		c->f = NULL;
	}
	return c->buf ? c->buf : "";
}

void unit_capture_free(struct unit_capture *c)
{
	if (c->f)
		fclose(c->f);
	free(c->buf);
	c->f = NULL;
	c->buf = NULL;
}

/*
 * "unit_tests --json-sample [indent]" prints the JSON test document instead of testing,
 * so a check outside C can validate it: unit_tests --json-sample 2 | jq .
 */
int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--json-sample")) {
		unit_json_sample(stdout, argc > 2 ? atoi(argv[2]) : 0);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--csv-bench"))
		return unit_csv_bench(argc, argv);
	test_stats();
	test_parse();
	test_fmt();
	test_json();
	test_csv();
	test_addrspace();
	test_validity();
	test_sweep();
	test_timeline();
	test_agreement();
	test_pmu();
	test_contract();
	test_coro();
	test_elfsyms();
	test_offcpu_frame();
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}
