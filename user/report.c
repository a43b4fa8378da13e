// SPDX-License-Identifier: GPL-2.0-only
/* What the reports of run, trace and lab share. */
#include <crypt.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "commands.h"
#include "csv.h"
#include "fmt.h"
#include "json.h"
#include "report.h"
#include "selfstats.h"
#include "sysinfo.h"

static bool anonymous;

void swc_report_anonymous(bool on)
{
	anonymous = on;
}

/* started_at (RFC 3339, UTC), started_unix_ns and started_monotonic_ns: when switchcost started */
static void json_started(struct swc_json *j)
{
	struct timespec mono, real;
	char at[48];
	struct tm tm;

	swc_self_start_times(&mono, &real);
	if (gmtime_r(&real.tv_sec, &tm) &&
	    strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(at + strlen(at), sizeof(at) - strlen(at), ".%03ldZ", real.tv_nsec / 1000000);
		jw_str(j, "started_at", at);
	} else {
		jw_null(j, "started_at");
	}
	jw_u64(j, "started_unix_ns", (unsigned long long)real.tv_sec * 1000000000ULL +
					(unsigned long long)real.tv_nsec);
	jw_u64(j, "started_monotonic_ns", (unsigned long long)mono.tv_sec * 1000000000ULL +
					     (unsigned long long)mono.tv_nsec);
}

/*
 * host.id: /etc/machine-id through SHA-256-crypt with the fixed salt "switchcost". The same
 * machine gets the same id in every result (so files from one machine group together), the
 * input is 128 random bits, not the guessable host name, and the salt keeps it apart from any
 * other program's hash of the same machine id. Returns false without a machine id.
 */
static bool host_id(char *out, size_t n)
{
	struct crypt_data cd;
	char mid[64] = "";
	const char *h;
	FILE *f = fopen("/etc/machine-id", "re");

	if (!f)
		return false;
	if (!fgets(mid, sizeof(mid), f))
		mid[0] = 0;
	fclose(f);
	mid[strcspn(mid, "\n")] = 0;
	if (strlen(mid) < 16)
		return false;
	memset(&cd, 0, sizeof(cd));
	h = crypt_r(mid, "$5$switchcost$", &cd);
	if (!h || h[0] != '$' || !strrchr(h, '$'))
		return false;
	snprintf(out, n, "%.16s", strrchr(h, '$') + 1);
	return true;
}

static void json_host(struct swc_json *j)
{
	char name[256], id[32];

	jw_obj_begin(j, "host");
	if (!anonymous && !gethostname(name, sizeof(name))) {
		name[sizeof(name) - 1] = 0;
		jw_str(j, "name", name);
	} else {
		jw_null(j, "name");
	}
	if (host_id(id, sizeof(id)))
		jw_str(j, "id", id);
	else
		jw_null(j, "id");
	jw_bool(j, "anonymous", anonymous);
	jw_obj_end(j);
}

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
	/* what compare and report check before reading a saved result */
	jw_u64(j, "schema_version", SWC_SCHEMA_VERSION);
	jw_str(j, "tool", "switchcost");
	jw_str(j, "version", SWC_VERSION);
	jw_str(j, "command", command);
	json_started(j);
	json_host(j);
	swc_sysinfo_json(si, j);
}

void swc_report_json_by_kind(struct swc_json *j, const __u64 by_kind[SWC_KIND_NR])
{
	jw_obj_begin(j, "by_kind");
	for (int k = 0; k < SWC_KIND_NR; k++)
		jw_u64(j, swc_kind_name(k), by_kind[k]);
	jw_obj_end(j);
}

void swc_report_json_switches(struct swc_json *j, const struct swc_group_stats *gs)
{
#define FIELD(name, member) { name, offsetof(struct swc_group_stats, member) }
	static const struct {
		const char *name;
		size_t offset;
	} fields[] = {
		FIELD("switches", switches_out), FIELD("voluntary", voluntary),
		FIELD("involuntary", involuntary), FIELD("switches_in", switches_in),
		FIELD("exit_switches", exit_switches), FIELD("reaped_switches", reaped_switches),
		FIELD("reap_raced_switches", reap_raced_switches), FIELD("autoreaped", autoreaped),
		FIELD("autoreaped_switches", autoreaped_switches),
	};
#undef FIELD

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (gs)
			jw_u64(j, fields[i].name,
			       *(const __u64 *)((const char *)gs + fields[i].offset));
		else
			jw_null(j, fields[i].name);
	}
}

void swc_report_json_bpf(struct swc_json *j, const struct swc_counters *ctr)
{
	jw_obj_begin(j, "bpf");
	jw_u64(j, "events_dropped", ctr->events_dropped);
	jw_u64(j, "tasks_untracked", ctr->tasks_full);
	jw_u64(j, "processes_unwatched", ctr->watch_full);
	jw_obj_end(j);
}

void swc_agreement_print(FILE *f, const struct swc_agreement *a)
{
	char n[32];

	fprintf(f, "the kernel's own counters (wait4 nvcsw+nivcsw): %s, %s",
		swc_fmt_count(a->kernel_counters, n, sizeof(n)), a->diff ? "DIFFER" : "agree");
	if (a->diff)
		fprintf(f, " by %+lld", a->diff);
	if (a->exit_switches)
		fprintf(f, " once the final switch of %llu exited thread(s) is set aside (the "
			   "kernel stops counting a thread's switches when it exits)",
			(unsigned long long)a->exit_switches);
	if (a->reaped_switches)
		fprintf(f, "%s %llu switch(es) after their task's release are set aside (a process "
			   "its parent reaped before its last switch, a thread preempted after exiting: "
			   "the kernel had already handed their counts on)",
			a->exit_switches ? ", and" : " once", (unsigned long long)a->reaped_switches);
	if (a->autoreaped)
		fprintf(f, "%s the kernel's %llu switch(es) of %llu process(es) no parent waited for "
			   "are set aside (their parent ignores SIGCHLD: the kernel reaps them itself "
			   "and hands their counts to no wait4)",
			a->exit_switches || a->reaped_switches ? ", and" : " once",
			(unsigned long long)a->autoreaped_switches,
			(unsigned long long)a->autoreaped);
	/* a parent on another CPU took a zombie's counters within nanoseconds of its last
	 * switch: the kernel has counted each such switch or not, nothing tells which */
	if (a->diff && a->reap_raced)
		fprintf(f, "; %llu final switch(es) raced their parent's reaping on another CPU, "
			   "which the kernel may or may not have counted",
			(unsigned long long)a->reap_raced);
}

void swc_kernel_counters_json(struct swc_json *j, const struct rusage *ru,
			      const struct swc_agreement *a)
{
	jw_obj_begin(j, "kernel_counters");
	jw_u64(j, "voluntary", (__u64)ru->ru_nvcsw);
	jw_u64(j, "involuntary", (__u64)ru->ru_nivcsw);
	jw_u64(j, "switches", (__u64)ru->ru_nvcsw + (__u64)ru->ru_nivcsw);
	jw_obj_end(j);
	if (!a)
		return;
	jw_i64(j, "ebpf_minus_kernel_counters", a->diff);
	jw_bool(j, "counts_agree", a->diff == 0);
}

__u64 swc_timeval_ns(const struct timeval *tv)
{
	return (__u64)tv->tv_sec * 1000000000ULL + (__u64)tv->tv_usec * 1000ULL;
}
