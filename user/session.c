// SPDX-License-Identifier: GPL-2.0-only
/*
 * The BPF session: preflight, the skeleton's lifecycle and feature-dependent attaching, user-space
 * probes, the per-CPU counters read back, and the ring buffer's records handed to a consumer.
 * The watch set it maps is operated on by watchset.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "switch.skel.h"
/* only its object's bytes are used (open_without_fetch()): its other functions go unused */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "switch_nofetch.skel.h"
#pragma GCC diagnostic pop
#include "feature_probe.h"
#include "ringread.h"
#include "selfstats.h"
#include "sysinfo.h"
#include "watch.h"
#include "watchset.h"

#define BTF_PATH "/sys/kernel/btf/vmlinux"
#define MAX_USER_LINKS (SWC_MAX_PROBES * 4)

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

struct swc_watch {
	struct switch_bpf *skel;
	struct swc_ringread *rb;
	struct bpf_link *links[6];
	/* attached only when asked for (lean: while counting): every syscall and wake-up pays */
	struct bpf_link *sys_enter, *wakeup, *wakeup_new;
	struct bpf_link *flush_rows;	/* the iterator that writes live tasks' rows */
	struct swc_watchset set;	/* mmap'ed here, operated on by watchset.c */
	size_t watched_len;		/* bytes of each of set.watched and set.gone */
	int nlinks;
	bool lean;			/* timed passes: count and classify only */
	struct bpf_link *user_links[MAX_USER_LINKS];
	int nuser_links;
	int ncpus;
	__u32 flush_gen;		/* the last flush asked of the staged records */
	__u64 *unsent;			/* per CPU: staged records a flush could not reach */
	struct swc_watch_opts opts;
};

static bool verbose;
/* the full route's first load, which an older kernel may refuse before the fallbacks load:
 * its warnings are expected, and shown only with -v */
static bool trying;

/* libbpf's warnings always (the cause behind our own one-line message), its debug lines
 * with -v, and so the verifier's log: libbpf prints a refused program's log as a warning, one
 * message from BEGIN to END, up to thousands of lines that our message says -v shows */
