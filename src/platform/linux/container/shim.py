"""crosstalk container shim: one process per container, like podman's conmon.

Usage:  python3 -S -E shim.py <container dir>       (the shim; started detached by the daemon)
        python3 -S -E shim.py --zygote <socket> [--room=...]  (forks shims on request; see zygote_main)
        python3 -S -E shim.py --exec <json>          (a tty for `exec -t`; see exec_main)

The shim owns the container's network namespace (created here, before any container process,
so the daemon can plug veths into it), the embedded-DNS listener on 127.0.0.11:53 inside it
(relayed to the daemon), the container's stdio (pty or pipes), its json-file log and its exit
code. The daemon talks to it over <dir>/shim.sock; the container survives daemon restarts.

Control protocol on shim.sock: one JSON object per line, replies in request order, one line each:
  {"cmd":"status"}                     -> {"ok":true,"state":"created|running|exited","pid":N|null,"exitCode":N|null}
  {"cmd":"start","net":{"host":[…],"container":[…]}}
                                       -> {"ok":true,"pid":N,"netMs":T}   (host PID of the container's PID 1;
                                          `net`: optional `ip -batch` lines, run first in the shim's
                                          namespace (host) and then in the container's)
  {"cmd":"signal","signal":N}          -> {"ok":true}
  {"cmd":"resize","rows":R,"cols":C}   -> {"ok":true}
  errors                               -> {"ok":false,"error":"..."}
  events (unsolicited)                 -> {"event":"exit","exitCode":N}
  {"cmd":"attach"}  switches the connection to frames both ways: 1 byte stream + u32be length +
  bytes; stream 0 = stdin (client->shim), 1 stdout, 2 stderr, 3 control JSON
  (shim->client {"event":"exit","exitCode":N}; client->shim {"closeStdin":true} or
  {"resize":[rows,cols]}). Output is broadcast to every attached client.

Modules (next to this entry point): shim_core.py (the Shim class), shim_dns.py (the DNS relay),
shim_sys.py (kernel-facing helpers), shim_zygote.py (the zygote and the `exec -t` helper).
"""
import os, sys

sys.dont_write_bytecode = True  # the shim's modules sit next to it; no __pycache__ there

from shim_core import shim_main  # noqa: E402
from shim_zygote import exec_main, zygote_main  # noqa: E402


if __name__ == '__main__':
    if len(sys.argv) == 3 and sys.argv[1] == '--exec':
        exec_main(sys.argv[2])
    elif len(sys.argv) in (3, 4) and sys.argv[1] == '--zygote':
        zygote_main(os.path.abspath(sys.argv[2]))
    elif len(sys.argv) == 2:
        shim_main(os.path.abspath(sys.argv[1]))
    else:
        sys.stderr.write('usage: shim.py <container dir> | --zygote <socket> [--room=...] | --exec <json>\n')
        sys.exit(2)
