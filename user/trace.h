/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * switchcost trace, split by job: trace.c (putting the pieces together), trace_options.c (the
 * command line), trace_sinks.c (where switch records go: --csv, --html, --perfetto),
 * trace_loop.c (the watch loop), trace_spawn.c (starting CMD as the invoking user, reaping it
 * and whatever it leaves), trace_probe.c (user-space switch points: --uprobe, --usdt,
 * --asyncio) and trace_report.c (table, JSON).
 */
#ifndef SWC_TRACE_H
#define SWC_TRACE_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <linux/types.h>
#include "csvsink.h"
#include "switchcost.h"
#include "validity.h"

#define TRACE_MAX_PIDS	64
#define TRACE_GROUP	0	/* the traced program is BPF group 0 */
#define TRACE_MIN_INTERVAL_NS	10000000ULL	/* -i / INTERVAL: 10 ms */

enum trace_probe_type { PROBE_UPROBE, PROBE_USDT, PROBE_ASYNCIO };

/* One user-space switch point; its index in env.probes is its BPF cookie. */
struct trace_probe {
	enum trace_probe_type type;
	const char *spec;		/* as given on the command line */
	char binary[4096];		/* resolved path */
	char symbol[256];		/* uprobe: function; USDT: probe name */
	char provider[256];		/* USDT only */
	unsigned long offset;		/* uprobe: the code's file offset */
	int fd;				/* the file, opened as the sudo user; -1 once attached */
	__u64 hits;
	__u64 hits_outside;		/* by tasks outside the trace: not counted in hits */
	const char *not_measured;	/* why no uprobe could be attached, or NULL */
};

struct trace_env {
	char **argv;			/* CMD ARGS..., NULL with -p */
	int pids[TRACE_MAX_PIDS], npids;
	__u64 duration_ns, interval_ns;
	unsigned long count;		/* intervals to print, then stop (-p); 0: no limit */
	bool timestamp;			/* -T: wall-clock time on each interval line */
	bool hist, hist_per_process, hist_per_thread;	/* --hist, -P, -L */
	bool hist_ms;			/* -m: histograms in msecs */
	struct trace_probe probes[SWC_MAX_PROBES];
	int nprobes;
	const char *csv_path;
	bool stacks;			/* --stacks: off-CPU stacks (offcpu.h) */
	const char *folded_path;	/* --folded FILE */
	unsigned int stack_storage_size, stacks_top;
	bool syscalls;			/* --syscalls: count syscalls and wake-ups too */
	bool all;			/* -a: every task on the machine */
	bool latency;			/* --latency (or --hist, -P, -L, --html, --perfetto):
					 * wake-up to run too; with -a, on-/off-CPU as well */
	unsigned int top;		/* --top: rows of -a's tables */
	__u32 tid;			/* -t: one thread (a filter with CMD or -p) */
	const char *comm;		/* --comm: tasks of this name */
	const char *cgroup;		/* --cgroup: tasks in this cgroup v2 (and below) */
	__u32 max_tasks;		/* --max-tasks: rows of the per-task table */
	unsigned long ringbuf_bytes;	/* --ringbuf-size, with --csv */
	bool allow_drops;		/* --allow-drops: lost records do not make the status 3 */
	const char *html_path, *perfetto_path;	/* --html, --perfetto */
	bool json, as_root, verbose, asyncio;
	bool strict;			/* --strict: an invalid trace exits TRACE_EXIT_INVALID */
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
	__u64 cmd_exit_ns;	/* when CMD was reaped (swc_now_ns), 0 before */
	__u64 start_ns;			/* when the trace started (CLOCK_MONOTONIC, as BPF's) */
	__u64 realtime_offset_ns;	/* CLOCK_REALTIME - CLOCK_MONOTONIC at the start */
	bool interrupted;		/* a stop was requested (signal name in stop_sig) */
	int stop_sig;
	int pids_gone;			/* -p: processes that ended while traced */
	__u64 left_running;		/* descendants still running when CMD ended, then stopped */
	bool have_bpf;			/* gs was read from the BPF side */
	bool have_ctr;			/* ctr was read from the BPF side */
	__u32 tasks_capacity;		/* rows of the per-task table */
	struct swc_group_stats gs;
	struct swc_counters ctr;
	unsigned long long csv_rows;
	struct swc_offcpu *offcpu;	/* --stacks, read by offcpu__finish() for the report */
	bool stacks_failed;		/* ... which could not read them, or write --folded */
	bool csv_kept;			/* the CSV is in place: csv_rows may be reported */
	double steal_ns;		/* the hypervisor's steal on our CPUs meanwhile; NaN */
	struct swc_validity val;	/* judged when have_bpf (swc_validity_judge_traced) */
};

