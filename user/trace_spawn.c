// SPDX-License-Identifier: GPL-2.0-only
/*
 * Starting the traced command: watched from birth, in its own process group, as the user who
 * ran sudo (only the tracer keeps root), with exec failures reported back like a shell does
 * (127 not found, 126 not executable). Then reaping it and whatever it leaves behind.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include "clock.h"
#include "runner.h"
#include "signals.h"
#include "sudo.h"
#include "trace.h"
#include "watch.h"

enum { STAGE_DROP = 1, STAGE_STDOUT, STAGE_CGROUP, STAGE_EXEC };

/* What the child sends through the CLOEXEC pipe when it cannot become CMD. */
struct spawn_error {
	int stage;
	int err;
	char interpreter[256];	/* ENOENT from exec of a script: its #! interpreter */
};

/* The file execvp(name) found (name itself when it has a '/'); 0 when there is none. */
static int exec_target(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH"), *p, *colon;

	if (strchr(name, '/')) {
		snprintf(out, len, "%s", name);
		return access(out, F_OK) == 0;
	}
	for (p = path ? path : "/usr/local/bin:/usr/bin:/bin"; p; p = colon ? colon + 1 : NULL) {
		colon = strchr(p, ':');
		snprintf(out, len, "%.*s/%s", colon ? (int)(colon - p) : (int)strlen(p), p, name);
		if (access(out, X_OK) == 0)
			return 1;
	}
	return 0;
}

/*
 * exec says ENOENT both for a missing command and for a script whose #! interpreter is
 * missing: tell them apart as a shell's "required file not found" does, naming the
 * interpreter. Sets se->interpreter when that is the case.
 */
static void find_missing_interpreter(const char *name, struct spawn_error *se)
{
	char file[4096], line[sizeof(se->interpreter) + 2];
	ssize_t n = 0;
	size_t i = 2;
	int fd;

	if (!exec_target(name, file, sizeof(file)))
		return;
	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd >= 0) {
		n = read(fd, line, sizeof(line) - 1);
		close(fd);
	}
	if (n < 3 || line[0] != '#' || line[1] != '!')
		return;
	line[n] = '\0';
	while (line[i] == ' ' || line[i] == '\t')
		i++;
	snprintf(se->interpreter, sizeof(se->interpreter), "%.*s", (int)strcspn(line + i, " \t\n"),
		 line + i);
}

/* The invoking user's credentials, looked up before fork (no NSS calls in the child). */
struct creds {
	bool drop;
	const struct swc_sudo_user *user;
};

static bool tty_owned;

static int lookup_creds(bool as_root, struct creds *c)
{
	memset(c, 0, sizeof(*c));
	if (as_root)
		return 0;
	/* main() refused a SUDO_UID without a passwd entry and a SUDO_GID not among its groups */
	c->user = swc_sudo_user();
	c->drop = c->user != NULL;
	return 0;
}

static int drop_privileges(const struct creds *c)
{
	const struct swc_sudo_user *u = c->user;

	if (setgroups(u->ngroups, u->groups) || setgid(u->gid) || setuid(u->uid))
		return -1;
	/* setuid(2) from root sets all three ids; make sure there is no way back */
	if (getuid() != u->uid || geteuid() != u->uid || setuid(0) == 0) {
		errno = EPERM;
		return -1;
	}
	setenv("HOME", u->home, 1);
	setenv("USER", u->name, 1);
	setenv("LOGNAME", u->name, 1);
	return 0;
}

