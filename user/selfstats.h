/* SPDX-License-Identifier: GPL-2.0-only */
/* What switchcost itself costs: time from start to BPF attached, and peak RSS. */
#ifndef SWC_SELFSTATS_H
#define SWC_SELFSTATS_H

struct swc_json;

void swc_self_started(void);		/* first thing in main() */
void swc_self_attached(void);		/* when the scheduler programs are attached */
/* Writes "switchcost": { "start_to_attach_ms", "max_rss_kib" } into the current object. */
void swc_self_json(struct swc_json *j);

#endif
