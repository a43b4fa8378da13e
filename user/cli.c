// SPDX-License-Identifier: GPL-2.0-only
/* What every command's option parsing shares, and the check of stdout at exit. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

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

int swc_usage_bad_option(const char *cmd, int c, char **argv, int optind)
{
	if (c == ':')
		return swc_usage_error(cmd, "option %s needs a value", argv[optind - 1]);
	return swc_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
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
