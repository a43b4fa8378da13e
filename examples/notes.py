#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The teaching notes' program (../shared/seed), one experiment per run, for switchcost trace.

    python3 notes.py MODE [SCALE]

MODE: sync | async | fully-async | threads-join | threads | daemon | all
SCALE multiplies every sleep (default 1: the notes' 6, 2 and 3 seconds; 0.1 for quick runs).
"""
import asyncio
import sys
import time
from datetime import datetime
from threading import Thread

SCALE = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0


def took(what, start):
    print(f"Time taken for {what} :: {(datetime.now() - start).total_seconds():.2f} second(s)")


def fun(name, seconds):
    start = datetime.now()
    print(f"Starting {name} Execution")
    time.sleep(seconds * SCALE)
    took(f"execution of {name}", start)


def fun1():
    fun("fun1", 6)


def fun2():
    fun("fun2", 2)


def fun3():
    fun("fun3", 3)


async def async_fun1():
    start = datetime.now()
    print("Starting async_fun1 Execution")
    time.sleep(3 * SCALE)           # blocks the event loop: nothing else runs
    await asyncio.sleep(2 * SCALE)  # yields to the event loop
    time.sleep(1 * SCALE)
    took("execution of async_fun1", start)


async def async_fun2():
    start = datetime.now()
    print("Starting async_fun2 Execution")
    await asyncio.sleep(2 * SCALE)
    took("execution of async_fun2", start)


async def async_fun3():
    start = datetime.now()
    print("Starting async_fun3 Execution")
    time.sleep(1 * SCALE)
    await asyncio.sleep(2 * SCALE)
    took("execution of async_fun3", start)


async def fully_async(name, seconds):
    start = datetime.now()
    print(f"Starting {name} Execution")
    await asyncio.sleep(seconds * SCALE)
    took(f"execution of {name}", start)


def sync_calls():
    start = datetime.now()
    print("Starting Sync Execution of fns")
    fun1()
    fun2()
    fun3()
    took("sync execution of fns", start)


async def async_calls():
    start = datetime.now()
    print("Starting async Execution of fns")
    await asyncio.gather(async_fun1(), async_fun2(), async_fun3())
    took("async execution of fns", start)


async def fully_async_calls():
    start = datetime.now()
    print("Starting fully async Execution of fns")
    await asyncio.gather(fully_async("afun1", 2), fully_async("afun2", 2),
                         fully_async("afun3", 1))
    took("fully async execution of fns", start)


def multi_threaded(join, daemon=False):
    start = datetime.now()
    print(f"Starting Multi-threaded Execution of fns (join={join}, daemon={daemon})")
    threads = [Thread(target=f, daemon=daemon) for f in (fun1, fun2, fun3)]
    for t in threads:
        t.start()
    if join:
        for t in threads:
            t.join()
    took("multi-threaded execution of fns", start)


MODES = {
    "sync": sync_calls,
    "async": lambda: asyncio.run(async_calls()),
    "fully-async": lambda: asyncio.run(fully_async_calls()),
    "threads-join": lambda: multi_threaded(join=True),
    "threads": lambda: multi_threaded(join=False),
    "daemon": lambda: multi_threaded(join=False, daemon=True),
}


def runner():
    sync_calls()
    print("*********************************")
    asyncio.run(async_calls())
    print("*********************************")
    multi_threaded(join=False)


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "all"
    if mode == "all":
        runner()
    elif mode in MODES:
        MODES[mode]()
    else:
        sys.exit(f"usage: notes.py {{{'|'.join(list(MODES) + ['all'])}}} [SCALE]")