__attribute__((format(printf, 2, 0)))
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if ((level == LIBBPF_DEBUG || trying || strstr(fmt, "-- BEGIN PROG LOAD LOG --")) &&
	    !verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static bool has_cap(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[cap / 32].effective & (1U << (cap % 32));
}

int swc_bpf_preflight(const char *command)
{
	bool run = !strcmp(command, "run");

	/* only run has --no-bpf: trace and lab are eBPF or nothing */
	if (!(has_cap(CAP_SYS_ADMIN) || (has_cap(CAP_BPF) && has_cap(CAP_PERFMON)))) {
		fprintf(stderr, "switchcost: loading eBPF programs needs root (or CAP_BPF and "
				"CAP_PERFMON): run sudo switchcost %s%s; switchcost doctor says what "
				"this machine lacks\n", command,
			run ? " (or switchcost run --no-bpf, which needs neither)" : "");
		return -1;
	}
	if (access(BTF_PATH, R_OK)) {
		fprintf(stderr, "switchcost: no kernel BTF at %s: this kernel was built without "
				"CONFIG_DEBUG_INFO_BTF; use a kernel with it (see switchcost doctor)\n",
			BTF_PATH);
		return -1;
	}
	return 0;
}

/* Whether the kernel is in confidentiality lockdown, which refuses BPF reads of kernel memory. */
static bool locked_down(void)
{
	char buf[128] = "";
	FILE *f = fopen("/sys/kernel/security/lockdown", "r");

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strstr(buf, "[confidentiality]") != NULL;
}

/* The BPF ring buffer (always created) came in Linux 5.8; what came later has a fallback. */
static bool kernel_too_old(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major < 5 || (major == 5 && minor < 8);
}

static void explain_load_failure(int err)
{
	if (kernel_too_old())
		fprintf(stderr, "switchcost: loading eBPF programs: %s: this kernel is older than "
				"Linux 5.8, which switchcost's programs need (see switchcost doctor)\n",
			strerror(err));
	else if (err == EPERM && locked_down())
		fprintf(stderr, "switchcost: loading eBPF programs: %s: the kernel is locked down "
				"(confidentiality; Secure Boot?): turn lockdown off (see switchcost doctor)\n",
			strerror(err));
	else if (err == EPERM)
		fprintf(stderr, "switchcost: loading eBPF programs: %s: run as root "
				"(sudo switchcost); switchcost doctor says what is missing\n", strerror(err));
	else if (err == EACCES)
		fprintf(stderr, "switchcost: the kernel's verifier refused a BPF program (%s): "
				"run with -v for its log, and report it\n", strerror(err));
	else
		fprintf(stderr, "switchcost: loading eBPF programs: %s (run with -v for the "
				"verifier's log)\n", strerror(err));
}

/* One byte per possible tgid in the watch set. */
static unsigned long pid_max(void)
{
	unsigned long n = 4194304;	/* PID_MAX_LIMIT on 64-bit */
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");

	if (f) {
		if (fscanf(f, "%lu", &n) != 1 || n == 0 || n > 4194304)
			n = 4194304;
		fclose(f);
	}
	return n;
}

/* The inode of our pid namespace, 0 in the initial one: BPF then gives us pids as it names
 * them (switchcost's own to adopt its forks, the rows', the exited-process marks). */
static __u32 own_pidns_inum(void)
{
	struct stat st;

	if (swc_in_initial_pidns() || stat("/proc/self/ns/pid", &st))
		return 0;
	return (__u32)st.st_ino;
}

/* Entries of the tid-keyed hot state: tasks of the watched groups alive at once (LRU beyond). */
#define HOT_BY_TID_ENTRIES	65536

/*
 * What this kernel lacks (feature_probe.c, or SWITCHCOST_DISABLE) takes the older route: without
 * task storage in tracing programs (< 5.11) the per-task times live in an LRU hash keyed by tid
 * and the syscall counter reads its task through helpers; without uprobes with an attach cookie
 * (< 5.15) the coroutine counting pass and trace --uprobe are not measured, but everything else
 * loads.
 */
static void take_fallbacks(struct switch_bpf *skel)
{
	int err;

	if (swc_feature_probe(SWC_FEAT_TASK_STORAGE)) {
		skel->rodata->targ_hot_by_tid = true;
		/* bpf_get_current_task_btf() came in 5.11 too */
		bpf_program__set_autoload(skel->progs.on_sys_enter, false);
		bpf_program__set_autoload(skel->progs.on_sys_enter_by_helpers, true);
		bpf_map__set_type(skel->maps.hot_state, BPF_MAP_TYPE_LRU_HASH);
		bpf_map__set_map_flags(skel->maps.hot_state, 0);
		bpf_map__set_max_entries(skel->maps.hot_state, HOT_BY_TID_ENTRIES);
	}
	/* refused at attach (no CAP_SYS_ADMIN) still loads; a helper the kernel lacks does not */
	err = swc_feature_probe(SWC_FEAT_UPROBE);
	if (swc_uprobe_needs_newer_kernel(err)) {
		bpf_program__set_autoload(skel->progs.on_user_switch, false);
		bpf_program__set_autoload(skel->progs.on_user_switch_usdt, false);
	}
}

/*
 * switch.bpf.c built without atomic fetch-and-add (switch_nofetch.bpf.o, for Linux < 5.12),
 * opened as switch.skel.h's type: the same source, so the same maps, programs and variables,
 * which libbpf finds by name (the assertions below hold their layouts equal).
 */
_Static_assert(sizeof(struct switch_bpf) == sizeof(struct switch_nofetch_bpf) &&
	       sizeof(struct switch_bpf__rodata) == sizeof(struct switch_nofetch_bpf__rodata) &&
	       sizeof(struct switch_bpf__data) == sizeof(struct switch_nofetch_bpf__data) &&
	       sizeof(struct switch_bpf__bss) == sizeof(struct switch_nofetch_bpf__bss),
	       "switch_nofetch.bpf.o is not switch.bpf.c's layout");

static struct switch_bpf *open_without_fetch(void)
{
	struct switch_bpf *skel = calloc(1, sizeof(*skel));
	int err;

	if (!skel)
		return NULL;
	err = switch_bpf__create_skeleton(skel);
	if (!err) {
		skel->skeleton->data = (void *)switch_nofetch_bpf__elf_bytes(&skel->skeleton->data_sz);
		err = bpf_object__open_skeleton(skel->skeleton, NULL);
	}
	if (err) {
		switch_bpf__destroy(skel);
		errno = -err;
		return NULL;
	}
	return skel;
}

/* Fills free_rows, where the object without atomic fetch-and-add takes its rows: all of them,
 * in order, so rows are still handed out 0, 1, 2, ... */
static int fill_free_rows(struct switch_bpf *skel)
{
	int fd = bpf_map__fd(skel->maps.free_rows);
	__u32 rows = bpf_map__max_entries(skel->maps.tasks);

	for (__u32 row = 0; row < rows; row++)
		if (bpf_map_update_elem(fd, NULL, &row, BPF_ANY))
			return errno;
	return 0;
}

/*
 * Moves this thread onto each CPU in turn, then back: a switch on every CPU it reaches (with
 * switch_there, a sleep makes one on the CPU it already ran on). reached[c] (may be NULL) says
 * which; returns how many, or -errno.
 */
static int visit_each_cpu(int ncpus, bool switch_there, bool *reached)
{
	struct timespec tick = { 0, 1000 };
	cpu_set_t saved, one;
	int n = 0;

	if (sched_getaffinity(0, sizeof(saved), &saved))
		return -errno;
	for (int c = 0; c < ncpus && c < CPU_SETSIZE; c++) {
		int was = sched_getcpu();
		bool ok;

		CPU_ZERO(&one);
		CPU_SET(c, &one);
		ok = !sched_setaffinity(0, sizeof(one), &one);
		if (ok && switch_there && was == c)
			nanosleep(&tick, NULL);
		if (reached)
			reached[c] = ok;
		n += ok;
	}
	sched_setaffinity(0, sizeof(saved), &saved);
	return n;
}

/* Records are batched per CPU only where a flush can reach every online CPU (a cpuset may
 * keep switchcost off some); elsewhere they go to the ring one at a time. */
static bool can_batch(void)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	int possible = libbpf_num_possible_cpus();

	return online > 0 && possible > 0 && visit_each_cpu(possible, false, NULL) >= online;
}

