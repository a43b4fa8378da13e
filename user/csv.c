// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-switch CSV export. Rows are formatted straight into a large buffer with our own integer
 * and field code (no printf: at a million rows a second it would be most of the cost), and
 * the buffer goes out in big write()s, through zlib's deflate when the name ends in ".gz".
 * The output is an outfile.h file, put in place at the end, so a reader never sees half a
 * file under the final name.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "csv.h"
#include "utf8.h"

#define CSV_BUF_BYTES	(1U << 20)	/* rows are flushed in writes of about this size */
#define ZBUF_BYTES	(1U << 18)
#define WORKLOAD_MAX	64		/* longer workload names are cut (ours are short) */

struct swc_csv {
	struct swc_outfile out;
	bool to_stdout;
	bool gz;
	z_stream z;
	char *buf;
	size_t len;
	unsigned char *zbuf;
	int err;		/* first write error (-errno), sticky */
	bool finished;		/* csv__finish() done: all of it written */
};

/* ---- pure formatting ---------------------------------------------------------------- */

static const char kind_names[SWC_KIND_NR][10] = {
	[SWC_KIND_PROCESS] = "process", [SWC_KIND_THREAD] = "thread", [SWC_KIND_IDLE] = "idle",
	[SWC_KIND_KERNEL] = "kernel", [SWC_KIND_COROUTINE] = "coroutine",
};

const char *swc_kind_name(unsigned int kind)
{
	return kind < SWC_KIND_NR ? kind_names[kind] : NULL;
}

/*
 * The letter the kernel's sched_switch tracepoint prints for prev_state (task_state_to_char()
 * and __trace_sched_switch_state()): a preempted task is R whatever its state word says.
 * Bits as in include/linux/sched.h (6.x). TASK_DEAD is not a report bit; the kernel shows the
 * exit_state there (Z or X), which the record does not carry, so a dead task reads X.
 */
char swc_state_letter(unsigned int state, bool preempt)
{
	if (preempt || state == 0)
		return 'R';
	if ((state & 0x0402) == 0x0402)	/* TASK_IDLE = TASK_UNINTERRUPTIBLE | TASK_NOLOAD */
		return 'I';
	if (state & 0x0001)
		return 'S';
	if (state & 0x0002)
		return 'D';
	if (state & 0x0004)
		return 'T';
	if (state & 0x0008)
		return 't';
	if (state & 0x0010)
		return 'X';
	if (state & 0x0020)
		return 'Z';
	if (state & 0x0040)
		return 'P';
	if (state & 0x0080)
		return 'X';
	if (state & 0x1000)		/* TASK_RTLOCK_WAIT reports as uninterruptible */
		return 'D';
	return '?';
}

static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

size_t swc_csv_u64(unsigned long long v, char *out)
{
	char tmp[20], *p = tmp + sizeof(tmp);
	size_t n;

	while (v >= 100) {
		unsigned int i = (v % 100) * 2;

		v /= 100;
		p -= 2;
		p[0] = digit_pairs[i];
		p[1] = digit_pairs[i + 1];
	}
	if (v >= 10) {
		p -= 2;
		p[0] = digit_pairs[v * 2];
		p[1] = digit_pairs[v * 2 + 1];
	} else {
		*--p = '0' + v;
	}
	n = tmp + sizeof(tmp) - p;
	memcpy(out, p, n);
	return n;
}

/*
 * RFC 4180: a field with a comma, quote, CR, LF or space is quoted and its quotes doubled
 * (spaces need not be, but spreadsheets and DuckDB's sniffer then keep them for sure).
 * comm is bytes, not text: a name cut at 15 bytes can end inside a UTF-8 character, which
 * pandas' default decoder refuses, so bytes that are not UTF-8 become U+FFFD.
 */
