// SPDX-License-Identifier: GPL-2.0-only
/*
 * A saved --json result read back: the document check of report and compare, the report's
 * page of it, and compare's table of it (text, CSV and page) beside a second copy.
 */
#include "fuzz.h"
#include <json-c/json.h>
#include "commands.h"
#include "report_doc.h"
#include "report_page.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	static char html[64], csv[64];
	struct json_object *doc;
	char path[64];
	int fd = fuzz_file(data, size, path, sizeof(path));

	if (!devnull) {
		/* compare prints its table on stdout */
		if (!(devnull = fopen("/dev/null", "we")) || !freopen("/dev/null", "w", stdout))
			abort();
		/* compare's page and CSV go to files of their own, replaced each time */
		const char *tmp = getenv("TMPDIR");
		char dir[48];

		snprintf(dir, sizeof(dir), "%.20s/swc-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir))
			abort();
		snprintf(html, sizeof(html), "%s/c.html", dir);
		snprintf(csv, sizeof(csv), "%s/c.csv", dir);
	}
	doc = swc_doc_load("fuzz", path);
	if (doc) {
		char *argv[] = { "compare", "--grade", "--html", html, "--csv", csv, path, path,
				 NULL };

		swc_page_doc(devnull, doc, path);
		json_object_put(doc);
		cmd_compare(8, argv);
	}
	close(fd);
	return 0;
}
