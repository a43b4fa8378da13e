/* SPDX-License-Identifier: GPL-2.0-only */
/* Kernel text symbols from /proc/kallsyms, by address (trace --stacks). */
#ifndef SWC_KSYMS_H
#define SWC_KSYMS_H

#include <stdbool.h>
#include <linux/types.h>

struct swc_ksyms;

/* NULL (errno set) when path cannot be read. */
struct swc_ksyms *ksyms__load(const char *path);
/* Every address read as 0: kptr_restrict hides them (or there is nothing). */
bool ksyms__hidden(const struct swc_ksyms *k);
/* The symbol at or below addr and *delta into it; NULL below the first, or when hidden. */
const char *ksyms__lookup(const struct swc_ksyms *k, __u64 addr, __u64 *delta);
void ksyms__free(struct swc_ksyms *k);

#endif
