/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * --html and --perfetto of run, trace and lab: the pages `report` draws from saved results,
 * drawn from the command's own results as it ends. run and lab render the very JSON document
 * they would print (written to memory, parsed back); trace feeds its records to the trace
 * reducer as they arrive.
 */
#ifndef SWC_PICTURES_H
#define SWC_PICTURES_H

#include <stdio.h>

struct swc_trace_data;

/* The page of the document write_json(f, arg) writes; 0, or 1 with a line printed. */
int swc_pictures_json(const char *html, void (*write_json)(FILE *f, void *arg), void *arg,
		      const char *source);
struct json_object;
/* The page of a parsed document (report's, of a saved one). */
int swc_pictures_doc(const char *html, struct json_object *doc, const char *source);
/* The trace's page and/or Perfetto JSON (either path NULL), once every record is added (it
 * calls swc_trace_finish()); 0, or 1 with a line printed. */
int swc_pictures_trace(struct swc_trace_data *td, const char *html, const char *perfetto,
		       const char *source);

#endif
