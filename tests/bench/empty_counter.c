// SPDX-License-Identifier: GPL-2.0-only
/*
 * Attaches one of bpf/empty.bpf.c's floors until SIGINT/SIGTERM, for scripts/bench:
 *   empty_counter            the empty sched_switch counter
 *   empty_counter --clock    the same plus one clock read per switch
 *   empty_counter --stamp    the floor of a wake-up-to-run tracer (clock at wake-up and switch);
 *                            at exit it prints the mean wake-up to run it measured
 *   empty_counter --per-task the floor of per-task on- and off-CPU time (clock and task storage)
 *   empty_counter --records  the floor of per-switch export: a record per switch to a ring that
 *                            this process empties every 10 ms, throwing the records away; at
 *                            exit it prints how many it took and how many the full ring refused
 * Prints "attached" once its programs are attached.
 */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "switchcost.h"
#include "empty.skel.h"

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	stop_requested = sig;
}

/* the per-CPU sums of --stamp's wake-up to run, printed as one line */
static int print_mean_delay(struct empty_bpf *skel)
{
	int ncpu = libbpf_num_possible_cpus(), i, err;
	struct swc_bench_stamp_sum per_cpu[ncpu > 0 ? ncpu : 1], all = { 0 };
	__u32 zero = 0;

	if (ncpu <= 0)
		return ncpu;
	err = bpf_map__lookup_elem(skel->maps.delays, &zero, sizeof(zero), per_cpu,
				   sizeof(per_cpu[0]) * ncpu, 0);
	if (err)
		return err;
	for (i = 0; i < ncpu; i++) {
		all.delay_ns += per_cpu[i].delay_ns;
		all.wakeups += per_cpu[i].wakeups;
	}
	printf("wake-up to run: mean %.0f ns over %llu wake-ups\n",
	       all.wakeups ? (double)all.delay_ns / all.wakeups : 0.0,
	       (unsigned long long)all.wakeups);
	return 0;
}

/* trace --csv's ring (user/trace_options.c CSV_RINGBUF) and its consumer's tick */
#define RECORDS_RING_BYTES	(4UL << 20)
#define RECORDS_TICK_NS		10000000L

/* a ring entry is 1 to SWC_REC_BATCH records back to back: count them, keep nothing */
static int count_records(void *ctx, void *data, size_t size)
{
	(void)data;
	*(unsigned long long *)ctx += size / sizeof(struct swc_switch_rec);
	return 0;
}

/* --records: empties the ring every RECORDS_TICK_NS until stopped (the programs send no
 * wake-up), then prints what it took and the per-CPU drops summed */
static int consume_records(struct empty_bpf *skel)
{
	int ncpu = libbpf_num_possible_cpus(), i, err = 0;
	__u64 per_cpu[ncpu > 0 ? ncpu : 1];
	unsigned long long taken = 0, dropped = 0;
	struct timespec tick = { .tv_nsec = RECORDS_TICK_NS };
	struct ring_buffer *rb;
	__u32 zero = 0;

	if (ncpu <= 0)
		return ncpu;
	rb = ring_buffer__new(bpf_map__fd(skel->maps.records), count_records, &taken, NULL);
	if (!rb)
		return -errno;
	while (!stop_requested) {
		nanosleep(&tick, NULL);
		err = ring_buffer__consume(rb);
		if (err < 0)
			break;
	}
	ring_buffer__free(rb);
	if (err < 0)
		return err;
	err = bpf_map__lookup_elem(skel->maps.rec_drops, &zero, sizeof(zero), per_cpu,
				   sizeof(per_cpu[0]) * ncpu, 0);
	if (err)
		return err;
	for (i = 0; i < ncpu; i++)
		dropped += per_cpu[i];
	printf("records: %llu taken, %llu dropped\n", taken, dropped);
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_stop };
	bool clock = false, stamp = false, pertask = false, records = false;
	struct empty_bpf *skel;
	int err;

	if (argc > 2 || (argc == 2 && !(clock = !strcmp(argv[1], "--clock")) &&
			 !(stamp = !strcmp(argv[1], "--stamp")) &&
			 !(pertask = !strcmp(argv[1], "--per-task")) &&
			 !(records = !strcmp(argv[1], "--records")))) {
		fprintf(stderr, "empty_counter: usage: empty_counter "
			"[--clock | --stamp | --per-task | --records]\n");
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	skel = empty_bpf__open();
	if (!skel) {
		fprintf(stderr, "empty_counter: opening: %s\n", strerror(errno));
		return 1;
	}
	/* one floor at a time: the others are not loaded, so they cost nothing */
	bpf_program__set_autoload(skel->progs.bench_empty_switch, argc == 1);
	bpf_program__set_autoload(skel->progs.bench_clock_switch, clock);
	bpf_program__set_autoload(skel->progs.bench_stamp_switch, stamp);
	bpf_program__set_autoload(skel->progs.bench_stamp_wakeup, stamp);
	bpf_program__set_autoload(skel->progs.bench_stamp_wakeup_new, stamp);
	bpf_program__set_autoload(skel->progs.bench_pertask_switch, pertask);
	bpf_program__set_autoload(skel->progs.bench_records_switch, records);
	if (records)
		bpf_map__set_max_entries(skel->maps.records, RECORDS_RING_BYTES);
	err = empty_bpf__load(skel);
	if (err) {
		fprintf(stderr, "empty_counter: loading: %s\n", strerror(-err));
		empty_bpf__destroy(skel);
		return 1;
	}
	err = empty_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "empty_counter: attaching: %s\n", strerror(-err));
		empty_bpf__destroy(skel);
		return 1;
	}
	printf("attached\n");
	fflush(stdout);
	if (records) {
		err = consume_records(skel);
		if (err)
			fprintf(stderr, "empty_counter: the records: %s\n", strerror(-err));
	} else {
		while (!stop_requested)
			pause();
		err = stamp ? print_mean_delay(skel) : 0;
		if (err)
			fprintf(stderr, "empty_counter: reading the wake-up sums: %s\n", strerror(-err));
	}
	empty_bpf__destroy(skel);
	return err ? 1 : 0;
}