static struct switch_bpf *open_configured(const struct swc_watch_opts *opts, bool fallbacks,
					  int *err)
{
	/* without atomic fetch-and-add (Linux < 5.12) the other object: the kernel refuses the
	 * instruction before it verifies anything, so no setting of this one can avoid it */
	bool no_fetch = fallbacks && swc_feature_probe(SWC_FEAT_ATOMIC_FETCH);
	struct switch_bpf *skel = no_fetch ? open_without_fetch() : switch_bpf__open();

	if (!skel) {
		*err = errno;
		fprintf(stderr, "switchcost: opening the BPF object: %s\n", strerror(*err));
		return NULL;
	}
	skel->rodata->targ_self_tgid = getpid();
	skel->rodata->targ_emit = opts->emit;
	skel->rodata->targ_batch = opts->emit && can_batch();
	bpf_map__set_max_entries(skel->maps.watched, (pid_max() + 7) / 8);
	bpf_map__set_max_entries(skel->maps.gone, (pid_max() + 7) / 8);
	skel->rodata->targ_all_tasks = opts->all_tasks;
	if (opts->emit && opts->ringbuf_bytes)
		bpf_map__set_max_entries(skel->maps.events, opts->ringbuf_bytes);
	skel->rodata->targ_per_task = !opts->aggregate_only;
	bpf_map__set_max_entries(skel->maps.tasks, opts->aggregate_only ? 1 :
				 opts->max_tasks ? opts->max_tasks : WATCH_MAX_TASKS);
	skel->rodata->targ_every_task = opts->every_task;
	skel->rodata->targ_group_times = !opts->no_group_times;
	/* shown by run and lab, and by trace with --syscalls */
	skel->rodata->targ_count_wakeups = opts->lean || opts->syscalls;
	skel->rodata->targ_stamp_wakeups = opts->lean || !opts->no_wakeup_to_run;
	/* timed throughout (watch__set_counting()'s timing), no records, watched tasks only */
	skel->rodata->targ_plain_timed = !opts->lean && !opts->counts_only && !opts->emit &&
					 !opts->all_tasks;
	skel->rodata->targ_counts_only = opts->every_task && opts->counts_only && !opts->emit &&
					 !opts->filter_tid && !opts->filter_comm &&
					 !opts->filter_cgroup;
	skel->rodata->filter_tid = opts->filter_tid;
	if (opts->filter_comm) {
		skel->rodata->filter_comm = true;
		/* as the kernel keeps it: 15 bytes and NUL padding */
		strncpy((char *)skel->rodata->targ_comm, opts->filter_comm, SWC_COMM_LEN - 1);
	}
	skel->rodata->filter_cgroup = opts->filter_cgroup;
	skel->rodata->targ_cgroup_id = opts->cgroup_id;
	skel->rodata->targ_cgroup_level = opts->cgroup_level;
	skel->rodata->targ_pidns_inum = own_pidns_inum();
	bpf_program__set_autoload(skel->progs.on_sys_enter_by_helpers, false);
	if (no_fetch)
		bpf_map__set_max_entries(skel->maps.free_rows, bpf_map__max_entries(skel->maps.tasks));
	else
		bpf_map__set_autocreate(skel->maps.free_rows, false);
	if (fallbacks)
		take_fallbacks(skel);
	/* totals in the hot state: task storage only, and no filter (switch.bpf.c) */
	skel->rodata->targ_hot_totals = skel->rodata->targ_plain_timed && !opts->aggregate_only &&
					!skel->rodata->targ_hot_by_tid && !opts->filter_tid &&
					!opts->filter_comm && !opts->filter_cgroup;
	bpf_program__set_autoload(skel->progs.flush_rows, skel->rodata->targ_hot_totals);
	*err = switch_bpf__load(skel);
	if (!*err && no_fetch)
		*err = -fill_free_rows(skel);
	if (*err) {
		*err = -*err;
		switch_bpf__destroy(skel);
		return NULL;
	}
	if (verbose && no_fetch)
		fprintf(stderr, "switchcost: no BPF atomic fetch-and-add here (Linux < 5.12): "
				"per-task rows are handed out from a queue\n");
	return skel;
}

