/* SPDX-License-Identifier: GPL-2.0-only */
/* UTF-8 checking for the text writers: bytes from the kernel (comm) or a user (file names)
 * are not text, and CSV and JSON readers refuse what is not UTF-8. */
#ifndef SWC_UTF8_H
#define SWC_UTF8_H

#include <stddef.h>

/* U+FFFD, what a byte that is not UTF-8 becomes */
#define SWC_UTF8_REPLACEMENT	"\xef\xbf\xbd"

/* Length of the valid UTF-8 sequence at s (at most n bytes, n >= 1), or 0 if it is not
 * valid: truncated, overlong, a UTF-16 surrogate or beyond U+10FFFF. */
size_t swc_utf8_len(const unsigned char *s, size_t n);

#endif
