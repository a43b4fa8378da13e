// SPDX-License-Identifier: GPL-2.0-only
/*
 * switchcost lab parallel: concurrency vs parallelism. The same CPU-bound work in 2 threads
 * and in 2 processes, first pinned to one CPU (they can only take turns: the scheduler
 * preempts them, involuntary switches), then one per CPU (they run at once, and almost never
 * switch). Wall time, CPU time (rusage) and switches (eBPF and the kernel's own counters) side by side.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "clock.h"
#include "fmt.h"
#include "json.h"
#include "lab.h"
#include "report.h"
#include "sysinfo.h"
#include "watch.h"

#define NWORKERS LAB_PARALLEL_WORKERS

struct worker {
	__u64 start_ns, end_ns, cpu_ns;
	__s32 cpu_start, cpu_end;
	__s32 tgid, _pad;
	__u64 sink;
};

struct par_shared {
	unsigned long iterations;
	bool processes;
	int cpus[NWORKERS];
	__u64 t0_ns, end_ns;
	struct worker w[NWORKERS];
	__u32 ok;
};

struct par_row {
	bool processes, spread;
	int cpus[NWORKERS];
	struct par_shared s;
	struct lab_capture cap;
	struct swc_group_stats gs;
	bool ok, have_gs;
	__u64 sibling_preempt;	/* involuntary switches from one of our tasks to another */
	struct swc_validity val;
};

static struct par_shared *psh;