/*
 * The full route first: each feature probe is a BPF object of its own, and each object parses
 * the kernel's BTF again (about 100 ms each on a small VM), so probing up front tripled the time
 * from start to attached. Only a refused load asks what the kernel lacks, and tries again.
 */
static struct switch_bpf *open_and_load(const struct swc_watch_opts *opts, int *err)
{
	const char *knob = getenv("SWITCHCOST_DISABLE");
	struct switch_bpf *skel;

	if (knob && *knob) {
		fprintf(stderr, "switchcost: SWITCHCOST_DISABLE=%s: taking the route for a kernel "
				"without it (a test knob)\n", knob);
		return open_configured(opts, true, err);
	}
	trying = true;
	skel = open_configured(opts, false, err);
	trying = false;
	if (skel || *err == EPERM)
		return skel;
	if (verbose)
		fprintf(stderr, "switchcost: the full route did not load (%s): probing what this "
				"kernel lacks, and loading again\n", strerror(*err));
	return open_configured(opts, true, err);
}

static int attach_one(struct swc_watch *w, struct bpf_program *prog)
{
	struct bpf_link *link;
	int err;

	link = bpf_program__attach(prog);
	if (!link) {
		err = errno;
		fprintf(stderr, "switchcost: attaching %s: %s%s\n", bpf_program__name(prog),
			strerror(err), err == EPERM ? ": run as root (sudo switchcost)" : "");
		return -err;
	}
	w->links[w->nlinks++] = link;
	return 0;
}

/* A ring entry: one record, or a CPU's batch of them back to back (swc_rec_batch). */
static int handle_rec(void *ctx, void *data, size_t size)
{
	struct swc_watch *w = ctx;
	const struct swc_switch_rec *rec = data;
	int err = 0;

	if (!w->opts.on_record)
		return 0;
	for (size_t i = 0; i < size / sizeof(*rec) && !err; i++)
		err = w->opts.on_record(w->opts.ctx, &rec[i]);
	return err;
}

struct swc_watch *watch__open(const struct swc_watch_opts *opts)
{
	struct swc_watch *w;
	int err = 0;

