/* SPDX-License-Identifier: GPL-2.0-only */
/* Durations, counts, ratios, display width and the aligned table. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "unit.h"

static void test_ns(void)
{
	char b[32];

	CHECK_STR_EQ(swc_fmt_ns(0, b, sizeof(b)), "0 ns");
	CHECK_STR_EQ(swc_fmt_ns(0.4, b, sizeof(b)), "0.40 ns");
	CHECK_STR_EQ(swc_fmt_ns(10.44, b, sizeof(b)), "10.4 ns");
	CHECK_STR_EQ(swc_fmt_ns(3.214, b, sizeof(b)), "3.21 ns");
	CHECK_STR_EQ(swc_fmt_ns(99.4, b, sizeof(b)), "99.4 ns");
	CHECK_STR_EQ(swc_fmt_ns(812, b, sizeof(b)), "812 ns");
	CHECK_STR_EQ(swc_fmt_ns(812.4, b, sizeof(b)), "812 ns");
	CHECK_STR_EQ(swc_fmt_ns(999, b, sizeof(b)), "999 ns");
	CHECK_STR_EQ(swc_fmt_ns(999.4, b, sizeof(b)), "999 ns");
	CHECK_STR_EQ(swc_fmt_ns(999.6, b, sizeof(b)), "1.00 µs");
	CHECK_STR_EQ(swc_fmt_ns(1000, b, sizeof(b)), "1.00 µs");
	CHECK_STR_EQ(swc_fmt_ns(3210, b, sizeof(b)), "3.21 µs");
	CHECK_STR_EQ(swc_fmt_ns(9994, b, sizeof(b)), "9.99 µs");
	CHECK_STR_EQ(swc_fmt_ns(9996, b, sizeof(b)), "10.0 µs");
	CHECK_STR_EQ(swc_fmt_ns(45600, b, sizeof(b)), "45.6 µs");
	CHECK_STR_EQ(swc_fmt_ns(99960, b, sizeof(b)), "100 µs");
	CHECK_STR_EQ(swc_fmt_ns(123000, b, sizeof(b)), "123 µs");
	CHECK_STR_EQ(swc_fmt_ns(999400, b, sizeof(b)), "999 µs");
	CHECK_STR_EQ(swc_fmt_ns(999600, b, sizeof(b)), "1.00 ms");
	CHECK_STR_EQ(swc_fmt_ns(1000000, b, sizeof(b)), "1.00 ms");
	CHECK_STR_EQ(swc_fmt_ns(1500000, b, sizeof(b)), "1.50 ms");
	CHECK_STR_EQ(swc_fmt_ns(999600000, b, sizeof(b)), "1.00 s");
	CHECK_STR_EQ(swc_fmt_ns(2e9, b, sizeof(b)), "2.00 s");
	CHECK_STR_EQ(swc_fmt_ns(123.4e9, b, sizeof(b)), "123 s");
	CHECK_STR_EQ(swc_fmt_ns(1234e9, b, sizeof(b)), "1234 s");	/* no unit past s */
	CHECK_STR_EQ(swc_fmt_ns(NAN, b, sizeof(b)), "-");
	CHECK_STR_EQ(swc_fmt_ns(INFINITY, b, sizeof(b)), "-");
	CHECK_STR_EQ(swc_fmt_ns(-5, b, sizeof(b)), "-");
	CHECK_STR_EQ(swc_fmt_ns(-0.0, b, sizeof(b)), "0 ns");
	/* A short buffer truncates instead of overflowing. */
	CHECK_STR_EQ(swc_fmt_ns(3210, b, 4), "3.2");
}

static void test_mispredict(void)
{
	char buf[160];

	CHECK_STR_EQ(swc_fmt_mispredict(9.4, 1.4, buf, sizeof(buf)), "a mispredict costs 8.00 ns here");
	/* under qemu's TCG the ret switch came out faster: no negative cost, no "-" */
	CHECK_STR_EQ(swc_fmt_mispredict(37.7, 40.4, buf, sizeof(buf)),
		  "here it is no slower than the coroutine switch (37.7 ns against 40.4 ns), so no "
		  "mispredict cost was measured");
}

static void test_count(void)
{
	char b[32];

	CHECK_STR_EQ(swc_fmt_count(0, b, sizeof(b)), "0");
	CHECK_STR_EQ(swc_fmt_count(999, b, sizeof(b)), "999");
	CHECK_STR_EQ(swc_fmt_count(1000, b, sizeof(b)), "1,000");
	CHECK_STR_EQ(swc_fmt_count(123456, b, sizeof(b)), "123,456");
	CHECK_STR_EQ(swc_fmt_count(1234567, b, sizeof(b)), "1,234,567");
	CHECK_STR_EQ(swc_fmt_count(18446744073709551615ULL, b, sizeof(b)),
		     "18,446,744,073,709,551,615");
}

static void test_ratio(void)
{
	char b[32];

	CHECK_STR_EQ(swc_fmt_ratio(1.0, b, sizeof(b)), "1.0×");
	CHECK_STR_EQ(swc_fmt_ratio(12.34, b, sizeof(b)), "12.3×");
	CHECK_STR_EQ(swc_fmt_ratio(99.94, b, sizeof(b)), "99.9×");
	CHECK_STR_EQ(swc_fmt_ratio(99.96, b, sizeof(b)), "100×");
	CHECK_STR_EQ(swc_fmt_ratio(640.2, b, sizeof(b)), "640×");
	CHECK_STR_EQ(swc_fmt_ratio(0.5, b, sizeof(b)), "0.5×");
	CHECK_STR_EQ(swc_fmt_ratio(0.05, b, sizeof(b)), "0.05×");
	CHECK_STR_EQ(swc_fmt_ratio(0.00331, b, sizeof(b)), "0.0033×");
	CHECK_STR_EQ(swc_fmt_ratio(0, b, sizeof(b)), "0×");
	CHECK_STR_EQ(swc_fmt_ratio(NAN, b, sizeof(b)), "-");
	CHECK_STR_EQ(swc_fmt_ratio(-1, b, sizeof(b)), "-");
}

