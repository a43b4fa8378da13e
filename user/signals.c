// SPDX-License-Identifier: GPL-2.0-only
/* Stop requests and cleanup of the children we start. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "signals.h"

volatile sig_atomic_t stop_requested;

/* Every signal whose default is to end us, SIGPIPE aside: a clean stop instead, so nothing of
 * ours is left half-written (outfile.h's temporary names) or running. */
static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM,
			    SIGPROF };
#define NSIGS	(sizeof(sigs) / sizeof(sigs[0]))

static void on_stop(int sig)
{
	stop_requested = sig;
}

int swc_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;	/* no SA_RESTART: read() and waitpid() must return */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NSIGS; i++)
		if (sigaction(sigs[i], &sa, NULL))
			return -errno;
	/* a dead runner's pipe or `--csv - | head` must give EPIPE to handle, not kill us with
	 * a temporary file and BPF links behind */
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL))
		return -errno;
	/* every kernel since 3.4 has it; qemu-user (the aarch64 tests on x86) refuses it with
	 * EINVAL, and there the workloads' own children are all we reap anyway */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) && errno != EINVAL)
		return -errno;
	return 0;
}

void swc_signals_child_reset(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (size_t i = 0; i < NSIGS; i++)
		sigaction(sigs[i], &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
}

int swc_signal_exit_code(int sig)
{
	return 128 + sig;
}

void swc_reap_group(pid_t pgid)
{
	/* the group's members are our children, or orphans handed back to us as subreaper */
	while (waitpid(-pgid, NULL, 0) > 0 || errno == EINTR)
		;
}

void swc_kill_group(pid_t pgid)
{
	if (pgid <= 1)
		return;
	kill(-pgid, SIGKILL);
	swc_reap_group(pgid);
}
