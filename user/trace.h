/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * switchcost trace, split by job: trace.c (command line, the watch loop), trace_spawn.c
 * (starting CMD as the invoking user, reaping it and whatever it leaves), trace_probe.c
 * (user-space switch points: --uprobe, --usdt, --asyncio) and trace_report.c (table, JSON).
 */
#ifndef SWC_TRACE_H
#define SWC_TRACE_H

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <linux/types.h>
#include "switchcost.h"

#define TRACE_MAX_PIDS	64
#define TRACE_GROUP	0	/* the traced program is BPF group 0 */

enum trace_probe_type { PROBE_UPROBE, PROBE_USDT, PROBE_ASYNCIO };

/* One user-space switch point; its index in env.probes is its BPF cookie. */
struct trace_probe {
	enum trace_probe_type type;
	const char *spec;		/* as given on the command line */
	char binary[4096];		/* resolved path */
	char symbol[256];		/* uprobe: function; USDT: probe name */
	char provider[256];		/* USDT only */
	unsigned long offset;		/* uprobe by address (--asyncio): file offset, or 0 */
	__u64 hits;
};

struct trace_env {
	char **argv;			/* CMD ARGS..., NULL with -p */
	int pids[TRACE_MAX_PIDS], npids;
	__u64 duration_ns, interval_ns;
	struct trace_probe probes[SWC_MAX_PROBES];
	int nprobes;
	const char *csv_path;
	bool json, as_root, verbose, asyncio;
	bool cmd_stdout_to_stderr;	/* our stdout carries a document (--json, --csv -) */
};

/* What a trace found, for the report. */
struct trace_result {
	pid_t cmd_pid;
	bool cmd_reaped;
	int status;			/* CMD's wait status */
	bool ran_as_user;
	uid_t uid;
	gid_t gid;
	struct rusage ru;		/* CMD and every descendant we reaped (wait4) */
	__u64 wall_ns;
	bool interrupted;		/* a stop was requested (signal name in stop_sig) */
	int stop_sig;
	int pids_gone;			/* -p: processes that ended while traced */
	__u64 left_running;		/* descendants still running when CMD ended, then stopped */
	bool have_bpf;			/* gs was read from the BPF side */
	bool have_ctr;			/* ctr was read from the BPF side */
	struct swc_group_stats gs;
	struct swc_counters ctr;
	unsigned long long csv_rows;
};

struct swc_watch;

/* trace_spawn.c */
/* Forks env->argv into BPF group TRACE_GROUP, as the invoking user unless env->as_root, with
 * its stdout on our stderr when env->cmd_stdout_to_stderr. Returns the child or -1 with one
 * line printed; *exit_code then holds 126/127 (cannot start) or 1. */
pid_t trace_spawn(struct swc_watch *w, const struct trace_env *env, struct trace_result *res,
		  int *exit_code);
/* Reaps every exited child without blocking, adding its rusage to res; records CMD's status.
 * With w, waits for each zombie's final switch first (watch__await_gone). Returns the number
 * reaped, or -1 when we have no children left. */
int trace_reap(struct trace_result *res, struct swc_watch *w);
/* Stops every descendant still running (SIGKILL) and reaps it; returns how many were left. */
__u64 trace_kill_descendants(struct trace_result *res, struct swc_watch *w);
/* The wait status as a shell exit code: the exit status, or 128 + signal. */
int trace_exit_code(int status);
/* Hands the terminal to pgid when we own it (-1 gives it back to us); a no-op otherwise. */
void trace_tty_handoff(pid_t pgid);
/* From /proc/PID/stat: the state letter and the parent. Returns 0, or -1 if there is no such
 * process. Either pointer may be NULL. */
int trace_proc_stat(pid_t pid, char *state, pid_t *ppid);

/* trace_probe.c */
/* Parses "BINARY:SYMBOL" (or BINARY:0xOFFSET) and "BINARY:PROVIDER:PROBE"; resolves the binary
 * and checks the symbol or note exists. Prints one line and returns -1 on failure. */
int trace_probe_parse(struct trace_probe *p, enum trace_probe_type type, const char *spec);
/* Finds CPython's asyncio task-step send (see trace_probe.c) for the python interpreter the
 * command will run. Prints one line and returns -1 when it cannot be found soundly. */
int trace_probe_asyncio(struct trace_probe *p, char **argv);
/* Attaches every probe (pid -1: the BPF side filters by the watched set). */
int trace_probes_attach(struct swc_watch *w, struct trace_probe *probes, int n);

/* trace_report.c */
void trace_report_human(const struct trace_env *env, struct swc_watch *w,
			const struct trace_result *res, FILE *f);
void trace_report_json(const struct trace_env *env, struct swc_watch *w,
		       const struct trace_result *res, FILE *f);
/* One line of per-interval deltas (libbpf-tools style); header on the first call. */
void trace_report_interval(const struct swc_group_stats *now, struct swc_group_stats *last,
			   bool header, FILE *f);

#endif
