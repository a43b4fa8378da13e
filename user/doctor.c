// SPDX-License-Identifier: GPL-2.0-only
/*
 * switchcost doctor: what this machine lets switchcost measure, as a checklist with the fix
 * for each failure. Features are proven by loading tiny programs (user/feature_probe.c), never
 * guessed from the kernel version. Exit 0 when the core (BTF, sched_switch, ring buffer, the
 * right to load) works, 1 when not.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include "cli.h"
#include "commands.h"
#include "feature_probe.h"
#include "pmu.h"
#include "json.h"
#include "report.h"
#include "sysinfo.h"
#include "trace.h"

#ifndef SWC_BPF_ARCH
#define SWC_BPF_ARCH "unknown"
#endif
#define TRACEFS_MAGIC_NR 0x74726163
#define CGROUP2_MAGIC_NR 0x63677270

struct check {
	const char *name;
	bool ok;
	bool core;		/* without it no run measures anything */
	char detail[320];
	char fix[320];		/* "" when ok */
};

#define MAX_CHECKS 24
static struct check checks[MAX_CHECKS];
static int nchecks;

__attribute__((format(printf, 4, 5)))
static struct check *add(const char *name, bool ok, bool core, const char *fmt, ...)
{
	struct check *c = &checks[nchecks < MAX_CHECKS - 1 ? nchecks++ : nchecks];
	va_list ap;

	memset(c, 0, sizeof(*c));
	c->name = name;
	c->ok = ok;
	c->core = core;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
	return c;
}

__attribute__((format(printf, 2, 3)))
static void fix(struct check *c, const char *fmt, ...)
{
	va_list ap;

	if (c->ok)
		return;
	va_start(ap, fmt);
	vsnprintf(c->fix, sizeof(c->fix), fmt, ap);
	va_end(ap);
}

static bool read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	buf[0] = '\0';
	if (!f)
		return false;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return true;
}

/* The effective capability set, from /proc/self/status ("CapEff:\t000001ffffffffff"). */
static unsigned long long effective_caps(void)
{
	char line[128];
	unsigned long long caps = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps;
}

#define CAP_BIT(n) (1ULL << (n))
enum { CAP_SYS_ADMIN_NR = 21, CAP_PERFMON_NR = 38, CAP_BPF_NR = 39 };

static bool can_load;	/* root, or CAP_BPF + CAP_PERFMON */

static void check_kernel(const struct swc_sysinfo *si)
{
	struct check *c;

	add("kernel", true, false, "Linux %s %s", si->kernel, si->arch);
	c = add("btf", si->btf, true, si->btf ? "kernel BTF at /sys/kernel/btf/vmlinux" :
		"no /sys/kernel/btf/vmlinux: CO-RE programs cannot be relocated");
	fix(c, "boot a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian and Ubuntu stock "
	       "kernels have it)");
}

static const char *machine_to_bpf_arch(const char *m)
{
	if (!strcmp(m, "x86_64"))
		return "x86";
	if (!strcmp(m, "aarch64"))
		return "arm64";
	return m;
}

static void check_arch(const struct swc_sysinfo *si)
{
	const char *want = machine_to_bpf_arch(si->arch);
	bool ok = !strcmp(want, SWC_BPF_ARCH);
	struct check *c = add("arch", ok, true, "this machine is %s; the BPF programs were built "
			      "for %s (from vmlinux/%s/vmlinux.h)", si->arch, SWC_BPF_ARCH, SWC_BPF_ARCH);

	fix(c, "rebuild on this machine: make clean && make (x86 and arm64 have a vmlinux.h; "
	       "make vmlinux dumps one from this kernel's BTF)");
}

static void check_privileges(void)
{
	unsigned long long caps = effective_caps();
	bool admin = caps & CAP_BIT(CAP_SYS_ADMIN_NR);
	bool bpf = caps & CAP_BIT(CAP_BPF_NR), perfmon = caps & CAP_BIT(CAP_PERFMON_NR);
	struct check *c;

	can_load = admin || (bpf && perfmon);
	if (geteuid() == 0 && admin) {
		add("privileges", true, true, "root with CAP_SYS_ADMIN");
		return;
	}
	c = add("privileges", can_load, true, "uid %u; CAP_SYS_ADMIN %s, CAP_BPF %s, "
		"CAP_PERFMON %s", (unsigned)geteuid(), admin ? "yes" : "no", bpf ? "yes" : "no",
		perfmon ? "yes" : "no");
	if (!can_load)
		fix(c, "run as root (sudo switchcost, or as root: make run); or grant CAP_BPF and "
		       "CAP_PERFMON: without them no eBPF program loads");
	else if (!admin)
		snprintf(c->detail + strlen(c->detail), sizeof(c->detail) - strlen(c->detail),
			 "; without CAP_SYS_ADMIN, uprobes may be refused (see the uprobe check)");
}

