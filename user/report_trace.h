/* SPDX-License-Identifier: GPL-2.0-only */
/* A trace CSV (docs/CSV.md) read back, and drawn: the report's timeline page and Perfetto JSON. */
#ifndef SWC_REPORT_TRACE_H
#define SWC_REPORT_TRACE_H

#include <stdio.h>

struct swc_trace_data;

/* Reads path (.gz or plain); NULL with one line printed on failure. */
struct swc_trace_data *swc_trace_load(const char *path);
void swc_trace_free(struct swc_trace_data *td);
/* A per-thread timeline page, binned by pixel column; returns 0 or 1. */
int swc_trace_html(FILE *f, struct swc_trace_data *td, const char *source);
/* Chrome JSON trace events: X slices running/runnable, i instants per switch, M names. */
int swc_trace_perfetto(FILE *f, struct swc_trace_data *td);

#endif
