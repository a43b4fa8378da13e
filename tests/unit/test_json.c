/* SPDX-License-Identifier: GPL-2.0-only */
/* The streaming JSON writer: escaping, commas, nesting, numbers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "unit.h"

/* Writes the same document compact or pretty; the caller frees the text. */
static char *sample(int indent)
{
	struct unit_capture c;
	struct swc_json j;

	if (unit_capture_begin(&c))
		return NULL;
	jw_init(&j, c.f, indent);
	jw_obj_begin(&j, NULL);
	jw_str(&j, "q", "say \"hi\"");
	jw_str(&j, "bs", "a\\b");
	jw_str(&j, "nl", "l1\nl2\tx\r");
	jw_str(&j, "ctl", "\x01\x1f");
	jw_str(&j, "utf8", "3.21 µs");
	jw_str(&j, "null_str", NULL);
	jw_obj_begin(&j, "nested");
	jw_u64(&j, "u", 18446744073709551615ULL);
	jw_i64(&j, "i", -42);
	jw_arr_begin(&j, "arr");
	jw_u64(&j, NULL, 1);
	jw_obj_begin(&j, NULL);
	jw_bool(&j, "t", true);
	jw_bool(&j, "f", false);
	jw_obj_end(&j);
	jw_arr_begin(&j, NULL);
	jw_arr_end(&j);
	jw_null(&j, NULL);
	jw_arr_end(&j);
	jw_obj_end(&j);
	jw_obj_begin(&j, "empty");
	jw_obj_end(&j);
	jw_double(&j, "pi", 3.14159);
	jw_double(&j, "tenth", 0.1);
	jw_double(&j, "third", 1.0 / 3.0);
	jw_double(&j, "big", 1e300);
	jw_double(&j, "nan", NAN);
	jw_double(&j, "inf", -INFINITY);
	jw_obj_end(&j);
	jw_finish(&j);
	unit_capture_end(&c);
	return c.buf;
}

static void test_compact(void)
{
	const char *want =
		"{\"q\":\"say \\\"hi\\\"\",\"bs\":\"a\\\\b\",\"nl\":\"l1\\nl2\\tx\\r\","
		"\"ctl\":\"\\u0001\\u001f\",\"utf8\":\"3.21 µs\",\"null_str\":null,"
		"\"nested\":{\"u\":18446744073709551615,\"i\":-42,"
		"\"arr\":[1,{\"t\":true,\"f\":false},[],null]},\"empty\":{},"
		"\"pi\":3.14159,\"tenth\":0.1,\"third\":0.33333333333333331,\"big\":1e+300,"
		"\"nan\":null,\"inf\":null}\n";
	char *out = sample(0);

	if (!CHECK(out != NULL))
		return;
	CHECK_STR_EQ(out, want);
	free(out);
}

static void test_pretty(void)
{
	const char *want =
		"{\n"
		"  \"q\": \"say \\\"hi\\\"\",\n"
		"  \"bs\": \"a\\\\b\",\n"
		"  \"nl\": \"l1\\nl2\\tx\\r\",\n"
		"  \"ctl\": \"\\u0001\\u001f\",\n"
		"  \"utf8\": \"3.21 µs\",\n"
		"  \"null_str\": null,\n"
		"  \"nested\": {\n"
		"    \"u\": 18446744073709551615,\n"
		"    \"i\": -42,\n"
		"    \"arr\": [\n"
		"      1,\n"
		"      {\n"
		"        \"t\": true,\n"
		"        \"f\": false\n"
		"      },\n"
		"      [],\n"
		"      null\n"
		"    ]\n"
		"  },\n"
		"  \"empty\": {},\n"
		"  \"pi\": 3.14159,\n"
		"  \"tenth\": 0.1,\n"
		"  \"third\": 0.33333333333333331,\n"
		"  \"big\": 1e+300,\n"
		"  \"nan\": null,\n"
		"  \"inf\": null\n"
		"}\n";
	char *out = sample(2);

	if (!CHECK(out != NULL))
		return;
	CHECK_STR_EQ(out, want);
	free(out);
}

/* Doubles must read back as the same value. */
static void test_roundtrip(void)
{
	static const double v[] = { 0.1, 1.0 / 3.0, 2.0 / 3.0, 1e-300, 123456789.123456789,
				    5e-324, 1.7976931348623157e308, -0.0, 42 };
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct unit_capture c;
		struct swc_json j;
		const char *out;

		if (!CHECK(unit_capture_begin(&c) == 0))
			return;
		jw_init(&j, c.f, 0);
		jw_double(&j, NULL, v[i]);
		out = unit_capture_end(&c);
		CHECK(strtod(out, NULL) == v[i]);
		unit_capture_free(&c);
	}
}

static const char *quoted(struct unit_capture *c, const char *s)
{
	if (unit_capture_begin(c))
		return "";
	swc_json_string(c->f, s);
	return unit_capture_end(c);
}

/* Bytes that are not UTF-8 become U+FFFD; valid sequences pass through untouched. */
static void test_utf8(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },			/* é kept */
		/* a 15-byte comm cut after the first byte of "é" */
		{ "abcdefghijklmn\xc3", "\"abcdefghijklmn\xef\xbf\xbd\"" },
		{ "\xff\xfe", "\"\xef\xbf\xbd\xef\xbf\xbd\"" },		/* not UTF-8 at all */
		{ "\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"" },		/* overlong '/' */
		{ "\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },	/* surrogate */
		{ "\xf4\x90\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
		{ "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"" },		/* U+1F600 kept */
		{ "\xe2\x82\"q", "\"\xef\xbf\xbd\xef\xbf\xbd\\\"q\"" },	/* cut, then a quote */
		{ "run.\xe9.csv", "\"run.\xef\xbf\xbd.csv\"" },		/* a Latin-1 file name */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct unit_capture c;

		CHECK_STR_EQ(quoted(&c, cases[i].in), cases[i].want);
		unit_capture_free(&c);
	}
}

void test_json(void)
{
	test_utf8();
	test_compact();
	test_pretty();
	test_roundtrip();
}

void unit_json_sample(FILE *f, int indent)
{
	char *s = sample(indent);

	if (s)
		fputs(s, f);
	free(s);
}