/* Exit status of --strict when CMD exited 0 but the trace was judged invalid */
#define TRACE_EXIT_INVALID	4

/* The per-interval lines: what was last printed, to print the next as a difference. */
struct trace_ticker {
	struct swc_group_stats last;
	__u64 last_ns;			/* when the last line was taken (swc_now_ns) */
	unsigned long printed;
	bool closing;			/* the next line is the last (it may be partial) */
};

/* One thread's BPF totals (per-task table, -L/-P histograms). */
struct task_row {
	__u32 tid;
	struct swc_task t;
};

struct swc_watch;
struct swc_json;
struct swc_offcpu;

struct swc_watch_opts;

/* trace_filter.c */
/* Sets o's every_task, counts_only, filters and pid namespace from env; resolves --cgroup.
 * Prints one line and returns -1 when that fails or cannot be done here. */
int trace_filter_setup(const struct trace_env *env, struct swc_watch_opts *o);

/* trace_top.c */
/* -a: the top processes and threads by switches (rows sorted by pid, tid). */
void trace_top_print(const struct trace_env *env, const struct task_row *rows, size_t n,
		     FILE *f);
void trace_top_json(const struct trace_env *env, const struct task_row *rows, size_t n,
		    struct swc_json *j);
struct swc_csvsink;

/* What FILE.meta.json describes (--csv). */
struct trace_meta {
	const struct trace_env *env;
	const struct trace_result *res;
	struct swc_watch *w;
	const struct swc_csvsink *sink;
	int exit_status;
};

/* trace_options.c */
/* Parses trace's command line into env (zeroed by the caller). Returns 0, or the exit status
 * with one line printed (2 for a usage error); -h prints the help and exits. */
int trace_parse_args(struct trace_env *env, int argc, char **argv);

/* trace_sinks.c */
struct swc_trace_data;
/* Where switch records go: the CSV sink, and/or the trace reducer of --html/--perfetto. */
struct trace_sinks {
	struct swc_csvsink sink;
	struct swc_csvsink *csv;	/* &sink with --csv, else NULL */
	struct swc_trace_data *td;	/* NULL without --html or --perfetto */
	bool td_failed;
};
/* Opens env's sinks (before any BPF work) and points o's records at them. Returns 0, or 1
 * with the reason printed. */
int trace_sinks_open(const struct trace_env *env, struct trace_sinks *rs,
		     struct swc_watch_opts *o);
/* Draws --html and --perfetto from the records kept; sets td_failed when that fails. */
void trace_sinks_pages(const struct trace_env *env, struct trace_sinks *rs);
/* With --csv: says what was dropped, writes the sidecar and puts both files in place. Returns
 * rc, or the status a drop or a failure turns a clean rc into. */
int trace_sinks_close_csv(const struct trace_env *env, struct trace_result *res,
			  struct swc_watch *w, struct trace_sinks *rs, int rc);
/* Drops what was not put in place and frees the kept records (fine twice). */
void trace_sinks_close(struct trace_sinks *rs);

/* trace_loop.c */
/* SIGCHLD interrupts the loop's wait (no SA_RESTART). */
void trace_catch_sigchld(void);
/* Adds each -p process (a tid means its process) to the traced group; -1 with one line
 * printed when one is not running, is switchcost, or cannot be watched. */