static __u64 thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Pure CPU work: a dependent multiply-add chain, no memory traffic, no syscalls. */
static void work(struct worker *w, int cpu, unsigned long n)
{
	cpu_set_t set;
	__u64 x = 1, c0;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	w->tgid = getpid();
	w->cpu_start = sched_getcpu();
	w->start_ns = swc_now_ns();
	c0 = thread_cpu_ns();
	for (unsigned long i = 0; i < n; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	w->sink = x;	/* keeps the loop from being optimised away */
	w->cpu_ns = thread_cpu_ns() - c0;
	w->end_ns = swc_now_ns();
	w->cpu_end = sched_getcpu();
}

static void *worker_thread(void *arg)
{
	int i = (int)(long)arg;

	pthread_setname_np(pthread_self(), i ? "worker2" : "worker1");
	work(&psh->w[i], psh->cpus[i], psh->iterations);
	return NULL;
}

static int par_main(void *arg)
{
	pthread_t th[NWORKERS];
	pid_t pid[NWORKERS], self = getpid();
	int status, bad = 0;

	(void)arg;
	prctl(PR_SET_NAME, "main", 0, 0, 0);
	psh->t0_ns = swc_now_ns();
	for (int i = 0; i < NWORKERS; i++) {
		if (!psh->processes) {
			if (pthread_create(&th[i], NULL, worker_thread, (void *)(long)i))
				return 1;
			continue;
		}
		pid[i] = fork();	/* BPF puts it in our group: the fork of a watched process */
		if (pid[i] < 0)
			return 1;
		if (pid[i] == 0) {
			/* up to MAX_ITERATIONS of work: never outlive the lab's child (which dies
			 * with switchcost), even if it was gone before the prctl */
			prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
			if (getppid() != self)
				_exit(1);
			prctl(PR_SET_NAME, i ? "worker2" : "worker1", 0, 0, 0);
			work(&psh->w[i], psh->cpus[i], psh->iterations);
			_exit(0);
		}
	}
	for (int i = 0; i < NWORKERS; i++) {
		if (!psh->processes)
			pthread_join(th[i], NULL);
		else if (waitpid(pid[i], &status, 0) != pid[i] || !WIFEXITED(status) ||
			 WEXITSTATUS(status))
			bad = 1;
	}
	psh->end_ns = swc_now_ns();
	psh->ok = !bad;
	return bad;
}

static bool ours(const struct par_row *r, __u32 tgid)
{
	if (tgid == (__u32)r->cap.pid)
		return true;
	for (int i = 0; i < NWORKERS; i++)
		if (r->s.w[i].tgid && tgid == (__u32)r->s.w[i].tgid)
			return true;
	return false;
}

/*
 * The machine is shared: other tasks preempt our workers too, wherever they run. What only
 * sharing a CPU causes is one worker preempted for the other, both sides of a switch ours.
 */
static void count_sibling_preemption(struct par_row *r)
{
	for (size_t i = 0; i < r->cap.nrecs; i++) {
		const struct swc_switch_rec *rec = &r->cap.recs[i];

		if (rec->kind == SWC_KIND_COROUTINE || !rec->prev_tid || !rec->next_tid)
			continue;
		if (swc_is_voluntary(rec->preempt, rec->prev_state))
			continue;
		if (ours(r, rec->prev_tgid) && ours(r, rec->next_tgid))
			r->sibling_preempt++;
	}
}

static int run_row(struct lab *lab, struct par_row *row)
{
	int err;

	psh = lab_shared_alloc(sizeof(*psh));
	if (!psh)
		return -ENOMEM;
	psh->iterations = lab->env.iterations;
	psh->processes = row->processes;
	memcpy(psh->cpus, row->cpus, sizeof(psh->cpus));
	err = lab_run_child(lab, row->processes ? "2 processes" : "2 threads", par_main, NULL,
			    &row->cap);
	row->s = *psh;
	lab_shared_free(psh, sizeof(*psh));
	psh = NULL;
	count_sibling_preemption(row);
	if (!err)
		lab_judge(lab, &row->cap, &row->val);
	lab_capture_free(&row->cap);
	if (err)
		return err;
	row->ok = WIFEXITED(row->cap.status) && WEXITSTATUS(row->cap.status) == 0 && row->s.ok;
	row->have_gs = !watch__group_stats(lab->w, row->cap.group, &row->gs);
	return 0;
}

static double wall_ns(const struct par_row *r)
{
	return (double)(r->s.end_ns - r->s.t0_ns);
}

static double cpu_ns(const struct par_row *r)
{
	return (double)(swc_timeval_ns(&r->cap.ru.ru_utime) + swc_timeval_ns(&r->cap.ru.ru_stime));
}

static const char *what(const struct par_row *r)
{
	return r->processes ? "2 processes" : "2 threads";
}

static void placement(const struct par_row *r, char *buf, size_t len)
{
	if (r->spread)
		snprintf(buf, len, "CPUs %d and %d", r->cpus[0], r->cpus[1]);
	else
		snprintf(buf, len, "both on CPU %d", r->cpus[0]);
}

static void print_human(struct lab *lab, struct par_row *rows, int n, int ncpus)
{
	static const char *const headers[] = {
		"workers", "placement", "wall", "CPU time", "CPU/wall", "involuntary",
		"... by the other worker", "voluntary", "kernel ctr invol.",
	};
	static const enum swc_align aligns[] = {
		SWC_LEFT, SWC_LEFT, SWC_RIGHT, SWC_RIGHT, SWC_RIGHT, SWC_RIGHT, SWC_RIGHT,
		SWC_RIGHT, SWC_RIGHT,
	};
	char c[9][48], a[32], b[32];
	const char *cells[9];
	struct swc_table *t = swc_table__new(9, headers, aligns);

	swc_sysinfo_print(&lab->si, stdout);
	printf("# %s iterations of CPU work per worker (--iterations); switches from eBPF on "
	       "sched_switch, whole life of each run\n\n",
	       swc_fmt_count(lab->env.iterations, a, sizeof(a)));
	if (!t)
		return;
	for (int i = 0; i < n; i++) {
		const struct par_row *r = &rows[i];

		for (int k = 0; k < 9; k++)
			cells[k] = c[k];
		snprintf(c[0], sizeof(c[0]), "%s%s", what(r), r->val.valid ? "" : " !");
		placement(r, c[1], sizeof(c[1]));
		if (!r->ok) {
			snprintf(c[2], sizeof(c[2]), "failed");
			for (int k = 3; k < 9; k++)
				cells[k] = NULL;
			swc_table__add_row(t, cells);
			continue;
		}
		swc_fmt_ns(wall_ns(r), c[2], sizeof(c[2]));
		swc_fmt_ns(cpu_ns(r), c[3], sizeof(c[3]));
		snprintf(c[4], sizeof(c[4]), "%.2f", cpu_ns(r) / wall_ns(r));
		if (r->have_gs) {
			swc_fmt_count(r->gs.involuntary, c[5], sizeof(c[5]));
			swc_fmt_count(r->gs.voluntary, c[7], sizeof(c[7]));
		} else {
			cells[5] = cells[7] = NULL;
		}
		swc_fmt_count(r->sibling_preempt, c[6], sizeof(c[6]));
		swc_fmt_count(r->cap.ru.ru_nivcsw, c[8], sizeof(c[8]));
		swc_table__add_row(t, cells);
	}
	swc_table__print(t, stdout);
	swc_table__free(t);
	for (int i = 0, any = 0; i < n; i++) {
		char name[64];

		snprintf(name, sizeof(name), "%s, %s", what(&rows[i]), rows[i].spread ?
			 "one per CPU" : "one CPU");
		any |= lab_print_invalid(stdout, name, &rows[i].val);
		if (any && i == n - 1)
			printf("! %s.\n", swc_validity_advice());
	}

	printf("\n");
	/* with one CPU the spread runs were skipped: each kind has its one-CPU row only */
	for (int step = ncpus >= 2 ? 2 : 1, i = 0; i + step - 1 < n; i += step) {
		const struct par_row *one = &rows[i], *all = step == 2 ? &rows[i + 1] : NULL;

		if (!one->ok || (all && !all->ok))
			continue;
		printf("%s on one CPU (concurrency: they can only take turns): wall %s for %s of "
		       "CPU (%.2f CPUs busy);\n  the scheduler preempted one worker for the other "
		       "%llu times.\n",
		       what(one), swc_fmt_ns(wall_ns(one), a, sizeof(a)),
		       swc_fmt_ns(cpu_ns(one), b, sizeof(b)), cpu_ns(one) / wall_ns(one),
		       (unsigned long long)one->sibling_preempt);
		if (!all)
			continue;
		printf("%s one per CPU (parallelism: they can run at once): wall %s for %s of CPU "
		       "(%.2f CPUs busy);\n  one worker preempted for the other %llu times.\n",
		       what(all),
		       swc_fmt_ns(wall_ns(all), a, sizeof(a)), swc_fmt_ns(cpu_ns(all), b, sizeof(b)),
		       cpu_ns(all) / wall_ns(all), (unsigned long long)all->sibling_preempt);
	}
	printf("Involuntary switches by anything else come from the rest of the machine "
	       "(other tasks, kernel threads);\na busy machine also stretches the wall times: "
	       "check `uptime` before reading CPUs busy.\n");
	if (ncpus < 2)
		printf("Only one CPU may be used here: the spread runs were skipped.\n");
	printf("\nThis is C: no GIL, so 2 threads are as parallel as 2 processes. CPython's GIL "
	       "lets one thread run Python\nbytecode at a time: put the same loop in Python "
	       "threads and run it under `sudo switchcost trace -- python3 ...`\nto see wall "
	       "time stay at the CPU time even with one thread per CPU (docs/LAB.md has the "
	       "script).\n");
}

static void print_json(FILE *f, struct lab *lab, struct par_row *rows, int n)
{
	struct swc_json j;

	lab_json_begin(lab, &j, f);
	jw_u64(&j, "iterations", lab->env.iterations);
	jw_arr_begin(&j, "runs");
	for (int i = 0; i < n; i++) {
		const struct par_row *r = &rows[i];

		jw_obj_begin(&j, NULL);
		jw_str(&j, "workers", r->processes ? "processes" : "threads");
		jw_str(&j, "placement", r->spread ? "spread" : "one_cpu");
		jw_arr_begin(&j, "cpus");
		for (int k = 0; k < NWORKERS; k++)
			jw_i64(&j, NULL, r->cpus[k]);
		jw_arr_end(&j);
		jw_bool(&j, "ok", r->ok);
		swc_validity_json(&j, &r->val);
		if (r->ok) {
			jw_u64(&j, "wall_ns", (__u64)wall_ns(r));
			jw_u64(&j, "cpu_ns", (__u64)cpu_ns(r));
			jw_double(&j, "cpu_per_wall", cpu_ns(r) / wall_ns(r));
			jw_arr_begin(&j, "worker_cpu_ns");
			for (int k = 0; k < NWORKERS; k++)
				jw_u64(&j, NULL, r->s.w[k].cpu_ns);
			jw_arr_end(&j);
		}
		if (r->have_gs) {
			jw_u64(&j, "switches", r->gs.switches_out);
			jw_u64(&j, "involuntary", r->gs.involuntary);
			jw_u64(&j, "voluntary", r->gs.voluntary);
			jw_u64(&j, "involuntary_by_sibling", r->sibling_preempt);
		}
		swc_kernel_counters_json(&j, &r->cap.ru, NULL);
		jw_obj_end(&j);
	}
	jw_arr_end(&j);
	lab_json_end(lab, &j);
}

struct json_arg {
	struct lab *lab;
	struct par_row *rows;
	int n;
};

/* lab_html()'s view of print_json */
static void json_to(FILE *f, void *arg)
{
	const struct json_arg *a = arg;

	print_json(f, a->lab, a->rows, a->n);
}

int lab_parallel(struct lab *lab)
{
	struct par_row rows[4];
	int cpus[NWORKERS], ncpus, n = 0, err = 0, rc = 0;

	ncpus = swc_allowed_cpus(cpus, NWORKERS);
	if (ncpus < 1) {
		fprintf(stderr, "switchcost: reading this process's CPU affinity: %s\n",
			strerror(errno));
		return -EINVAL;
	}
	memset(rows, 0, sizeof(rows));
	for (int p = 0; p < 2; p++) {
		for (int s = 0; s < (ncpus >= 2 ? 2 : 1); s++) {
			struct par_row *r = &rows[n++];

			r->processes = p;
			r->spread = s;
			r->cpus[0] = cpus[0];
			r->cpus[1] = s ? cpus[1] : cpus[0];
			err = run_row(lab, r);
			if (err)
				return err;
			if (!r->ok)
				rc = 1;
		}
	}
	if (lab->env.json)
		print_json(stdout, lab, rows, n);
	else
		print_human(lab, rows, n, ncpus);
	lab_html(lab, json_to, &(struct json_arg){ lab, rows, n });
	return rc;
}