static void __attribute__((noreturn)) child_main(const struct trace_env *env,
						 const struct creds *c, int err_fd, pid_t parent)
{
	struct spawn_error se = { 0, 0, "" };
	sigset_t none;
	ssize_t n;

	/* swc_fork_watched() reset the dispositions and the group; the mask is ours to clear */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* into the tree's cgroup before anything can fork: all of it is killable at once */
	if (trace_contain_enter()) {
		se.stage = STAGE_CGROUP;
		goto fail;
	}
	if (tty_owned) {
		signal(SIGTTOU, SIG_IGN);	/* we are a background group until this returns */
		tcsetpgrp(STDIN_FILENO, getpid());
		signal(SIGTTOU, SIG_DFL);
	}
	if (c->drop && drop_privileges(c)) {
		se.stage = STAGE_DROP;
		goto fail;
	}
	/* our stdout carries the JSON document or the CSV: the program's output goes beside
	 * our messages instead, not lost and not mixed in */
	if (env->cmd_stdout_to_stderr && dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		se.stage = STAGE_STDOUT;
		goto fail;
	}
	/* a credential change clears the parent-death signal: set it again, as the user */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent)
		_exit(1);	/* switchcost died before we got here */
	execvp(env->argv[0], env->argv);
	se.stage = STAGE_EXEC;
	se.err = errno;
	if (se.err == ENOENT)
		find_missing_interpreter(env->argv[0], &se);
	errno = se.err;
fail:
	se.err = errno;
	n = write(err_fd, &se, sizeof(se));
	(void)n;
	_exit(se.err == ENOENT && se.stage == STAGE_EXEC ? 127 : 126);
}

void trace_tty_handoff(pid_t pgid)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;

	if (!tty_owned)
		return;
	sigaction(SIGTTOU, &ign, &old);
	tcsetpgrp(STDIN_FILENO, pgid < 0 ? getpgrp() : pgid);
	sigaction(SIGTTOU, &old, NULL);
}

pid_t trace_spawn(struct swc_watch *w, const struct trace_env *env, struct trace_result *res,
		  int *exit_code)
{
	char **argv = env->argv;
	struct spawn_error se;
	int pfd[2], st;
	struct creds c;
	pid_t pid, parent = getpid();
	ssize_t n;

	*exit_code = 1;
	if (lookup_creds(env->as_root, &c))
		return -1;
	res->ran_as_user = c.drop;
	res->uid = c.drop ? c.user->uid : getuid();
	res->gid = c.drop ? c.user->gid : getgid();
	if (pipe2(pfd, O_CLOEXEC)) {
		fprintf(stderr, "switchcost: creating a pipe: %s\n", strerror(errno));
		return -1;
	}
	tty_owned = isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
	fflush(NULL);
	pid = swc_fork_watched(w, TRACE_GROUP);
	if (pid < 0) {
		fprintf(stderr, "switchcost: starting %s: %s\n", argv[0], strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		close(pfd[0]);
		child_main(env, &c, pfd[1], parent);
	}
	trace_tty_handoff(pid);
	close(pfd[1]);
	do {
		n = read(pfd[0], &se, sizeof(se));
	} while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n != (ssize_t)sizeof(se))
		return pid;	/* EOF: the exec succeeded and closed the pipe */

	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	trace_tty_handoff(-1);
	if (se.stage == STAGE_DROP) {
		fprintf(stderr, "switchcost: cannot run %s as uid %u gid %u (from SUDO_UID/"
				"SUDO_GID): %s; use --as-root to run it as root\n", argv[0],
			(unsigned int)c.user->uid, (unsigned int)c.user->gid, strerror(se.err));
		return -1;
	}
	if (se.stage == STAGE_CGROUP) {
		fprintf(stderr, "switchcost: starting %s: moving it into its cgroup: %s\n",
			argv[0], strerror(se.err));
		return -1;
	}
	if (se.stage == STAGE_STDOUT) {
		fprintf(stderr, "switchcost: starting %s: connecting its stdout to our stderr: %s "
				"(is stderr open?)\n", argv[0], strerror(se.err));
		return -1;
	}
	if (se.err == ENOENT && se.interpreter[0]) {
		fprintf(stderr, "switchcost: cannot run '%s': its interpreter %s (its #! line) is "
				"not found\n", argv[0], se.interpreter);
		*exit_code = 127;
	} else if (se.err == ENOENT) {
		fprintf(stderr, "switchcost: cannot run '%s': command not found (check the name "
				"and PATH, or give a path)\n", argv[0]);
		*exit_code = 127;
	} else {
		fprintf(stderr, "switchcost: cannot run '%s': %s%s\n", argv[0], strerror(se.err),
			se.err == EACCES ? " (is it an executable file the user may run?)" : "");
		*exit_code = 126;
	}
	return -1;
}

