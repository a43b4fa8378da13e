// SPDX-License-Identifier: GPL-2.0-only
/*
 * The command-line parsers: numbers, CPU and pid lists, durations, --ws size lists,
 * --ringbuf-size, and the cache sizes read from sysfs. The first byte picks the parser, the
 * rest is the argument; each result is checked against what the parser promises.
 */
#include "fuzz.h"
#include <errno.h>
#include "cpucache.h"
#include "csvsink.h"
#include "parse.h"
#include "wss.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long long sizes[SWC_WS_MAX_SIZES];
	int cpus[64], pids[64], n;
	unsigned long ul;
	char err[256], *s;
	const char *path;
	bool allow;
	__u64 ns;

	if (!size)
		return 0;
	s = fuzz_cstr(data + 1, size - 1);
	switch (data[0] % 8) {
	case 0:
		if (!swc_parse_ulong(s, 1, 1000000, &ul) && (ul < 1 || ul > 1000000))
			abort();
		break;
	case 1:
		n = swc_parse_cpulist(s, cpus, 64);
		if (n > 64 || (n <= 0 && n != -EINVAL && n != -ERANGE))
			abort();
		for (int i = 0; i < n; i++)
			if (cpus[i] < 0 || cpus[i] > 4095)
				abort();
		break;
	case 2:
		if (!swc_parse_duration_ns(s, &ns) && (!ns || ns >= 86400ULL * 1000000000ULL))
			abort();
		break;
	case 3:
		n = swc_parse_pidlist(s, pids, 64);
		if (n > 64)
			abort();
		for (int i = 0; i < n; i++)
			if (pids[i] <= 0)
				abort();
		break;
	case 4:
		n = swc_ws_parse_list(s, 1ULL << 30, sizes, SWC_WS_MAX_SIZES, err, sizeof(err));
		if (n > SWC_WS_MAX_SIZES)
			abort();
		for (int i = 0; i < n; i++)
			if (sizes[i] > 1ULL << 30 || (i && sizes[i] <= sizes[i - 1]))
				abort();
		break;
	case 5:
		if (!swc_csvsink_option("fuzz", SWC_OPT_RINGBUF, s, &path, &ul, &allow) &&
		    (ul < 4096 || (ul & (ul - 1))))
			abort();
		break;
	case 6:
		(void)swc_cache_size_parse(s);
		break;
	case 7:
		(void)swc_cpuinfo_tlb_size(s);
		break;
	}
	free(s);
	return 0;
}
