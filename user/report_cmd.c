// SPDX-License-Identifier: GPL-2.0-only
/*
 * switchcost report FILE.json|FILE.csv[.gz] -o FILE.html [--perfetto FILE.json]: saved results
 * drawn as one self-contained HTML page (report_run.c, report_lab.c, report_trace.c), a trace
 * CSV also as Chrome JSON trace events. It needs no privilege: under sudo it becomes the
 * invoking user before opening anything.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "commands.h"
#include "pictures.h"
#include "report_page.h"
#include "report_doc.h"
#include "report_trace.h"

static void report_usage(FILE *f)
{
	fputs("Usage: switchcost report FILE.json|FILE.csv[.gz] -o FILE.html\n"
	      "       switchcost report FILE.csv[.gz] --perfetto FILE.json\n\n"
	      "Draws saved results as one self-contained HTML page (inline SVG and CSS, nothing\n"
	      "loaded from the network): `run --json` and `lab --json` documents, or a trace's\n"
	      "`--csv` export as a per-thread timeline (running, runnable, blocked).\n"
	      "--perfetto writes the trace CSV in the Chrome JSON trace format (Perfetto UI,\n"
	      "chrome://tracing): a track per thread, running/runnable slices, switches as instants.\n"
	      "run, trace and lab also take --html FILE (and trace --perfetto FILE) directly.\n\n"
	      "Options:\n"
	      "  -o, --output FILE    the HTML page to write\n"
	      "      --perfetto FILE  the Chrome JSON trace to write (from a trace CSV)\n"
	      "  -h, --help           this help\n\n"
	      "Exit status: 0 written, 1 a file could not be read or written, 2 usage error.\n\n"
	      "Examples:\n"
	      "  sudo switchcost --quick --json > run.json && switchcost report run.json -o run.html\n"
	      "  sudo switchcost trace --csv t.csv -- make && switchcost report t.csv -o t.html\n", f);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "perfetto", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *perfetto = NULL;
	struct swc_trace_data *td;
	struct json_object *doc;
	const char *in;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'P': perfetto = optarg; break;
		case 'h': report_usage(stdout); return 0;
		default: return swc_usage_bad_option("report", c, argv, optind);
		}
	}
	if (optind != argc - 1)
		return swc_usage_error("report", "report: give exactly one results file");
	in = argv[optind];
	if (!*in)
		return swc_usage_error("report", "report: give a results file, not an empty name");
	if ((out && (rc = swc_file_option("report", "report: -o", out))) ||
	    (perfetto && (rc = swc_file_option("report", "report: --perfetto", perfetto))))
		return rc;
	if (!out && !perfetto)
		return swc_usage_error("report", "report: nothing to write: give -o FILE.html or "
					"--perfetto FILE.json");
	if (swc_become_sudo_user("report"))
		return 1;
	if (ends_with(in, ".csv") || ends_with(in, ".csv.gz")) {
		td = swc_trace_load(in);
		if (!td)
			return 1;
		rc = swc_pictures_trace(td, out, perfetto, in);
		swc_trace_free(td);
		return rc;
	}
	if (perfetto)
		return swc_usage_error("report", "report: --perfetto needs a trace CSV (switchcost "
					"trace --csv FILE), not %s", in);
	doc = swc_doc_load("report", in);
	if (!doc)
		return 1;
	rc = swc_pictures_doc(out, doc, in);
	json_object_put(doc);
	return rc;
}
