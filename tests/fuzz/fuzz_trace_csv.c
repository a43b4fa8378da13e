// SPDX-License-Identifier: GPL-2.0-only
/*
 * A trace CSV read back (report FILE.csv, trace --html): the row reader, the reduction to
 * per-thread states, and both pages drawn from it (the HTML timeline and Perfetto JSON).
 */
#include "fuzz.h"
#include "report_trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct swc_trace_data *td;
	char path[64];
	int fd = fuzz_file(data, size, path, sizeof(path));

	if (!devnull && !(devnull = fopen("/dev/null", "we")))
		abort();
	td = swc_trace_load(path);
	close(fd);
	if (!td)
		return 0;
	swc_trace_finish(td);
	swc_trace_html(devnull, td, path);
	swc_trace_perfetto(devnull, td);
	swc_trace_free(td);
	return 0;
}
