/* SPDX-License-Identifier: GPL-2.0-only */
/* switchcost run --ws: the working-set sweep (sweep.h) as run's whole output. */
#ifndef SWC_RUN_WS_H
#define SWC_RUN_WS_H

#include <stdbool.h>
#include "sweep.h"

struct swc_sysinfo;
struct swc_watch;

/* Exit status of a --strict run or lab with a result judged invalid (user/validity.h) */
#define SWC_EXIT_INVALID	4

/* --ws LIST into o->sizes (0 first, always). Returns 0, or 2 after a usage error on stderr. */
int swc_run_ws_parse(const char *arg, struct swc_sweep_opts *o);
/* Runs and prints the sweep; returns the exit status (1 a failed point, SWC_EXIT_INVALID with
 * strict and an invalid point). */
int swc_run_ws(const struct swc_sweep_opts *o, bool json, bool strict,
	       const struct swc_sysinfo *si, struct swc_watch *w);

#endif
