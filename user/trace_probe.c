// SPDX-License-Identifier: GPL-2.0-only
/*
 * User-space switch points for trace: --uprobe BINARY:SYMBOL, --usdt BINARY:PROVIDER:PROBE and
 * --asyncio. Binaries are resolved and their symbols or USDT notes checked here with libelf, so
 * that a typo is named precisely before anything is attached.
 *
 * --asyncio: CPython's asyncio task step (task_step_impl in Modules/_asynciomodule.c) resumes
 * a task's coroutine with one call, PyIter_Send(coro, None, &result), when no exception is to
 * be thrown into it. _asyncio is a separate, stripped extension module whose only call to
 * PyIter_Send is that one (checked: exactly one call site, or we refuse), so a uprobe on that
 * call instruction counts task steps and nothing else, whatever the rest of the interpreter
 * does. Steps that throw into the coroutine (cancellation, a failed future) use coro.throw()
 * and are not counted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <glob.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include "trace.h"
#include "watch.h"

#define NT_STAPSDT	3

static bool is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

static int search_dirs(const char *name, const char *dirs, char *out, size_t len)
{
	char *copy = strdup(dirs), *save = NULL, *dir;
	int found = -1;

	if (!copy)
		return -1;
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, len, "%s/%s", *dir ? dir : ".", name);
		if (is_file(out)) {
			found = 0;
			break;
		}
	}
	free(copy);
	return found;
}

/* A path as given, a library name in the usual directories, or a program name in PATH. */
static int resolve_binary(const char *name, char *out, size_t len)
{
	char libdirs[512], tmp[PATH_MAX];
	struct utsname u;

	if (strchr(name, '/')) {
		snprintf(tmp, sizeof(tmp), "%s", name);
	} else if (strstr(name, ".so")) {
		uname(&u);
		snprintf(libdirs, sizeof(libdirs), "/lib/%s-linux-gnu:/usr/lib/%s-linux-gnu:"
			 "/lib64:/usr/lib64:/lib:/usr/lib:/usr/local/lib", u.machine, u.machine);
		if (search_dirs(name, libdirs, tmp, sizeof(tmp)))
			return -1;
	} else if (search_dirs(name, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin", tmp,
			       sizeof(tmp))) {
		return -1;
	}
	if (!is_file(tmp) || !realpath(tmp, out))
		return -1;
	(void)len;
	return 0;
}

static Elf *elf_open(const char *path, int *fd)
{
	Elf *e;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return NULL;
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return NULL;
	e = elf_begin(*fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		if (e)
			elf_end(e);
		close(*fd);
		return NULL;
	}
	return e;
}

static void elf_close(Elf *e, int fd)
{
	elf_end(e);
	close(fd);
}

/* 1: defined function; 0: only imported (undefined here); -1: absent. */
static int find_function(Elf *e, const char *symbol)
{
	Elf_Scn *scn = NULL;
	int found = -1;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(e, scn))) {
		Elf_Data *data;
		GElf_Sym sym;

		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM))
			continue;
		data = elf_getdata(scn, NULL);
		for (size_t i = 0; data && sh.sh_entsize && i < sh.sh_size / sh.sh_entsize; i++) {
			const char *name;
			int type;

			if (!gelf_getsym(data, i, &sym))
				break;
			name = elf_strptr(e, sh.sh_link, sym.st_name);
			if (!name || strcmp(name, symbol))
				continue;
			type = GELF_ST_TYPE(sym.st_info);
			if (sym.st_shndx != SHN_UNDEF && (type == STT_FUNC || type == STT_GNU_IFUNC))
				return 1;
			found = 0;
		}
	}
	return found;
}

/* Whether a .note.stapsdt note names provider:probe. */
static bool find_usdt(Elf *e, const char *provider, const char *probe)
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
		data = elf_getdata(scn, NULL);
		while (data && (off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
			const char *desc = (const char *)data->d_buf + desc_off, *prov, *name;

			if (nh.n_type != NT_STAPSDT || nh.n_descsz < 3 * addr_size + 2)
				continue;
			prov = desc + 3 * addr_size;
			if (!memchr(prov, '\0', nh.n_descsz - 3 * addr_size))
				continue;
			name = prov + strlen(prov) + 1;
			if (name >= desc + nh.n_descsz ||
			    !memchr(name, '\0', desc + nh.n_descsz - name))
				continue;
			if (!strcmp(prov, provider) && !strcmp(name, probe))
				return true;
		}
	}
	return false;
}

