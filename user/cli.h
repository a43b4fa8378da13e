/* SPDX-License-Identifier: GPL-2.0-only */
/* What every command's option parsing shares. */
#ifndef SWC_CLI_H
#define SWC_CLI_H

/* Prints "switchcost: MESSAGE (see switchcost CMD --help)" on stderr, one line; returns 2,
 * the usage-error exit status. */
__attribute__((format(printf, 2, 3)))
int swc_usage_error(const char *cmd, const char *fmt, ...);

/* The usage error for what getopt_long() returned as c (':' a missing value, '?' or else an
 * unknown option); returns 2. */
int swc_usage_bad_option(const char *cmd, int c, char **argv, int optind);

#endif
