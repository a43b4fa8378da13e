// SPDX-License-Identifier: GPL-2.0-only
/*
 * Function symbols of one ELF file, read with libelf (Debian's elfutils, also what libbpf
 * links; opened by elf_read.c's swc_elf_begin*, as trace's other ELF reads): .symtab when the file has one with data, else .dynsym. The file comes from a traced
 * process and is treated as hostile: a section without data (SHT_NOBITS, or empty) is refused,
 * the string table index is checked against the section count, names come through
 * elf_strptr() (which bounds them by their section) and are cut at ELFSYMS_MAX_NAME, symbols
 * are capped at ELFSYMS_MAX_SYMS, and ELF_C_READ copies the file rather than mapping it, so a
 * file truncated under us cannot fault us.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include "elf_read.h"
#include "elfsyms.h"

static int name_add(struct elfsyms *s, const char *name, __u32 *off)
{
	size_t len = strnlen(name, ELFSYMS_MAX_NAME);
	char *p;

	if (s->names_len + len + 1 > s->names_cap) {
		size_t cap = s->names_cap ? 2 * s->names_cap : 4096;

		while (cap < s->names_len + len + 1)
			cap *= 2;
		if (cap > UINT32_MAX)
			return -E2BIG;
		p = realloc(s->names, cap);
		if (!p)
			return -ENOMEM;
		s->names = p;
		s->names_cap = cap;
	}
	memcpy(s->names + s->names_len, name, len);
	s->names[s->names_len + len] = '\0';
	*off = (__u32)s->names_len;
	s->names_len += len + 1;
	return 0;
}

static int by_addr(const void *a, const void *b)
{
	const struct elfsym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* the widest alias last, where the lookup's search ends */
	return x->size < y->size ? -1 : x->size > y->size;
}

/* The section of type, when it has data to read; NULL otherwise. */
static Elf_Scn *find_table(Elf *e, Elf64_Word type, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, sh) || sh->sh_type != type)
			continue;
		if (sh->sh_size == 0 || sh->sh_entsize == 0)
			return NULL;
		return scn;
	}
	return NULL;
}

static int read_table(struct elfsyms *s, Elf *e, Elf_Scn *scn, const GElf_Shdr *sh)
{
	size_t shnum, n, cap = 0;
	Elf_Data *d = elf_getdata(scn, NULL);
	struct elfsym *p;
	const char *name;
	GElf_Sym sym;
	int err;

	if (!d || !d->d_buf || d->d_size == 0 || d->d_size > sh->sh_size ||
	    elf_getshdrnum(e, &shnum) ||
	    sh->sh_link == 0 || sh->sh_link >= shnum)
		return -ENOEXEC;
	n = d->d_size / sh->sh_entsize;
	for (size_t i = 0; i < n && s->n < ELFSYMS_MAX_SYMS; i++) {
		if (!gelf_getsym(d, (int)i, &sym))	/* bounded by d_size */
			break;
		if ((GELF_ST_TYPE(sym.st_info) != STT_FUNC &&
		     GELF_ST_TYPE(sym.st_info) != STT_GNU_IFUNC) ||
		    sym.st_shndx == SHN_UNDEF || sym.st_value == 0)
			continue;
		name = elf_strptr(e, sh->sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		if (s->n == cap) {
			cap = cap ? 2 * cap : 256;
			p = realloc(s->syms, cap * sizeof(*p));
			if (!p)
				return -ENOMEM;
			s->syms = p;
		}
		err = name_add(s, name, &s->syms[s->n].name);
		if (err)
			return err;
		s->syms[s->n].addr = sym.st_value;
		s->syms[s->n].size = sym.st_size;
		s->n++;
	}
	if (s->n)	/* syms is NULL without any: qsort() wants an array */
		qsort(s->syms, s->n, sizeof(*s->syms), by_addr);
	return 0;
}

static int read_elf(struct elfsyms *s, Elf *e)
{
	GElf_Shdr sh;
	GElf_Phdr ph;
	Elf_Scn *scn;
	size_t phnum;

	if (!e || elf_kind(e) != ELF_K_ELF)
		return -ENOEXEC;
	if (elf_getphdrnum(e, &phnum))
		return -ENOEXEC;
	for (size_t i = 0; i < phnum && s->nloads < ELFSYMS_MAX_LOADS; i++) {
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		s->loads[s->nloads].offset = ph.p_offset;
		s->loads[s->nloads].filesz = ph.p_filesz;
		s->loads[s->nloads].vaddr = ph.p_vaddr;
		s->nloads++;
	}
	scn = find_table(e, SHT_SYMTAB, &sh);
	if (scn && !read_table(s, e, scn, &sh) && s->n) {
		s->table = ".symtab";
		return 0;
	}
	s->n = 0;
	scn = find_table(e, SHT_DYNSYM, &sh);
	if (scn && !read_table(s, e, scn, &sh) && s->n)
		s->table = ".dynsym";
	return 0;
}

static int read_with(struct elfsyms *s, Elf *e)
{
	int err;

	memset(s, 0, sizeof(*s));
	err = read_elf(s, e);
	if (e)
		elf_end(e);
	if (err)
		elfsyms__free(s);
	return err;
}

int elfsyms__read_fd(struct elfsyms *s, int fd)
{
	return read_with(s, swc_elf_begin(fd));
}

int elfsyms__read_mem(struct elfsyms *s, const void *image, size_t len)
{
	return read_with(s, swc_elf_begin_mem(image, len));
}

void elfsyms__free(struct elfsyms *s)
{
	free(s->syms);
	free(s->names);
	memset(s, 0, sizeof(*s));
}

const char *elfsyms__lookup(const struct elfsyms *s, __u64 off, __u64 *delta)
{
	size_t lo = 0, hi = s->n;
	__u64 vaddr = 0;
	bool found = false;
	const struct elfsym *sym;

	for (int i = 0; i < s->nloads; i++) {
		if (off >= s->loads[i].offset && off - s->loads[i].offset < s->loads[i].filesz) {
			vaddr = off - s->loads[i].offset + s->loads[i].vaddr;
			found = true;
			break;
		}
	}
	if (!found || !s->n)
		return NULL;
	/* the last symbol starting at or below vaddr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->syms[mid].addr <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	sym = &s->syms[lo - 1];
	/* a sized symbol names its own bytes only; an unsized one only its first */
	if (vaddr - sym->addr >= (sym->size ? sym->size : 1))
		return NULL;
	*delta = vaddr - sym->addr;
	return s->names + sym->name;
}
