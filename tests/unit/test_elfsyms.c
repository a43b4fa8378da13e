/* SPDX-License-Identifier: GPL-2.0-only */
/* The ELF symbol reader of trace --stacks: names found, and hostile images survived. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "elfsyms.h"
#include "unit.h"

/* A function of ours whose name the reader must find in this very binary. */
__attribute__((noinline)) void unit_elfsyms_marker(void);
__attribute__((noinline)) void unit_elfsyms_marker(void)
{
	__asm__ volatile("" ::: "memory");
}

static char *read_self(size_t *len)
{
	struct stat st;
	char *buf = NULL;
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) || !(buf = malloc(st.st_size)) ||
	    read(fd, buf, st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	*len = buf ? (size_t)st.st_size : 0;
	if (fd >= 0)
		close(fd);
	return buf;
}

/* The file offset of the symbol name, through the table and the load segments. */
static long long offset_of(const struct elfsyms *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->names + s->syms[i].name, name))
			continue;
		for (int k = 0; k < s->nloads; k++)
			if (s->syms[i].addr >= s->loads[k].vaddr &&
			    s->syms[i].addr - s->loads[k].vaddr < s->loads[k].filesz)
				return (long long)(s->syms[i].addr - s->loads[k].vaddr +
						   s->loads[k].offset);
	}
	return -1;
}

static void test_names(void)
{
	struct elfsyms s;
	__u64 delta = 99;
	long long off;
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	unit_elfsyms_marker();
	if (!CHECK(fd >= 0))
		return;
	CHECK_INT_EQ(elfsyms__read_fd(&s, fd), 0);
	close(fd);
	CHECK_STR_EQ(s.table, ".symtab");
	off = offset_of(&s, "unit_elfsyms_marker");
	if (CHECK(off > 0)) {
		CHECK_STR_EQ(elfsyms__lookup(&s, off, &delta), "unit_elfsyms_marker");
		CHECK_INT_EQ(delta, 0);
	}
	/* past the end of every segment: nothing names it */
	CHECK(elfsyms__lookup(&s, ~0ULL >> 1, &delta) == NULL);
	elfsyms__free(&s);
	CHECK(s.n == 0 && s.syms == NULL);
}

/* Every cut of a real image, and one with its section headers pointed past the end: refused
 * or read short, never a crash (run under ASan by make asan). */
static void test_hostile(void)
{
	static const char junk[] = "\x7f" "ELF not really an ELF file at all";
	struct elfsyms s;
	size_t len, cuts[] = { 0, 4, 16, 52, 64, 100, 4096, 0, 0 };
	char *img = read_self(&len), *copy;

	CHECK(elfsyms__read_mem(&s, junk, sizeof(junk)) < 0);
	CHECK(s.n == 0);
	if (!CHECK(img != NULL))
		return;
	cuts[7] = len / 2;
	cuts[8] = len - 1;
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		copy = malloc(cuts[i] ? cuts[i] : 1);
		if (!copy)
			continue;
		memcpy(copy, img, cuts[i]);
		if (!elfsyms__read_mem(&s, copy, cuts[i]))
			elfsyms__free(&s);
		free(copy);
		CHECK(1);
	}
	/* e_shoff (offset 0x28 in ELF64) far beyond the image */
	if (len > 0x30) {
		memset(img + 0x28, 0x7f, 8);
		if (!elfsyms__read_mem(&s, img, len))
			elfsyms__free(&s);
		CHECK(1);
	}
	free(img);
}

void test_elfsyms(void)
{
	test_names();
	test_hostile();
}