static const char *feature_fix(enum swc_feature f)
{
	switch (f) {
	case SWC_FEAT_TP_BTF:
		return "needs Linux 5.5+ with BTF; as non-root, root or CAP_BPF+CAP_PERFMON";
	case SWC_FEAT_RAW_TP:
		return "needs Linux 4.17+; as non-root, root or CAP_BPF+CAP_PERFMON";
	case SWC_FEAT_TASK_STORAGE:
		return "needs Linux 5.11+ (task storage in tracing programs); without it the "
		       "per-task times live in a hash keyed by tid instead (the same figures)";
	case SWC_FEAT_RINGBUF:
		return "needs Linux 5.8+ (BPF ring buffer)";
	case SWC_FEAT_UPROBE:
		return "run as root (CAP_SYS_ADMIN): without uprobes the coroutine counting pass, "
		       "lab cost and trace --uprobe/--usdt/--asyncio are not measured";
	case SWC_FEAT_ATOMIC_FETCH:
		return "needs Linux 5.12+ (BPF atomic fetch instructions); without it the "
		       "per-task rows are handed out from a queue instead (the same figures)";
	default:
		return "";
	}
}

static const char *const feature_use[SWC_FEAT_COUNT] = {
	[SWC_FEAT_TP_BTF] = "sched_switch, BTF-typed (every switch counted)",
	[SWC_FEAT_RAW_TP] = "sched_switch, raw tracepoint",
	[SWC_FEAT_TASK_STORAGE] = "task storage from a tracing program (off-CPU and delay times)",
	[SWC_FEAT_RINGBUF] = "ring buffer (switch records for --csv)",
	[SWC_FEAT_UPROBE] = "uprobe on this binary (coroutine counting pass, trace --uprobe)",
	[SWC_FEAT_ATOMIC_FETCH] = "atomic fetch-and-add (per-task rows of sched_switch)",
};

/* A uprobe refused at attach wants privileges; one that does not load wants a newer kernel. */
static const char *uprobe_fix(int err)
{
	if (!swc_uprobe_needs_newer_kernel(err))
		return feature_fix(SWC_FEAT_UPROBE);
	return "needs Linux 5.15+ (bpf_get_attach_cookie): until then the coroutine counting "
	       "pass, lab cost and trace --uprobe/--usdt/--asyncio are not measured";
}

static void check_features(void)
{
	for (int f = 0; f < SWC_FEAT_COUNT; f++) {
		int err = swc_feature_probe(f);
		bool core = f == SWC_FEAT_TP_BTF || f == SWC_FEAT_RINGBUF;
		struct check *c = add(swc_feature_name(f), !err, core, "%s: %s%s", feature_use[f],
				      err ? strerror(-err) : "loads and attaches",
				      swc_feature_disabled(f) ? " (SWITCHCOST_DISABLE)" : "");

		if (err && (err == -EPERM || err == -EACCES) && !can_load)
			fix(c, "run as root (sudo switchcost); no program loads without privileges");
		else if (f == SWC_FEAT_UPROBE)
			fix(c, "%s", uprobe_fix(err));
		else
			fix(c, "%s", feature_fix(f));
	}
}

static void check_lockdown(void)
{
	char buf[128];
	bool readable = read_text("/sys/kernel/security/lockdown", buf, sizeof(buf));
	bool conf = strstr(buf, "[confidentiality]") != NULL;
	struct check *c = add("lockdown", !conf, false, "%s",
			      readable ? buf : "no lockdown file (securityfs not mounted or no LSM)");

	fix(c, "confidentiality lockdown refuses BPF reads of kernel memory: turn Secure Boot "
	       "lockdown off (mokutil --disable-validation) or boot with lockdown=integrity");
}

