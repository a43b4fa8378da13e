/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * trace --stacks: the off-CPU stacks object (bpf/offcpu.bpf.c) seen from user space. offcpu.c
 * loads it beside switch.bpf.c (sharing its watch set), notes the traced processes' maps while
 * they run, and reads and symbolises the stacks at the end; offcpu_print.c writes them as
 * folded lines, a top-N table and JSON.
 */
#ifndef SWC_OFFCPU_H
#define SWC_OFFCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include "switchcost.h"

#define OFFCPU_STORAGE_DEFAULT	1024	/* stack map entries, as libbpf-tools' offcputime */
#define OFFCPU_STORAGE_MAX	(1u << 20)
#define OFFCPU_TOP_DEFAULT	10
#define OFFCPU_POLL_NS		(200ULL * 1000 * 1000)	/* how often new processes' maps are read */

enum offcpu_frame_kind {
	FRAME_NAMED,		/* name */
	FRAME_STRIPPED,		/* file+offset: the file has no symbol naming it */
	FRAME_UNREAD,		/* file+offset: the file could not be read */
	FRAME_UNKNOWN,		/* no mapping holds the address (or no kernel symbols) */
};

struct offcpu_frame {
	enum offcpu_frame_kind kind;
	const char *name;	/* FRAME_NAMED */
	const char *file;	/* FRAME_STRIPPED, FRAME_UNREAD */
	__u64 offset, addr;
};

/* One stack pair of one process (its threads with the same comm merged). */
struct offcpu_stack {
	__u32 tgid;
	__s32 user_stack_id, kernel_stack_id;
	char comm[SWC_COMM_LEN];
	__u64 off_ns, count;
};

struct swc_offcpu;

/* Loads and attaches the object on switch.bpf.c's watch set (watched_fd), or on every task
 * (all_tasks, trace -a), its stack map of storage_size entries. Prints why and returns NULL
 * on failure. */
struct swc_offcpu *offcpu__open(int watched_fd, bool all_tasks, unsigned int storage_size,
				bool verbose);
/* Detaches (the numbers hold still) and frees everything; NULL is fine. */
void offcpu__close(struct swc_offcpu *o);
/* While tracing: reads the maps of processes first seen blocking since the last call. */
void offcpu__poll(struct swc_offcpu *o);
/* At the end: detaches, reads the counters and every stack, sorted by off-CPU time. 0, or
 * -errno with one line printed (the stacks are then "not measured"). */
int offcpu__finish(struct swc_offcpu *o);

const struct offcpu_stack *offcpu__stacks(const struct swc_offcpu *o, size_t *n);
/* The counters as read by offcpu__finish, or NULL when they could not be read. */
const struct swc_offcpu_counters *offcpu__counters(const struct swc_offcpu *o);
unsigned int offcpu__storage_size(const struct swc_offcpu *o);
/* A stack's frames, leaf first, into frames (room for SWC_STACK_DEPTH); returns how many,
 * 0 when it was lost or there is none. */
int offcpu__frames(struct swc_offcpu *o, const struct offcpu_stack *st, bool user,
		   struct offcpu_frame *frames);
/* The frame as text ("block_long", "prog+0x1139 [stripped]", "[unknown]") into buf. */
const char *offcpu_frame_text(const struct offcpu_frame *f, char *buf, size_t len);
/* A user stack (frames leaf first) whose outermost frame is no program's or thread's entry,
 * or which filled every slot: callers are missing (frame pointers, or the depth limit). */
bool offcpu_user_truncated(const struct offcpu_frame *frames, int n);
bool offcpu__kernel_hidden(const struct swc_offcpu *o);
/* We run in a PID namespace: BPF's pids are the host's, so no /proc/PID of ours is theirs
 * and user frames stay unnamed. */
bool offcpu__foreign_pidns(const struct swc_offcpu *o);

struct swc_json;
/* offcpu_print.c */
/* Folded lines ("comm;user root..leaf;kernel root..leaf MICROSECONDS"), identical lines
 * merged, to fd. 0 or -errno. */
int offcpu_write_folded(struct swc_offcpu *o, int fd);
void offcpu_print_human(struct swc_offcpu *o, unsigned int top, FILE *f);
void offcpu_print_json(struct swc_offcpu *o, struct swc_json *j);

#endif
