/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading user-named ELF files as root: the symbols, USDT notes and PLT call sites trace needs.
 * Every file is hostile: sections without data in the file (SHT_NOBITS) are refused, and every
 * offset, size and index read from it is checked before use. Pure libelf, fuzzed in tests/fuzz.
 */
#ifndef SWC_ELF_READ_H
#define SWC_ELF_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <libelf.h>

/* A libelf handle on an open file, or on len writable bytes at buf; NULL unless it is ELF. */
Elf *swc_elf_begin(int fd);
Elf *swc_elf_begin_mem(const void *buf, size_t len);

/* 1 when symbol is a function defined here (*file_offset: where its code is in the file),
 * 0 when the file only imports it, -1 when absent. */
int swc_elf_find_function(Elf *e, const char *symbol, unsigned long *file_offset);

/* Whether a .note.stapsdt note names provider:probe. */
bool swc_elf_has_usdt(Elf *e, const char *provider, const char *probe);

/* x86-64: how many "call rel32" in .text go to the PLT stub of the imported function callee;
 * *first_offset is the file offset of the first. 0 when callee is not imported through the PLT. */
int swc_elf_plt_calls(Elf *e, const char *callee, unsigned long *first_offset);

#endif
