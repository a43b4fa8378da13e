// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel symbols from /proc/kallsyms, to name kernel stack frames (trace --stacks): text
 * symbols only, sorted by address, one lookup a binary search. Addresses read as zero mean
 * kptr_restrict hides them from us; ksyms__hidden() says so rather than naming every frame
 * after the first symbol.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ksyms.h"

struct ksym {
	__u64 addr;
	char *name;
};

struct swc_ksyms {
	struct ksym *syms;
	size_t n;
	bool hidden;
};

static int by_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static bool is_text(char type)
{
	return type == 't' || type == 'T' || type == 'w' || type == 'W';
}

struct swc_ksyms *ksyms__load(const char *path)
{
	struct swc_ksyms *k = calloc(1, sizeof(*k));
	char line[512], name[256], type;
	unsigned long long addr;
	size_t cap = 0, nonzero = 0;
	struct ksym *p;
	FILE *f;

	if (!k)
		return NULL;
	f = fopen(path, "re");
	if (!f)
		goto fail;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) != 3 || !is_text(type))
			continue;
		if (k->n == cap) {
			cap = cap ? 2 * cap : 4096;
			p = realloc(k->syms, cap * sizeof(*p));
			if (!p)
				goto fail;
			k->syms = p;
		}
		k->syms[k->n].addr = addr;
		k->syms[k->n].name = strdup(name);
		if (!k->syms[k->n].name)
			goto fail;
		k->n++;
		nonzero += addr != 0;
	}
	fclose(f);
	f = NULL;
	k->hidden = k->n && !nonzero;
	qsort(k->syms, k->n, sizeof(*k->syms), by_addr);
	return k;
fail:
	if (f)
		fclose(f);
	ksyms__free(k);
	return NULL;
}

bool ksyms__hidden(const struct swc_ksyms *k)
{
	return !k || k->hidden;
}

const char *ksyms__lookup(const struct swc_ksyms *k, __u64 addr, __u64 *delta)
{
	size_t lo = 0, hi;

	if (!k || k->hidden)
		return NULL;
	hi = k->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	*delta = addr - k->syms[lo - 1].addr;
	return k->syms[lo - 1].name;
}

void ksyms__free(struct swc_ksyms *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->n; i++)
		free(k->syms[i].name);
	free(k->syms);
	free(k);
}