	verbose = opts->verbose;
	libbpf_set_print(libbpf_print);
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->opts = *opts;
	w->ncpus = libbpf_num_possible_cpus();
	if (w->ncpus <= 0) {
		fprintf(stderr, "switchcost: counting possible CPUs: %s\n", strerror(-w->ncpus));
		goto fail;
	}
	w->unsent = calloc(w->ncpus, sizeof(*w->unsent));
	if (!w->unsent)
		goto fail;
	w->skel = open_and_load(opts, &err);
	if (!w->skel) {
		explain_load_failure(err);
		goto fail;
	}
	w->watched_len = bpf_map__max_entries(w->skel->maps.watched) * sizeof(__u64);
	w->set.nwords = w->watched_len / sizeof(__u64);
	w->set.adopt_group = &w->skel->bss->adopt_group;
	w->set.watched = mmap(NULL, w->watched_len, PROT_READ | PROT_WRITE, MAP_SHARED,
			      bpf_map__fd(w->skel->maps.watched), 0);
	if (w->set.watched == MAP_FAILED) {
		w->set.watched = NULL;
		fprintf(stderr, "switchcost: mapping the watch set: %s\n", strerror(errno));
		goto fail;
	}
	w->set.gone = mmap(NULL, w->watched_len, PROT_READ | PROT_WRITE, MAP_SHARED,
			   bpf_map__fd(w->skel->maps.gone), 0);
	if (w->set.gone == MAP_FAILED) {
		w->set.gone = NULL;
		fprintf(stderr, "switchcost: mapping the exited-process marks: %s\n",
			strerror(errno));
		goto fail;
	}
	/* fork first, so no child of a watched process slips through while the rest attach */
	if (attach_one(w, w->skel->progs.on_fork) || attach_one(w, w->skel->progs.on_exec) ||
	    attach_one(w, w->skel->progs.on_switch))
		goto fail;
	w->lean = opts->lean;
	if (watch__set_counting(w, !w->lean))
		goto fail;
	swc_self_attached();
	if (opts->emit) {
		w->rb = ringread__open(bpf_map__fd(w->skel->maps.events), handle_rec, w);
		if (!w->rb) {
			fprintf(stderr, "switchcost: opening the ring buffer: %s\n",
				strerror(errno));
			goto fail;
		}
	}
	return w;
fail:
	watch__close(w);
	return NULL;
}

static struct bpf_link *attach_quiet(struct bpf_program *prog, const char *what)
{
	struct bpf_link *link = bpf_program__attach(prog);

	if (!link)
		fprintf(stderr, "switchcost: attaching the %s: %s\n", what, strerror(errno));
	return link;
}

/* The syscall counter take_fallbacks() left to load */
static struct bpf_program *sys_enter_prog(struct switch_bpf *skel)
{
	return bpf_program__autoload(skel->progs.on_sys_enter) ? skel->progs.on_sys_enter :
								   skel->progs.on_sys_enter_by_helpers;
}

int watch__set_counting(struct swc_watch *w, bool on)
{
	/* run's timed pass (lean) measures no latencies even with switch records: the clock
	 * reads, the task storage and the wake-up hooks cost its switches ~80 ns more than the
	 * records do (so its records carry none; the counting pass's do). Not lean (trace, lab),
	 * records carry them. */
	bool timing = w->lean ? on : !w->opts.counts_only || w->opts.emit;
	/* the two hooks every syscall and wake-up on the machine pays for */
	bool extras = w->lean ? on : w->opts.syscalls;
	/* wake-ups stamped for the wake-up to run delay: timed, and asked for (trace --latency) */
	bool stamped = timing && (w->lean || !w->opts.no_wakeup_to_run);

	w->skel->data->latency_on = timing;
	/* the wake-up hooks count wake-ups (extras) and stamp them (stamped) */
	if (!extras && !stamped) {
		bpf_link__destroy(w->wakeup);
		bpf_link__destroy(w->wakeup_new);
		w->wakeup = w->wakeup_new = NULL;
	} else if ((!w->wakeup && !(w->wakeup = attach_quiet(w->skel->progs.on_wakeup,
							     "wake-up counter"))) ||
		   (!w->wakeup_new && !(w->wakeup_new = attach_quiet(w->skel->progs.on_wakeup_new,
								     "wake-up counter")))) {
		return -ENOENT;
	}
	if (!extras) {
		bpf_link__destroy(w->sys_enter);
		w->sys_enter = NULL;
	} else if (!w->sys_enter && !(w->sys_enter = attach_quiet(sys_enter_prog(w->skel),
								  "syscall counter"))) {
		return -ENOENT;
	}
	return 0;
}