static void test_width(void)
{
	CHECK_INT_EQ(swc_display_width(""), 0);
	CHECK_INT_EQ(swc_display_width("abc"), 3);
	CHECK_INT_EQ(swc_display_width("3.21 µs"), 7);
	CHECK_INT_EQ(swc_display_width("12.3×"), 5);
	CHECK_INT_EQ(swc_display_width("─·"), 2);
	CHECK_INT_EQ(swc_display_width(NULL), 0);
}

static void test_table(void)
{
	static const char *const hdr[] = { "workload", "per switch", "ratio" };
	static const enum swc_align al[] = { SWC_LEFT, SWC_RIGHT, SWC_RIGHT };
	static const char *const r1[] = { "pipe", "3.21 µs", "1.0×" };
	static const char *const r2[] = { "futex-long-name", "812 ns", NULL };
	const char *want =
		"workload         per switch  ratio\n"
		"pipe                3.21 µs   1.0×\n"
		"futex-long-name      812 ns      -\n";
	struct swc_table *t = swc_table__new(3, hdr, al);
	struct unit_capture c;
	const char *out;

	if (!CHECK(t != NULL))
		return;
	CHECK_INT_EQ(swc_table__add_row(t, r1), 0);
	CHECK_INT_EQ(swc_table__add_row(t, r2), 0);
	if (CHECK(unit_capture_begin(&c) == 0)) {
		swc_table__print(t, c.f);
		out = unit_capture_end(&c);
		CHECK_STR_EQ(out, want);
		/* Every line has the same display width although "µs" and "×" are 2 bytes. */
		{
			char line[128];
			const char *p = out, *nl;
			size_t w0 = 0;
			int i;

			for (i = 0; (nl = strchr(p, '\n')); i++, p = nl + 1) {
				snprintf(line, sizeof(line), "%.*s", (int)(nl - p), p);
				if (i == 0)
					w0 = swc_display_width(line);
				else
					CHECK_INT_EQ(swc_display_width(line), w0);
			}
			CHECK_INT_EQ(i, 3);
		}
		unit_capture_free(&c);
	}
	swc_table__free(t);

	/* Left-aligned last column: no trailing blanks. */
	{
		static const char *const h2[] = { "n", "name" };
		static const char *const row[] = { "1", "x" };
		static const enum swc_align a2[] = { SWC_RIGHT, SWC_LEFT };

		t = swc_table__new(2, h2, a2);
		if (!CHECK(t != NULL))
			return;
		swc_table__add_row(t, row);
		if (CHECK(unit_capture_begin(&c) == 0)) {
			swc_table__print(t, c.f);
			CHECK_STR_EQ(unit_capture_end(&c), "n  name\n1  x\n");
			unit_capture_free(&c);
		}
		swc_table__free(t);
	}
	CHECK(swc_table__new(0, hdr, al) == NULL);
	swc_table__free(NULL);
}

/* Text from a file or another program reaches the terminal without its control bytes. */
static void test_printable(void)
{
	char b[8];

	CHECK_STR_EQ(swc_printable("host", b, sizeof(b)), "host");
	CHECK_STR_EQ(swc_printable("a\nb\033[3", b, sizeof(b)), "a?b?[3");
	CHECK_STR_EQ(swc_printable("\a\x7f\xc3\xa9", b, sizeof(b)), "??\xc3\xa9");
	CHECK_STR_EQ(swc_printable("0123456789", b, sizeof(b)), "0123456");
	CHECK_STR_EQ(swc_printable(NULL, b, sizeof(b)), "");
	CHECK_STR_EQ(swc_printable("x", b, 0), "");
}

static void test_wrap(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	swc_fmt_wrap(f, "# one two three four five six\n"
			"! seven eight nine ten eleven twelve\n"
			"  short\n"
			"\n"
			"thirteen fourteen fifteen sixteen seventeen\n"
			"anunbreakablewordthatiswiderthanthewidthgiven x\n"
			"µs µs µs µs µs µs µs µs µs µs\n"
			"    indentedwordwiderthantheroom and more\n", 24);
	fclose(f);
	CHECK_STR_EQ(buf, "# one two three four\n"
			  "#   five six\n"
			  "! seven eight nine ten\n"
			  "    eleven twelve\n"
			  "  short\n"
			  "\n"
			  "thirteen fourteen\n"
			  "  fifteen sixteen\n"
			  "  seventeen\n"
			  "anunbreakablewordthatiswiderthanthewidthgiven\n"
			  "  x\n"
			  "µs µs µs µs µs µs µs µs\n"
			  "  µs µs\n"
			  "    indentedwordwiderthantheroom\n"
			  "      and more\n");
	free(buf);
	/* width 0: as it is */
	buf = NULL;
	f = open_memstream(&buf, &len);
	swc_fmt_wrap(f, "a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f\n", 0);
	fclose(f);
	CHECK_STR_EQ(buf, "a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f\n");
	free(buf);
}

void test_fmt(void)
{
	test_wrap();
	test_printable();
	test_ns();
	test_count();
	test_mispredict();
	test_ratio();
	test_width();
	test_table();
}