size_t swc_csv_quote(const char *field, size_t flen, char *out, size_t outlen)
{
	const unsigned char *s = (const unsigned char *)field;
	bool quote = false;
	size_t need = 0, o = 0, k;

	for (size_t i = 0; i < flen; i += k) {
		k = swc_utf8_len(s + i, flen - i);
		if (!k) {
			need += 3;
			k = 1;
			continue;
		}
		if (s[i] == '"') {
			need++;
			quote = true;
		} else if (s[i] == ',' || s[i] == '\n' || s[i] == '\r' || s[i] == ' ') {
			quote = true;
		}
		need += k;
	}
	if (quote)
		need += 2;
	if (need > outlen)
		return 0;
	if (quote)
		out[o++] = '"';
	for (size_t i = 0; i < flen; i += k) {
		k = swc_utf8_len(s + i, flen - i);
		if (!k) {
			memcpy(out + o, SWC_UTF8_REPLACEMENT, 3);
			o += 3;
			k = 1;
			continue;
		}
		if (s[i] == '"')
			out[o++] = '"';
		memcpy(out + o, s + i, k);
		o += k;
	}
	if (quote)
		out[o++] = '"';
	return o;
}

/* A comm from the record: NUL-terminated unless all SWC_COMM_LEN bytes are used. */
static char *put_comm(char *p, const char *comm)
{
	size_t n = strnlen(comm, SWC_COMM_LEN);
	size_t i;

	/* the common case: printable ASCII with nothing to quote, copied as it is */
	for (i = 0; i < n; i++) {
		unsigned char ch = comm[i];

		if (ch <= ' ' || ch >= 0x7f || ch == ',' || ch == '"')
			break;
	}
	if (i == n) {
		memcpy(p, comm, n);
		return p + n;
	}
	return p + swc_csv_quote(comm, n, p, SWC_COMM_LEN * 3 + 2);
}

static char *put_u64(char *p, unsigned long long v)
{
	return p + swc_csv_u64(v, p);
}

/* An SWC_UNKNOWN latency is an empty field, never 0. */
static char *put_opt(char *p, unsigned long long v)
{
	*p = ',';
	return v == SWC_UNKNOWN ? p + 1 : put_u64(p + 1, v);
}

/* A name field (workload, pass): quoted as needed, cut at WORKLOAD_MAX bytes, then a comma. */
static char *put_name(char *p, const char *name)
{
	if (name)
		p += swc_csv_quote(name, strnlen(name, WORKLOAD_MAX), p, WORKLOAD_MAX * 3 + 2);
	*p++ = ',';
	return p;
}

size_t swc_csv_format_row(char *out, const struct swc_switch_rec *rec, const char *workload,
			  const char *pass)
{
	const char *kind = swc_kind_name(rec->kind);
	bool coro = rec->kind == SWC_KIND_COROUTINE;
	char *p = out;
	size_t n;

	p = put_u64(p, rec->ts_ns);
	*p++ = ',';
	p = put_u64(p, rec->cpu);
	*p++ = ',';
	p = put_name(p, workload);
	p = put_name(p, pass);
	if (kind) {
		n = strlen(kind);
		memcpy(p, kind, n);
		p += n;
	}
	*p++ = ',';
	p = put_u64(p, rec->prev_tgid);
	*p++ = ',';
	p = put_u64(p, rec->prev_tid);
	*p++ = ',';
	p = put_comm(p, rec->prev_comm);
	*p++ = ',';
	/* a coroutine switch is no scheduler event: prev has no state there */
	if (!coro)
		*p++ = swc_state_letter(rec->prev_state, rec->preempt);
	*p++ = ',';
	p = put_u64(p, rec->next_tgid);
	*p++ = ',';
	p = put_u64(p, rec->next_tid);
	*p++ = ',';
	p = put_comm(p, rec->next_comm);
	p = put_opt(p, rec->run_ns);
	p = put_opt(p, rec->off_ns);
	p = put_opt(p, rec->delay_ns);
	*p++ = '\n';
	return p - out;
}

/* ---- the writer ------------------------------------------------------------------------ */

static int csv_fd(const struct swc_csv *c)
{
	return c->to_stdout ? STDOUT_FILENO : c->out.fd;
}

