// SPDX-License-Identifier: GPL-2.0-only
/* What every command's option parsing shares, and the check of stdout at exit. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "parse.h"
#include "report.h"
#include "sysinfo.h"

int swc_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "switchcost: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, " (see switchcost %s --help)\n", cmd);
	va_end(ap);
	return 2;
}

int swc_usage_bad_option(const char *cmd, int c, char **argv, int next)
{
	if (c == ':')
		return swc_usage_error(cmd, "option %s needs a value", argv[next - 1]);
	return swc_usage_error(cmd, "unknown option '%s'", argv[next - 1]);
}

int swc_common_option(const char *cmd, int c, char **argv, bool *verbose, void (*usage)(FILE *f))
{
	switch (c) {
	case SWC_OPT_ANONYMOUS:
		swc_report_anonymous(true);
		return 0;
	case 'v':
		*verbose = true;
		return 0;
	case 'h':
		usage(stdout);
		exit(0);
	}
	return swc_usage_bad_option(cmd, c, argv, optind);
}

int swc_cpus_option(const char *cmd, const char *arg, int max, const char *too_many,
		    const char *examples, int *cpus, int *ncpus)
{
	int n = swc_parse_cpulist(arg, cpus, max);

	if (n == -ERANGE && too_many)
		return swc_usage_error(cmd, "--cpus %s, not '%s'", too_many, arg);
	if (n <= 0)
		return swc_usage_error(cmd, "--cpus wants a CPU list such as %s, not '%s'",
				       examples, arg);
	for (int i = 0; i < n; i++)
		if (!swc_cpu_online(cpus[i]))
			return swc_usage_error(cmd, "CPU %d does not exist or is offline (--cpus %s)",
					       cpus[i], arg);
	*ncpus = n;
	return 0;
}

static bool stdout_closed;

void swc_stdout_mark_closed(void)
{
	stdout_closed = true;
}

bool swc_stdout_was_closed(void)
{
	return stdout_closed;
}

/* errno values a failed write of ours leaves: one of them is the cause to name */
static bool write_errno(int err)
{
	return err == ENOSPC || err == EPIPE || err == EIO || err == EFBIG || err == EDQUOT ||
	       err == EBADF;
}

int swc_stdout_check(int rc)
{
	static bool reported;
	int err = errno;	/* the earlier failed write's, unless something overwrote it */

	if (reported)
		return rc ? rc : 1;
	if (!fflush(stdout) && !ferror(stdout))
		return rc;
	if (!write_errno(errno))
		errno = err;
	fprintf(stderr, "switchcost: writing the results to stdout: %s; they are incomplete\n",
		write_errno(errno) ? strerror(errno) : "write error");
	reported = true;
	return rc ? rc : 1;
}