static int copy_part(char *dst, size_t len, const char *src, size_t n)
{
	if (n == 0 || n >= len)
		return -1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

int trace_probe_parse(struct trace_probe *p, enum trace_probe_type type, const char *spec)
{
	const char *opt = type == PROBE_USDT ? "--usdt" : "--uprobe";
	char bin[PATH_MAX], *end;
	const char *c1, *c2 = NULL;
	int fd, found;
	Elf *e;

	memset(p, 0, sizeof(*p));
	p->type = type;
	p->spec = spec;
	/* split from the right: a path may hold ':', a symbol or probe name may not */
	c1 = strrchr(spec, ':');
	if (c1 && type == PROBE_USDT) {
		c2 = c1;
		for (c1 = c2 - 1; c1 >= spec && *c1 != ':'; c1--)
			;
		if (c1 < spec)
			c1 = NULL;
	}
	if (!c1 || copy_part(bin, sizeof(bin), spec, c1 - spec) ||
	    (type == PROBE_USDT && (copy_part(p->provider, sizeof(p->provider), c1 + 1,
					      c2 - c1 - 1) ||
				    copy_part(p->symbol, sizeof(p->symbol), c2 + 1, strlen(c2 + 1)))) ||
	    (type == PROBE_UPROBE && copy_part(p->symbol, sizeof(p->symbol), c1 + 1,
					       strlen(c1 + 1)))) {
		fprintf(stderr, "switchcost: %s wants %s, not '%s' (see switchcost trace --help)\n",
			opt, type == PROBE_USDT ? "BINARY:PROVIDER:PROBE" : "BINARY:SYMBOL", spec);
		return -2;
	}
	if (resolve_binary(bin, p->binary, sizeof(p->binary))) {
		fprintf(stderr, "switchcost: %s %s: no file '%s'%s\n", opt, spec, bin,
			strchr(bin, '/') ? "" : " in PATH or the library directories (give a path)");
		return -1;
	}
	if (type == PROBE_UPROBE && !strncmp(p->symbol, "0x", 2)) {
		errno = 0;
		p->offset = strtoul(p->symbol, &end, 16);
		if (errno || *end || !p->offset) {
			fprintf(stderr, "switchcost: --uprobe %s: '%s' is not a file offset\n",
				spec, p->symbol);
			return -2;
		}
		return 0;
	}
	e = elf_open(p->binary, &fd);
	if (!e) {
		fprintf(stderr, "switchcost: %s %s: %s is not an ELF file we can read\n", opt, spec,
			p->binary);
		return -1;
	}
	if (type == PROBE_USDT) {
		found = find_usdt(e, p->provider, p->symbol);
		elf_close(e, fd);
		if (!found) {
			fprintf(stderr, "switchcost: --usdt %s: %s has no USDT probe %s:%s "
					"(readelf -n %s lists its stapsdt notes)\n", spec,
				p->binary, p->provider, p->symbol, p->binary);
			return -1;
		}
		return 0;
	}
	found = find_function(e, p->symbol);
	elf_close(e, fd);
	if (found < 0) {
		fprintf(stderr, "switchcost: --uprobe %s: no function '%s' in %s (nm %s, or nm -D "
				"when stripped, lists them)\n", spec, p->symbol, p->binary, p->binary);
		return -1;
	}
	if (found == 0) {
		fprintf(stderr, "switchcost: --uprobe %s: %s only imports '%s': probe the library "
				"that defines it (e.g. libc.so.6:%s)\n", spec, p->binary, p->symbol,
			p->symbol);
		return -1;
	}
	return 0;
}

static GElf_Shdr *section(Elf *e, const char *want, GElf_Shdr *sh, Elf_Data **data)
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
		if (name && !strcmp(name, want)) {
			*data = elf_getdata(scn, NULL);
			return *data ? sh : NULL;
		}
	}
	return NULL;
}

static __s32 rel32(const unsigned char *b)
{
	__s32 v;

	memcpy(&v, b, sizeof(v));
	return v;
}

/* The PLT stub (address) that jumps through got_slot: "jmp *rel32(%rip)", maybe after endbr64
 * and a bnd prefix, in .plt.sec (IBT builds) or .plt. 0 when not found. */
static __u64 plt_stub_for(Elf *e, __u64 got_slot)
{
	static const char *const names[] = { ".plt.sec", ".plt" };
	GElf_Shdr sh;
	Elf_Data *d;

	for (int s = 0; s < 2; s++) {
		if (!section(e, names[s], &sh, &d))
			continue;
		for (size_t off = 0; off + 16 <= d->d_size; off += 16) {
			const unsigned char *b = (const unsigned char *)d->d_buf + off;

			for (size_t i = 0; i + 6 <= 16; i++) {
				if (b[i] != 0xff || b[i + 1] != 0x25)
					continue;
				if (sh.sh_addr + off + i + 6 + rel32(b + i + 2) == got_slot)
					return sh.sh_addr + off;
			}
		}
	}
	return 0;
}