static void check_paranoid(void)
{
	int level = swc_perf_event_paranoid();
	bool perfmon = effective_caps() & (CAP_BIT(CAP_PERFMON_NR) | CAP_BIT(CAP_SYS_ADMIN_NR));
	struct check *c = add("perf_event_paranoid", perfmon || level <= 1, false,
			      "%d%s", level, perfmon ? " (CAP_PERFMON overrides it)" : "");

	fix(c, "perf events (uprobes, PMU counters) need CAP_PERFMON or root; or "
	       "sysctl kernel.perf_event_paranoid=1");
}

static bool fs_is(const char *path, long magic)
{
	struct statfs s;

	return statfs(path, &s) == 0 && s.f_type == magic;
}

static void check_fs(void)
{
	bool tracefs = fs_is("/sys/kernel/tracing", TRACEFS_MAGIC_NR) ||
		       fs_is("/sys/kernel/debug/tracing", TRACEFS_MAGIC_NR);
	bool cg2 = fs_is("/sys/fs/cgroup", CGROUP2_MAGIC_NR);
	bool hybrid = !cg2 && fs_is("/sys/fs/cgroup/unified", CGROUP2_MAGIC_NR);
	struct check *c;

	c = add("tracefs", tracefs, false, tracefs ? "mounted" :
		"not mounted: tp_btf does not need it; tracepoint/ programs and older uprobe "
		"routes do");
	fix(c, "mount -t tracefs nodev /sys/kernel/tracing");
	c = add("cgroup_v2", cg2 || hybrid, false, "%s", cg2 ? "/sys/fs/cgroup is cgroup v2" :
		hybrid ? "hybrid: cgroup v1 controllers, cgroup v2 at /sys/fs/cgroup/unified" :
		"no cgroup v2 hierarchy mounted");
	fix(c, "boot with systemd.unified_cgroup_hierarchy=1: trace keeps a program's whole "
	       "tree in a cgroup");
}

static void check_cpus(const struct swc_sysinfo *si)
{
	int cpus[1024];
	int allowed = swc_allowed_cpus(cpus, 1024);
	struct check *c = add("cpus", allowed >= 2, false, "%d online, %d allowed to this process",
			      si->ncpus_online, allowed);

	fix(c, "one CPU: lab parallel has no second CPU to run on and every switch is on one "
	       "CPU; give the VM 2 or more vCPUs (or widen taskset)");
}

static void check_machine(const struct swc_sysinfo *si)
{
	char rel[256] = "";
	bool wsl;
	struct check *c;

	add("virtualisation", true, false, "%s", !si->virtualised ? "no hypervisor detected" :
	    si->hypervisor[0] ? si->hypervisor : "virtualised (unknown hypervisor)");
	add("address_space", true, false, "PTI %s, %s (meltdown: %s)",
	    si->as.pti < 0 ? "unknown" : si->as.pti ? "on" : "off",
	    si->as.asid > 0 ? "ASIDs on (arm64)" : si->as.pcid < 0 ? "PCID unknown" :
	    si->as.pcid ? "PCID on" : "PCID off", si->as.meltdown);
	c = add("pid_namespace", swc_in_initial_pidns(), false, swc_in_initial_pidns() ?
		"initial PID namespace" : "inside a PID namespace (a container): BPF sees the "
		"host's pids; switchcost translates those of its own workloads and trace's tasks");
	fix(c, "nothing for run, lab and trace -- CMD; trace -a shows host-wide pids: start the "
	       "container with --pid=host to see them as the host does");
	read_text("/proc/sys/kernel/osrelease", rel, sizeof(rel));
	wsl = strstr(rel, "microsoft") || strstr(rel, "Microsoft") || strstr(rel, "WSL");
	c = add("wsl2", !wsl, false, wsl ? "WSL2 kernel %s: Microsoft's build; the checks above "
		"say which features it lacks" : "not WSL2", rel);
	fix(c, "for what WSL2 lacks (often BTF), set kernel= in .wslconfig to a kernel built with "
	       "CONFIG_DEBUG_INFO_BTF=y, or use a Linux VM");
}

/* trace --asyncio on python3 from PATH: finds the call site it would probe; its complaint,
 * if any, becomes the detail. */
