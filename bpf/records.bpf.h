/* SPDX-License-Identifier: GPL-2.0 */
/*
 * switch.bpf.c's per-switch records (CSV export, targ_emit): one struct swc_switch_rec per
 * switch, to the `events` ring one at a time, or staged per CPU and sent SWC_REC_BATCH at a
 * time (targ_batch), the partial batches on user space's request (flush_gen). Included by
 * switch.bpf.c after its maps, knobs and copy_comm(); nothing else includes it.
 */
#ifndef SWC_RECORDS_BPF_H
#define SWC_RECORDS_BPF_H

static __always_inline void count_dropped(__u64 n)
{
	struct swc_counters *c = get_counters();

	if (c)
		c->events_dropped += n;
}

static __always_inline struct swc_rec_batch *staged(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&staging, &zero);
}

/* This CPU's staged records to the ring, in one entry (all counted as dropped if it is full). */
static __always_inline void send_batch(struct swc_rec_batch *b)
{
	__u32 n = b->n;

	if (n > SWC_REC_BATCH)	/* never: bounds the size for the verifier */
		n = SWC_REC_BATCH;
	if (n && bpf_ringbuf_output(&events, b->recs, n * sizeof(b->recs[0]), rb_wakeup_flags()))
		count_dropped(n);
	b->n = 0;
}

/* User space asked for the partial batches (flush_gen): this CPU's, once per request. */
static __always_inline void answer_flush(void)
{
	__u32 gen = flush_gen;
	struct swc_rec_batch *b;

	if (!gen || !(b = staged()) || b->flush_gen == gen)
		return;
	b->flush_gen = gen;
	send_batch(b);
}

static __always_inline void emit_switch(bool preempt, struct task_struct *prev,
					struct task_struct *next, __u8 kind, __u32 prev_state,
					__u32 group, __u64 now, __u64 run_ns, __u64 off_ns,
					__u64 delay_ns)
{
	struct swc_rec_batch *b = NULL;
	struct swc_switch_rec *rec;

	if (targ_batch) {
		b = staged();
		if (!b) {
			count_dropped(1);
			return;
		}
		rec = &b->recs[b->n & (SWC_REC_BATCH - 1)];
	} else {
		rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);
		if (!rec) {
			count_dropped(1);
			return;
		}
	}
	rec->ts_ns = now;
	rec->run_ns = run_ns;
	rec->off_ns = off_ns;
	rec->delay_ns = delay_ns;
	rec->cpu = bpf_get_smp_processor_id();
	rec->prev_tgid = prev->tgid;
	rec->prev_tid = prev->pid;
	rec->next_tgid = next->tgid;
	rec->next_tid = next->pid;
	rec->prev_state = prev_state;
	rec->group = group;
	rec->kind = kind;
	rec->preempt = preempt;
	rec->_pad[0] = rec->_pad[1] = 0;
	copy_comm(rec->prev_comm, prev);
	copy_comm(rec->next_comm, next);
	if (!targ_batch) {
		bpf_ringbuf_submit(rec, rb_wakeup_flags());
		return;
	}
	if (++b->n >= SWC_REC_BATCH)
		send_batch(b);
}

#endif /* SWC_RECORDS_BPF_H */
