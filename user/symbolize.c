// SPDX-License-Identifier: GPL-2.0-only
/*
 * User-space addresses to function names for trace --stacks. A traced process may be gone by
 * the time the report is printed (a trace ends when its command has exited and been reaped),
 * so its maps are read while it runs, when its tgid is first seen blocking, and the mapped
 * files' symbols at once; the report resolves against what was read, refreshed for processes
 * still alive at the end. Files are opened through /proc/PID/map_files/START-END, which gives
 * the mapped file itself (not whatever now has its path), else /proc/PID/root/PATH checked
 * against the device and inode in maps; only regular files are read, and everything read is
 * bounded (symbolize.h's limits, elfsyms.c's checks).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "elfsyms.h"
#include "symbolize.h"

struct symfile {
	dev_t dev;
	ino_t ino;
	char *path;
	struct elfsyms syms;
	bool read;		/* syms hold the file's symbols (possibly none: stripped) */
};

struct mapping {
	__u64 start, end, pgoff;
	int file;		/* index in files */
};

struct procmaps {
	pid_t tgid;
	__u64 next_read_ns;	/* when its maps are read again (libraries loaded since) */
	__u64 reread_ns;	/* ... after this long, doubled each time */
	dev_t exe_dev;		/* /proc/PID/exe when the maps were read: exec changes it */
	ino_t exe_ino;
	struct mapping *maps;
	size_t n;
};

struct swc_symbolizer {
	struct symfile *files;
	size_t nfiles;
	struct procmaps *procs;
	size_t nprocs;
	size_t total_syms;
};

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

struct swc_symbolizer *symbolizer__new(void)
{
	struct swc_symbolizer *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->files = calloc(SYM_MAX_FILES, sizeof(*s->files));
	s->procs = calloc(SYM_MAX_PROCS, sizeof(*s->procs));
	if (!s->files || !s->procs) {
		symbolizer__free(s);
		return NULL;
	}
	return s;
}

void symbolizer__free(struct swc_symbolizer *s)
{
	if (!s)
		return;
	for (size_t i = 0; s->files && i < s->nfiles; i++) {
		free(s->files[i].path);
		elfsyms__free(&s->files[i].syms);
	}
	for (size_t i = 0; s->procs && i < s->nprocs; i++)
		free(s->procs[i].maps);
	free(s->files);
	free(s->procs);
	free(s);
}

static struct procmaps *proc_find(const struct swc_symbolizer *s, pid_t tgid)
{
	for (size_t i = 0; i < s->nprocs; i++)
		if (s->procs[i].tgid == tgid)
			return &s->procs[i];
	return NULL;
}

bool symbolizer__knows(const struct swc_symbolizer *s, pid_t tgid)
{
	return proc_find(s, tgid) != NULL;
}

/* The mapped file, opened read-only as the mapping's own file, or -1. */
static int open_mapped(pid_t tgid, __u64 start, __u64 end, const char *path, dev_t dev,
		       ino_t ino)
{
	const int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
	char link[PATH_MAX + 64];
	struct stat st;
	int fd;

	snprintf(link, sizeof(link), "/proc/%d/map_files/%llx-%llx", (int)tgid,
		 (unsigned long long)start, (unsigned long long)end);
	fd = open(link, flags);
	if (fd < 0) {
		snprintf(link, sizeof(link), "/proc/%d/root%s", (int)tgid, path);
		fd = open(link, flags);
	}
	if (fd < 0)
		return -1;
	/* the file mapped, a regular file of sane size: nothing else is read */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_dev != dev || st.st_ino != ino ||
	    (unsigned long long)st.st_size > SYM_MAX_FILE_BYTES) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The file's index, read now if new; -1 when no room is left. */
static int file_get(struct swc_symbolizer *s, pid_t tgid, const struct mapping *m,
		    const char *path, dev_t dev, ino_t ino)
{
	struct symfile *f;
	int fd;

	for (size_t i = 0; i < s->nfiles; i++)
		if (s->files[i].dev == dev && s->files[i].ino == ino)
			return (int)i;
	if (s->nfiles == SYM_MAX_FILES)
		return -1;
	f = &s->files[s->nfiles];
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	if (!f->path)
		return -1;
	f->dev = dev;
	f->ino = ino;
	fd = s->total_syms < SYM_MAX_TOTAL ?
		open_mapped(tgid, m->start, m->end, path, dev, ino) : -1;
	if (fd >= 0) {
		f->read = elfsyms__read_fd(&f->syms, fd) == 0;
		close(fd);
		s->total_syms += f->syms.n;
	}
	return (int)s->nfiles++;
}

