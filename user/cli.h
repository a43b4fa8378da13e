/* SPDX-License-Identifier: GPL-2.0-only */
/* What every command's option parsing shares. */
#ifndef SWC_CLI_H
#define SWC_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* Prints "switchcost: MESSAGE (see switchcost CMD --help)" on stderr, one line; returns 2,
 * the usage-error exit status. */
__attribute__((format(printf, 2, 3)))
int swc_usage_error(const char *cmd, const char *fmt, ...);

/* The usage error for what getopt_long() returned as c (':' a missing value, '?' or else an
 * unknown option); returns 2. */
int swc_usage_bad_option(const char *cmd, int c, char **argv, int next);

/* --json anywhere among the command's options (before a "--"): from here on, the last
 * "switchcost: " line on stderr is kept, for swc_exit(). */
void swc_json_errors_init(int argc, char **argv);
/* The command's parser, once it knows: json says whether --json was one of its options. The
 * scan above cannot tell trace's CMD given without "--" (trace prog --json) from our options,
 * so a false here turns the error object off. */
void swc_json_errors_confirm(bool json);
/* swc_stdout_check(rc), then, under --json, when rc is not 0 and no document reached stdout:
 * {"schema_version", "error": that line without "switchcost: ", "exit_status": rc} on stdout,
 * as bpftool does, the human line staying on stderr. Returns the exit status. */
int swc_exit(int rc);

/* An option naming a file to write (--html, --folded, -o, ...): an empty name, or one that
 * names a directory by its form ("dir/", ".", "a/.."), is a usage error here, before any work,
 * not "writing : that names a directory" from the writer at the end. Returns 0, or 2 with the
 * line printed. */
int swc_file_option(const char *cmd, const char *opt, const char *arg);

/* The options run, trace and lab take alike, last in their getopt_long tables (<getopt.h>). */
enum { SWC_OPT_ANONYMOUS = 0x1100 };
#define SWC_COMMON_OPTIONS						\
	{ "anonymous", no_argument, NULL, SWC_OPT_ANONYMOUS },		\
	{ "verbose", no_argument, NULL, 'v' },				\
	{ "help", no_argument, NULL, 'h' }

/* The end of a command's option switch, for what getopt_long() returned as c: --anonymous,
 * -v (sets *verbose), -h (usage on stdout, then exit 0), or else the usage error of an option
 * that is not cmd's. Returns 0, or 2 with the line printed. */
int swc_common_option(const char *cmd, int c, char **argv, bool *verbose, void (*usage)(FILE *f));

/* --cpus LIST for cmd: up to max CPUs, each online, into cpus and *ncpus. examples is the
 * list the error suggests ("0 or 0,1"); too_many the error for more than max CPUs (NULL: the
 * same as a malformed list). Returns 0, or 2 with the line printed. */
int swc_cpus_option(const char *cmd, const char *arg, int max, const char *too_many,
		    const char *examples, int *cpus, int *ncpus);

/* main() found fd 1 closed (and put /dev/null there): what goes to stdout goes nowhere. */
void swc_stdout_mark_closed(void);
bool swc_stdout_was_closed(void);
/* At exit (and right after a report, while errno still names the cause): flushes stdout; a
 * write error (a full disk, a closed pipe) is one line on stderr, once, and makes a
 * successful rc 1. Returns the exit status. */
int swc_stdout_check(int rc);

#endif