void watch__detach_user(struct swc_watch *w)
{
	if (!w)
		return;
	while (w->nuser_links > 0)
		bpf_link__destroy(w->user_links[--w->nuser_links]);
}

void watch__close(struct swc_watch *w)
{
	if (!w)
		return;
	ringread__close(w->rb);
	watch__detach_user(w);
	bpf_link__destroy(w->sys_enter);
	bpf_link__destroy(w->wakeup);
	bpf_link__destroy(w->wakeup_new);
	bpf_link__destroy(w->flush_rows);
	if (w->set.watched)
		munmap(w->set.watched, w->watched_len);
	if (w->set.gone)
		munmap(w->set.gone, w->watched_len);
	while (w->nlinks > 0)
		bpf_link__destroy(w->links[--w->nlinks]);
	switch_bpf__destroy(w->skel);
	free(w->unsent);
	free(w);
}

static int add_user_link(struct swc_watch *w, struct bpf_link *link, const char *what)
{
	int err;

	if (!link) {
		err = errno;
		fprintf(stderr, "switchcost: attaching %s: %s\n", what, strerror(err));
		return -err;
	}
	if (w->nuser_links == MAX_USER_LINKS) {
		bpf_link__destroy(link);
		fprintf(stderr, "switchcost: attaching %s: too many probes\n", what);
		return -E2BIG;
	}
	w->user_links[w->nuser_links++] = link;
	return 0;
}

int watch__attach_uprobe(struct swc_watch *w, const char *binary, const char *symbol, pid_t pid,
			 int index)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = symbol, .bpf_cookie = index);
	char what[512];

	snprintf(what, sizeof(what), "uprobe %s:%s", binary, symbol);
	return add_user_link(w, bpf_program__attach_uprobe_opts(w->skel->progs.on_user_switch,
								 pid, binary, 0, &uo), what);
}

int watch__attach_uprobe_offset(struct swc_watch *w, const char *binary, unsigned long offset,
				pid_t pid, int index)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .bpf_cookie = index);
	char what[512];

	snprintf(what, sizeof(what), "uprobe %s:%#lx", binary, offset);
	return add_user_link(w, bpf_program__attach_uprobe_opts(w->skel->progs.on_user_switch,
								 pid, binary, offset, &uo), what);
}

int watch__attach_usdt(struct swc_watch *w, const char *binary, const char *provider,
		       const char *name, pid_t pid, int index)
{
	LIBBPF_OPTS(bpf_usdt_opts, uo, .usdt_cookie = index);
	char what[512];

	snprintf(what, sizeof(what), "USDT %s:%s:%s", binary, provider, name);
	return add_user_link(w, bpf_program__attach_usdt(w->skel->progs.on_user_switch_usdt, pid,
							 binary, provider, name, &uo), what);
}

int watch__watched_fd(struct swc_watch *w)
{
	return bpf_map__fd(w->skel->maps.watched);
}

int swc_sum_percpu(int map_fd, int ncpus, __u32 key, void *out, size_t size)
{
	size_t nwords = size / sizeof(__u64);
	__u64 *dst = out, *percpu;
	int err = 0;

	percpu = calloc(ncpus, size);
	if (!percpu)
		return -ENOMEM;
	if (bpf_map_lookup_elem(map_fd, &key, percpu)) {
		err = -errno;
		goto out;
	}
	memset(out, 0, size);
	for (int cpu = 0; cpu < ncpus; cpu++)
		for (size_t i = 0; i < nwords; i++)
			dst[i] += percpu[cpu * nwords + i];
out:
	free(percpu);
	return err;
}

static int sum_percpu(struct swc_watch *w, struct bpf_map *map, __u32 key, void *out,
		      size_t size)
{
	return swc_sum_percpu(bpf_map__fd(map), w->ncpus, key, out, size);
}

int watch__group_stats(struct swc_watch *w, __u32 group, struct swc_group_stats *out)
{
	return sum_percpu(w, w->skel->maps.stats, group, out, sizeof(*out));
}

