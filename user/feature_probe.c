// SPDX-License-Identifier: GPL-2.0-only
/*
 * Feature probes: load the one program of bpf/probe.bpf.c that uses a feature, attach it
 * where it has a hook, and tear it down. What the kernel refuses is what it lacks (or what
 * this process may not do), with the errno it gave.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "feature_probe.h"
#include "probe.skel.h"

static const char *const names[SWC_FEAT_COUNT] = {
	[SWC_FEAT_TP_BTF] = "tp_btf",
	[SWC_FEAT_RAW_TP] = "raw_tp",
	[SWC_FEAT_TASK_STORAGE] = "task_storage",
	[SWC_FEAT_RINGBUF] = "ringbuf",
	[SWC_FEAT_UPROBE] = "uprobe",
	[SWC_FEAT_ATOMIC_FETCH] = "atomic_fetch",
};

const char *swc_feature_name(enum swc_feature f)
{
	return f >= 0 && f < SWC_FEAT_COUNT ? names[f] : "unknown";
}

/* Where the uprobe probe attaches: a function of this binary that nothing calls. */
__attribute__((noinline, used)) int swc_features_uprobe_target(void);
__attribute__((noinline, used)) int swc_features_uprobe_target(void)
{
	__asm__ volatile("" ::: "memory");
	return 0;
}

/* A refusal is the answer here, not an error to print: libbpf stays quiet. */
static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level, (void)fmt, (void)args;
	return 0;
}

static struct bpf_program *program_for(struct probe_bpf *skel, enum swc_feature f)
{
	switch (f) {
	case SWC_FEAT_TP_BTF: return skel->progs.probe_tp_btf;
	case SWC_FEAT_RAW_TP: return skel->progs.probe_raw_tp;
	case SWC_FEAT_TASK_STORAGE: return skel->progs.probe_task_storage;
	case SWC_FEAT_RINGBUF: return skel->progs.probe_ringbuf;
	case SWC_FEAT_UPROBE: return skel->progs.probe_uprobe;
	case SWC_FEAT_ATOMIC_FETCH: return skel->progs.probe_atomic_fetch;
	default: return NULL;
	}
}

static struct bpf_link *attach(struct bpf_program *prog, enum swc_feature f)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo, .func_name = "swc_features_uprobe_target");

	if (f == SWC_FEAT_UPROBE)
		return bpf_program__attach_uprobe_opts(prog, 0, "/proc/self/exe", 0, &uo);
	return bpf_program__attach(prog);
}

bool swc_feature_disabled(enum swc_feature f)
{
	const char *list = getenv("SWITCHCOST_DISABLE"), *name = swc_feature_name(f);
	size_t n = strlen(name);

	for (const char *at = list; at && *at; at += strcspn(at, ",") + (at[strcspn(at, ",")] != 0))
		if (!strncmp(at, name, n) && (at[n] == ',' || at[n] == '\0'))
			return true;
	return false;
}

int swc_feature_probe(enum swc_feature f)
{
	libbpf_print_fn_t old;
	struct probe_bpf *skel;
	struct bpf_program *want, *p;
	struct bpf_link *link;
	int err;

	if (swc_feature_disabled(f))
		return -EOPNOTSUPP;
	old = libbpf_set_print(quiet);
	skel = probe_bpf__open();
	if (!skel) {
		err = -errno;
		goto out;
	}
	want = program_for(skel, f);
	if (!want) {
		err = -EINVAL;
		goto out;
	}
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, p == want);
	/* only the map the probe uses is created, so a missing map type fails only its probe */
	bpf_map__set_autocreate(skel->maps.probe_task_map, f == SWC_FEAT_TASK_STORAGE);
	bpf_map__set_autocreate(skel->maps.probe_ring, f == SWC_FEAT_RINGBUF);
	err = probe_bpf__load(skel);
	if (err)
		goto out;
	link = attach(want, f);
	if (!link) {
		err = -errno;
		goto out;
	}
	bpf_link__destroy(link);
out:
	probe_bpf__destroy(skel);
	libbpf_set_print(old);
	return err ? (err < 0 ? err : -err) : 0;
}

bool swc_uprobe_needs_newer_kernel(int err)
{
	/* the verifier refuses an unknown helper with EINVAL; the knob answers EOPNOTSUPP */
	return err == -EINVAL || err == -EOPNOTSUPP;
}

const char *swc_uprobe_unavailable(void)
{
	static char why[160];
	static bool asked;
	int err;

	if (asked)
		return why;
	asked = true;
	err = swc_feature_probe(SWC_FEAT_UPROBE);
	if (err == -EPERM || err == -EACCES)
		snprintf(why, sizeof(why), "uprobes refused (%s): needs root (CAP_SYS_ADMIN); see "
			 "switchcost doctor", strerror(-err));
	else if (swc_uprobe_needs_newer_kernel(err))
		snprintf(why, sizeof(why), "uprobes unavailable (%s): the kernel lacks "
			 "bpf_get_attach_cookie (Linux 5.15); see switchcost doctor", strerror(-err));
	else if (err)
		snprintf(why, sizeof(why), "uprobes unavailable: attaching one to this binary "
			 "failed (%s); see switchcost doctor", strerror(-err));
	return why;
}