static void add_rusage(struct rusage *to, const struct rusage *ru)
{
	timeradd(&to->ru_utime, &ru->ru_utime, &to->ru_utime);
	timeradd(&to->ru_stime, &ru->ru_stime, &to->ru_stime);
	to->ru_nvcsw += ru->ru_nvcsw;
	to->ru_nivcsw += ru->ru_nivcsw;
	if (ru->ru_maxrss > to->ru_maxrss)
		to->ru_maxrss = ru->ru_maxrss;
}

int trace_reap(struct trace_result *res, struct swc_watch *w)
{
	/* one deadline for the whole batch: a program leaving thousands of zombies must not
	 * cost a wait per zombie whose mark is late */
	__u64 deadline = swc_now_ns() + GONE_WAIT_NS;
	struct rusage ru;
	siginfo_t info;
	int st, n = 0;
	pid_t p;

	for (;;) {
		/* peek first: wait4's counts must include the zombie's final switch; after a stop
		 * request, reap at once (a second Ctrl-C must not wait on anything) */
		memset(&info, 0, sizeof(info));
		if (w && !waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) && info.si_pid > 0 &&
		    !trace_contain_is_supervisor(info.si_pid))
			watch__await_gone(w, info.si_pid, stop_requested ? 0 : deadline);
		p = wait4(info.si_pid > 0 ? info.si_pid : -1, &st, WNOHANG, &ru);
		if (p > 0 && trace_contain_is_supervisor(p))
			continue;	/* ours, not the program's */
		if (p > 0) {
			/* as subreaper we also get the orphans of CMD's descendants */
			add_rusage(&res->ru, &ru);
			if (p == res->cmd_pid) {
				res->cmd_exit_ns = swc_now_ns();
				res->status = st;
				res->cmd_reaped = true;
			}
			n++;
			continue;
		}
		if (p == 0)
			return n;
		if (errno == EINTR)
			continue;
		return n ? n : -1;	/* ECHILD */
	}
}

int trace_proc_stat(pid_t pid, char *state, pid_t *ppid)
{
	char path[64], buf[512], *p, st;
	long pp;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	/* "pid (comm) S ppid ...": comm may hold spaces and ')', so from the last ')' */
	if (!p || sscanf(p + 1, " %c %ld", &st, &pp) != 2)
		return -1;
	if (state)
		*state = st;
	if (ppid)
		*ppid = (pid_t)pp;
	return 0;
}

/* Our children right now (CMD's orphans come to us: we are their subreaper). */
static int kill_our_children(void)
{
	pid_t me = getpid(), pid, ppid;
	struct dirent *de;
	int n = 0;
	DIR *d = opendir("/proc");

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (pid_t)atol(de->d_name);
		if (!trace_proc_stat(pid, NULL, &ppid) && ppid == me &&
		    !trace_contain_is_supervisor(pid)) {
			kill(pid, SIGKILL);
			n++;
		}
	}
	closedir(d);
	return n;
}

__u64 trace_kill_descendants(struct trace_result *res, struct swc_watch *w)
{
	__u64 left = 0;
	int n;

	/* what exited on its own is not "left running" */
	if (trace_reap(res, w) < 0)
		return 0;
	/* the whole tree at once where it is contained, else what is still in CMD's group */
	if (trace_contain_kill() && res->cmd_pid > 0)
		kill(-res->cmd_pid, SIGKILL);
	trace_contain_release();	/* the supervisor ends: we reap it with the rest */
	for (;;) {
		kill_our_children();
		n = trace_reap(res, w);
		if (n < 0)
			break;
		left += n;
		usleep(5000);
	}
	return left;
}

int trace_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return swc_signal_exit_code(WTERMSIG(status));
	return 1;
}
