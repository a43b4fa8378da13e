// SPDX-License-Identifier: GPL-2.0-only
/* What every command's option parsing shares. */
#include <stdarg.h>
#include <stdio.h>
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
