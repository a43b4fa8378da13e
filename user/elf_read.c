// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ELF facts trace reads from files a user names (--uprobe, --usdt, --asyncio), read as if
 * the file were crafted to crash us, since we read it as root: a NOBITS .plt of 1 MiB once sent
 * a null data pointer into the PLT scan. Only sections whose bytes are in the file are used,
 * and every address or index that comes from the file is range-checked before it is used.
 */
#include <stdint.h>
#include <string.h>
#include <gelf.h>
#include "elf_read.h"

#define NT_STAPSDT	3

Elf *swc_elf_begin(int fd)
{
	Elf *e;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return NULL;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (e && elf_kind(e) != ELF_K_ELF) {
		elf_end(e);
		return NULL;
	}
	return e;
}

Elf *swc_elf_begin_mem(const void *buf, size_t len)
{
	Elf *e;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return NULL;
	/* libelf may convert the image in place (byte order): buf must be a writable copy */
	e = elf_memory((char *)buf, len);
	if (e && elf_kind(e) != ELF_K_ELF) {
		elf_end(e);
		return NULL;
	}
	return e;
}

/* A section's bytes, only when they are in the file and all there: NULL for NOBITS (no data,
 * d_buf NULL), an empty section, or data shorter than the header claims. */
static Elf_Data *section_data(Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *d;

	if (sh->sh_type == SHT_NOBITS || sh->sh_type == SHT_NULL || !sh->sh_size)
		return NULL;
	d = elf_getdata(scn, NULL);
	if (!d || !d->d_buf || !d->d_size || d->d_size > sh->sh_size)
		return NULL;
	return d;
}

/* The section named want, with its bytes; NULL when absent or without data. */
static Elf_Data *section(Elf *e, const char *want, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	const char *name;

	if (elf_getshdrstrndx(e, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, sh))
			continue;
		name = elf_strptr(e, shstrndx, sh->sh_name);
		if (name && !strcmp(name, want))
			return section_data(scn, sh);
	}
	return NULL;
}

/* The file offset of address addr in section index shndx; -1 when it is not in that
 * section's bytes in the file. */
static long long addr_to_offset(Elf *e, size_t shndx, GElf_Addr addr)
{
	Elf_Scn *scn = elf_getscn(e, shndx);
	GElf_Shdr sh;

	if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
		return -1;
	if (addr < sh.sh_addr || addr - sh.sh_addr >= sh.sh_size || sh.sh_offset > INT64_MAX ||
	    sh.sh_size > INT64_MAX - sh.sh_offset)
		return -1;
	return (long long)(addr - sh.sh_addr + sh.sh_offset);
}

int swc_elf_find_function(Elf *e, const char *symbol, unsigned long *file_offset)
{
	Elf_Scn *scn = NULL;
	int found = -1;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(e, scn))) {
		Elf_Data *data;
		GElf_Sym sym;

		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM))
			continue;
		data = section_data(scn, &sh);
		/* gelf_getsym checks each index against the data's size */
		for (size_t i = 0; data && sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
			const char *name;
			long long off;
			int type;

			if (!gelf_getsym(data, i, &sym))
				break;
			name = elf_strptr(e, sh.sh_link, sym.st_name);
			if (!name || strcmp(name, symbol))
				continue;
			type = GELF_ST_TYPE(sym.st_info);
			if (sym.st_shndx == SHN_UNDEF) {
				found = 0;
				continue;
			}
			if (type != STT_FUNC && type != STT_GNU_IFUNC)
				continue;
			if (sym.st_shndx >= SHN_LORESERVE)
				continue;	/* SHN_ABS and friends: no code in the file */
			off = addr_to_offset(e, sym.st_shndx, sym.st_value);
			if (off <= 0)
				continue;
			*file_offset = (unsigned long)off;
			return 1;
		}
	}
	return found;
}

/* A stapsdt note's description: 3 addresses, then "provider\0name\0args\0". */
static bool note_names(const char *desc, size_t descsz, size_t addr_size, const char *provider,
		       const char *probe)
{
	const char *prov, *name, *end = desc + descsz;

	if (descsz < 3 * addr_size + 2)
		return false;
	prov = desc + 3 * addr_size;
	if (!memchr(prov, '\0', end - prov))
		return false;
	name = prov + strlen(prov) + 1;
	if (name >= end || !memchr(name, '\0', end - name))
		return false;
	return !strcmp(prov, provider) && !strcmp(name, probe);
}