static int deflate_out(struct swc_csv *c, int flush)
{
	int zr, err;

	do {
		c->z.next_out = c->zbuf;
		c->z.avail_out = ZBUF_BYTES;
		zr = deflate(&c->z, flush);
		if (zr == Z_STREAM_ERROR)
			return -EIO;
		err = swc_write_all(csv_fd(c), c->zbuf, ZBUF_BYTES - c->z.avail_out);
		if (err)
			return err;
	} while (c->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
	return 0;
}

static int csv_flush(struct swc_csv *c, bool finish)
{
	int err = 0;

	if (c->err)
		return c->err;
	if (c->gz) {
		c->z.next_in = (unsigned char *)c->buf;
		c->z.avail_in = c->len;
		err = deflate_out(c, finish ? Z_FINISH : Z_NO_FLUSH);
	} else if (c->len) {
		err = swc_write_all(csv_fd(c), c->buf, c->len);
	}
	c->len = 0;
	c->err = err;
	return err;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

struct swc_csv *csv__open(const char *path)
{
	struct swc_csv *c = calloc(1, sizeof(*c));
	int err;

	if (!c || !(c->buf = malloc(CSV_BUF_BYTES))) {
		fprintf(stderr, "switchcost: writing %s: %s\n", path, strerror(ENOMEM));
		free(c);
		return NULL;
	}
	swc_outfile_init(&c->out);
	c->to_stdout = !strcmp(path, "-");
	c->gz = !c->to_stdout && ends_with(path, ".gz");
	if (c->gz) {
		c->zbuf = malloc(ZBUF_BYTES);
		/* windowBits 15 + 16: a gzip header and trailer, what zcat and gzip -t read */
		if (!c->zbuf || deflateInit2(&c->z, SWC_CSV_GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8,
					     Z_DEFAULT_STRATEGY) != Z_OK) {
			fprintf(stderr, "switchcost: writing %s: starting zlib: %s\n", path,
				c->z.msg ? c->z.msg : strerror(ENOMEM));
			free(c->zbuf);
			free(c->buf);
			free(c);
			return NULL;
		}
	}
	if (!c->to_stdout && swc_outfile_open(&c->out, path)) {
		if (c->gz)
			deflateEnd(&c->z);
		free(c->zbuf);
		free(c->buf);
		free(c);
		return NULL;
	}
	memcpy(c->buf, SWC_CSV_HEADER "\n", sizeof(SWC_CSV_HEADER));
	c->len = sizeof(SWC_CSV_HEADER);
	/* the header goes out now: an unwritable target fails before the workloads run */
	err = csv_flush(c, false);
	if (err) {
		fprintf(stderr, "switchcost: writing %s: %s\n", path, strerror(-err));
		csv__close(c, false);
		return NULL;
	}
	return c;
}

int csv__write(struct swc_csv *c, const struct swc_switch_rec *rec, const char *workload,
	       const char *pass)
{
	if (c->len + SWC_CSV_ROW_MAX > CSV_BUF_BYTES && csv_flush(c, false))
		return c->err;
	if (c->err)
		return c->err;
	c->len += swc_csv_format_row(c->buf + c->len, rec, workload, pass);
	return 0;
}

int csv__finish(struct swc_csv *c)
{
	int err;

	if (!c || c->finished)
		return c ? c->err : 0;
	/* rows already received are written out even when the run was stopped */
	err = csv_flush(c, true);
	c->finished = true;
	if (err)
		fprintf(stderr, "switchcost: writing %s: %s%s\n", csv__path(c), strerror(-err),
			c->to_stdout ? "" : "; no file left under that name");
	return err;
}

struct swc_outfile *csv__outfile(struct swc_csv *c)
{
	return c && !c->to_stdout ? &c->out : NULL;
}

const char *csv__path(const struct swc_csv *c)
{
	return c->to_stdout ? "stdout" : c->out.path ? c->out.path : "the CSV";
}

int csv__close(struct swc_csv *c, bool keep)
{
	int err = 0;

	if (!c)
		return 0;
	if (keep || c->to_stdout)
		err = csv__finish(c);
	if (c->gz)
		deflateEnd(&c->z);
	if (!c->to_stdout) {
		int cerr = swc_outfile_commit(&c->out, keep && !err);

		if (!err)
			err = cerr;
	}
	free(c->zbuf);
	free(c->buf);
	free(c);
	return err;
}
