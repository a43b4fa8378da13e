// SPDX-License-Identifier: GPL-2.0-only
/*
 * The whole command lines of run and trace, option parsing and the checks between options,
 * without running anything: the input is up to 24 arguments split at NUL bytes, its first
 * byte picks the command. Left out: -h (usage, then exit) and the probe options, which read
 * the files they name (fuzz_elf reads ELF files).
 */
#include "fuzz.h"
#include <getopt.h>
#include <stdbool.h>
#include "run.h"
#include "trace.h"

#define MAX_ARGS 24

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether arg could reach -h or a probe option: a short-option cluster holding 'h', or a
 * long option that --help, --uprobe, --usdt, --asyncio or --as-root abbreviates. */
static bool left_out(const char *arg)
{
	static const char *const longs[] = { "--help", "--uprobe", "--usdt", "--asyncio",
					     "--as-root" };

	if (arg[0] != '-' || !arg[1])
		return false;
	if (arg[1] != '-')
		return strchr(arg, 'h') != NULL;
	for (size_t i = 0; i < sizeof(longs) / sizeof(longs[0]); i++) {
		size_t n = strcspn(arg, "=");

		if (n > 2 && !strncmp(arg, longs[i], n))
			return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct trace_env tenv;
	static struct run_env renv;
	char *argv[MAX_ARGS + 2], *buf, *p;
	int argc = 1;
	bool trace;

	if (!size)
		return 0;
	trace = data[0] & 1;
	buf = fuzz_cstr(data + 1, size - 1);
	argv[0] = trace ? "trace" : "run";
	for (p = buf; p < buf + size - 1 && argc <= MAX_ARGS; p += strlen(p) + 1) {
		if (!strcmp(p, "--"))
			break;	/* CMD follows: not parsed */
		if (left_out(p))
			goto out;
		argv[argc++] = p;
	}
	argv[argc] = NULL;
	/* a command line is parsed once per process; here many are. optind = 0 makes glibc
	 * forget the last one's place inside a short-option cluster (the parsers set 1) */
	{
		char *none[] = { "x", NULL };

		optind = 0;
		opterr = 0;
		(void)getopt(1, none, "");
	}
	if (trace) {
		memset(&tenv, 0, sizeof(tenv));
		(void)trace_parse_args(&tenv, argc, argv);
	} else {
		memset(&renv, 0, sizeof(renv));
		renv.ipc = SWC_IPC_FUTEX;
		(void)run_parse_args(&renv, argc, argv);
	}
out:
	free(buf);
	return 0;
}
