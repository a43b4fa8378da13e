/* SPDX-License-Identifier: GPL-2.0-only */
/* What every command's option parsing shares. */
#ifndef SWC_CLI_H
#define SWC_CLI_H

#include <stdbool.h>

/* Prints "switchcost: MESSAGE (see switchcost CMD --help)" on stderr, one line; returns 2,
 * the usage-error exit status. */
__attribute__((format(printf, 2, 3)))
int swc_usage_error(const char *cmd, const char *fmt, ...);

/* The usage error for what getopt_long() returned as c (':' a missing value, '?' or else an
 * unknown option); returns 2. */
int swc_usage_bad_option(const char *cmd, int c, char **argv, int optind);

/* main() found fd 1 closed (and put /dev/null there): what goes to stdout goes nowhere. */
void swc_stdout_mark_closed(void);
bool swc_stdout_was_closed(void);
/* At exit (and right after a report, while errno still names the cause): flushes stdout; a
 * write error (a full disk, a closed pipe) is one line on stderr, once, and makes a
 * successful rc 1. Returns the exit status. */
int swc_stdout_check(int rc);

#endif
