// SPDX-License-Identifier: GPL-2.0-only
/*
 * Address-space facts: what a switch that changes address space costs on top of one that does
 * not, and why. Parsing is pure (strings in, struct out) so the unit tests feed it the sysfs
 * texts of other machines; reading the files is a thin layer on top.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addrspace.h"
#include "json.h"

#define VULN_DIR	"/sys/devices/system/cpu/vulnerabilities"

static void copy_str(char *dst, size_t len, const char *src)
{
	size_t i;

	if (!len)
		return;
	for (i = 0; i + 1 < len && src[i] && src[i] != '\n'; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

/* Whether the space-separated list has the word (whole word, not a prefix of another). */
static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while (list && (p = strstr(p, word))) {
		bool start = p == list || isspace((unsigned char)p[-1]);
		bool end = !p[n] || isspace((unsigned char)p[n]);

		if (start && end)
			return true;
		p += n;
	}
	return false;
}

/* The value of boot option name= in cmdline ("" when bare, NULL when absent), into buf. */
static const char *cmdline_opt(const char *cmdline, const char *name, char *buf, size_t len)
{
	size_t n = strlen(name);
	const char *p = cmdline;

	while (cmdline && (p = strstr(p, name))) {
		if ((p == cmdline || isspace((unsigned char)p[-1])) &&
		    (!p[n] || isspace((unsigned char)p[n]) || p[n] == '=')) {
			size_t i = 0;

			if (p[n] == '=')
				for (p += n + 1; i + 1 < len && *p && !isspace((unsigned char)*p); i++)
					buf[i] = *p++;
			buf[i] = '\0';
			return buf;
		}
		p += n;
	}
	return NULL;
}

/* Appends the boot options that bear on address-space changes, as given. */
static void collect_cmdline(struct swc_addrspace *as, const char *cmdline)
{
	static const char *const names[] = {
		"mitigations", "pti", "nopti", "nopcid", "noinvpcid", "spectre_v2",
		"spectre_v2_user", "nospectre_v2",
	};
	char val[96], item[128];

	as->cmdline[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!cmdline_opt(cmdline, names[i], val, sizeof(val)))
			continue;
		snprintf(item, sizeof(item), "%s%s%s%s", as->cmdline[0] ? " " : "", names[i],
			 val[0] ? "=" : "", val);
		if (strlen(as->cmdline) + strlen(item) < sizeof(as->cmdline))
			strcat(as->cmdline, item);
	}
}

/* "IBPB: conditional" of "Retpolines; IBPB: conditional; STIBP: disabled; ..." into buf. */
static bool clause_value(const char *text, const char *key, char *buf, size_t len)
{
	const char *p = text ? strstr(text, key) : NULL;
	size_t i = 0;

	if (!p)
		return false;
	for (p += strlen(key); i + 1 < len && *p && *p != ';' && *p != '\n'; i++)
		buf[i] = *p++;
	buf[i] = '\0';
	return true;
}

