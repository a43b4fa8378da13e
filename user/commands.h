/* SPDX-License-Identifier: GPL-2.0-only */
/* The subcommands; each takes its own argv (argv[0] is the command's name). */
#ifndef SWC_COMMANDS_H
#define SWC_COMMANDS_H

#define SWC_VERSION "0.1.0"

int cmd_run(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_lab(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);

#endif
