// SPDX-License-Identifier: GPL-2.0-only
/*
 * trace --stacks: one frame as text, and whether a user stack looks truncated. Pure code, apart
 * from offcpu.c's skeleton, so the unit tests run it.
 */
#include <stdio.h>
#include <string.h>
#include "offcpu.h"

const char *offcpu_frame_text(const struct offcpu_frame *f, char *buf, size_t len)
{
	const char *base;

	switch (f->kind) {
	case FRAME_NAMED:
		return f->name;
	case FRAME_STRIPPED:
	case FRAME_UNREAD:
		base = strrchr(f->file, '/');
		snprintf(buf, len, "%s+%#llx%s", base ? base + 1 : f->file,
			 (unsigned long long)f->offset,
			 f->kind == FRAME_STRIPPED ? " [stripped]" : "");
		return buf;
	default:
		return "[unknown]";
	}
}

/* The C library's own: its program and thread entries (__libc_start_call_main, start_thread)
 * are local symbols, unnamed in Debian's stripped libc.so.6. */
static bool in_libc(const struct offcpu_frame *f)
{
	const char *base = f->file ? strrchr(f->file, '/') : NULL;

	return base && !strncmp(base + 1, "libc.so", 7);
}

bool offcpu_user_truncated(const struct offcpu_frame *frames, int n)
{
	static const char *const roots[] = {
		"_start", "__libc_start_main", "__libc_start_call_main", "start_thread",
		"clone", "clone3", "__clone", "__clone3", "thread_start",
	};
	const struct offcpu_frame *root;

	if (n == 0)
		return false;
	root = &frames[n - 1];
	if (n == SWC_STACK_DEPTH)
		return true;
	/* entered from libc's start code, below a named function of another file */
	if (n >= 2 && in_libc(root) && frames[n - 2].kind == FRAME_NAMED && !in_libc(&frames[n - 2]))
		return false;
	if (root->kind != FRAME_NAMED)
		return true;
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if (!strcmp(root->name, roots[i]))
			return false;
	return true;
}