void swc_addrspace_parse(struct swc_addrspace *as, const char *meltdown, const char *spectre_v2,
			 const char *cpu_flags, const char *cmdline)
{
	char v[64];
	const char *p;

	memset(as, 0, sizeof(*as));
	as->pti = as->pcid = as->invpcid = as->ibpb_per_process = as->asid = -1;
	copy_str(as->ibpb, sizeof(as->ibpb), "unknown");
	copy_str(as->stibp, sizeof(as->stibp), "unknown");
	copy_str(as->spectre_v2, sizeof(as->spectre_v2), "unknown");
	copy_str(as->meltdown, sizeof(as->meltdown), "unknown");
	collect_cmdline(as, cmdline);

	if (meltdown) {
		copy_str(as->meltdown, sizeof(as->meltdown), meltdown);
		as->pti = strstr(meltdown, "PTI") != NULL;
	} else if (cmdline_opt(cmdline, "nopti", v, sizeof(v)) ||
		   ((p = cmdline_opt(cmdline, "pti", v, sizeof(v))) && !strcmp(p, "off"))) {
		as->pti = 0;
	}

	/* pti=on on a CPU the kernel deems not affected: sysfs still says "Not affected" (its
	 * bug bit is clear), but cpuinfo lists the feature (seen in a 6.1 guest under TCG) */
	if (cpu_flags && has_word(cpu_flags, "pti"))
		as->pti = 1;

	/* cpuinfo lists what the kernel uses: nopcid/noinvpcid clear the flag as well */
	if (cpu_flags) {
		as->pcid = has_word(cpu_flags, "pcid") && !cmdline_opt(cmdline, "nopcid", v, 2);
		as->invpcid = has_word(cpu_flags, "invpcid") &&
			      !cmdline_opt(cmdline, "noinvpcid", v, 2);
	}

	if (spectre_v2) {
		const char *s = spectre_v2;

		if (!strncmp(s, "Mitigation: ", 12))
			s += 12;
		copy_str(as->spectre_v2, sizeof(as->spectre_v2), s);
		if ((p = strchr(as->spectre_v2, ';')))
			as->spectre_v2[p - as->spectre_v2] = '\0';
		/* kernel arch/x86/kernel/cpu/bugs.c: ibpb_state(), stibp_state() */
		if (clause_value(spectre_v2, "IBPB: ", v, sizeof(v)))
			copy_str(as->ibpb, sizeof(as->ibpb),
				 !strcmp(v, "always-on") ? "always" :
				 !strcmp(v, "conditional") ? "conditional" :
				 !strcmp(v, "disabled") ? "off" : v);
		else if (cpu_flags && !has_word(cpu_flags, "ibpb"))
			copy_str(as->ibpb, sizeof(as->ibpb), "unsupported");
		else
			copy_str(as->ibpb, sizeof(as->ibpb), "off");
		if (clause_value(spectre_v2, "STIBP: ", v, sizeof(v)))
			copy_str(as->stibp, sizeof(as->stibp),
				 !strcmp(v, "always-on") ? "always" :
				 !strcmp(v, "conditional") ? "conditional" :
				 !strcmp(v, "forced") ? "forced" :
				 !strcmp(v, "disabled") ? "off" : v);
		else
			copy_str(as->stibp, sizeof(as->stibp), "not reported");
		/* the prctl is honoured when either barrier is left to the task (prctl/seccomp) */
		as->ibpb_per_process = !strcmp(as->ibpb, "conditional") ||
				       !strcmp(as->stibp, "conditional");
	}
}

/* The first line of a file into a malloc'd string, or NULL. */
static char *slurp_line(const char *path)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return NULL;
	n = getline(&line, &cap, f);
	fclose(f);
	if (n <= 0) {
		free(line);
		return NULL;
	}
	if (line[n - 1] == '\n')
		line[n - 1] = '\0';
	return line;
}

/* The first "flags" line of /proc/cpuinfo (every CPU has the same), malloc'd, or NULL. */
static char *cpuinfo_flags(void)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char *line = NULL, *out = NULL;
	size_t cap = 0;

	if (!f)
		return NULL;
	while (getline(&line, &cap, f) > 0) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "flags", 5) || !colon)
			continue;
		out = strdup(colon + 1);
		break;
	}
	free(line);
	fclose(f);
	return out;
}

void swc_addrspace_read(struct swc_addrspace *as)
{
	char *melt = slurp_line(VULN_DIR "/meltdown");
	char *v2 = slurp_line(VULN_DIR "/spectre_v2");
	char *flags = cpuinfo_flags();
	char *cmd = slurp_line("/proc/cmdline");

	swc_addrspace_parse(as, melt, v2, flags, cmd);
#if defined(__aarch64__)
	/* an arm64 kernel's cpuinfo has no "flags" line (x86's, under qemu-user, has) */
	if (!flags)
		as->asid = 1;
#endif
	free(melt);
	free(v2);
	free(flags);
	free(cmd);
}

static const char *onoff(int v)
{
	return v < 0 ? "unknown" : v ? "on" : "off";
}

