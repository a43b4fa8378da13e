/* SPDX-License-Identifier: GPL-2.0-only */
/* What makes the numbers interpretable: kernel, CPU, virtualisation, mitigations, libbpf. */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/utsname.h>
#include <unistd.h>
#include <sys/stat.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include <bpf/libbpf.h>

#include "json.h"
#include "sysinfo.h"

#define VULN_DIR	"/sys/devices/system/cpu/vulnerabilities"
#define VULN_TEXT_MAX	48	/* per entry: the gist, not the whole sysfs sentence */

/* Copies with truncation; by hand, as snprintf("%s") draws gcc's truncation warnings. */
static void copy_str(char *dst, size_t len, const char *src)
{
	size_t i;

	if (!len)
		return;
	for (i = 0; i + 1 < len && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

/* Strips leading and trailing white space and folds inner runs of it into one space. */
static void squeeze(char *s)
{
	char *r = s, *w = s;
	int space = 0;

	while (isspace((unsigned char)*r))
		r++;
	for (; *r; r++) {
		if (isspace((unsigned char)*r)) {
			space = 1;
			continue;
		}
		if (space && w != s)
			*w++ = ' ';
		space = 0;
		*w++ = *r;
	}
	*w = '\0';
}

/* The first line of a small file, squeezed; false if it cannot be read or is empty. */
static bool read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (!ok)
		return false;
	squeeze(buf);
	return buf[0] != '\0';
}

/*
 * From /proc/cpuinfo: the CPU name (the first of the keys that name it on some architecture)
 * and whether the "flags" line has "hypervisor".
 */
static void read_cpuinfo(struct swc_sysinfo *si)
{
	static const char *const model_keys[] = { "model name", "Hardware", "cpu model", "cpu",
						  "CPU part" };
	int best = (int)(sizeof(model_keys) / sizeof(model_keys[0]));
	bool flags_seen = false;
	char line[4096];
	FILE *f;

	f = fopen("/proc/cpuinfo", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *val;
		int i;

		if (!colon)
			continue;
		*colon = '\0';
		val = colon + 1;
		squeeze(line);
		squeeze(val);
		/* cpuinfo describes the real CPU: an x86 one under an aarch64 binary (or the
		 * reverse) means a user-mode emulator (qemu-user) runs us */
#if defined(__aarch64__)
		if (!strcmp(line, "vendor_id"))
			si->emulated = true;
		/* Arm reserves implementer 0x00 for software: qemu's TCG CPUs ("max") use it */
		if (!strcmp(line, "CPU implementer") && !strcmp(val, "0x00"))
			si->software_cpu = true;
#elif defined(__x86_64__)
		if (!strcmp(line, "CPU implementer"))
			si->emulated = true;
#endif
		if (!flags_seen && !strcmp(line, "flags")) {
			char *tok, *save = NULL;

			/* Only the first CPU's flags: they are the same on every CPU. */
			flags_seen = true;
			for (tok = strtok_r(val, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
				if (!strcmp(tok, "hypervisor"))
					si->virtualised = true;
			continue;
		}
		for (i = 0; i < best; i++)
			if (!strcmp(line, model_keys[i]) && val[0])
				break;
		if (i == best)
			continue;
		best = i;
		/* A bare "0xd0c" says nothing on its own. */
		if (!strcmp(model_keys[i], "CPU part"))
			snprintf(si->cpu_model, sizeof(si->cpu_model), "CPU part %s", val);
		else
			copy_str(si->cpu_model, sizeof(si->cpu_model), val);
	}
	fclose(f);
}

/* The hypervisor's own CPUID signature (leaf 0x40000000), only meaningful under the flag. */
static const char *cpuid_hypervisor(void)
{
#if defined(__x86_64__) || defined(__i386__)
	static const struct {
		const char *sig, *name;
	} sigs[] = {
		{ "KVMKVMKVM", "KVM" },
		{ "Microsoft Hv", "Microsoft Hyper-V" },
		{ "VMwareVMware", "VMware" },
		{ "XenVMMXenVMM", "Xen" },
		{ "TCGTCGTCGTCG", "QEMU (TCG)" },
		{ "VBoxVBoxVBox", "VirtualBox" },
		{ "bhyve bhyve ", "bhyve" },
		{ "ACRNACRNACRN", "ACRN" },
		{ " lrpepyh  vr", "Parallels" },
		{ "QNXQVMBSQG", "QNX" },
	};
	unsigned int eax, ebx, ecx, edx;
	char sig[13];
	size_t i;

	__cpuid(0x40000000, eax, ebx, ecx, edx);
	memcpy(sig + 0, &ebx, 4);
	memcpy(sig + 4, &ecx, 4);
	memcpy(sig + 8, &edx, 4);
	sig[12] = '\0';
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (!strcmp(sig, sigs[i].sig))
			return sigs[i].name;
#endif
	return NULL;
}

/* Names the platform from a DMI string; NULL when it does not look like a VM. */
static const char *dmi_hypervisor(const char *s)
{
	static const struct {
		const char *needle, *name;
	} known[] = {
		{ "KVM", "KVM" },
		{ "QEMU", "QEMU" },
		{ "VMware", "VMware" },
		{ "Microsoft Corporation", "Microsoft Hyper-V" },
		{ "Virtual Machine", "Microsoft Hyper-V" },
		{ "Xen", "Xen" },
		{ "VirtualBox", "VirtualBox" },
		{ "innotek", "VirtualBox" },
		{ "Amazon EC2", "Amazon EC2" },
		{ "Google Compute Engine", "Google Compute Engine" },
		{ "Parallels", "Parallels" },
		{ "BHYVE", "bhyve" },
		{ "OpenStack", "OpenStack" },
		{ "Cloud Hypervisor", "Cloud Hypervisor" },
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strstr(s, known[i].needle))
			return known[i].name;
	return NULL;
}

/*
 * The paravirtual clock the guest kernel registered: it only exists when the kernel itself
 * negotiated with that hypervisor, so it names the layer the kernel actually runs on.
 */
static const char *clocksource_hypervisor(void)
{
	static const struct {
		const char *clock, *name;
	} known[] = {
		{ "kvm-clock", "KVM" },
		{ "hyperv_clocksource", "Microsoft Hyper-V" },
		{ "xen", "Xen" },
	};
	char buf[256];
	size_t i;

	if (!read_line("/sys/devices/system/clocksource/clocksource0/available_clocksource", buf,
		       sizeof(buf)))
		return NULL;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strstr(buf, known[i].clock))
			return known[i].name;
	return NULL;
}

static void detect_hypervisor(struct swc_sysinfo *si)
{
	static const char *const dmi_files[] = {
		"/sys/class/dmi/id/sys_vendor",
		"/sys/class/dmi/id/product_name",
	};
	const char *name = NULL;
	char buf[256];
	size_t i;

	/*
	 * The kernel's own view first: DMI names the machine a VMM emulates (QEMU for a KVM
	 * guest), and DMI is absent in microVMs (Firecracker).
	 */
	name = clocksource_hypervisor();
	for (i = 0; !name && i < sizeof(dmi_files) / sizeof(dmi_files[0]); i++)
		if (read_line(dmi_files[i], buf, sizeof(buf)))
			name = dmi_hypervisor(buf);
	if (!name && read_line("/sys/hypervisor/type", buf, sizeof(buf)))
		name = !strcmp(buf, "xen") ? "Xen" : buf;
	/* Device tree, where there is neither CPUID flag nor DMI (arm64 guests). */
	if (!name && read_line("/proc/device-tree/hypervisor/compatible", buf, sizeof(buf)))
		name = strstr(buf, "xen") ? "Xen" : buf;
	/* qemu's arm "virt" board (KVM or TCG) names itself in the device tree's root: booted
	 * without firmware it has no DMI, and the arm64 cpuinfo has no hypervisor flag */
	if (!name && read_line("/proc/device-tree/compatible", buf, sizeof(buf)) &&
	    !strcmp(buf, "linux,dummy-virt"))
		name = si->software_cpu ? "QEMU virt board, CPU emulated by TCG" : "QEMU virt board";
	/*
	 * CPUID from user space last, and only under the flag: with nested or ring-3 guests
	 * (PVM) it can answer for an outer hypervisor rather than the one the kernel runs on.
	 */
	if (!name && si->virtualised)
		name = cpuid_hypervisor();
	if (name) {
		si->virtualised = true;
		copy_str(si->hypervisor, sizeof(si->hypervisor), name);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends "name: text" to the summary; false (and an ellipsis) once it does not fit. */
static bool append_mitigation(char *dst, size_t len, const char *name, const char *text)
{
	size_t used = strlen(dst), sep = used ? 2 : 0;
	size_t need = sep + strlen(name) + 2 + strlen(text);
	static const char ell[] = "; …";

	/* Keep room for the ellipsis after every entry, so a later one can always say "…". */
	if (used + need + sizeof(ell) > len) {
		if (used + sizeof(ell) <= len)
			strcat(dst, used ? ell : ell + 2);
		return false;
	}
	if (sep)
		strcat(dst, "; ");
	strcat(dst, name);
	strcat(dst, ": ");
	strcat(dst, text);
	return true;
}

/*
 * "name: text" for each vulnerability the kernel mitigates or is exposed to. The text keeps
 * its first clause ("Retpolines" of "Retpolines; STIBP: disabled; ..."), without the
 * "Mitigation: " prefix, cut at a word near VULN_TEXT_MAX so one line stays readable.
 */
static void read_mitigations(struct swc_sysinfo *si)
{
	char **names = NULL, path[512], text[512];
	size_t n = 0, cap = 0, i;
	bool any_file = false;
	struct dirent *de;
	DIR *d;

	si->mitigations[0] = '\0';
	d = opendir(VULN_DIR);
	if (!d) {
		copy_str(si->mitigations, sizeof(si->mitigations), "unknown");
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap ? cap * 2 : 32) * sizeof(*nn));

			if (!nn)
				break;
			names = nn;
			cap = cap ? cap * 2 : 32;
		}
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	/* readdir order is arbitrary: sort so runs on one machine print the same line. */
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);

	for (i = 0; i < n; i++) {
		const char *t;
		char *semi;

		snprintf(path, sizeof(path), "%s/%s", VULN_DIR, names[i]);
		if (!read_line(path, text, sizeof(text)))
			continue;
		any_file = true;
		if (!strncmp(text, "Mitigation: ", 12))
			t = text + 12;
		else if (!strncmp(text, "Vulnerable", 10))
			t = text;
		else
			continue;
		semi = strchr(t, ';');
		if (semi)
			*semi = '\0';
		if (strlen(t) > VULN_TEXT_MAX) {
			/* t points into text: cut it there, at the last space before the limit. */
			char *start = text + (t - text), *cut = start + VULN_TEXT_MAX;

			while (cut > start && *cut != ' ')
				cut--;
			if (cut == start)
				cut = start + VULN_TEXT_MAX;
			strcpy(cut, "…");
		}
		if (!append_mitigation(si->mitigations, sizeof(si->mitigations), names[i], t))
			break;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (!si->mitigations[0])
		copy_str(si->mitigations, sizeof(si->mitigations),
			 any_file ? "none reported" : "unknown");
}

void swc_sysinfo_read(struct swc_sysinfo *si)
{
	struct utsname u;
	const char *v;
	long ncpu;

	memset(si, 0, sizeof(*si));
	copy_str(si->kernel, sizeof(si->kernel), "unknown");
	copy_str(si->arch, sizeof(si->arch), "unknown");
	copy_str(si->cpu_model, sizeof(si->cpu_model), "unknown");
	if (uname(&u) == 0) {
		copy_str(si->kernel, sizeof(si->kernel), u.release);
		copy_str(si->arch, sizeof(si->arch), u.machine);
	}
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	si->ncpus_online = ncpu > 0 ? (int)ncpu : 0;
	read_cpuinfo(si);
	detect_hypervisor(si);
	read_mitigations(si);
	swc_addrspace_read(&si->as);
	v = libbpf_version_string();
	/* libbpf says "v1.1"; the header line reads better as "libbpf 1.1". */
	copy_str(si->libbpf, sizeof(si->libbpf), v && v[0] == 'v' ? v + 1 : v ? v : "unknown");
	si->btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
}

void swc_sysinfo_print(const struct swc_sysinfo *si, FILE *f)
{
	fprintf(f, "# Linux %s %s · %s · %d CPU%s online · ", si->kernel, si->arch,
		si->cpu_model, si->ncpus_online, si->ncpus_online == 1 ? "" : "s");
	if (!si->virtualised)
		fputs("no hypervisor detected", f);
	else if (si->hypervisor[0])
		fprintf(f, "virtualised (%s)", si->hypervisor);
	else
		fputs("virtualised (unknown hypervisor)", f);
	fprintf(f, " · libbpf %s%s\n", si->libbpf, si->btf ? "" : " · no kernel BTF");
	/* the facts that decide process vs thread; the full list stays in --json "mitigations" */
	swc_addrspace_print(&si->as, f);
	if (si->emulated)
		fprintf(f, "# emulated: this %s binary runs on another architecture's CPU (qemu-user): every "
			"figure is the emulator's, not the hardware's\n", si->arch);
	if (si->virtualised)
		fputs("# VM figures: kernel entry and switches cost more under a hypervisor than "
		      "on bare metal\n", f);
}

void swc_sysinfo_json(const struct swc_sysinfo *si, struct swc_json *j)
{
	jw_obj_begin(j, "system");
	jw_str(j, "kernel", si->kernel);
	jw_str(j, "arch", si->arch);
	jw_str(j, "cpu_model", si->cpu_model);
	jw_i64(j, "cpus_online", si->ncpus_online);
	jw_bool(j, "virtualised", si->virtualised);
	jw_bool(j, "emulated", si->emulated);
	/* null both on bare metal and when the hypervisor could not be named. */
	jw_str(j, "hypervisor", si->virtualised && si->hypervisor[0] ? si->hypervisor : NULL);
	jw_str(j, "mitigations", si->mitigations);
	swc_addrspace_json(&si->as, j);
	jw_str(j, "libbpf", si->libbpf);
	jw_bool(j, "btf", si->btf);
	jw_obj_end(j);
}

int swc_allowed_cpus(int *cpus, int max)
{
	cpu_set_t set;
	int n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (int c = 0; c < CPU_SETSIZE && n < max; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	return n;
}

bool swc_in_initial_pidns(void)
{
	char line[256];
	bool initial = true;
	struct stat st;
	FILE *f;

	/* The initial namespace has a fixed inode (PROC_PID_INIT_INO). NSpid alone is fooled by a
	 * /proc mounted for the new namespace (unshare --pid --mount-proc): it then lists one pid. */
	if (!stat("/proc/self/ns/pid", &st))
		return st.st_ino == 0xEFFFFFFCU;
	f = fopen("/proc/self/status", "r");
	if (!f)
		return true;
	while (fgets(line, sizeof(line), f)) {
		/* "NSpid:\t4242" here; "NSpid:\t4242\t17" inside a nested namespace */
		if (!strncmp(line, "NSpid:", 6)) {
			initial = !strchr(line + 7, '\t');
			break;
		}
	}
	fclose(f);
	return initial;
}
