"""The shim's zygote (forks shims from a warm interpreter) and its `exec -t` helper."""
import ctypes, fcntl, json, os, selectors, signal, socket, struct, subprocess, sys, termios, time
from shim_sys import *  # noqa: F401,F403
from shim_core import Shim, own_netns, shim_main  # noqa: F401


_cmdline = None  # the buffer /proc/self/cmdline points at in a zygote-forked shim (kept alive)


def set_cmdline(args):
    """Makes /proc/self/cmdline read `args`: a shim forked by the zygote must look like one started
    as `python3 -S -E shim.py <dir>`, because the daemon finds shims by their command line (adopt
    after a restart, --cleanup, the tests' leak checks). prctl(PR_SET_MM) needs CAP_SYS_RESOURCE
    in the initial user namespace; without it the zygote's own argv area is overwritten in place
    (NUL-padded: /proc/<pid>/cmdline then ends in empty arguments), which is why the daemon gives
    the zygote a spare `--room=...` argument."""
    global _cmdline
    raw = b'\0'.join(a.encode() for a in args) + b'\0'
    with open('/proc/self/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    arg_start, arg_end = int(fields[45]), int(fields[46])  # fields 48 and 49
    buf = ctypes.create_string_buffer(raw, len(raw))
    start = ctypes.addressof(buf)
    end = start + len(raw)
    # The kernel wants arg_start < arg_end after each step.
    steps = ((PR_SET_MM_ARG_END, end), (PR_SET_MM_ARG_START, start)) if start >= arg_end else ((PR_SET_MM_ARG_START, start), (PR_SET_MM_ARG_END, end))
    if libc.prctl(PR_SET_MM, steps[0][0], ctypes.c_ulong(steps[0][1]), ctypes.c_ulong(0), ctypes.c_ulong(0)) == 0:
        check(libc.prctl(PR_SET_MM, steps[1][0], ctypes.c_ulong(steps[1][1]), ctypes.c_ulong(0), ctypes.c_ulong(0)), 'prctl(PR_SET_MM)')
        _cmdline = buf
        return
    room = arg_end - arg_start
    if len(raw) > room:
        raise OSError(errno_E2BIG, 'command line %r does not fit in %d bytes' % (raw, room))
    ctypes.memmove(arg_start, raw + b'\0' * (room - len(raw)), room)


def zygote_child(lsock, conn, d, zygote_pid=None):
    """In the fork of the zygote: become an independent shim for `d`, exactly as if started
    `python3 -S -E shim.py <d>` detached with stdout = the request connection and stderr =
    <d>/shim.log. Never returns.

    d = None makes a spare: it makes a fresh namespace (own_netns) at once, says `spare <pid>`, and
    waits on the connection for its container's line {"dir": …}, then goes on as above with that
    namespace — the part of a container start that does not depend on the container, done before
    anyone asks. Until then it dies with the zygote, or when the daemon closes the connection."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the shim waits for its own child
        os.setsid()
        conn.setblocking(True)  # a timeout made it O_NONBLOCK; it becomes the shim's stdout
        cfd, lfd = conn.detach(), lsock.detach()
        os.dup2(cfd, 1)
        own = None
        if d is None:
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if os.getppid() != zygote_pid:
                os._exit(0)
            os.closerange(3, 1 << 16)
            own = own_netns()
            os.write(1, ('spare %d\n' % os.getpid()).encode())
            d = wait_for_dir()
            libc.prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0)  # a shim outlives the zygote
        log = os.open(d + '/shim.log', os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.dup2(log, 2)
        if own is None:
            os.closerange(3, 1 << 16)  # the listening socket, the request connection, anything else
        else:
            os.close(log)  # a spare closed the rest before it made its namespace's fds
        try:
            set_cmdline(list(sys.orig_argv[:sys.orig_argv.index('--zygote')]) + [d])
        except OSError as e:
            os.write(1, ('error %s\n' % e).encode())
            os._exit(1)
        os.write(1, ('shim %d\n' % os.getpid()).encode())
        shim_main(d, own)
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    except BaseException:
        import traceback
        traceback.print_exc()
    finally:
        try:
            sys.stderr.flush()
        finally:
            os._exit(code)


def wait_for_dir():
    """A spare's assignment: one line {"dir": …} on the connection (fd 1); EOF ends the spare."""
    buf = b''
    while not buf.endswith(b'\n'):
        data = os.read(1, 65536)
        if not data:
            os._exit(0)
        buf += data
    d = os.path.abspath(json.loads(buf)['dir'])
    if not os.path.isfile(d + '/config.json'):
        os.write(1, ('error no config.json in %s\n' % d).encode())
        os._exit(1)
    return d


def zygote_main(path):
    """One per runtime, started lazily by the daemon in the netns shims start in, with every module
    already imported: forking it is far cheaper than starting an interpreter per container.

    Protocol on the unix socket `path`: the client sends one line {"dir": "<container dir>"}; the
    zygote answers `error <why>` (and forks nothing) or forks a shim that writes `shim <pid>`,
    then the shim's usual `ready <pid> <netns>` line (or nothing more if it fails: see shim.log),
    and closes. Children are reaped here; they do not depend on the zygote, which holds no
    container's namespace. It exits when its parent (the daemon) dies or `path` is removed or
    replaced (a newer zygote took over)."""
    ppid = os.getppid()
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != ppid:
        return
    signal.signal(signal.SIGHUP, signal.SIG_IGN)

    def reap(*_):
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
    signal.signal(signal.SIGCHLD, reap)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    lsock.bind(path)
    os.umask(old)
    lsock.listen(64)
    ino = os.stat(path).st_ino
    lsock.settimeout(2)
    json.loads(json.dumps({'warm': [1, 'up']}))
    os.write(1, ('zygote %d\n' % os.getpid()).encode())
    devnull = os.open('/dev/null', os.O_RDWR)
    os.dup2(devnull, 1)
    os.close(devnull)
    while True:
        try:
            conn, _ = lsock.accept()
        except socket.timeout:
            try:
                if os.stat(path).st_ino != ino:
                    break
            except FileNotFoundError:
                break
            continue
        try:
            conn.settimeout(5)
            buf = b''
            while not buf.endswith(b'\n') and len(buf) < 65536:
                data = conn.recv(65536)
                if not data:
                    break
                buf += data
            try:
                req = json.loads(buf)
                if req.get('spare'):
                    d = None
                else:
                    d = os.path.abspath(req['dir'])
                    if not os.path.isfile(d + '/config.json'):
                        raise RuntimeError('no config.json in %s' % d)
                me = os.getpid()
                if os.fork() == 0:
                    zygote_child(lsock, conn, d, me)
            except Exception as e:
                conn.sendall(('error %s\n' % str(e).replace('\n', ' ')).encode())
        except OSError:
            pass
        finally:
            conn.close()
    lsock.close()


def exec_main(spec):
    """`exec -t`: runs argv (already wrapped in nsenter by the daemon) on a new pty. stdout = raw
    pty output; stdin = frames (stream 0 data, 3 JSON {"resize":[r,c]} / {"closeStdin":true});
    exits with the process's exit code (128+n for a signal)."""
    cfg = json.loads(spec)
    try:  # a pty of the container's devpts (`ptmx` is its path from the host), else the host's
        master, slave = open_pty(cfg['ptmx'])
    except (KeyError, OSError):
        master, slave = os.openpty()
    rows, cols = cfg.get('size') or (24, 80)
    set_winsize(slave, rows, cols)
    proc = subprocess.Popen(cfg['argv'], stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
                            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0), close_fds=True)
    os.close(slave)
    sel = selectors.DefaultSelector()
    sel.register(master, selectors.EVENT_READ, 'pty')
    sel.register(0, selectors.EVENT_READ, 'in')
    pidfd = os.pidfd_open(proc.pid)
    sel.register(pidfd, selectors.EVENT_READ, 'exit')
    buf, open_in = b'', bool(cfg.get('openStdin'))

    def pump():
        try:
            data = os.read(master, 65536)
        except OSError:
            data = b''
        if data:
            os.write(1, data)
        return bool(data)

    while True:
        for key, _ in sel.select():
            if key.data == 'pty':
                if not pump():
                    sel.unregister(master)
            elif key.data == 'in':
                data = os.read(0, 65536)
                if not data:
                    sel.unregister(0)
                    continue
                buf += data
                while len(buf) >= 5:
                    stream, n = struct.unpack('>BI', buf[:5])
                    if len(buf) < 5 + n:
                        break
                    payload, buf = buf[5:5 + n], buf[5 + n:]
                    if stream == 0 and open_in:
                        os.write(master, payload)
                    elif stream == 3:
                        msg = json.loads(payload)
                        if msg.get('resize'):
                            set_winsize(master, *msg['resize'])
                        if msg.get('closeStdin') and open_in:
                            os.write(master, b'\x04')
                            open_in = False
            elif key.data == 'exit':
                _, status = os.waitpid(proc.pid, 0)
                os.set_blocking(master, False)
                try:
                    while pump():
                        pass
                except BlockingIOError:
                    pass
                code = os.waitstatus_to_exitcode(status)
                sys.exit(128 - code if code < 0 else code)