void swc_addrspace_print(const struct swc_addrspace *as, FILE *f)
{
	bool ibpb_always = !strcmp(as->ibpb, "always");

	if (as->asid > 0) {
		/* arm64: no PCID, INVPCID or IBPB words; ASIDs do what PCID does on x86 */
		fprintf(f, "# address space: PTI %s · ASIDs on · spectre_v2: %s\n", onoff(as->pti),
			as->spectre_v2);
		fprintf(f, "#   extra for a process switch: none of these (ASIDs keep both "
			   "address spaces in the TLB)%s\n",
			as->pti > 0 ? " · PTI taxes every kernel entry, thread switches' too" : "");
		if (as->cmdline[0])
			fprintf(f, "#   boot options: %s\n", as->cmdline);
		return;
	}
	fprintf(f, "# address space: PTI %s · PCID %s · INVPCID %s · IBPB %s · STIBP %s · "
		   "spectre_v2: %s\n", onoff(as->pti), onoff(as->pcid), onoff(as->invpcid),
		as->ibpb, as->stibp, as->spectre_v2);
	fprintf(f, "#   extra for a process switch:");
	if (as->pcid == 0)
		fprintf(f, " a TLB flush on every change (no PCID)%s", ibpb_always ? "," : "");
	else if (as->pcid < 0)
		fprintf(f, " perhaps a TLB flush (PCID unknown)%s", ibpb_always ? "," : "");
	if (ibpb_always)
		fprintf(f, " an IBPB barrier on every change");
	if (as->pcid > 0 && !ibpb_always)
		fprintf(f, " none of these (PCID keeps both address spaces in the TLB)");
	if (as->pti > 0)
		fprintf(f, " · PTI taxes every kernel entry, thread switches' too");
	if (as->ibpb_per_process > 0)
		fprintf(f, " · IBPB per process on request (--ibpb)");
	fprintf(f, "\n");
	if (as->cmdline[0])
		fprintf(f, "#   boot options: %s\n", as->cmdline);
}

static void json_tri(struct swc_json *j, const char *key, int v)
{
	if (v < 0)
		jw_null(j, key);
	else
		jw_bool(j, key, v);
}

void swc_addrspace_json(const struct swc_addrspace *as, struct swc_json *j)
{
	jw_obj_begin(j, "address_space");
	json_tri(j, "pti", as->pti);
	json_tri(j, "pcid", as->pcid);
	json_tri(j, "invpcid", as->invpcid);
	json_tri(j, "asid", as->asid);
	jw_str(j, "ibpb", as->ibpb);
	jw_str(j, "stibp", as->stibp);
	json_tri(j, "ibpb_per_process", as->ibpb_per_process);
	jw_str(j, "spectre_v2", as->spectre_v2);
	jw_str(j, "meltdown", as->meltdown);
	jw_str(j, "cmdline", as->cmdline);
	jw_obj_end(j);
}

bool swc_same_cost(double process_ns, double thread_ns)
{
	return process_ns < SWC_SAME_COST_RATIO * thread_ns;
}

char *swc_addrspace_facts(const struct swc_addrspace *as, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s",
		 as->asid > 0 ? "ASIDs keep both address spaces in the TLB" :
		 as->pcid > 0 ? "PCID keeps both address spaces in the TLB" :
		 as->pcid == 0 ? "without PCID every change of address space flushes the TLB" :
		 "whether PCID is in use is unknown",
		 !strcmp(as->ibpb, "always") ? ", IBPB flushes branch prediction on every change" :
		 "",
		 as->pti > 0 ? " and PTI is on (for threads too)" :
		 as->pti == 0 ? " and PTI is off" : "");
	return buf;
}

char *swc_addrspace_explain(const struct swc_addrspace *as, double process_ns, double thread_ns,
			    char *buf, size_t len)
{
	bool ibpb_always = !strcmp(as->ibpb, "always");
	bool predicts_dearer = (as->pcid == 0 && as->asid <= 0) || ibpb_always;
	double ratio;
	char facts[256];
	bool same;

	buf[0] = '\0';
	if (!(process_ns > 0) || !(thread_ns > 0) || !len)
		return buf;
	ratio = process_ns / thread_ns;
	same = swc_same_cost(process_ns, thread_ns);
	swc_addrspace_facts(as, facts, sizeof(facts));
	facts[0] = (char)toupper((unsigned char)facts[0]);

	if (same && !predicts_dearer)
		snprintf(buf, len, "%s: a process switch costs about what a thread switch costs "
				   "here (%.2f×).", facts, ratio);
	else if (same)
		snprintf(buf, len, "%s, yet a process switch costs about what a thread switch "
				   "costs here (%.2f×): the workload's few pages refill the TLB "
				   "quickly.", facts, ratio);
	else if (predicts_dearer)
		snprintf(buf, len, "%s: a process switch costs %.2f× a thread switch here.", facts,
			 ratio);
	else
		snprintf(buf, len, "%s, yet a process switch costs %.2f× a thread switch here: "
				   "what remains is the change of address space itself (the "
				   "page-table switch, and TLB and cache entries left cold).", facts,
			 ratio);
	return buf;
}
