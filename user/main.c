// SPDX-License-Identifier: GPL-2.0-only
/* switchcost: subcommand dispatch. `run` is the default command. */
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "commands.h"
#include "selfstats.h"
#include "sudo.h"
#include "workload.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *what;
};

static const struct command commands[] = {
	{ "run", cmd_run, "measure process, thread and coroutine switches (default)" },
	{ "trace", cmd_trace, "count and time the switches of a program, its threads and children" },
	{ "lab", cmd_lab, "the teaching notes' experiments, measured (switchcost lab --list)" },
	{ "doctor", cmd_doctor, "what this machine lets switchcost measure, and how to fix the rest" },
	{ "report", cmd_report, "draw saved results as an HTML page, or a trace as Perfetto JSON" },
	{ "compare", cmd_compare, "saved results of several machines or students side by side" },
};

#define NCOMMANDS (int)(sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "Usage: switchcost [COMMAND] [OPTIONS]\n\n"
		   "What a context switch costs on this machine, measured, with eBPF evidence.\n\n"
		   "Commands:\n");
	for (int i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].what);
	fprintf(f, "\n  switchcost COMMAND --help   options of a command\n"
		   "  switchcost --version\n");
}

/*
 * Exact name, or a unique prefix of one (bpftool style). A prefix of several names that the
 * default command shares is the default command: `r` has always meant run, and report and
 * compare came later. *ambiguous says when several matched and none was chosen.
 */
static const struct command *find_command(const char *name, bool *ambiguous)
{
	const struct command *found = NULL;
	size_t len = strlen(name);
	int n = 0;

	*ambiguous = false;
	for (int i = 0; i < NCOMMANDS; i++) {
		if (!strcmp(commands[i].name, name))
			return &commands[i];
		if (!strncmp(commands[i].name, name, len) && !n++)
			found = &commands[i];
	}
	if (n > 1 && found != &commands[0]) {
		*ambiguous = true;
		return NULL;
	}
	return found;
}

int main(int argc, char **argv)
{
	struct sigaction ignore = { .sa_handler = SIG_IGN };
	const struct command *cmd;
	bool ambiguous;

	swc_self_started();
	/* stdin, stdout and stderr open, so no file we open lands on fd 0-2 and gets a
	 * workload's or a traced command's output */
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		if (open("/dev/null", O_RDWR) != fd)
			return 1;
		if (fd == STDOUT_FILENO)
			swc_stdout_mark_closed();
	}
	/* a closed pipe on stdout is a write error to report (swc_stdout_check()), not death */
	sigaction(SIGPIPE, &ignore, NULL);
	swc_json_errors_init(argc, argv);
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
			 !strcmp(argv[1], "help"))) {
		usage(stdout);
		return swc_stdout_check(0);
	}
	if (argc > 1 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
		printf("switchcost %s\n", SWC_VERSION);
		return swc_stdout_check(0);
	}
	/* one answer for every command: the sudo user is who the database says, with their groups */
	if (swc_sudo_check())
		return swc_exit(2);
	if (argc < 2 || argv[1][0] == '-')
		return swc_exit(cmd_run(argc, argv));	/* the default command's options */
	cmd = find_command(argv[1], &ambiguous);
	if (ambiguous) {
		fprintf(stderr, "switchcost: command '%s' is ambiguous:", argv[1]);
		for (int i = 0; i < NCOMMANDS; i++)
			if (!strncmp(commands[i].name, argv[1], strlen(argv[1])))
				fprintf(stderr, " %s", commands[i].name);
		fprintf(stderr, " (see switchcost --help)\n");
		return swc_exit(2);
	}
	if (!cmd) {
		/* a workload name given to the default command reads naturally: switchcost thread */
		if (swc_workload_from_name(argv[1]) >= 0)
			return swc_exit(cmd_run(argc, argv));
		fprintf(stderr, "switchcost: unknown command '%s' (see switchcost --help)\n",
			argv[1]);
		return swc_exit(2);
	}
	return swc_exit(cmd->fn(argc - 1, argv + 1));
}
