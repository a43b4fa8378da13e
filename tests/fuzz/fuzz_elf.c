// SPDX-License-Identifier: GPL-2.0-only
/*
 * ELF files a user names or a traced process maps, read as root: the symbol table of
 * trace --stacks (and look-ups in it), and the function, USDT note and PLT call-site reads of
 * --uprobe, --usdt and --asyncio.
 */
#include "fuzz.h"
#include "elf_read.h"
#include "elfsyms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long off;
	struct elfsyms s;
	__u64 delta;
	char *copy;
	Elf *e;

	/* libelf may convert an image in place: each reader gets its own copy */
	copy = fuzz_cstr(data, size);
	if (!elfsyms__read_mem(&s, copy, size)) {
		for (size_t i = 0; i < s.n && i < 64; i++)
			if (!elfsyms__lookup(&s, s.syms[i].addr, &delta) && s.nloads < 0)
				abort();
		for (int i = 0; i < s.nloads; i++)
			(void)elfsyms__lookup(&s, s.loads[i].offset + s.loads[i].filesz / 2, &delta);
		elfsyms__free(&s);
	}
	free(copy);

	copy = fuzz_cstr(data, size);
	e = swc_elf_begin_mem(copy, size);
	if (e) {
		(void)swc_elf_find_function(e, "main", &off);
		(void)swc_elf_find_function(e, "getppid", &off);
		(void)swc_elf_has_usdt(e, "switchcost", "switch");
		(void)swc_elf_plt_calls(e, "swapcontext", &off);
		(void)swc_elf_plt_calls(e, "getppid", &off);
		elf_end(e);
	}
	free(copy);
	return 0;
}
