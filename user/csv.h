/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-switch CSV export (RFC 4180): one row per switch record, header first, no comments.
 * Written safely as root: a temporary file created O_EXCL|O_NOFOLLOW in the target's
 * directory, renamed into place by csv__close(); never through a symlink; owned by
 * SUDO_UID/SUDO_GID when run through sudo. "-" is stdout; a name ending in ".gz" is
 * gzip-compressed (zlib, streaming). Formatting avoids printf in the hot path.
 */
#ifndef SWC_CSV_H
#define SWC_CSV_H

#include <stdbool.h>
#include <stdio.h>
#include "switchcost.h"

#define SWC_CSV_HEADER "ts_ns,cpu,workload,kind,prev_pid,prev_tid,prev_comm,prev_state," \
		       "next_pid,next_tid,next_comm,run_ns,off_ns,delay_ns"

struct swc_csv;

/* Opens path for writing (header written at once). On failure returns NULL and prints one
 * line naming the path and the cause ("switchcost: writing x.csv: Permission denied"). */
struct swc_csv *csv__open(const char *path, int gzip_level);
/* Appends one row; workload may be NULL (empty field). Returns 0 or -errno (e.g. -ENOSPC). */
int csv__write(struct swc_csv *c, const struct swc_switch_rec *rec, const char *workload);
unsigned long long csv__rows(const struct swc_csv *c);
/* Flushes and, if keep, renames the temporary file into place (and chowns it); otherwise
 * removes it. Returns 0 or -errno with a message printed. NULL is fine. */
int csv__close(struct swc_csv *c, bool keep);

/* Pure helpers, unit-tested: the kind's name, prev_state's letter ("R" when preempted),
 * and RFC 4180 quoting of a field into out (returns bytes written, or 0 if out is too small). */
const char *swc_kind_name(unsigned int kind);
char swc_state_letter(unsigned int state, bool preempt);
size_t swc_csv_quote(const char *field, size_t flen, char *out, size_t outlen);

#endif
