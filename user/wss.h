/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The working set of the indirect-cost sweep (--ws): W bytes a party touches between two
 * hand-offs, so the next switch finds its caches and TLB holding the other party's data.
 * Two patterns: every cache line (cache capacity), and one line per page (TLB reach, with a
 * cache footprint of a line per page).
 */
#ifndef SWC_WSS_H
#define SWC_WSS_H

#include <stdbool.h>
#include <stddef.h>

enum swc_ws_pattern {
	SWC_WS_LINES = 0,	/* every cache line of W */
	SWC_WS_PAGES,		/* one line per page of W, a different line in each page */
	SWC_WS_NR,
};

#define SWC_WS_MAX_SIZES	16

struct swc_wss {
	char *buf;
	size_t bytes, mapped;
	size_t lines;		/* lines touched per pass */
	size_t line, page;	/* the machine's cache-line and page size */
	enum swc_ws_pattern pattern;
	unsigned long sink;	/* what the reads add up to: kept, so they are not optimised out */
};

/* "lines", "pages" */
const char *swc_ws_pattern_name(enum swc_ws_pattern p);
/* Lines a pass over bytes touches with pattern p, for the given line and page size. Pure. */
size_t swc_ws_lines(size_t bytes, enum swc_ws_pattern p, size_t line, size_t page);
/*
 * A size list such as "0,16K,256K,1M,4M,16M" (K, M, G are powers of 1024; an optional "B" or
 * "iB" after them) into sizes[], ascending, duplicates dropped, at most max, each at most
 * max_bytes. Pure. Returns the count, or -1 with a message for the user in err (no prefix).
 */
int swc_ws_parse_list(const char *arg, unsigned long long max_bytes, unsigned long long *sizes,
		      int max, char *err, size_t errlen);
/* "0", "16K", "1M", "1.5M" (binary units). Returns buf. */
char *swc_ws_fmt_bytes(unsigned long long bytes, char *buf, size_t len);

/* Maps bytes of private memory in small pages (no THP: a 2 MB page would hide the TLB) and
 * writes every page, so no pass finds the zero page or faults. Returns 0 or -errno. */
int swc_wss_open(struct swc_wss *ws, size_t bytes, enum swc_ws_pattern p);
/* One pass: reads every line of the pattern. */
void swc_wss_touch(struct swc_wss *ws);
void swc_wss_close(struct swc_wss *ws);	/* NULL and never-opened are fine */

#endif
