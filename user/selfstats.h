/* SPDX-License-Identifier: GPL-2.0-only */
/* What switchcost itself costs: time from start to BPF attached, and peak RSS. */
#ifndef SWC_SELFSTATS_H
#define SWC_SELFSTATS_H

struct swc_json;

#include <time.h>

void swc_self_started(void);		/* first thing in main() */
/* When switchcost started: CLOCK_MONOTONIC (the clock of every figure) and CLOCK_REALTIME. */
void swc_self_start_times(struct timespec *mono, struct timespec *real);
void swc_self_attached(void);		/* when the scheduler programs are attached */
/* Peak RSS of this process in KiB, from /proc/self/status VmHWM; -1 if unreadable. */
long swc_self_peak_rss_kib(void);
/* Writes "switchcost": { "start_to_attach_ms", "peak_rss_kib", "peak_rss_source" }. */
void swc_self_json(struct swc_json *j);

#endif