bool swc_elf_has_usdt(Elf *e, const char *provider, const char *probe)
{
	size_t shstrndx, addr_size = gelf_getclass(e) == ELFCLASS32 ? 4 : 8;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	if (elf_getshdrstrndx(e, &shstrndx))
		return false;
	while ((scn = elf_nextscn(e, scn))) {
		size_t off = 0, name_off, desc_off;
		const char *sname;
		Elf_Data *data;
		GElf_Nhdr nh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		sname = elf_strptr(e, shstrndx, sh.sh_name);
		if (!sname || strcmp(sname, ".note.stapsdt"))
			continue;
		data = section_data(scn, &sh);
		/* gelf_getnote returns 0 for a note that runs past the data */
		while (data && (off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type != NT_STAPSDT || desc_off > data->d_size ||
			    nh.n_descsz > data->d_size - desc_off)
				continue;
			if (note_names((const char *)data->d_buf + desc_off, nh.n_descsz, addr_size,
				       provider, probe))
				return true;
		}
	}
	return false;
}

static int32_t rel32(const unsigned char *b)
{
	int32_t v;

	memcpy(&v, b, sizeof(v));
	return v;
}

/* The GOT slot the dynamic linker fills with symbol's address (.rela.plt); 0 if none. */
static GElf_Addr got_slot_of(Elf *e, const char *symbol)
{
	GElf_Shdr sh, dsh;
	Elf_Data *d, *dd;
	GElf_Rela r;
	GElf_Sym sym;
	const char *name;

	d = section(e, ".rela.plt", &sh);
	dd = section(e, ".dynsym", &dsh);
	if (!d || !dd)
		return 0;
	/* gelf_getrela and gelf_getsym fail on an index past their data */
	for (int i = 0; gelf_getrela(d, i, &r); i++) {
		if (!gelf_getsym(dd, GELF_R_SYM(r.r_info), &sym))
			continue;
		name = elf_strptr(e, dsh.sh_link, sym.st_name);
		if (name && !strcmp(name, symbol))
			return r.r_offset;
	}
	return 0;
}

/* The PLT stub (address) that jumps through got_slot: "jmp *rel32(%rip)", maybe after endbr64
 * and a bnd prefix, in .plt.sec (IBT builds) or .plt. 0 when not found. Addresses are
 * unsigned: a crafted rel32 or sh_addr wraps around, it never overflows. */
static GElf_Addr plt_stub_for(Elf *e, GElf_Addr got_slot)
{
	static const char *const names[] = { ".plt.sec", ".plt" };
	GElf_Shdr sh;
	Elf_Data *d;

	for (int s = 0; s < 2; s++) {
		d = section(e, names[s], &sh);
		if (!d)
			continue;
		for (size_t off = 0; off + 16 <= d->d_size; off += 16) {
			const unsigned char *b = (const unsigned char *)d->d_buf + off;

			for (size_t i = 0; i + 6 <= 16; i++) {
				if (b[i] != 0xff || b[i + 1] != 0x25)
					continue;
				if (sh.sh_addr + off + i + 6 + (GElf_Addr)(int64_t)rel32(b + i + 2) ==
				    got_slot)
					return sh.sh_addr + off;
			}
		}
	}
	return 0;
}

int swc_elf_plt_calls(Elf *e, const char *callee, unsigned long *first_offset)
{
	GElf_Addr slot = got_slot_of(e, callee), stub;
	GElf_Shdr sh;
	Elf_Data *d;
	int n = 0;

	stub = slot ? plt_stub_for(e, slot) : 0;
	d = stub ? section(e, ".text", &sh) : NULL;
	if (!d)
		return 0;
	for (size_t off = 0; off + 5 <= d->d_size; off++) {
		const unsigned char *b = (const unsigned char *)d->d_buf + off;

		if (b[0] != 0xe8 ||
		    sh.sh_addr + off + 5 + (GElf_Addr)(int64_t)rel32(b + 1) != stub)
			continue;
		if (!n)
			*first_offset = sh.sh_offset + off;
		n++;
	}
	return n;
}
