#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Types Ctrl-C at a terminal: runs CMD on a new pseudo-terminal (its controlling terminal, CMD
in the foreground as a shell would put it), waits until CMD's tree is under way, writes ^C to the
terminal and waits for CMD to end. Prints what the terminal showed, then "tree PID..." (CMD's
processes when ^C was typed, CMD first), then "status N" (the exit status, 128+N for a signal,
"status timeout" if CMD outlived the wait).

Usage: pty_ctrl_c.py --ready TEXT|--children N [--timeout S] -- CMD...
  --ready TEXT   send ^C once TEXT shows on the terminal
  --children N   ... once CMD has N processes below it (its workloads under way)
"""
import os, pty, select, signal, sys, time


def descendants(pid):
    kids, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            for t in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{t}/children") as f:
                    for c in f.read().split():
                        kids.append(int(c))
                        todo.append(int(c))
        except OSError:
            pass
    return kids


def main():
    args = sys.argv[1:]
    ready = children = None
    timeout = 30.0
    while args and args[0] != "--":
        if args[0] == "--ready":
            ready = args[1].encode()
        elif args[0] == "--children":
            children = int(args[1])
        elif args[0] == "--timeout":
            timeout = float(args[1])
        else:
            sys.exit(f"pty_ctrl_c.py: unknown option {args[0]}")
        args = args[2:]
    cmd = args[1:]
    # pty.fork: the child leads a new session whose controlling terminal is the pty, and is
    # its foreground process group, as at a shell prompt
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    out, tree, status = b"", None, None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:		# EIO: every holder of the terminal has closed it
                chunk = b""
            out += chunk
        if tree is None and ((ready and ready in out) or
                             (children and len(descendants(pid)) >= children)):
            tree = [pid] + descendants(pid)
            os.write(fd, b"\x03")	# the terminal's VINTR: SIGINT to its foreground group
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(st)
            status = 128 - status if status < 0 else status
            break
    if status is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    # what is left on the terminal
    while True:
        r, _, _ = select.select([fd], [], [], 0.1)
        if not r:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    sys.stdout.write(out.decode(errors="replace").replace("\r\n", "\n"))
    print("tree " + " ".join(map(str, tree)) if tree else "ctrl-c never sent")
    print(f"status {status if status is not None else 'timeout'}")


main()
