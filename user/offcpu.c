// SPDX-License-Identifier: GPL-2.0-only
/*
 * trace --stacks from user space: the only owner of offcpu.skel.h. Loads bpf/offcpu.bpf.c on
 * switch.bpf.c's watch set (bpf_map__reuse_fd, so membership is decided in one place), reads
 * the maps of each process the first time it shows up blocking (it may have exited by the
 * report), and at the end reads the off-CPU hash, merges threads of a process that share a
 * name and stacks, and names frames: the kernel's from /proc/kallsyms, user ones through
 * symbolize.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "offcpu.skel.h"
#include "ksyms.h"
#include "offcpu.h"
#include "symbolize.h"
#include "sysinfo.h"
#include "watch.h"

struct swc_offcpu {
	struct offcpu_bpf *skel;
	struct bpf_link *link;
	struct swc_symbolizer *sym;
	struct swc_ksyms *ksyms;
	bool ksyms_tried;
	bool foreign_pidns;	/* our /proc is not the pid namespace BPF's pids belong to */
	unsigned int storage_size;
	int ncpus;
	struct offcpu_stack *stacks;
	size_t n;
	struct swc_offcpu_counters ctr;
	bool have_ctr;
};

struct swc_offcpu *offcpu__open(int watched_fd, bool all_tasks, unsigned int storage_size,
				bool verbose)
{
	struct swc_offcpu *o = calloc(1, sizeof(*o));
	int err;

	(void)verbose;	/* libbpf's print callback is switch.bpf.c's loader's, set already */
	if (!o)
		return NULL;
	o->storage_size = storage_size;
	o->foreign_pidns = !swc_in_initial_pidns();
	o->ncpus = libbpf_num_possible_cpus();
	o->sym = symbolizer__new();
	o->skel = offcpu_bpf__open();
	if (!o->sym || !o->skel || o->ncpus <= 0) {
		fprintf(stderr, "switchcost: opening the off-CPU stacks object: %s\n",
			strerror(errno ? errno : ENOMEM));
		goto fail;
	}
	o->skel->rodata->targ_all_tasks = all_tasks;
	err = bpf_map__reuse_fd(o->skel->maps.watched, watched_fd);
	if (!err)
		err = bpf_map__set_max_entries(o->skel->maps.stacks, storage_size);
	if (err) {
		fprintf(stderr, "switchcost: preparing the off-CPU stacks object: %s\n",
			strerror(-err));
		goto fail;
	}
	err = offcpu_bpf__load(o->skel);
	if (err) {
		fprintf(stderr, "switchcost: loading the off-CPU stacks program: %s%s\n",
			strerror(-err), err == -ENOMEM ? ": a smaller --stack-storage-size may fit" :
			" (run with -v for the verifier's log)");
		goto fail;
	}
	o->link = bpf_program__attach(o->skel->progs.on_offcpu);
	if (!o->link) {
		fprintf(stderr, "switchcost: attaching the off-CPU stacks program: %s\n",
			strerror(errno));
		goto fail;
	}
	return o;
fail:
	offcpu__close(o);
	return NULL;
}

void offcpu__close(struct swc_offcpu *o)
{
	if (!o)
		return;
	bpf_link__destroy(o->link);
	offcpu_bpf__destroy(o->skel);
	symbolizer__free(o->sym);
	ksyms__free(o->ksyms);
	free(o->stacks);
	free(o);
}

void offcpu__poll(struct swc_offcpu *o)
{
	int fd = bpf_map__fd(o->skel->maps.offcpu);
	struct swc_offcpu_key key, next, *prev = NULL;
	__u32 last = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		/* keys of one process mostly come in runs: skip the repeats cheaply */
		if (key.tgid == last)
			continue;
		last = key.tgid;
		if (!o->foreign_pidns)
			symbolizer__note(o->sym, key.tgid, false);
	}
}

static int counters_read(struct swc_offcpu *o)
{
	return swc_sum_percpu(bpf_map__fd(o->skel->maps.counters), o->ncpus, 0, &o->ctr,
			      sizeof(o->ctr));
}

static int by_off_ns(const void *a, const void *b)
{
	const struct offcpu_stack *x = a, *y = b;

	if (x->off_ns != y->off_ns)
		return x->off_ns > y->off_ns ? -1 : 1;
	return x->tgid < y->tgid ? -1 : x->tgid > y->tgid;
}

