// SPDX-License-Identifier: GPL-2.0-only
/* perf_event_open counters on a workload's tasks (see pmu.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include "json.h"
#include "pmu.h"

#define DTLB_READ_MISS	(PERF_COUNT_HW_CACHE_DTLB | (PERF_COUNT_HW_CACHE_OP_READ << 8) | \
			 (PERF_COUNT_HW_CACHE_RESULT_MISS << 16))

static const struct {
	const char *name;
	const char *human;
	__u32 type;
	__u64 config;
} events[2][SWC_PMU_EVENTS] = {
	[SWC_PMU_HARDWARE] = {
		{ "instructions", "instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
		{ "cache_misses", "cache misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES },
		{ "dtlb_read_misses", "dTLB read misses", PERF_TYPE_HW_CACHE, DTLB_READ_MISS },
	},
	[SWC_PMU_SOFTWARE] = {
		{ "task_clock_ns", "ns on a CPU", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
		{ "context_switches", "context switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
		{ "page_faults", "page faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	},
};

const char *swc_pmu_event_name(enum swc_pmu_kind kind, int i)
{
	return events[kind][i].name;
}

static int open_event(enum swc_pmu_kind kind, int i, pid_t pid)
{
	struct perf_event_attr a;
	long fd;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = events[kind][i].type;
	a.config = events[kind][i].config;
	a.inherit = 1;		/* the partner process or thread the runner creates */
	a.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	fd = syscall(SYS_perf_event_open, &a, pid, -1, -1, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : (int)fd;
}

int swc_perf_event_paranoid(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
	int v = 99;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 99;
		fclose(f);
	}
	return v;
}

int swc_pmu_probe(enum swc_pmu_kind kind, char *why, size_t len)
{
	int fd = open_event(kind, 0, 0);

	if (fd >= 0) {
		close(fd);
		why[0] = '\0';
		return 0;
	}
	if (fd == -ENOENT || fd == -EOPNOTSUPP || fd == -ENODEV)
		snprintf(why, len, "no PMU in this VM (the CPU exposes no hardware counters: %s)",
			 strerror(-fd));
	else if (fd == -EACCES || fd == -EPERM)
		snprintf(why, len, "the PMU refuses this user (perf_event_paranoid is %d): run as "
			 "root, or allow it with sysctl kernel.perf_event_paranoid=2",
			 swc_perf_event_paranoid());
	else
		snprintf(why, len, "perf_event_open: %s", strerror(-fd));
	return fd;
}

int swc_pmu_open(struct swc_pmu *p, enum swc_pmu_kind kind, pid_t pid)
{
	int opened = 0, err = -ENOENT;

	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->opened = true;
	for (int i = 0; i < SWC_PMU_EVENTS; i++) {
		p->fd[i] = open_event(kind, i, pid);
		if (p->fd[i] >= 0)
			opened++;
		else
			err = p->fd[i];
	}
	return opened ? 0 : err;
}

unsigned long long swc_pmu_scale(unsigned long long raw, unsigned long long enabled,
				 unsigned long long running)
{
	if (!running || running >= enabled)
		return raw;
	return (unsigned long long)((double)raw * enabled / running + 0.5);
}

void swc_pmu_read_close(struct swc_pmu *p)
{
	for (int i = 0; i < SWC_PMU_EVENTS; i++) {
		__u64 v[3];	/* value, time enabled, time running */
		struct swc_pmu_count *c = &p->c[i];

		c->ok = false;
		if (!p->opened || p->fd[i] < 0)
			continue;
		if (read(p->fd[i], v, sizeof(v)) == (ssize_t)sizeof(v) && v[2]) {
			c->value = swc_pmu_scale(v[0], v[1], v[2]);
			c->enabled_ns = v[1];
			c->running_ns = v[2];
			c->ok = true;
		}
		close(p->fd[i]);
		p->fd[i] = -1;
	}
	p->opened = false;
}

void swc_pmu_close(struct swc_pmu *p)
{
	for (int i = 0; p->opened && i < SWC_PMU_EVENTS; i++) {
		if (p->fd[i] >= 0)
			close(p->fd[i]);
		p->fd[i] = -1;
	}
	p->opened = false;
}

double swc_pmu_per_switch(const struct swc_pmu_count *c, unsigned long long switches)
{
	if (!c->ok || !switches)
		return NAN;
	return (double)c->value / (double)switches;
}

void swc_pmu_print_row(FILE *f, const char *name, const struct swc_pmu *p,
		       unsigned long long switches)
{
	fprintf(f, "  %-13s", name);
	for (int i = 0; i < SWC_PMU_EVENTS; i++) {
		double v = swc_pmu_per_switch(&p->c[i], switches);

		fprintf(f, "%s", i ? ", " : "");
		if (isnan(v))
			fprintf(f, "%s not measured", events[p->kind][i].human);
		else
			fprintf(f, "%.*f %s", v < 10 ? 2 : v < 100 ? 1 : 0, v,
				events[p->kind][i].human);
	}
	fprintf(f, " per switch\n");
}

void swc_pmu_json(const struct swc_pmu *p, unsigned long long switches, struct swc_json *j)
{
	jw_obj_begin(j, "pmu");
	jw_str(j, "kind", p->kind == SWC_PMU_HARDWARE ? "hardware" : "software");
	jw_obj_begin(j, "events");
	for (int i = 0; i < SWC_PMU_EVENTS; i++) {
		jw_obj_begin(j, events[p->kind][i].name);
		if (p->c[i].ok)
			jw_u64(j, "count", p->c[i].value);
		else
			jw_null(j, "count");
		jw_double(j, "per_switch", swc_pmu_per_switch(&p->c[i], switches));
		jw_obj_end(j);
	}
	jw_obj_end(j);
	jw_obj_end(j);
}
