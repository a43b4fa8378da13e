// SPDX-License-Identifier: GPL-2.0-only
/* Measuring one workload: a timed pass and an untimed counting pass (see measure.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "clock.h"
#include "feature_probe.h"
#include "json.h"
#include "measure.h"
#include "validity.h"
#include "watch.h"

struct counting {
	struct swc_watch *w;
	enum swc_workload_id id;
};

/* The counting pass's probes, on while its runner runs, for that runner only. */
static int counting_arm(void *ctx, pid_t pid)
{
	struct counting *c = ctx;
	int err = watch__set_counting(c->w, true);

	if (!err && c->id == SWC_WL_COROUTINE)
		err = watch__attach_uprobe(c->w, "/proc/self/exe", "swc_coro_switch", pid, 0);
	return err;
}

static void counting_disarm(void *ctx)
{
	struct counting *c = ctx;

	watch__detach_user(c->w);
	watch__set_counting(c->w, false);
}

long long swc_measure_outside_switches(const struct swc_measurement *m)
{
	return m->have_bpf ? swc_outside_switches(&m->gs) : -1;
}

static void judge(struct swc_measurement *m, int ncpus)
{
	const struct rusage *ru = &m->rr.ru;
	struct swc_validity_in in = {
		.min_ns = m->per_switch.min,
		.max_ns = m->per_switch.max,
		.wall_ns = m->wall_ns,
		.cpu_ns = (ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1e9 +
			  (ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) * 1e3,
		.one_cpu = ncpus == 1,
		.outside_switches = swc_measure_outside_switches(m),
		.switches = m->have_bpf ? (long long)swc_group_switches(&m->gs) : -1,
		.steal_ns = m->steal_ns,
	};

	swc_validity_judge(&in, &m->val);
}

int swc_measure(struct swc_watch *w, const struct swc_workload_cfg *timed, const int *cpus,
		int ncpus, struct swc_measurement *m)
{
	struct swc_workload_cfg cfg = *timed;
	struct counting counting = { w, m->id };
	const struct swc_runner_arm arm = { counting_arm, counting_disarm, &counting };
	struct swc_runner_result cr;
	unsigned long long t0;
	double steal0;
	int err;

	cfg.ibpb = m->ibpb;
	t0 = swc_now_ns();
	steal0 = swc_stat_steal_ns(cpus, ncpus);
	err = swc_runner_run(w, m->group, m->id, &cfg, NULL, &m->rr);
	if (err)
		return err;
	m->wall_ns = (double)(swc_now_ns() - t0);
	m->steal_ns = swc_stat_steal_ns(cpus, ncpus) - steal0;
	m->ran = true;
	if (m->rr.ok && m->rr.res.switches) {
		for (unsigned int i = 0; i < m->rr.res.repeats; i++)
			m->per_repeat_ns[i] = m->rr.res.ns[i] / (double)m->rr.res.switches;
		swc_summarize(m->per_repeat_ns, m->rr.res.repeats, &m->per_switch);
		m->switches_made = m->rr.res.switches / cfg.round_trips *
				   (cfg.warmup + cfg.repeats * cfg.round_trips);
	}
	if (w && !watch__group_stats(w, m->group, &m->gs))
		m->have_bpf = true;
	if (m->rr.ok)
		judge(m, ncpus);

	/* Some probes cost more than what they would time: a uprobe hit costs microseconds, a
	 * thousand times a coroutine switch, and a sys_enter counter sends every syscall on the
	 * machine through the tracing slow path. So they count, in one more pass, never timed. */
	if (!w)
		return 0;
	if (m->id == SWC_WL_COROUTINE && swc_uprobe_unavailable()[0]) {
		snprintf(m->counting_skipped, sizeof(m->counting_skipped), "%s",
			 swc_uprobe_unavailable());
		return 0;	/* degrade, don't die: the timed row stands on its own */
	}
	cfg.repeats = 1;
	cfg.warmup = 0;
	if (m->pmu_wanted) {
		cfg.pmu = &m->pmu;
		cfg.pmu_kind = m->pmu_kind;
	}
	err = swc_runner_run(w, m->counting_group, m->id, &cfg, &arm, &cr);
	if (err)
		return err;
	m->pmu_counted = m->pmu_wanted && cr.ok;
	m->counted = true;
	m->counting_ok = cr.ok;
	m->counting_made = cr.ok ? cr.res.switches : 0;
	/* counts that cannot be read are not measured: no zeros in their place */
	if (watch__group_stats(w, m->counting_group, &m->cs))
		m->counting_ok = false;
	return 0;
}

bool swc_measure_failed(const struct swc_measurement *m)
{
	return (!m->rr.ok && !m->unavailable) || (m->counted && !m->counting_ok);
}

const struct swc_measurement *swc_measure_find_variant(const struct swc_measurement *rows,
						       int n, enum swc_workload_id id, bool ibpb)
{
	for (int i = 0; i < n; i++)
		if (rows[i].id == id && rows[i].ibpb == ibpb && rows[i].rr.ok)
			return &rows[i];
	return NULL;
}

const struct swc_measurement *swc_measure_find(const struct swc_measurement *rows, int n,
					       enum swc_workload_id id)
{
	return swc_measure_find_variant(rows, n, id, false);
}

const char *swc_measure_row_name(const struct swc_measurement *m)
{
	if (!m->ibpb)
		return swc_workload_name(m->id);
	return m->id == SWC_WL_PROCESS ? "process+ibpb" : "thread+ibpb";
}

double swc_measure_ratio(const struct swc_measurement *a, const struct swc_measurement *b)
{
	if (!a || !b || !a->rr.ok || !(b->per_switch.median > 0))
		return NAN;
	return a->per_switch.median / b->per_switch.median;
}

double swc_measure_per_made(const struct swc_measurement *m, __u64 v)
{
	return m->switches_made ? (double)v / m->switches_made : NAN;
}

double swc_measure_syscalls_per_switch(const struct swc_measurement *m)
{
	return m->counted && m->counting_ok && m->counting_made ?
	       (double)m->cs.syscalls / m->counting_made : NAN;
}

const struct swc_group_stats *swc_measure_latency_stats(const struct swc_measurement *m)
{
	return m->counted ? &m->cs : &m->gs;
}

void swc_counting_pass_json(struct swc_json *j, const struct swc_measurement *m)
{
	if (m->counted) {
		jw_obj_begin(j, "counting_pass");
		jw_bool(j, "ok", m->counting_ok);
		jw_u64(j, "switches_made", m->counting_made);
		jw_u64(j, "uprobe_hits", m->cs.user_switches);
		jw_u64(j, "syscalls", m->cs.syscalls);
		jw_double(j, "syscalls_per_switch", swc_measure_syscalls_per_switch(m));
		jw_u64(j, "kernel_switches", m->cs.switches_out);
		jw_obj_end(j);
	} else if (m->counting_skipped[0]) {
		jw_obj_begin(j, "counting_pass");
		jw_str(j, "not_measured", m->counting_skipped);
		jw_obj_end(j);
	}
}
