// SPDX-License-Identifier: GPL-2.0-only
/* The HTML page frame, the facts table and safe page output (see report_page.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <grp.h>
#include "commands.h"
#include "csv.h"
#include "report_doc.h"
#include "report_page.h"
#include "sudo.h"
#include "svg.h"

static const char page_css[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;max-width:1100px}"
	"h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}"
	"table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}"
	"td.num{text-align:right}.hists{display:flex;flex-wrap:wrap;gap:0 24px;align-items:flex-end}"
	".hists h3{width:100%;margin:.6em 0 0;font-size:1em}figure{margin:0}"
	"svg text{font:12px system-ui,sans-serif}.tick{text-anchor:middle;fill:#555}"
	".axis{stroke:#333}.grid{stroke:#ddd}.whisker{stroke:#333;stroke-width:2}"
	".median{fill:#1f77b4}.bad{color:#b00}.good{color:#070}.bar{fill:#1f77b4}"
	".switch{fill:#000}.k-process{fill:#d62728}.k-thread{fill:#ff7f0e}.k-idle{fill:#bbb}"
	".k-kernel{fill:#9467bd}"
	".k-coroutine{fill:#2ca02c}.voluntary{fill:#1f77b4}.involuntary{fill:#e377c2}"
	".running{fill:#2ca02c}.runnable{fill:#ff7f0e}.blocked{fill:#e8e8e8}.exited{fill:#fff}"
	".hit{fill:#17becf}"
	".measured{fill:#1f77b4}.expected{fill:#aaa}.legend span{margin:0 3px 0 12px;"
	"font-size:1.2em}";

void swc_page_begin(FILE *f, const char *title, const char *source)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", f);
	svg_escape(f, title);
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", page_css);
	svg_escape(f, title);
	fputs("</h1>\n<p>From <code>", f);
	svg_escape(f, source);
	fputs("</code>, drawn by switchcost " SWC_VERSION ".</p>\n", f);
}

void swc_page_end(FILE *f)
{
	fputs("</body>\n</html>\n", f);
}

static void fact(FILE *f, const char *key, const char *sub, const char *val)
{
	fputs("<tr><th>", f);
	svg_escape(f, key);
	if (sub) {
		fputc('.', f);
		svg_escape(f, sub);
	}
	fputs("</th><td>", f);
	svg_escape(f, val);
	fputs("</td></tr>\n", f);
}

void swc_page_facts(FILE *f, struct json_object *doc)
{
	static const char *const top[] = { "schema_version", "version", "started_at", NULL };
	struct json_object *host = jr_get(doc, NAMES("host"));
	struct json_object *sys = jr_get(doc, NAMES("system"));

	fputs("<h2>System</h2>\n<table class=\"facts\">\n", f);
	for (int i = 0; top[i]; i++)
		if (jr_get(doc, NAMES(top[i])))
			fact(f, top[i], NULL, json_object_get_string(jr_get(doc, NAMES(top[i]))));
	if (host && json_object_is_type(host, json_type_object)) {
		json_object_object_foreach(host, hk, hv)
			fact(f, "host", hk, json_object_get_string(hv));
	}
	if (!sys || !json_object_is_type(sys, json_type_object)) {
		fputs("</table>\n", f);
		return;
	}
	json_object_object_foreach(sys, key, val) {
		if (json_object_is_type(val, json_type_object)) {
			json_object_object_foreach(val, k2, v2)
				fact(f, key, k2, json_object_get_string(v2));
			continue;
		}
		fact(f, key, NULL, json_object_get_string(val));
	}
	fputs("</table>\n", f);
}

int swc_page_write(const char *path, int (*render)(FILE *f, void *arg), void *arg)
{
	struct swc_outfile o;
	FILE *f;
	int rc, fd;

	if (swc_outfile_open(&o, path))
		return 1;
	fd = dup(o.fd);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		fprintf(stderr, "switchcost: writing %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		swc_outfile_commit(&o, false);
		return 1;
	}
	rc = render(f, arg);
	if (fflush(f) || ferror(f)) {
		if (!rc)
			fprintf(stderr, "switchcost: writing %s: %s\n", path, strerror(errno));
		rc = 1;
	}
	if (fclose(f) && !rc) {
		fprintf(stderr, "switchcost: writing %s: %s\n", path, strerror(errno));
		rc = 1;
	}
	if (swc_outfile_commit(&o, rc == 0))
		rc = 1;
	return rc;
}

int swc_become_sudo_user(const char *who)
{
	const struct swc_sudo_user *u = swc_sudo_user();

	if (!u)
		return 0;
	if (setgroups(u->ngroups, u->groups) || setgid(u->gid) || setuid(u->uid)) {
		fprintf(stderr, "switchcost: %s: becoming SUDO_UID %u: %s\n", who, (unsigned)u->uid,
			strerror(errno));
		return -1;
	}
	return 0;
}

int swc_page_doc(FILE *f, struct json_object *doc, const char *source)
{
	const char *cmd = jr_str(doc, NAMES("command"));

	if (cmd && !strcmp(cmd, "lab"))
		return swc_page_lab(f, doc, source);
	return swc_page_run(f, doc, source);
}
