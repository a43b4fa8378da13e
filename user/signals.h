/* SPDX-License-Identifier: GPL-2.0-only */
/* Stop requests (SIGINT, SIGTERM, SIGHUP) and the children we must never leave behind. */
#ifndef SWC_SIGNALS_H
#define SWC_SIGNALS_H

#include <signal.h>
#include <sys/types.h>

/* The signal that asked us to stop, 0 while none has. */
extern volatile sig_atomic_t stop_requested;

/* Installs the stop handlers (no SA_RESTART, so blocking calls return EINTR) and makes this
 * process the subreaper of its descendants, so orphans come back to us to be reaped. */
int swc_signals_install(void);
/* In a forked child: default dispositions again, and die with the parent. */
void swc_signals_child_reset(void);
/* Exit status for a stop by sig: 128 + sig (130 for SIGINT, 143 for SIGTERM). */
int swc_signal_exit_code(int sig);
/* Reaps every member of process group pgid, once they are dead or dying. */
void swc_reap_group(pid_t pgid);
/* Kills process group pgid (SIGKILL) and reaps all of it. Only while its leader is not yet
 * reaped (or the group still has members): a free pgid could be reused by someone else. */
void swc_kill_group(pid_t pgid);

#endif