static int exe_id(pid_t tgid, dev_t *dev, ino_t *ino)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)tgid);
	if (stat(path, &st))
		return -errno;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return 0;
}

/* Parses one line of /proc/PID/maps into m (an executable file mapping) or returns -1. */
static int parse_line(char *line, struct mapping *m, char **path, dev_t *dev, ino_t *ino)
{
	unsigned long long start, end, pgoff;
	unsigned int major, minor;
	unsigned long inode;
	char perms[8];
	int pos = 0;

	if (sscanf(line, "%llx-%llx %7s %llx %x:%x %lu %n", &start, &end, perms, &pgoff, &major,
		   &minor, &inode, &pos) != 7 || pos == 0)
		return -1;
	if (strlen(perms) < 3 || perms[2] != 'x' || inode == 0 || line[pos] != '/' || end <= start)
		return -1;
	line[strcspn(line, "\n")] = '\0';
	m->start = start;
	m->end = end;
	m->pgoff = pgoff;
	*path = line + pos;
	*dev = makedev(major, minor);
	*ino = inode;
	return 0;
}

static int read_maps(struct swc_symbolizer *s, struct procmaps *p)
{
	char path[64], line[PATH_MAX + 128], *file;
	struct mapping m, *maps;
	size_t n = 0;
	dev_t dev;
	ino_t ino;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)p->tgid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	maps = calloc(SYM_MAX_MAPS, sizeof(*maps));
	if (!maps) {
		fclose(f);
		return -ENOMEM;
	}
	while (n < SYM_MAX_MAPS && fgets(line, sizeof(line), f)) {
		if (parse_line(line, &m, &file, &dev, &ino))
			continue;
		m.file = file_get(s, p->tgid, &m, file, dev, ino);
		if (m.file >= 0)
			maps[n++] = m;
	}
	fclose(f);
	if (n == 0) {	/* a zombie's maps are empty: keep what was read before */
		free(maps);
		return -ESRCH;
	}
	free(p->maps);
	p->maps = maps;
	p->n = n;
	return 0;
}

int symbolizer__note(struct swc_symbolizer *s, pid_t tgid, bool fresh)
{
	struct procmaps *p = proc_find(s, tgid);
	dev_t dev = 0;
	ino_t ino = 0;
	int err;

	err = exe_id(tgid, &dev, &ino);
	if (err)
		return err == -ENOENT ? -ESRCH : err;
	if (p && !fresh && p->exe_dev == dev && p->exe_ino == ino && now_ns() < p->next_read_ns)
		return 0;
	if (!p) {
		if (s->nprocs == SYM_MAX_PROCS)
			return -ENOSPC;
		p = &s->procs[s->nprocs];
		memset(p, 0, sizeof(*p));
		p->tgid = tgid;
	}
	err = read_maps(s, p);
	if (err && !p->maps)
		return err;	/* nothing read: forget it, a later note may do better */
	if (p == &s->procs[s->nprocs])
		s->nprocs++;
	p->exe_dev = dev;
	p->exe_ino = ino;
	/* a young process is still loading libraries: read it again soon, then ever more
	 * rarely (0.2 s, 0.4 s, ... 12.8 s), so a long trace of many processes costs little */
	p->reread_ns = p->reread_ns ? p->reread_ns * 2 : SYM_REREAD_FIRST_NS;
	if (p->reread_ns > SYM_REREAD_MAX_NS)
		p->reread_ns = SYM_REREAD_MAX_NS;
	p->next_read_ns = now_ns() + p->reread_ns;
	return err;
}

void symbolizer__user(struct swc_symbolizer *s, pid_t tgid, __u64 addr, struct sym_result *r)
{
	const struct procmaps *p = proc_find(s, tgid);
	const struct symfile *f;
	const struct mapping *m = NULL;

	memset(r, 0, sizeof(*r));
	r->kind = SYM_UNMAPPED;
	for (size_t i = 0; p && i < p->n; i++) {
		if (addr >= p->maps[i].start && addr < p->maps[i].end) {
			m = &p->maps[i];
			break;
		}
	}
	if (!m)
		return;
	f = &s->files[m->file];
	r->file = f->path;
	r->offset = addr - m->start + m->pgoff;
	if (!f->read) {
		r->kind = SYM_UNREAD;
		return;
	}
	r->name = elfsyms__lookup(&f->syms, r->offset, &r->offset);
	r->kind = r->name ? SYM_NAMED : SYM_STRIPPED;
	if (!r->name)
		r->offset = addr - m->start + m->pgoff;
}
