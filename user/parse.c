/* SPDX-License-Identifier: GPL-2.0-only */
/* Strict parsing of command-line numbers, CPU lists and durations. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "parse.h"

#define CPU_MAX		4095
#define NS_PER_SEC	1000000000ULL
#define DURATION_MAX	(86400ULL * NS_PER_SEC)

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int swc_parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	/* strtoul would accept leading spaces, a sign and "0x": demand a digit first. */
	if (!s || !is_digit(s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/*
 * Reads a run of decimal digits at *p into *out, advancing *p. -EINVAL if there is no digit,
 * -ERANGE past limit (the rest of the digits are still consumed so the caller sees the end).
 */
static int scan_uint(const char **p, unsigned long limit, unsigned long *out)
{
	const char *s = *p;
	unsigned long v = 0;
	int over = 0;

	if (!is_digit(*s))
		return -EINVAL;
	for (; is_digit(*s); s++) {
		unsigned long d = (unsigned long)(*s - '0');

		if (!over && v > (limit - d) / 10)
			over = 1;
		if (!over)
			v = v * 10 + d;
	}
	*p = s;
	*out = v;
	return over ? -ERANGE : 0;
}

static int has_int(const int *v, int n, int x)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

int swc_parse_cpulist(const char *s, int *cpus, int max)
{
	const char *p = s;
	int n = 0, range_err = 0;

	if (!s || !*s)
		return -EINVAL;
	for (;;) {
		unsigned long a, b;
		int err;

		err = scan_uint(&p, ULONG_MAX, &a);
		if (err)
			return err == -ERANGE ? -ERANGE : -EINVAL;
		b = a;
		if (*p == '-') {
			p++;
			err = scan_uint(&p, ULONG_MAX, &b);
			if (err)
				return err == -ERANGE ? -ERANGE : -EINVAL;
			if (b < a)
				return -EINVAL;
		}
		if (*p != ',' && *p != '\0')
			return -EINVAL;
		/* Keep checking the syntax of the rest: a typo is reported as a typo. */
		if (b > CPU_MAX) {
			range_err = 1;
		} else if (!range_err) {
			unsigned long c;

			for (c = a; c <= b; c++) {
				if (has_int(cpus, n, (int)c))
					return -EINVAL;
				if (n >= max) {
					range_err = 1;
					break;
				}
				cpus[n++] = (int)c;
			}
		}
		if (*p == '\0')
			break;
		p++;	/* ',' must be followed by another item: "1," and "1,,2" fail above */
	}
	return range_err ? -ERANGE : n;
}

bool swc_cpu_online(int cpu)
{
	char path[64], c = 0;
	struct stat st;
	ssize_t r;
	int fd;

	if (cpu < 0 || cpu > CPU_MAX)
		return false;
	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		/* CPUs that cannot be hot-unplugged (often cpu0) have no "online" file. */
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d", cpu);
		return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
	}
	r = read(fd, &c, 1);
	close(fd);
	return r == 1 && c == '1';
}

/* Unit suffixes and their size in ns; "" (a bare number) is seconds. */
static const struct {
	const char *name;
	unsigned long long ns;
} duration_units[] = {
	{ "ns", 1ULL },
	{ "us", 1000ULL },
	{ "\xc2\xb5s", 1000ULL },	/* U+00B5 MICRO SIGN */
	{ "\xce\xbcs", 1000ULL },	/* U+03BC GREEK SMALL LETTER MU, what some keyboards type */
	{ "ms", 1000000ULL },
	{ "s", NS_PER_SEC },
	{ "", NS_PER_SEC },
};

int swc_parse_duration_ns(const char *s, __u64 *ns)
{
	unsigned long long mult = 0, frac9 = 0, total;
	unsigned long whole;
	const char *p = s;
	int err, ndig = 0;
	size_t i;

	if (!s)
		return -EINVAL;
	/* An overflowing number is only a range error if the unit turns out valid. */
	err = scan_uint(&p, ULONG_MAX, &whole);
	if (err == -EINVAL)
		return -EINVAL;
	if (*p == '.') {
		p++;
		if (!is_digit(*p))
			return -EINVAL;
		/*
		 * Fixed point in units of 1e-9 of the unit, so "0.02s" is exactly 20 ms; digits
		 * past the ninth are below 1 ns even in seconds and are dropped.
		 */
		for (; is_digit(*p); p++, ndig++)
			if (ndig < 9)
				frac9 = frac9 * 10 + (unsigned long long)(*p - '0');
		for (; ndig < 9; ndig++)
			frac9 *= 10;
	}
	for (i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++) {
		if (!strcmp(p, duration_units[i].name)) {
			mult = duration_units[i].ns;
			break;
		}
	}
	if (!mult)
		return -EINVAL;
	if (err == -ERANGE || whole >= DURATION_MAX / mult + 1)
		return -ERANGE;
	/* whole * mult < 86401e9 and frac9 * mult < 1e18: neither overflows 64 bits. */
	total = (unsigned long long)whole * mult + frac9 * mult / NS_PER_SEC;
	if (total == 0 || total >= DURATION_MAX)
		return -ERANGE;
	*ns = total;
	return 0;
}

int swc_parse_pidlist(const char *s, int *pids, int max)
{
	const char *p = s;
	int n = 0, range_err = 0;

	if (!s || !*s)
		return -EINVAL;
	for (;;) {
		unsigned long v;
		int err;

		err = scan_uint(&p, INT_MAX, &v);
		if (err == -EINVAL || (*p != ',' && *p != '\0'))
			return -EINVAL;
		if (err == -ERANGE || v == 0) {
			range_err = 1;
		} else if (!range_err) {
			/* A repeated pid is almost certainly a typo for another one. */
			if (has_int(pids, n, (int)v))
				return -EINVAL;
			if (n >= max)
				range_err = 1;
			else
				pids[n++] = (int)v;
		}
		if (*p == '\0')
			break;
		p++;
	}
	return range_err ? -ERANGE : n;
}
