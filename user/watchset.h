/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The watch set as user space holds it, shared by the BPF session (session.c, which maps it)
 * and the watch-set operations (watchset.c): one byte per tgid in BPF's mmap'ed maps, encoded
 * by include/switchcost.h's swc_watch_index/mask/bits, the same code BPF runs.
 */
#ifndef SWC_WATCHSET_H
#define SWC_WATCHSET_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct swc_watch;

struct swc_watchset {
	__u64 *watched;		/* the watched map: a tgid's group + 1, 0 when unwatched */
	__u64 *gone;		/* the exited-process marks, the same layout */
	size_t nwords;		/* of each */
	__u32 *adopt_group;	/* BPF's .bss word its fork handler reads: group + 1, or 0 */
};

/* The session's watch set (never NULL for an open session). */
struct swc_watchset *watch__set(struct swc_watch *w);

#endif