int trace_watch_pids(struct trace_env *env, struct swc_watch *w);
/* Watches until CMD ends, the -p processes end, a stop request or -d / COUNT; prints each
 * whole interval but the last. rs (NULL: no records) is fed meanwhile; returns -1 when the
 * records could not all be consumed, else 0. */
int trace_loop(struct trace_env *env, struct swc_watch *w, struct trace_result *res,
	       __u64 start, struct trace_ticker *tk, struct trace_sinks *rs, FILE *out);

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

/* trace_contain.c */
/* The cgroup v2 mount point (the first whose root is "/") in buf; 0, or -1 when none. */
int trace_cgroup2_mount(char *buf, size_t len);
/* Puts the traced tree in a cgroup of its own with a supervisor that kills it if switchcost
 * dies. 0 when contained; 1 when not (said once on stderr: the process group is used). */
int trace_contain_open(void);
bool trace_contained(void);
/* In CMD's child, before it can fork: moves it into the cgroup (0 when not contained). */
int trace_contain_enter(void);
bool trace_contain_is_supervisor(pid_t pid);
/* SIGKILL to every process of the tree; -1 when not contained. */
int trace_contain_kill(void);
/* Lets the supervisor end (it kills the cgroup, then exits; reap it with the rest). */
void trace_contain_release(void);
/* Kills what is left, ends and reaps the supervisor, removes the cgroup. */
void trace_contain_close(void);
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
/* Closes the probe's file (fine twice). */
void trace_probe_release(struct trace_probe *p);
/* Attaches every probe (pid -1: the BPF side filters by the watched set), then closes their
 * files. */
int trace_probes_attach(struct swc_watch *w, struct trace_probe *probes, int n);

/* trace_report.c */
void trace_report_human(const struct trace_env *env, struct swc_watch *w,
			const struct trace_result *res, FILE *f);
void trace_report_json(const struct trace_env *env, struct swc_watch *w,
		       const struct trace_result *res, FILE *f);
/* FILE.meta.json beside the CSV (ctx: struct trace_meta), for csvsink__close(). */
int trace_write_meta(void *ctx, FILE *f);
/* What the report starts with (the machine, what is traced): printed before the first
 * interval line with -i, and by trace_report_human otherwise. */
void trace_report_header(const struct trace_env *env, const struct trace_result *res, FILE *f);

/* trace_stacks.c (--stacks, --folded): each returns 0, or -1 with one line printed */
/* Before BPF: creates --folded's temporary file. */
int trace_stacks_open_output(const struct trace_env *env);
/* After watch__open: loads the off-CPU stacks object on w's watch set into res->offcpu. */
int trace_stacks_start(const struct trace_env *env, struct swc_watch *w,
		       struct trace_result *res);
/* After the trace: reads the stacks for the report, writes --folded into place. */
int trace_stacks_finish(const struct trace_env *env, struct trace_result *res);
void trace_stacks_close(struct trace_result *res);

/* trace_interval.c */
void trace_ticker_start(struct trace_ticker *tk, __u64 start_ns);
/* One interval: the switches since the last line, as a table line (column header before the
 * first) or, with --json, as one JSON document on one line. */
void trace_interval_print(const struct trace_env *env, struct trace_ticker *tk,
			  const struct swc_group_stats *now, __u64 now_ns, FILE *f);

/* trace_hist.c */
/* --hist: the program's on-CPU, off-CPU and wake-up-to-run histograms; -P/-L: the wake-up-to-
 * run histogram of each process / thread. rows sorted by pid, tid. */
void trace_hist_print(const struct trace_env *env, const struct swc_group_stats *gs,
		      const struct task_row *rows, size_t n, FILE *f);
void trace_hist_json(const struct trace_env *env, const struct swc_group_stats *gs,
		     const struct task_row *rows, size_t n, struct swc_json *j);

#endif
