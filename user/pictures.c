// SPDX-License-Identifier: GPL-2.0-only
/* --html and --perfetto of run, trace and lab (see pictures.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "pictures.h"
#include "report_page.h"
#include "report_trace.h"

struct page_arg {
	struct json_object *doc;
	struct swc_trace_data *td;
	const char *source;
};

static int render_doc(FILE *f, void *arg)
{
	struct page_arg *a = arg;

	return swc_page_doc(f, a->doc, a->source);
}

static int render_trace(FILE *f, void *arg)
{
	struct page_arg *a = arg;

	return swc_trace_html(f, a->td, a->source);
}

static int render_perfetto(FILE *f, void *arg)
{
	struct page_arg *a = arg;

	return swc_trace_perfetto(f, a->td);
}

int swc_pictures_json(const char *html, void (*write_json)(FILE *f, void *arg), void *arg,
		      const char *source)
{
	struct json_object *doc;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;


	if (!f) {
		fprintf(stderr, "switchcost: drawing %s: %s\n", html, strerror(errno));
		return 1;
	}
	write_json(f, arg);
	if (fclose(f) || !buf) {
		fprintf(stderr, "switchcost: drawing %s: %s\n", html, strerror(ENOMEM));
		free(buf);
		return 1;
	}
	doc = json_tokener_parse(buf);
	free(buf);
	if (!doc) {
		fprintf(stderr, "switchcost: drawing %s: the results did not parse back as JSON\n",
			html);
		return 1;
	}
	rc = swc_pictures_doc(html, doc, source);
	json_object_put(doc);
	return rc;
}

int swc_pictures_doc(const char *html, struct json_object *doc, const char *source)
{
	struct page_arg a = { doc, NULL, source };

	return swc_page_write(html, render_doc, &a);
}

int swc_pictures_trace(struct swc_trace_data *td, const char *html, const char *perfetto,
		       const char *source)
{
	struct page_arg a = { NULL, td, source };
	int rc = 0;

	swc_trace_finish(td);
	if (html)
		rc |= swc_page_write(html, render_trace, &a);
	if (perfetto)
		rc |= swc_page_write(perfetto, render_perfetto, &a);
	return rc;
}
