/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one consumer of switch records, used by run (its runner), trace and lab: waits on
 * {a descriptor, the ring buffer, a stop request} and hands records to the watch's on_record
 * in slices, at one cadence.
 */
#ifndef SWC_RECORDS_H
#define SWC_RECORDS_H

#include <signal.h>
#include "watch.h"

/*
 * BPF never wakes the ring's epoll (rb_wakeup_flags()), so the consumer looks every tick: ~10,000 records at full rate, 1 MB of run's default 8 MB ring.
 * A slice bounds one look: a full-rate producer can keep a plain drain busy forever.
 */
#define SWC_RECORD_TICK_MS	10
#define SWC_RECORD_SLICE	65536

/*
 * Waits until fd is readable (fd < 0: no descriptor), timeout_ms has passed (< 0: no limit),
 * a signal arrived or a stop is requested, consuming w's records meanwhile (w NULL or without
 * records: a plain wait, no ticks). unblocked: the signal mask to wait under (NULL: the
 * current one); signals it lets in that are pending when the wait ends run their handlers.
 * Returns 1 when fd is readable, 0 at the timeout or after a signal, -EINTR once
 * stop_requested is set, or the consumer's -errno.
 */
int records__wait(struct swc_watch *w, int fd, int timeout_ms, const sigset_t *unblocked);
/* Consumes what is waiting, in slices, but at most about limit records (0: until empty): a
 * producer still running must not keep the caller here. Returns 0 or the consumer's -errno. */
int records__drain(struct swc_watch *w, long limit);

#endif
