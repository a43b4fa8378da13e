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
 *
 * We run as root, the files are named by the user: under sudo each is resolved and opened with
 * the user's file-system identity (no path they could not open themselves, no telling them
 * whether one exists), read by elf_read.c as hostile input, and attached through the open
 * descriptor (/proc/self/fd/N), so root never follows the user's path after the check.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include "elf_read.h"
#include "sudo.h"
#include "feature_probe.h"
#include "trace.h"
#include "watch.h"

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

/* A path as given, a library name in the usual directories, or a program name in PATH;
 * resolved with the caller's file-system identity. */
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

/*
 * Resolves name and opens it as the sudo user into p (p->binary, p->fd). Prints one line and
 * returns -1 when that user could not open it: the same "no file" whether it is missing or
 * behind a directory they may not enter.
 */
static int open_as_user(struct trace_probe *p, const char *opt, const char *spec,
			const char *name)
{
	int err = 0;

	errno = 0;
	swc_sudo_fs_enter();
	if (resolve_binary(name, p->binary, sizeof(p->binary)))
		err = errno ? errno : ENOENT;
	else if ((p->fd = open(p->binary, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		err = errno;
	swc_sudo_fs_leave();
	if (!err)
		return 0;
	p->fd = -1;
	if (err == ENOENT || err == EACCES || err == ENOTDIR || err == ELOOP)
		fprintf(stderr, "switchcost: %s %s: no file '%s' that you can read%s\n", opt, spec,
			name, strchr(name, '/') ? "" :
			" in PATH or the library directories (give a path)");
	else
		fprintf(stderr, "switchcost: %s %s: opening %s: %s\n", opt, spec, name,
			strerror(err));
	return -1;
}

/* Where libbpf and the kernel find the file we opened: the open file itself, not a path the
 * user could swap after our checks. */
static const char *fd_path(const struct trace_probe *p, char *buf, size_t len)
{
	snprintf(buf, len, "/proc/self/fd/%d", p->fd);
	return buf;
}

void trace_probe_release(struct trace_probe *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
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
	int found;
	Elf *e;

	memset(p, 0, sizeof(*p));
	p->fd = -1;
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
	if (open_as_user(p, opt, spec, bin))
		return -1;
	if (type == PROBE_UPROBE && !strncmp(p->symbol, "0x", 2)) {
		errno = 0;
		p->offset = strtoul(p->symbol, &end, 16);
		if (errno || *end || !p->offset) {
			fprintf(stderr, "switchcost: --uprobe %s: '%s' is not a file offset\n",
				spec, p->symbol);
			trace_probe_release(p);
			return -2;
		}
		return 0;
	}
	e = swc_elf_begin(p->fd);
	if (!e) {
		fprintf(stderr, "switchcost: %s %s: %s is not an ELF file we can read\n", opt, spec,
			p->binary);
		goto fail;
	}
	if (type == PROBE_USDT) {
		found = swc_elf_has_usdt(e, p->provider, p->symbol);
		elf_end(e);
		if (!found) {
			fprintf(stderr, "switchcost: --usdt %s: %s has no USDT probe %s:%s "
					"(readelf -n %s lists its stapsdt notes)\n", spec,
				p->binary, p->provider, p->symbol, p->binary);
			goto fail;
		}
		return 0;
	}
	found = swc_elf_find_function(e, p->symbol, &p->offset);
	elf_end(e);
	if (found < 0) {
		fprintf(stderr, "switchcost: --uprobe %s: no function '%s' in %s (nm %s, or nm -D "
				"when stripped, lists them)\n", spec, p->symbol, p->binary, p->binary);
		goto fail;
	}
	if (found == 0) {
		fprintf(stderr, "switchcost: --uprobe %s: %s only imports '%s': probe the library "
				"that defines it (e.g. libc.so.6:%s)\n", spec, p->binary, p->symbol,
			p->symbol);
		goto fail;
	}
	return 0;
fail:
	trace_probe_release(p);
	return -1;
}

/* The interpreter CMD runs, and the _asyncio module next to it (as the sudo user). */
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
	fd = open(interp, O_RDONLY | O_CLOEXEC | O_NOCTTY);
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
	char module[PATH_MAX];
	unsigned long at = 0;
	int n, rc;
	Elf *e;

	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->type = PROBE_ASYNCIO;
	p->spec = "asyncio task steps";
	snprintf(p->symbol, sizeof(p->symbol), "PyIter_Send call in task_step");
#if !defined(__x86_64__)
	fprintf(stderr, "switchcost: --asyncio finds its call site by decoding x86-64 code: not "
			"available on this architecture\n");
	return -1;
#endif
	swc_sudo_fs_enter();
	rc = find_asyncio_module(argv, module, sizeof(module));
	swc_sudo_fs_leave();
	if (rc || open_as_user(p, "--asyncio", module, module))
		return -1;
	e = swc_elf_begin(p->fd);
	if (!e) {
		fprintf(stderr, "switchcost: --asyncio: cannot read %s as ELF\n", p->binary);
		trace_probe_release(p);
		return -1;
	}
	n = swc_elf_plt_calls(e, "PyIter_Send", &at);
	elf_end(e);
	if (n != 1) {
		fprintf(stderr, "switchcost: --asyncio: %s has %d call(s) to PyIter_Send, not "
				"exactly one: task steps cannot be told apart here\n", p->binary, n);
		trace_probe_release(p);
		return -1;
	}
	p->offset = at;
	return 0;
}

/* Attaches through each probe's open file, then closes it: the kernel holds the inode now. */
int trace_probes_attach(struct swc_watch *w, struct trace_probe *probes, int n)
{
	const char *why = n ? swc_uprobe_unavailable() : "";
	char path[64];
	int err = 0;

	/* degrade, don't die: the switches are traced, the probes' hits are not measured */
	if (why[0]) {
		fprintf(stderr, "switchcost: %d user-space probe%s not measured: %s\n", n,
			n == 1 ? "" : "s", why);
		for (int i = 0; i < n; i++)
			probes[i].not_measured = why;
	}
	for (int i = 0; i < n && !err && !why[0]; i++) {
		struct trace_probe *p = &probes[i];

		if (p->type == PROBE_USDT)
			err = watch__attach_usdt(w, fd_path(p, path, sizeof(path)), p->provider,
						 p->symbol, -1, i);
		else
			err = watch__attach_uprobe_offset(w, fd_path(p, path, sizeof(path)),
							  p->offset, -1, i);
	}
	for (int i = 0; i < n; i++)
		trace_probe_release(&probes[i]);
	return err;
}