static void check_python(void)
{
	char *argv[] = { "python3", NULL };
	char why[256] = "";
	struct trace_probe p;
	FILE *err = tmpfile();
	int saved = dup(2), rc;
	struct check *c;

	fflush(stderr);
	if (err && saved >= 0)
		dup2(fileno(err), 2);
	rc = trace_probe_asyncio(&p, argv);
	trace_probe_release(&p);
	fflush(stderr);
	if (err && saved >= 0) {
		dup2(saved, 2);
		rewind(err);
		if (!fgets(why, sizeof(why), err))
			why[0] = '\0';
		why[strcspn(why, "\n")] = '\0';
	}
	if (saved >= 0)
		close(saved);
	if (err)
		fclose(err);
	if (rc == 0)
		c = add("python_asyncio", true, false, "python3's task steps found in %s", p.binary);
	else
		c = add("python_asyncio", false, false, "%s",
			why[0] ? why + (strncmp(why, "switchcost: ", 12) ? 0 : 12) :
			"python3 from PATH: no asyncio task-step call site");
	fix(c, "only trace --asyncio needs it: give the real interpreter, e.g. "
	       "switchcost trace --asyncio -- $(pyenv which python3) SCRIPT");
}

static void print_text(FILE *f)
{
	bool core_ok = true;

	for (int i = 0; i < nchecks; i++) {
		const struct check *c = &checks[i];

		fprintf(f, "  %-6s %-20s %s\n", c->ok ? "[ok]" : c->core ? "[FAIL]" : "[warn]",
			c->name, c->detail);
		if (!c->ok)
			fprintf(f, "  %-6s %-20s fix: %s\n", "", "", c->fix);
		core_ok &= c->ok || !c->core;
	}
	fprintf(f, "\n%s\n", core_ok ? "The core works: switchcost measures here (rows marked "
		"warn above are not measured or need care)." :
		"The core is missing: switchcost cannot measure here until the FAIL rows are fixed.");
}

static void print_json(FILE *f)
{
	struct swc_json j;
	bool core_ok = true;

	for (int i = 0; i < nchecks; i++)
		core_ok &= checks[i].ok || !checks[i].core;
	jw_init(&j, f, 2);
	jw_obj_begin(&j, NULL);
	jw_u64(&j, "schema_version", SWC_SCHEMA_VERSION);
	jw_str(&j, "command", "doctor");
	jw_bool(&j, "core_ok", core_ok);
	jw_arr_begin(&j, "checks");
	for (int i = 0; i < nchecks; i++) {
		jw_obj_begin(&j, NULL);
		jw_str(&j, "name", checks[i].name);
		jw_bool(&j, "ok", checks[i].ok);
		jw_bool(&j, "core", checks[i].core);
		jw_str(&j, "detail", checks[i].detail);
		jw_str(&j, "fix", checks[i].ok ? NULL : checks[i].fix);
		jw_obj_end(&j);
	}
	jw_arr_end(&j);
	jw_obj_end(&j);
	jw_finish(&j);
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: switchcost doctor [--json]\n\n"
		   "Checks what this machine lets switchcost measure (kernel BTF, eBPF features\n"
		   "proven by loading tiny programs, privileges, lockdown, CPUs, containers, WSL2)\n"
		   "and prints the fix for each failure. Exit 0 when the core works, 1 when not.\n\n"
		   "      --json   one JSON document: {\"schema_version\", \"command\", \"core_ok\",\n"
		   "               \"checks\": [{name, ok, core, detail, fix}]} (docs/JSON.md)\n"
		   "  -h, --help   this help\n");
}

int cmd_doctor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct swc_sysinfo si;
	bool json = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'h') {
			usage(stdout);
			return 0;
		} else
			return swc_usage_bad_option("doctor", c, argv, optind);
	}
	if (optind < argc)
		return swc_usage_error("doctor", "doctor takes no arguments ('%s')", argv[optind]);
	swc_sysinfo_read(&si);
	check_kernel(&si);
	check_arch(&si);
	check_privileges();
	check_features();
	check_lockdown();
	check_paranoid();
	check_fs();
	check_cpus(&si);
	check_machine(&si);
	check_python();
	if (json)
		print_json(stdout);
	else
		print_text(stdout);
	for (int i = 0; i < nchecks; i++)
		if (checks[i].core && !checks[i].ok)
			return 1;
	return 0;
}
