/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * User-space addresses of traced processes to function names (trace --stacks): each process's
 * executable file mappings from /proc/PID/maps, the mapped files read through
 * /proc/PID/map_files (the very file mapped, even if renamed or deleted since), their symbol
 * tables read once per file (by device and inode) and shared by every process mapping it.
 */
#ifndef SWC_SYMBOLIZE_H
#define SWC_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>

#define SYM_MAX_PROCS		4096		/* processes whose maps are kept */
#define SYM_MAX_MAPS		1024		/* executable mappings kept per process */
#define SYM_MAX_FILES		512		/* files whose symbols are kept */
#define SYM_MAX_TOTAL		(4u << 20)	/* symbols kept over all files */
#define SYM_MAX_FILE_BYTES	(2ULL << 30)	/* larger files are not read */
#define SYM_REREAD_FIRST_NS	(200ULL * 1000 * 1000)	/* a process's maps read again after */
#define SYM_REREAD_MAX_NS	(12800ULL * 1000 * 1000)	/* ... doubling up to this */

enum sym_kind {
	SYM_NAMED,	/* a symbol table names the address */
	SYM_STRIPPED,	/* the file was read and neither .symtab nor .dynsym names it */
	SYM_UNREAD,	/* the mapped file could not be read (or the symbol budget was spent) */
	SYM_UNMAPPED,	/* no executable file mapping of the process holds it */
};

struct sym_result {
	enum sym_kind kind;
	const char *name;	/* SYM_NAMED: the function */
	const char *file;	/* the mapped file's path (all but SYM_UNMAPPED) */
	__u64 offset;		/* SYM_NAMED: into the function; otherwise into the file */
};

struct swc_symbolizer;

struct swc_symbolizer *symbolizer__new(void);
void symbolizer__free(struct swc_symbolizer *s);
/* Reads tgid's maps the first time, again when its executable changed (exec), when fresh is
 * set (the end of the trace), and otherwise at growing intervals (SYM_REREAD_*_NS) for the
 * libraries it loads as it goes. 0, or -errno (-ESRCH: it has
 * exited, and its maps as last read stay in use). */
int symbolizer__note(struct swc_symbolizer *s, pid_t tgid, bool fresh);
bool symbolizer__knows(const struct swc_symbolizer *s, pid_t tgid);
/* Names addr in tgid's address space; the strings live as long as s. */
void symbolizer__user(struct swc_symbolizer *s, pid_t tgid, __u64 addr, struct sym_result *r);

#endif
