/* SPDX-License-Identifier: GPL-2.0-only */
/* Strict parsing of command-line numbers, CPU lists and durations. */
#ifndef SWC_PARSE_H
#define SWC_PARSE_H

#include <stdbool.h>
#include <linux/types.h>

/* Decimal unsigned integer in [min, max]; rejects "", "-1", "12x", " 3", overflow.
 * Returns 0, -EINVAL (not a number) or -ERANGE (out of range). */
int swc_parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out);

/* CPU list "0", "0,1", "0-3", "1,3-5" into cpus[] (max entries, no duplicates, ascending order
 * kept as written). Returns count (>0), or -EINVAL (syntax) / -ERANGE (too many or > 4095). */
int swc_parse_cpulist(const char *s, int *cpus, int max);

/* Whether CPU n exists and is online (reads /sys/devices/system/cpu/cpuN/online; cpu0 often
 * has no such file and is online if /sys/devices/system/cpu/cpu0 exists). */
bool swc_cpu_online(int cpu);

/* Duration with a unit: "20ms", "100ms", "1s", "1.5s", "500us", "250000ns"; a bare number is
 * seconds. Must be > 0 and < 1 day. Returns 0 or -EINVAL / -ERANGE. */
int swc_parse_duration_ns(const char *s, __u64 *ns);

/* Comma list of positive pids ("12,345"). Returns count (>0) or -EINVAL / -ERANGE. */
int swc_parse_pidlist(const char *s, int *pids, int max);

#endif
