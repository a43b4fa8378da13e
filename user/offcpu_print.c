// SPDX-License-Identifier: GPL-2.0-only
/*
 * trace --stacks output: folded lines for flamegraph.pl and speedscope (--folded), the top
 * stacks by off-CPU time after trace's report, and the `stacks` array of its JSON document.
 * Lost stacks are always said, zero included.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fmt.h"
#include "json.h"
#include "offcpu.h"

#define EFAULT_ID	(-14)	/* no user stack at all (a kernel thread): nothing was lost */
#define HUMAN_FRAMES	16	/* frames shown per stack and side in the table */
#define MAX_NOTED_FILES	8

struct folded_line {
	char *text;
	__u64 ns;
};

struct strbuf {
	char *p;
	size_t len, cap;
	bool failed;
};

static void sb_add(struct strbuf *b, const char *s, size_t n)
{
	char *p;

	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 256;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->failed = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* A comm or a file name comes from the traced program: it may hold a newline or a terminal
 * escape, which must reach neither the terminal nor a folded line. */
static bool is_control(char c)
{
	return (unsigned char)c < 0x20 || c == 0x7f;
}

static void put_printable(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(is_control(*s) ? '?' : *s, f);
}

/* One folded frame: ';' separates frames and a line ends the record, so neither may appear. */
static void sb_frame(struct strbuf *b, const char *s)
{
	char c;

	if (b->len)
		sb_add(b, ";", 1);
	for (; *s; s++) {
		c = (*s == ';' || is_control(*s)) ? '_' : *s;
		sb_add(b, &c, 1);
	}
}

static bool lost(__s32 id, bool user)
{
	return id < 0 && !(user && id == EFAULT_ID);
}

/* comm;user root..leaf;kernel root..leaf */
static char *folded_text(struct swc_offcpu *o, const struct offcpu_stack *st,
			 struct offcpu_frame *frames)
{
	struct strbuf b = { 0 };
	char buf[PATH_MAX + 64];
	int n;

	sb_frame(&b, st->comm[0] ? st->comm : "[unnamed]");
	if (lost(st->user_stack_id, true))
		sb_frame(&b, "[user stack lost]");
	n = offcpu__frames(o, st, true, frames);
	while (n-- > 0)
		sb_frame(&b, offcpu_frame_text(&frames[n], buf, sizeof(buf)));
	if (lost(st->kernel_stack_id, false))
		sb_frame(&b, "[kernel stack lost]");
	n = offcpu__frames(o, st, false, frames);
	while (n-- > 0)
		sb_frame(&b, offcpu_frame_text(&frames[n], buf, sizeof(buf)));
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

static int by_text(const void *a, const void *b)
{
	return strcmp(((const struct folded_line *)a)->text, ((const struct folded_line *)b)->text);
}

static int write_all(int fd, const char *p, size_t len)
{
	ssize_t w;

	while (len) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int offcpu_write_folded(struct swc_offcpu *o, int fd)
{
	struct offcpu_frame frames[SWC_STACK_DEPTH];
	const struct offcpu_stack *st;
	struct folded_line *lines;
	struct strbuf out = { 0 };
	char num[32];
	size_t n, m = 0;
	int err = 0;

	st = offcpu__stacks(o, &n);
	lines = calloc(n ? n : 1, sizeof(*lines));
	if (!lines)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		lines[i].text = folded_text(o, &st[i], frames);
		lines[i].ns = st[i].off_ns;
		if (!lines[i].text) {
			err = -ENOMEM;
			goto out;
		}
	}
	/* the same text from several processes (or merged frames) is one line */
	qsort(lines, n, sizeof(*lines), by_text);
	for (size_t i = 0; i < n; i = m) {
		__u64 ns = 0;

		for (m = i; m < n && !strcmp(lines[m].text, lines[i].text); m++)
			ns += lines[m].ns;
		sb_add(&out, lines[i].text, strlen(lines[i].text));
		snprintf(num, sizeof(num), " %llu\n", (unsigned long long)((ns + 500) / 1000));
		sb_add(&out, num, strlen(num));
	}
	err = out.failed ? -ENOMEM : write_all(fd, out.p ? out.p : "", out.len);
out:
	for (size_t i = 0; i < n; i++)
		free(lines[i].text);
	free(lines);
	free(out.p);
	return err;
}

/* Remembers file (a stripped binary) once, among at most MAX_NOTED_FILES. */
static void note_file(const char **files, int *nfiles, const char *file)
{
	for (int i = 0; i < *nfiles; i++)
		if (!strcmp(files[i], file))
			return;
	if (*nfiles < MAX_NOTED_FILES)
		files[(*nfiles)++] = file;
}

static void print_side(const struct offcpu_frame *frames, int n, __s32 id, bool user,
		       const char **stripped, int *nstripped, FILE *f)
{
	char buf[PATH_MAX + 64];

	if (lost(id, user))
		fprintf(f, "        [%s stack lost]\n", user ? "user" : "kernel");
	for (int i = 0; i < n && i < HUMAN_FRAMES; i++) {
		fputs("        ", f);
		put_printable(f, offcpu_frame_text(&frames[i], buf, sizeof(buf)));
		fputc('\n', f);
	}
	if (n > HUMAN_FRAMES)
		fprintf(f, "        ... %d more\n", n - HUMAN_FRAMES);
	for (int i = 0; i < n; i++)
		if (frames[i].kind == FRAME_STRIPPED)
			note_file(stripped, nstripped, frames[i].file);
}

/* Every user stack that looks truncated, and the total time and switches. */
static void totals(struct swc_offcpu *o, __u64 *ns, __u64 *count, size_t *truncated)
{
	struct offcpu_frame frames[SWC_STACK_DEPTH];
	const struct offcpu_stack *st;
	size_t n;

	st = offcpu__stacks(o, &n);
	*ns = *count = 0;
	*truncated = 0;
	for (size_t i = 0; i < n; i++) {
		*ns += st[i].off_ns;
		*count += st[i].count;
		*truncated += offcpu_user_truncated(frames, offcpu__frames(o, &st[i], true,
									   frames));
	}
}

static void print_lost(struct swc_offcpu *o, FILE *f)
{
	const struct swc_offcpu_counters *c = offcpu__counters(o);
	char a[32];

	if (!c) {
		fprintf(f, "Stacks lost: not measured (reading the counters failed)\n");
		return;
	}
	fprintf(f, "Stacks lost: %llu user (%llu hash collisions), %llu kernel (%llu hash "
		   "collisions) of %s switches out; %llu off-CPU times not kept (table full). "
		   "Stack map: %u entries (--stack-storage-size)\n",
		(unsigned long long)(c->user_lost + c->user_collisions),
		(unsigned long long)c->user_collisions,
		(unsigned long long)(c->kernel_lost + c->kernel_collisions),
		(unsigned long long)c->kernel_collisions,
		swc_fmt_count(c->switches_out, a, sizeof(a)), (unsigned long long)c->entries_full,
		offcpu__storage_size(o));
}

void offcpu_print_human(struct swc_offcpu *o, unsigned int top, FILE *f)
{
	struct offcpu_frame frames[SWC_STACK_DEPTH];
	const char *stripped[MAX_NOTED_FILES];
	const struct offcpu_stack *st;
	int nstripped = 0, nf;
	__u64 total, count;
	size_t n, truncated;
	char a[32], b[32];

	st = offcpu__stacks(o, &n);
	totals(o, &total, &count, &truncated);
	fprintf(f, "\nOff-CPU stacks: %s off the CPU in %s switches out, %zu stack%s; ",
		swc_fmt_ns(total, a, sizeof(a)), swc_fmt_count(count, b, sizeof(b)), n,
		n == 1 ? "" : "s");
	if (n > top)
		fprintf(f, "the top %u (kernel frames, then user frames, leaf first):\n", top);
	else
		fprintf(f, "all of them (kernel frames, then user frames, leaf first):\n");
	for (size_t i = 0; i < n && i < top; i++) {
		fprintf(f, "  %2zu. %s  %5.1f%%  %s switches  ", i + 1,
			swc_fmt_ns(st[i].off_ns, a, sizeof(a)),
			total ? 100.0 * (double)st[i].off_ns / (double)total : 0.0,
			swc_fmt_count(st[i].count, b, sizeof(b)));
		put_printable(f, st[i].comm);
		fprintf(f, " [%u]\n", st[i].tgid);
		nf = offcpu__frames(o, &st[i], false, frames);
		print_side(frames, nf, st[i].kernel_stack_id, false, stripped, &nstripped, f);
		fprintf(f, "        --\n");
		nf = offcpu__frames(o, &st[i], true, frames);
		print_side(frames, nf, st[i].user_stack_id, true, stripped, &nstripped, f);
		if (offcpu_user_truncated(frames, nf))
			fprintf(f, "        (user stack looks truncated: no caller above this)\n");
	}
	print_lost(o, f);
	if (truncated)
		fprintf(f, "%zu of %zu user stacks look truncated (their outermost frame is no "
			   "program's or thread's entry): user frames are walked by frame pointer, "
			   "and code built without them (most of Debian's binaries) hides its "
			   "callers; build with -fno-omit-frame-pointer\n", truncated, n);
	for (int i = 0; i < nstripped; i++) {
		put_printable(f, stripped[i]);
		fprintf(f, " is stripped: neither .symtab nor .dynsym names its frames "
			   "(shown as file+offset [stripped])\n");
	}
	if (offcpu__foreign_pidns(o))
		fprintf(f, "User frames unnamed: switchcost runs in a PID namespace, and the pids "
			   "eBPF reports are the host's, not this namespace's /proc\n");
	if (offcpu__kernel_hidden(o))
		fprintf(f, "Kernel frames unnamed: /proc/kallsyms shows no addresses "
			   "(kernel.kptr_restrict)\n");
	fprintf(f, "Off-CPU time counts gaps that ended while traced; a switch out while "
		   "runnable (preempted) counts too.\n");
}

static void json_frames(struct swc_json *j, const char *key, const struct offcpu_frame *frames,
			int n)
{
	char buf[PATH_MAX + 64];

	jw_arr_begin(j, key);
	for (int i = 0; i < n; i++)
		jw_str(j, NULL, offcpu_frame_text(&frames[i], buf, sizeof(buf)));
	jw_arr_end(j);
}

void offcpu_print_json(struct swc_offcpu *o, struct swc_json *j)
{
	const struct swc_offcpu_counters *c = offcpu__counters(o);
	struct offcpu_frame frames[SWC_STACK_DEPTH];
	const struct offcpu_stack *st;
	__u64 total, count;
	size_t n, truncated;
	int nf;

	st = offcpu__stacks(o, &n);
	totals(o, &total, &count, &truncated);
	jw_obj_begin(j, "stacks_summary");
	jw_u64(j, "off_cpu_ns", total);
	jw_u64(j, "switches", count);
	jw_u64(j, "stack_storage_size", offcpu__storage_size(o));
	jw_u64(j, "user_stacks_truncated", truncated);
	jw_bool(j, "user_frames_named", !offcpu__foreign_pidns(o));
	if (c) {
		jw_u64(j, "switches_out", c->switches_out);
		jw_u64(j, "user_stacks_lost", c->user_lost + c->user_collisions);
		jw_u64(j, "user_stack_collisions", c->user_collisions);
		jw_u64(j, "kernel_stacks_lost", c->kernel_lost + c->kernel_collisions);
		jw_u64(j, "kernel_stack_collisions", c->kernel_collisions);
		jw_u64(j, "entries_lost", c->entries_full);
	} else {
		static const char *const unmeasured[] = {
			"switches_out", "user_stacks_lost", "user_stack_collisions",
			"kernel_stacks_lost", "kernel_stack_collisions", "entries_lost",
		};

		for (size_t i = 0; i < sizeof(unmeasured) / sizeof(unmeasured[0]); i++)
			jw_null(j, unmeasured[i]);
	}
	jw_obj_end(j);
	jw_arr_begin(j, "stacks");
	for (size_t i = 0; i < n; i++) {
		jw_obj_begin(j, NULL);
		jw_u64(j, "pid", st[i].tgid);
		jw_str(j, "comm", st[i].comm);
		jw_u64(j, "off_cpu_ns", st[i].off_ns);
		jw_u64(j, "switches", st[i].count);
		jw_double(j, "share", total ? (double)st[i].off_ns / (double)total : 0.0);
		nf = offcpu__frames(o, &st[i], false, frames);
		json_frames(j, "kernel_frames", frames, nf);
		jw_bool(j, "kernel_stack_lost", lost(st[i].kernel_stack_id, false));
		nf = offcpu__frames(o, &st[i], true, frames);
		json_frames(j, "user_frames", frames, nf);
		jw_bool(j, "user_stack_lost", lost(st[i].user_stack_id, true));
		jw_bool(j, "user_stack_truncated", offcpu_user_truncated(frames, nf));
		jw_obj_end(j);
	}
	jw_arr_end(j);
}
