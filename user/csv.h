/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-switch CSV export (RFC 4180): one row per switch record, header first, no comments.
 * Written safely as root through outfile.h: put in place by csv__close() only, never
 * through a symlink, owned by SUDO_UID/SUDO_GID when run through sudo. "-" is stdout; a name ending in ".gz" is
 * gzip-compressed (zlib, streaming). Formatting avoids printf in the hot path.
 */
#ifndef SWC_CSV_H
#define SWC_CSV_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <linux/types.h>
#include "outfile.h"
#include "switchcost.h"

#define SWC_CSV_HEADER "ts_ns,cpu,workload,pass,kind,prev_pid,prev_tid,prev_comm,prev_state," \
		       "next_pid,next_tid,next_comm,run_ns,off_ns,delay_ns"

/* Room one row can take: 9 numbers of up to 20 digits, two comms of 15 bytes that may each
 * become a quoted 3-byte U+FFFD, a workload name and a pass of up to 64 bytes each, quoted. */
#define SWC_CSV_ROW_MAX		768
/* gzip level of a .gz path: level 1 keeps up with a million rows a second */
#define SWC_CSV_GZIP_LEVEL	1

struct swc_csv;

/* Opens path for writing (header written at once). On failure returns NULL and prints one
 * line naming the path and the cause ("switchcost: writing x.csv: Permission denied"). */
struct swc_csv *csv__open(const char *path);
/* Appends one row; workload and pass ("timed", "counting") may be NULL (empty fields).
 * Returns 0 or -errno (e.g. -ENOSPC). */
int csv__write(struct swc_csv *c, const struct swc_switch_rec *rec, const char *workload,
	       const char *pass);
/* Writes out what is buffered and ends a gzip stream; the file stays out of sight until
 * committed (csv__close(), or swc_outfile_commit_pair() on csv__outfile()). Returns 0 or
 * -errno with a message printed. */
int csv__finish(struct swc_csv *c);
/* The file behind c, NULL for stdout. */
struct swc_outfile *csv__outfile(struct swc_csv *c);
/* The path as given, "stdout" for "-". */
const char *csv__path(const struct swc_csv *c);
/* If keep, finishes and puts the file in place; otherwise drops it. Returns 0 or -errno with
 * a message printed. NULL is fine. */
int csv__close(struct swc_csv *c, bool keep);

/* Pure helpers, unit-tested: the kind's name, prev_state's letter ("R" when preempted),
 * and RFC 4180 quoting of a field into out (returns bytes written, or 0 if out is too small). */
const char *swc_kind_name(unsigned int kind);
char swc_state_letter(unsigned int state, bool preempt);
size_t swc_csv_quote(const char *field, size_t flen, char *out, size_t outlen);
/* Decimal digits of v into out (room for 20), no NUL; returns how many. */
size_t swc_csv_u64(unsigned long long v, char *out);
/* One row with its newline into out (room for SWC_CSV_ROW_MAX); returns its length. Unknown
 * latencies (SWC_UNKNOWN), an unknown kind and a NULL workload or pass are empty fields; a
 * coroutine row has no prev_state. Bytes of comm that are not UTF-8 become U+FFFD. */
size_t swc_csv_format_row(char *out, const struct swc_switch_rec *rec, const char *workload,
			  const char *pass);

#endif