int watch__counters(struct swc_watch *w, struct swc_counters *out)
{
	int err = sum_percpu(w, w->skel->maps.counters, 0, out, sizeof(*out));

	/* staged records no flush could send are as lost as those the full ring refused */
	for (int c = 0; !err && c < w->ncpus; c++)
		out->events_dropped += w->unsent[c];
	return err;
}

int watch__flush_records(struct swc_watch *w)
{
	struct swc_rec_batch *b;
	bool *reached;
	__u32 zero = 0;
	int err = 0;

	if (!w || !w->rb || !w->skel->rodata->targ_batch)
		return 0;
	b = calloc(w->ncpus, sizeof(*b));
	reached = calloc(w->ncpus, sizeof(*reached));
	if (!b || !reached) {
		err = -ENOMEM;
		goto out;
	}
	/* 0 means "none asked": skip it when the counter wraps */
	if (!++w->flush_gen)
		++w->flush_gen;
	__atomic_store_n(&w->skel->bss->flush_gen, w->flush_gen, __ATOMIC_RELEASE);
	/* again when a CPU we reached did not answer (a signal cut our sleep there short) */
	for (int round = 0, missing = 1; missing && round < 3; round++) {
		err = visit_each_cpu(w->ncpus, true, reached);
		if (err < 0)
			break;
		err = 0;
		if (bpf_map_lookup_elem(bpf_map__fd(w->skel->maps.staging), &zero, b)) {
			err = -errno;
			break;
		}
		missing = 0;
		for (int c = 0; c < w->ncpus; c++)
			missing += reached[c] && b[c].flush_gen != w->flush_gen;
	}
	__atomic_store_n(&w->skel->bss->flush_gen, 0, __ATOMIC_RELEASE);
	/* a CPU that did not answer (offline, or out of reach) keeps its records */
	for (int c = 0; !err && c < w->ncpus; c++)
		w->unsent[c] = b[c].flush_gen == w->flush_gen ? 0 : b[c].n;
out:
	free(reached);
	free(b);
	return err;
}

__u32 watch__tasks_capacity(struct swc_watch *w)
{
	return bpf_map__max_entries(w->skel->maps.tasks);
}

/* Live tasks' totals, kept in their hot state (targ_hot_totals), to their rows: one run of
 * the flush_rows iterator. */
static int flush_task_rows(struct swc_watch *w)
{
	char buf[64];
	ssize_t n;
	int fd;

	if (!w->skel->rodata->targ_hot_totals)
		return 0;
	if (!w->flush_rows &&
	    !(w->flush_rows = bpf_program__attach_iter(w->skel->progs.flush_rows, NULL)))
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(w->flush_rows));
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

int watch__for_each_task(struct swc_watch *w,
			 int (*fn)(void *ctx, __u32 tid, const struct swc_task *t), void *ctx)
{
	int fd = bpf_map__fd(w->skel->maps.tasks);
	__u32 used, cap = watch__tasks_capacity(w);
	struct swc_task t;
	int ret;

	if (w->opts.aggregate_only)
		return 0;
	ret = flush_task_rows(w);
	if (ret) {
		fprintf(stderr, "switchcost: copying live tasks' totals to their rows: %s\n",
			strerror(-ret));
		return ret;
	}
	used = w->skel->bss->tasks_used;
	/* rows are handed out in order and never taken back: 0 .. used - 1 */
	for (__u32 row = 0; row < used && row < cap; row++) {
		if (bpf_map_lookup_elem(fd, &row, &t))
			return -errno;
		if (!t.tid)
			continue;	/* handed out a moment ago, not filled in yet */
		ret = fn(ctx, t.tid, &t);
		if (ret)
			return ret;
	}
	return 0;
}

struct swc_watchset *watch__set(struct swc_watch *w)
{
	return &w->set;
}

int watch__epoll_fd(struct swc_watch *w)
{
	if (!w || !w->rb)
		return -1;
	return ringread__epoll_fd(w->rb);
}

/*
 * Draining until empty may never end: a producer as fast as the consumer keeps it looping.
 * This hands out at most max records, so a caller can look at its other duties (a result
 * pipe, a stop request).
 */
int watch__consume_some(struct swc_watch *w, long max)
{
	if (!w || !w->rb)
		return 0;
	return ringread__consume(w->rb, max);
}