/* Threads of one process with one name and the same stacks become one entry. */
static int stack_add(struct swc_offcpu *o, const struct swc_offcpu_key *k,
		     const struct swc_offcpu_val *v, size_t *cap)
{
	struct offcpu_stack *st;

	for (size_t i = 0; i < o->n; i++) {
		st = &o->stacks[i];
		if (st->tgid == k->tgid && st->user_stack_id == k->user_stack_id &&
		    st->kernel_stack_id == k->kernel_stack_id &&
		    !strncmp(st->comm, v->comm, SWC_COMM_LEN)) {
			st->off_ns += v->off_ns;
			st->count += v->count;
			return 0;
		}
	}
	if (o->n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		st = realloc(o->stacks, *cap * sizeof(*st));
		if (!st)
			return -ENOMEM;
		o->stacks = st;
	}
	st = &o->stacks[o->n++];
	st->tgid = k->tgid;
	st->user_stack_id = k->user_stack_id;
	st->kernel_stack_id = k->kernel_stack_id;
	memcpy(st->comm, v->comm, SWC_COMM_LEN);
	st->comm[SWC_COMM_LEN - 1] = '\0';
	st->off_ns = v->off_ns;
	st->count = v->count;
	return 0;
}

int offcpu__finish(struct swc_offcpu *o)
{
	int fd = bpf_map__fd(o->skel->maps.offcpu), err;
	struct swc_offcpu_key key, next, *prev = NULL;
	struct swc_offcpu_val v;
	size_t cap = 0;
	__u32 last = 0;

	bpf_link__destroy(o->link);
	o->link = NULL;
	err = counters_read(o);
	o->have_ctr = !err;
	if (err)
		fprintf(stderr, "switchcost: reading the off-CPU stacks' counters from BPF: %s\n",
			strerror(-err));
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue;
		err = stack_add(o, &key, &v, &cap);
		if (err) {
			fprintf(stderr, "switchcost: reading the off-CPU stacks: %s\n",
				strerror(-err));
			return err;
		}
		/* the freshest maps of those still running (libraries loaded since) */
		if (key.tgid != last && !o->foreign_pidns)
			symbolizer__note(o->sym, key.tgid, true);
		last = key.tgid;
	}
	qsort(o->stacks, o->n, sizeof(*o->stacks), by_off_ns);
	return 0;
}

const struct offcpu_stack *offcpu__stacks(const struct swc_offcpu *o, size_t *n)
{
	*n = o->n;
	return o->stacks;
}

const struct swc_offcpu_counters *offcpu__counters(const struct swc_offcpu *o)
{
	return o->have_ctr ? &o->ctr : NULL;
}

unsigned int offcpu__storage_size(const struct swc_offcpu *o)
{
	return o->storage_size;
}

bool offcpu__foreign_pidns(const struct swc_offcpu *o)
{
	return o->foreign_pidns;
}

bool offcpu__kernel_hidden(const struct swc_offcpu *o)
{
	return o->ksyms_tried && ksyms__hidden(o->ksyms);
}

static void name_kernel(struct swc_offcpu *o, __u64 addr, struct offcpu_frame *f)
{
	if (!o->ksyms_tried) {
		o->ksyms = ksyms__load("/proc/kallsyms");
		o->ksyms_tried = true;
	}
	f->name = ksyms__lookup(o->ksyms, addr, &f->offset);
	f->kind = f->name ? FRAME_NAMED : FRAME_UNKNOWN;
}

static void name_user(struct swc_offcpu *o, __u32 tgid, __u64 addr, struct offcpu_frame *f)
{
	static const enum offcpu_frame_kind kinds[] = {
		[SYM_NAMED] = FRAME_NAMED, [SYM_STRIPPED] = FRAME_STRIPPED,
		[SYM_UNREAD] = FRAME_UNREAD, [SYM_UNMAPPED] = FRAME_UNKNOWN,
	};
	struct sym_result r;

	symbolizer__user(o->sym, (pid_t)tgid, addr, &r);
	f->kind = kinds[r.kind];
	f->name = r.name;
	f->file = r.file;
	f->offset = r.offset;
}

/* The tracer's own frames atop a kernel stack: the BPF program and the tracepoint's glue. */
static bool is_tracer_frame(const struct offcpu_frame *f)
{
	static const char *const prefixes[] = {
		"bpf_prog_", "bpf_trace_run", "__bpf_trace_", "__traceiter_", "bpf_trampoline_",
	};

	if (f->kind != FRAME_NAMED)
		return false;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(f->name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

int offcpu__frames(struct swc_offcpu *o, const struct offcpu_stack *st, bool user,
		   struct offcpu_frame *frames)
{
	__u64 ips[SWC_STACK_DEPTH];
	__s32 id = user ? st->user_stack_id : st->kernel_stack_id;
	int n = 0;

	if (id < 0 || bpf_map_lookup_elem(bpf_map__fd(o->skel->maps.stacks), &id, ips))
		return 0;
	for (int i = 0; i < SWC_STACK_DEPTH && ips[i]; i++) {
		memset(&frames[n], 0, sizeof(frames[n]));
		frames[n].addr = ips[i];
		/* a caller's frame holds a return address: the call is the byte before it */
		if (user) {
			name_user(o, st->tgid, i ? ips[i] - 1 : ips[i], &frames[n]);
		} else {
			name_kernel(o, ips[i], &frames[n]);
			if (n == 0 && is_tracer_frame(&frames[n]))
				continue;
		}
		n++;
	}
	return n;
}
