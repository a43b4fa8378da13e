/* SPDX-License-Identifier: GPL-2.0-only */
/* What the libFuzzer harnesses share: the input as a C string, and as a file to open by name. */
#ifndef SWC_FUZZ_H
#define SWC_FUZZ_H

#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* data as a NUL-terminated copy (the parsers take C strings); free() it */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* data in a memory-backed file, named by path (a /proc/self/fd link the readers open like
 * any file); the fd to close() after */
static inline int fuzz_file(const uint8_t *data, size_t size, char *path, size_t n)
{
	int fd = memfd_create("fuzz-input", MFD_CLOEXEC);

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	snprintf(path, n, "/proc/self/fd/%d", fd);
	return fd;
}

#endif
