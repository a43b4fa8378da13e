// SPDX-License-Identifier: GPL-2.0-only
/* Attaches bpf/empty.bpf.c's counter to sched_switch until SIGINT/SIGTERM, for scripts/bench. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "empty.skel.h"

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	stop_requested = sig;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_stop };
	struct empty_bpf *skel;
	int err;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	skel = empty_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "empty_counter: loading: %s\n", strerror(errno));
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
	while (!stop_requested)
		pause();
	empty_bpf__destroy(skel);
	return 0;
}
