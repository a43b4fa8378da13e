/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The watch set as the BPF programs see it: one byte per tgid, eight to a word (encoding:
 * swc_watch_*() in switchcost.h). switch.bpf.c owns the map: user space sizes it to pid_max
 * and mmaps it to add processes by hand; offcpu.bpf.c reuses it by fd before load. An inlined
 * array load per lookup instead of a hash lookup, so unwatched switches cost almost nothing.
 */
#ifndef SWC_WATCHED_BPF_H
#define SWC_WATCHED_BPF_H

/* One byte per tgid, eight to a word (key: tgid / 8), mmapable; user space sizes it to
 * pid_max. The layout of the watch set, and of switch.bpf.c's `gone` marks. */
#define TGID_BYTE_ARRAY(name)					\
	struct {						\
		__uint(type, BPF_MAP_TYPE_ARRAY);		\
		__uint(map_flags, BPF_F_MMAPABLE);		\
		__uint(max_entries, 4096);			\
		__type(key, __u32);				\
		__type(value, __u64);				\
	} name SEC(".maps")

TGID_BYTE_ARRAY(watched);

/* The group of tgid, or SWC_NO_GROUP. */
static __always_inline __u32 group_of(__u32 tgid)
{
	__u32 idx = swc_watch_index(tgid);
	__u64 *w = bpf_map_lookup_elem(&watched, &idx);

	return w ? swc_watch_group(*w, tgid) : SWC_NO_GROUP;
}

#endif
