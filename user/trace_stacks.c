// SPDX-License-Identifier: GPL-2.0-only
/*
 * trace --stacks glue: the --folded file opened before anything is loaded (a refused target
 * costs nothing and leaves nothing), the off-CPU object loaded on the watch set, and at the
 * end the stacks read and the folded file written and renamed into place (or removed).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "csv.h"
#include "offcpu.h"
#include "trace.h"
#include "watch.h"

static struct swc_outfile folded = { .fd = -1, .dirfd = -1 };

int trace_stacks_open_output(const struct trace_env *env)
{
	if (!env->folded_path)
		return 0;
	return swc_outfile_open(&folded, env->folded_path) ? -1 : 0;
}

int trace_stacks_start(const struct trace_env *env, struct swc_watch *w,
		       struct trace_result *res)
{
	if (!env->stacks)
		return 0;
	res->offcpu = offcpu__open(watch__watched_fd(w), env->all, env->stack_storage_size,
				   env->verbose);
	return res->offcpu ? 0 : -1;
}

int trace_stacks_finish(const struct trace_env *env, struct trace_result *res)
{
	int err;

	if (!res->offcpu)
		return 0;
	err = offcpu__finish(res->offcpu);
	if (err) {
		offcpu__close(res->offcpu);
		res->offcpu = NULL;
	}
	if (!err && !offcpu__counters(res->offcpu))
		err = -EIO;	/* lost stacks unknown: the numbers cannot be trusted whole */
	if (env->folded_path) {
		int werr = err ? err : offcpu_write_folded(res->offcpu, folded.fd);

		if (werr && !err)
			fprintf(stderr, "switchcost: writing %s: %s; no file is left under that "
					"name\n", env->folded_path, strerror(-werr));
		if (swc_outfile_commit(&folded, !werr) && !werr)
			werr = -EIO;
		err = err ? err : werr;
	}
	res->stacks_failed = err != 0;
	return err;
}

void trace_stacks_close(struct trace_result *res)
{
	swc_outfile_commit(&folded, false);	/* unless finished: nothing half-written */
	offcpu__close(res->offcpu);
	res->offcpu = NULL;
}
