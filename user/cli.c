// SPDX-License-Identifier: GPL-2.0-only
/* What every command's option parsing shares, the check of stdout at exit, and --json's
 * error object. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "json.h"
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

int swc_file_option(const char *cmd, const char *opt, const char *arg)
{
	const char *base = strrchr(arg, '/') ? strrchr(arg, '/') + 1 : arg;

	if (!*arg)
		return swc_usage_error(cmd, "%s wants a file name, not an empty one", opt);
	/* told from the name alone, before any work: a directory found only when the results
	 * are written would lose them (and a look at the file system as root tells too much) */
	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return swc_usage_error(cmd, "%s wants a file name, not '%s', a directory", opt, arg);
	return 0;
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
		exit(swc_stdout_check(0));	/* help that did not reach stdout is no success */
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

/*
 * --json's errors. The messages are written where they happen, with fprintf(stderr, ...), by
 * every command; rather than route each through a second printer, stderr becomes a stream
 * that writes through to fd 2 and keeps the last line starting "switchcost: ": the error that
 * ended the command, not a warning before it (the knob SWITCHCOST_DISABLE's, or "not
 * containing the traced program in a cgroup" where cgroup v2 is missing).
 */
#define ERROR_PREFIX "switchcost: "

static struct {
	bool on;
	char line[1024];	/* the line being written */
	size_t len;
	char last[1024];	/* the last error line, prefix dropped; "" while none */
} json_errors;

static ssize_t stderr_write(void *cookie, const char *buf, size_t n)
{
	size_t done = 0;

	(void)cookie;
	while (done < n) {
		ssize_t w = write(STDERR_FILENO, buf + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	for (size_t i = 0; i < n; i++) {
		if (buf[i] != '\n') {
			if (json_errors.len < sizeof(json_errors.line) - 1)
				json_errors.line[json_errors.len++] = buf[i];
			continue;
		}
		json_errors.line[json_errors.len] = '\0';
		if (!strncmp(json_errors.line, ERROR_PREFIX, strlen(ERROR_PREFIX)))
			memcpy(json_errors.last, json_errors.line + strlen(ERROR_PREFIX),
			       json_errors.len - strlen(ERROR_PREFIX) + 1);
		json_errors.len = 0;
	}
	/* what fd 2 did not take is lost either way: say all was taken, as an unbuffered
	 * stderr whose writes fail does */
	return (ssize_t)n;
}

void swc_json_errors_init(int argc, char **argv)
{
	static const cookie_io_functions_t io = { .write = stderr_write };
	FILE *f;

	/* report and compare have no --json: theirs is an unknown option, told as text */
	if (argc > 1 && (!strcmp(argv[1], "report") || !strcmp(argv[1], "compare")))
		return;
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		json_errors.on |= !strcmp(argv[i], "--json");
	if (!json_errors.on)
		return;
	f = fopencookie(NULL, "w", io);
	if (!f) {
		json_errors.on = false;
		return;
	}
	setvbuf(f, NULL, _IONBF, 0);
	stderr = f;
}

void swc_json_errors_confirm(bool json)
{
	if (!json)
		json_errors.on = false;
}

int swc_exit(int rc)
{
	struct swc_json j;

	rc = swc_stdout_check(rc);
	if (!json_errors.on || !rc || !json_errors.last[0] || jw_wrote_stdout())
		return rc;
	jw_init(&j, stdout, 0);
	jw_obj_begin(&j, NULL);
	jw_u64(&j, "schema_version", SWC_SCHEMA_VERSION);
	jw_str(&j, "error", json_errors.last);
	jw_i64(&j, "exit_status", rc);
	jw_obj_end(&j);
	jw_finish(&j);
	return swc_stdout_check(rc);
}
