/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The machinery every HTML page shares (report, compare, --html of run, trace and lab): the
 * self-contained page frame (inline CSS, no script, no network), the system facts table, and the
 * page written safely (temporary file renamed into place, as the invoking user under sudo).
 */
#ifndef SWC_REPORT_PAGE_H
#define SWC_REPORT_PAGE_H

#include <stdio.h>
#include <json-c/json.h>

void swc_page_begin(FILE *f, const char *title, const char *source);
void swc_page_end(FILE *f);
/* The document's system facts (every scalar, nested objects one level deep) and its header. */
void swc_page_facts(FILE *f, struct json_object *doc);

/* Renders into a file that appears at path only once complete; returns 0 or 1 (line printed). */
int swc_page_write(const char *path, int (*render)(FILE *f, void *arg), void *arg);
/* report and compare need no privilege: under sudo, become the invoking user. 0 or -1. */
int swc_become_sudo_user(const char *who);

/* The pages of saved documents (report_run.c, report_lab.c); 0, or 1 with a line printed. */
int swc_page_run(FILE *f, struct json_object *doc, const char *source);
int swc_page_lab(FILE *f, struct json_object *doc, const char *source);
/* The page of any document: by its "command" */
int swc_page_doc(FILE *f, struct json_object *doc, const char *source);

#endif
