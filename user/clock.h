/* SPDX-License-Identifier: GPL-2.0-only */
/* The one clock user space times with. */
#ifndef SWC_CLOCK_H
#define SWC_CLOCK_H

#include <time.h>
#include <linux/types.h>

/* CLOCK_MONOTONIC in ns: the clock bpf_ktime_get_ns() reads, so user and BPF times compare. */
static inline __u64 swc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

#endif
