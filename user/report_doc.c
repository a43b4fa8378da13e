// SPDX-License-Identifier: GPL-2.0-only
/* Saved results read back for report and compare (see report_doc.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "commands.h"
#include "report.h"
#include "report_doc.h"

/* far above any result switchcost writes (a -a trace of 32768 tasks is a few MiB) */
#define DOC_MAX_BYTES	(256 << 20)

struct json_object *jr_get(struct json_object *o, const char *const *names)
{
	struct json_object *v;

	if (!o || !json_object_is_type(o, json_type_object))
		return NULL;
	for (; *names; names++)
		if (json_object_object_get_ex(o, *names, &v) && v)
			return v;
	return NULL;
}

double jr_num(struct json_object *o, const char *const *names, double dflt)
{
	struct json_object *v = jr_get(o, names);

	if (v && json_object_is_type(v, json_type_object))
		v = jr_get(v, NAMES("median"));
	if (!v || !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
		return dflt;
	return json_object_get_double(v);
}

const char *jr_str(struct json_object *o, const char *const *names)
{
	struct json_object *v = jr_get(o, names);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

bool jr_bool(struct json_object *o, const char *const *names, bool dflt)
{
	struct json_object *v = jr_get(o, names);

	return v && json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v) : dflt;
}

size_t jr_len(struct json_object *o)
{
	return o && json_object_is_type(o, json_type_array) ? json_object_array_length(o) : 0;
}

struct json_object *jr_at(struct json_object *o, size_t i)
{
	return i < jr_len(o) ? json_object_array_get_idx(o, i) : NULL;
}

struct json_object *swc_doc_load(const char *who, const char *path)
{
	struct json_object *doc, *sv;
	struct stat st;
	int fd;

	/* O_NONBLOCK: a FIFO must not hang us at open; only a regular file of bounded size is
	 * read (/dev/zero would otherwise be read until memory runs out) */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		fprintf(stderr, "switchcost: %s: %s: %s\n", who, path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "switchcost: %s: %s: not a regular file: give a switchcost --json "
				"document\n", who, path);
		close(fd);
		return NULL;
	}
	if (st.st_size > DOC_MAX_BYTES) {
		fprintf(stderr, "switchcost: %s: %s: %lld bytes, more than a switchcost result "
				"has (%d MiB): give a switchcost --json document\n", who, path,
			(long long)st.st_size, DOC_MAX_BYTES >> 20);
		close(fd);
		return NULL;
	}
	doc = json_object_from_fd(fd);
	close(fd);
	if (!doc) {
		fprintf(stderr, "switchcost: %s: %s: not JSON (empty, cut short or another format): "
				"give a switchcost --json document\n", who, path);
		return NULL;
	}
	if (!json_object_is_type(doc, json_type_object) || !jr_str(doc, NAMES("command"))) {
		fprintf(stderr, "switchcost: %s: %s: JSON, but not a switchcost result (no "
				"\"command\"): give run, lab or trace --json output\n", who, path);
		json_object_put(doc);
		return NULL;
	}
	sv = jr_get(doc, NAMES("schema_version"));
	if (sv && (!json_object_is_type(sv, json_type_int) || json_object_get_int64(sv) < 1 ||
		   json_object_get_int64(sv) > SWC_SCHEMA_VERSION)) {
		fprintf(stderr, "switchcost: %s: %s: schema_version %s, this switchcost (%s) reads "
				"up to %d: use a newer switchcost\n", who, path,
			json_object_get_string(sv), SWC_VERSION, SWC_SCHEMA_VERSION);
		json_object_put(doc);
		return NULL;
	}
	return doc;
}

void swc_doc_kind(struct json_object *doc, char *out, size_t n)
{
	const char *cmd = jr_str(doc, NAMES("command")), *scen = jr_str(doc, NAMES("scenario"));

	snprintf(out, n, "%s%s%s", cmd ? cmd : "?", scen ? " " : "", scen ? scen : "");
}
