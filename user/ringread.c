// SPDX-License-Identifier: GPL-2.0-only
/* The switch records' ring buffer, mapped once, read in batches (ringread.h). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include "ringread.h"

/* the largest entry we copy out when it wraps: ours are a batch of records, under 1 KiB */
#define WRAP_MAX	4096

struct swc_ringread {
	swc_ringread_fn fn;
	void *ctx;
	int epfd;
	size_t page, data_sz;
	unsigned long *consumer_pos;	/* our page: the one the kernel lets us write */
	unsigned long *producer_pos;	/* the kernel's page, then the data once */
	unsigned char *data;
	unsigned char wrap[WRAP_MAX];
};

struct swc_ringread *ringread__open(int map_fd, swc_ringread_fn fn, void *ctx)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct epoll_event ev = { .events = EPOLLIN };
	struct swc_ringread *r;
	void *p;
	int err;

	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return NULL;
	if (info.type != BPF_MAP_TYPE_RINGBUF) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->fn = fn;
	r->ctx = ctx;
	r->page = (size_t)sysconf(_SC_PAGESIZE);
	r->data_sz = info.max_entries;
	r->epfd = -1;
	p = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	r->consumer_pos = p;
	/* the producer page and the data, once: not the kernel's second copy after it */
	p = mmap(NULL, r->page + r->data_sz, PROT_READ, MAP_SHARED, map_fd, r->page);
	if (p == MAP_FAILED)
		goto fail;
	r->producer_pos = p;
	r->data = (unsigned char *)p + r->page;
	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (r->epfd < 0 || epoll_ctl(r->epfd, EPOLL_CTL_ADD, map_fd, &ev))
		goto fail;
	return r;
fail:
	err = errno;
	ringread__close(r);
	errno = err;
	return NULL;
}

/* The record at pos, in one piece (copied to r->wrap when it runs past the end). */
static void *record_at(struct swc_ringread *r, unsigned long pos, size_t size)
{
	size_t off = pos & (r->data_sz - 1), first = r->data_sz - off;

	if (size <= first)
		return r->data + off;
	if (size > WRAP_MAX)
		return NULL;
	memcpy(r->wrap, r->data + off, first);
	memcpy(r->wrap + first, r->data, size - first);
	return r->wrap;
}

int ringread__consume(struct swc_ringread *r, long max)
{
	unsigned long cons = *r->consumer_pos, published = cons, prod = cons;
	long n = 0;
	int ret = 0;

	while (!ret && n != max) {
		if (cons == prod) {
			/* caught up: give the producer its room back before looking again */
			if (cons != published)
				__atomic_store_n(r->consumer_pos, published = cons, __ATOMIC_RELEASE);
			prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
			if (cons == prod)
				break;
		}
		__u32 word = __atomic_load_n((__u32 *)(r->data + (cons & (r->data_sz - 1))),
					     __ATOMIC_ACQUIRE);
		__u32 size = word & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
		unsigned long at = cons + BPF_RINGBUF_HDR_SZ;
		void *rec;

		if (word & BPF_RINGBUF_BUSY_BIT)
			break;	/* reserved, not yet submitted: the rest waits for it */
		cons = (at + size + 7) & ~7UL;
		if (!(word & BPF_RINGBUF_DISCARD_BIT)) {
			rec = record_at(r, at, size);
			ret = rec ? r->fn(r->ctx, rec, size) : 0;
			n++;
		}
		/* the read position is published every eighth of the ring, not per record:
		 * the producer reads that cache line at every reserve */
		if (cons - published >= r->data_sz / 8)
			__atomic_store_n(r->consumer_pos, published = cons, __ATOMIC_RELEASE);
	}
	if (cons != published)
		__atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
	return ret ? ret : (n > INT_MAX ? INT_MAX : (int)n);
}

int ringread__epoll_fd(const struct swc_ringread *r)
{
	return r ? r->epfd : -1;
}

void ringread__close(struct swc_ringread *r)
{
	if (!r)
		return;
	if (r->epfd >= 0)
		close(r->epfd);
	if (r->producer_pos)
		munmap(r->producer_pos, r->page + r->data_sz);
	if (r->consumer_pos)
		munmap(r->consumer_pos, r->page);
	free(r);
}
