#!/usr/bin/env python3
"""Runs a program with stdin/stdout on a pseudo-terminal and types into it like a person would.

Used by test/compat/harness.ts (runPty): `docker container attach` refuses a piped stdin when the
container has a TTY ("the input device is not a TTY"), so the test gives it a real terminal.

    pty-run.py '{"argv": [...], "steps": [{"send": "...", "expect": "regex"}], "timeoutMs": N,
                 "idleMs": N, "rows": 24, "cols": 80}'

1. Starts argv in a new session with the pty slave as controlling terminal, stdin and stdout;
   stderr is a separate pipe.
2. Waits until the program has put the terminal into raw mode (ECHO and ICANON off), then until
   its output has been idle for idleMs.
3. For each step: writes `send`; waits until the output written since then matches `expect`
   (if given) and has been idle for idleMs.
4. Waits for the program to exit (killing it after timeoutMs).

Prints one JSON object: {"out", "err", "code", "timedOut", "stalledAt"}.
"""
import fcntl
import json
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

spec = json.loads(sys.argv[1])
timeout = spec.get("timeoutMs", 20000) / 1000.0
idle = spec.get("idleMs", 300) / 1000.0

master, slave = os.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", spec.get("rows", 24), spec.get("cols", 80), 0, 0))


def child_setup():
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


proc = subprocess.Popen(
    spec["argv"], stdin=slave, stdout=slave, stderr=subprocess.PIPE, preexec_fn=child_setup, close_fds=True
)
err_fd = proc.stderr.fileno()
out = bytearray()
err = bytearray()
last_output = time.monotonic()
open_fds = {master, err_fd}


def pump(wait):
    """Reads whatever is available within `wait` seconds."""
    global last_output
    if not open_fds:
        time.sleep(wait)
        return
    ready, _, _ = select.select(list(open_fds), [], [], wait)
    for fd in ready:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b""
        if not data:
            open_fds.discard(fd)
            continue
        (out if fd == master else err).extend(data)
        last_output = time.monotonic()


def raw_mode():
    lflag = termios.tcgetattr(slave)[3]
    return not (lflag & termios.ECHO) and not (lflag & termios.ICANON)


def wait_until(pred, limit):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if pred():
            return True
        if proc.poll() is not None:
            pump(0.05)
            return pred()
        pump(0.05)
    return pred()


def settled(since, expect):
    def pred():
        text = out[since:].decode("utf-8", "replace")
        if expect is not None and not re.search(expect, text):
            return False
        return time.monotonic() - last_output >= idle

    return pred


stalled_at = -1
timed_out = False
if wait_until(raw_mode, timeout):
    wait_until(settled(0, None), timeout)
    for i, step in enumerate(spec["steps"]):
        if proc.poll() is not None:
            stalled_at = i
            break
        mark = len(out)
        os.write(master, step["send"].encode("utf-8"))
        if not wait_until(settled(mark, step.get("expect")), timeout):
            stalled_at = i
            break
else:
    stalled_at = 0

end = time.monotonic() + timeout
while proc.poll() is None and time.monotonic() < end:
    pump(0.05)
if proc.poll() is None:
    timed_out = True
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
# Drain what is left (the slave stays open here, so read until quiet rather than EOF).
os.close(slave)
drain_end = time.monotonic() + 2
while open_fds and time.monotonic() < drain_end:
    before = len(out) + len(err)
    pump(0.1)
    if len(out) + len(err) == before and err_fd not in open_fds:
        break

print(
    json.dumps(
        {
            "out": out.decode("utf-8", "replace"),
            "err": err.decode("utf-8", "replace"),
            "code": proc.returncode if proc.returncode >= 0 else 128 - proc.returncode,
            "timedOut": timed_out,
            "stalledAt": stalled_at,
        }
    )
)
