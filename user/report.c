// SPDX-License-Identifier: GPL-2.0-only
/* What the reports of run, trace and lab share. */
#include <stdio.h>
#include "commands.h"
#include "fmt.h"
#include "json.h"
#include "report.h"
#include "sysinfo.h"

void swc_report_json_begin(struct swc_json *j, FILE *f, const char *command,
			   const struct swc_sysinfo *si)
{
	swc_report_json_begin_indent(j, f, command, si, 2);
}

void swc_report_json_begin_indent(struct swc_json *j, FILE *f, const char *command,
				  const struct swc_sysinfo *si, int indent)
{
	jw_init(j, f, indent);
	jw_obj_begin(j, NULL);
	jw_str(j, "tool", "switchcost");
	jw_str(j, "version", SWC_VERSION);
	jw_str(j, "command", command);
	swc_sysinfo_json(si, j);
}

void swc_report_json_bpf(struct swc_json *j, const struct swc_counters *ctr)
{
	jw_obj_begin(j, "bpf");
	jw_u64(j, "events_dropped", ctr->events_dropped);
	jw_u64(j, "tasks_untracked", ctr->tasks_full);
	jw_u64(j, "processes_unwatched", ctr->watch_full);
	jw_obj_end(j);
}

void swc_agreement_compute(const struct swc_group_stats *gs, const struct rusage *ru,
			   struct swc_agreement *a)
{
	a->ebpf = gs->switches_out;
	a->exit_switches = gs->exit_switches;
	a->kernel = (__u64)ru->ru_nvcsw + (__u64)ru->ru_nivcsw;
	a->diff = (long long)(a->ebpf - a->exit_switches) - (long long)a->kernel;
}

void swc_agreement_print(FILE *f, const struct swc_agreement *a)
{
	char n[32];

	fprintf(f, "the kernel's own counters (wait4 nvcsw+nivcsw): %s, %s",
		swc_fmt_count(a->kernel, n, sizeof(n)), a->diff ? "DIFFER" : "agree");
	if (a->diff)
		fprintf(f, " by %+lld", a->diff);
	if (a->exit_switches)
		fprintf(f, " once the final switch of %llu exited thread(s) is set aside (the "
			   "kernel stops counting a thread's switches when it exits)",
			(unsigned long long)a->exit_switches);
}

void swc_agreement_json(struct swc_json *j, const struct swc_agreement *a)
{
	jw_u64(j, "rusage_switches", a->kernel);
	jw_i64(j, "kernel_minus_rusage", a->diff);
	jw_bool(j, "counts_agree", a->diff == 0);
}

__u64 swc_timeval_ns(const struct timeval *tv)
{
	return (__u64)tv->tv_sec * 1000000000ULL + (__u64)tv->tv_usec * 1000ULL;
}
