/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The function symbols of one ELF file, to name user-space stack frames (trace --stacks). The
 * file is hostile: every section is checked for data, every index and name bounded (libelf
 * checks offsets against the file; we check what it hands back), and the table is capped.
 * elfsyms__read_mem() is there for a fuzz harness.
 */
#ifndef SWC_ELFSYMS_H
#define SWC_ELFSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define ELFSYMS_MAX_LOADS	16		/* PT_LOAD segments kept */
#define ELFSYMS_MAX_SYMS	(1u << 20)	/* function symbols kept per file */
#define ELFSYMS_MAX_NAME	255		/* longer names are cut */

struct elfsym {
	__u64 addr, size;
	__u32 name;		/* offset in names */
};

struct elfsyms {
	struct elfsym *syms;	/* sorted by addr */
	size_t n;
	char *names;
	size_t names_len, names_cap;
	struct { __u64 offset, filesz, vaddr; } loads[ELFSYMS_MAX_LOADS];
	int nloads;
	const char *table;	/* ".symtab", ".dynsym", or NULL: none with data (stripped) */
};

/* Reads the symbols of the ELF file open on fd, or of an image in memory (the fuzz harness).
 * 0, or -errno (-ENOEXEC: not an ELF file we can read) with s left empty but usable. */
int elfsyms__read_fd(struct elfsyms *s, int fd);
int elfsyms__read_mem(struct elfsyms *s, const void *image, size_t len);
void elfsyms__free(struct elfsyms *s);

/* The function holding file offset off (an address in a mapping, less the mapping's start,
 * plus its file offset), and *delta into it; NULL when no symbol names it. */
const char *elfsyms__lookup(const struct elfsyms *s, __u64 off, __u64 *delta);

#endif