/* The GOT slot the dynamic linker fills with symbol's address (.rela.plt). */
static __u64 got_slot_of(Elf *e, const char *symbol)
{
	GElf_Shdr sh, dsh;
	Elf_Data *d, *dd;
	GElf_Rela r;
	GElf_Sym sym;
	const char *name;

	if (!section(e, ".rela.plt", &sh, &d) || !section(e, ".dynsym", &dsh, &dd))
		return 0;
	for (int i = 0; gelf_getrela(d, i, &r); i++) {
		if (!gelf_getsym(dd, GELF_R_SYM(r.r_info), &sym))
			continue;
		name = elf_strptr(e, dsh.sh_link, sym.st_name);
		if (name && !strcmp(name, symbol))
			return r.r_offset;
	}
	return 0;
}

/* The file offsets of "call rel32" instructions to target in .text; returns how many. */
static int find_calls(Elf *e, __u64 target, unsigned long *first)
{
	GElf_Shdr sh;
	Elf_Data *d;
	int n = 0;

	if (!section(e, ".text", &sh, &d))
		return 0;
	for (size_t off = 0; off + 5 <= d->d_size; off++) {
		const unsigned char *b = (const unsigned char *)d->d_buf + off;

		if (b[0] == 0xe8 && sh.sh_addr + off + 5 + rel32(b + 1) == target) {
			if (!n)
				*first = sh.sh_offset + off;
			n++;
		}
	}
	return n;
}

/* The interpreter CMD runs, and the _asyncio module next to it. */
static int find_asyncio_module(char **argv, char *out, size_t len)
{
	char interp[PATH_MAX], pattern[PATH_MAX + 64], *slash;
	unsigned char magic[4] = "";
	glob_t g;
	int fd, rc = -1;

	if (!argv || resolve_binary(argv[0], interp, sizeof(interp))) {
		fprintf(stderr, "switchcost: --asyncio: cannot find the interpreter '%s'\n",
			argv ? argv[0] : "(none: -p)");
		return -1;
	}
	fd = open(interp, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, magic, sizeof(magic)) != sizeof(magic))
			magic[0] = 0;
		close(fd);
	}
	if (memcmp(magic, "\177ELF", 4) || !strstr(interp, "python")) {
		fprintf(stderr, "switchcost: --asyncio: %s is not a Python interpreter binary (a "
				"pyenv shim? give the real one, e.g. $(pyenv which python3))\n",
			interp);
		return -1;
	}
	/* PREFIX/bin/pythonX.Y -> PREFIX/lib/pythonX.Y/lib-dynload/_asyncio.*.so */
	slash = strrchr(interp, '/');
	*slash = '\0';
	slash = strrchr(interp, '/');
	if (slash)
		*slash = '\0';
	snprintf(pattern, sizeof(pattern), "%s/lib/python3*/lib-dynload/_asyncio.*.so", interp);
	if (glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc == 1) {
		snprintf(out, len, "%s", g.gl_pathv[0]);
		rc = 0;
	} else {
		fprintf(stderr, "switchcost: --asyncio: no single _asyncio module matches %s "
				"(is this CPython 3?)\n", pattern);
	}
	globfree(&g);
	return rc;
}

int trace_probe_asyncio(struct trace_probe *p, char **argv)
{
	unsigned long at = 0;
	__u64 slot, stub;
	int fd, n;
	Elf *e;

	memset(p, 0, sizeof(*p));
	p->type = PROBE_ASYNCIO;
	p->spec = "asyncio task steps";
	snprintf(p->symbol, sizeof(p->symbol), "PyIter_Send call in task_step");
#if !defined(__x86_64__)
	fprintf(stderr, "switchcost: --asyncio finds its call site by decoding x86-64 code: not "
			"available on this architecture\n");
	return -1;
#endif
	if (find_asyncio_module(argv, p->binary, sizeof(p->binary)))
		return -1;
	e = elf_open(p->binary, &fd);
	if (!e) {
		fprintf(stderr, "switchcost: --asyncio: cannot read %s as ELF\n", p->binary);
		return -1;
	}
	slot = got_slot_of(e, "PyIter_Send");
	stub = slot ? plt_stub_for(e, slot) : 0;
	n = stub ? find_calls(e, stub, &at) : 0;
	elf_close(e, fd);
	if (n != 1) {
		fprintf(stderr, "switchcost: --asyncio: %s has %d call(s) to PyIter_Send, not "
				"exactly one: task steps cannot be told apart here\n", p->binary, n);
		return -1;
	}
	p->offset = at;
	return 0;
}

int trace_probes_attach(struct swc_watch *w, struct trace_probe *probes, int n)
{
	int err;

	for (int i = 0; i < n; i++) {
		struct trace_probe *p = &probes[i];

		if (p->type == PROBE_USDT)
			err = watch__attach_usdt(w, p->binary, p->provider, p->symbol, -1, i);
		else if (p->offset)
			err = watch__attach_uprobe_offset(w, p->binary, p->offset, -1, i);
		else
			err = watch__attach_uprobe(w, p->binary, p->symbol, -1, i);
		if (err)
			return err;
	}
	return 0;
}
