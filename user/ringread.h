/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The switch records' ring buffer, read by our own consumer instead of libbpf's ring_buffer,
 * for two reasons, both measured:
 * - libbpf maps the data area twice (so a record that wraps reads as one piece), and every
 *   mapped page of a BPF ring is resident: a 32 MiB ring took peak RSS (VmHWM) to 81 MB.
 *   Mapped once, a ring costs its size; the rare record that wraps is copied out in two parts.
 * - libbpf publishes its read position after every record, which moves that cache line to
 *   the consumer's CPU and back to the producer's at every bpf_ringbuf_reserve(). This one
 *   publishes it once per batch.
 */
#ifndef SWC_RINGREAD_H
#define SWC_RINGREAD_H

#include <stddef.h>

struct swc_ringread;

/* fn gets each record's bytes; a nonzero return stops the batch (that record is consumed)
 * and is returned by ringread__consume(). */
typedef int (*swc_ringread_fn)(void *ctx, void *data, size_t size);

/* Maps the BPF_MAP_TYPE_RINGBUF map_fd. NULL with errno on failure. */
struct swc_ringread *ringread__open(int map_fd, swc_ringread_fn fn, void *ctx);
/* Hands out up to max records (0: until empty). Returns how many, or fn's nonzero return. */
int ringread__consume(struct swc_ringread *r, long max);
/* Readable when the producer asks for a wake-up (our BPF side never does: it is polled). */
int ringread__epoll_fd(const struct swc_ringread *r);
void ringread__close(struct swc_ringread *r);

#endif
