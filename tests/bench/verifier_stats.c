// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the kernel's verifier spent on each program of a BPF object: loads it with the
 * verifier's statistics (log level 4) and prints, per program, the instructions it processed,
 * its states and its own "verification time". Most of switchcost's start-up is this time,
 * so scripts/bench prints it beside "start to BPF attached". Read-only data (the programs'
 * configuration) stays as compiled: the defaults, as trace without options sets most of them.
 *
 *   verifier_stats build/switch.bpf.o [PROGRAM]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#define LOG_BYTES (1 << 20)

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level, (void)fmt, (void)args;
	return 0;
}

/* The number after key in the verifier's statistics lines, -1 when absent. */
static long long stat_after(const char *log, const char *key)
{
	const char *at = strstr(log, key);

	return at ? strtoll(at + strlen(key), NULL, 10) : -1;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	char **logs;
	int n = 0, i = 0, err;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: verifier_stats OBJECT.bpf.o [PROGRAM]\n");
		return 2;
	}
	libbpf_set_print(quiet);
	obj = bpf_object__open(argv[1]);
	if (!obj) {
		perror("verifier_stats: opening the BPF object");
		return 1;
	}
	bpf_object__for_each_program(prog, obj)
		n++;
	logs = calloc(n, sizeof(*logs));
	bpf_object__for_each_program(prog, obj) {
		if (argc == 3 && strcmp(bpf_program__name(prog), argv[2])) {
			bpf_program__set_autoload(prog, false);
			i++;
			continue;
		}
		logs[i] = calloc(1, LOG_BYTES);
		if (!logs[i])
			return 1;
		bpf_program__set_log_level(prog, 4);	/* statistics only */
		bpf_program__set_log_buf(prog, logs[i++], LOG_BYTES);
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "verifier_stats: loading: %s (needs root)\n", strerror(-err));
		return 1;
	}
	printf("%-22s %12s %10s %12s\n", "program", "processed", "states", "verify_us");
	i = 0;
	bpf_object__for_each_program(prog, obj) {
		const char *log = logs[i++];

		if (!log)
			continue;
		printf("%-22s %12lld %10lld %12lld\n", bpf_program__name(prog),
		       stat_after(log, "processed "), stat_after(log, "total_states "),
		       stat_after(log, "verification time "));
	}
	bpf_object__close(obj);
	return 0;
}
