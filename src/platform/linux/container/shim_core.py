"""The container shim proper: one per container (see shim.py for the protocol).

It owns the container's network namespace, its stdio, its json-file log and its exit code, and
answers the daemon on <dir>/shim.sock."""
import ctypes, fcntl, json, os, selectors, signal, socket, struct, subprocess, sys, termios, time
from shim_sys import *  # noqa: F401,F403
from shim_dns import DnsRelay


class Shim(DnsRelay):
    def __init__(self, d):
        self.dir = d
        with open(d + '/config.json') as f:
            self.cfg = json.load(f)
        self.sel = selectors.DefaultSelector()
        self.state = 'created'
        self.proc = None        # the container's PID 1 (our child)
        self.pid = None         # host PID of the container's PID 1
        self.exit_code = None
        self.master = None      # pty master (tty) or None
        self.stdin_w = None     # fd we write container stdin to
        self.outputs = {}       # fd -> stream number
        self.partial = {1: b'', 2: b''}
        self.clients = {}       # control conns: sock -> {'buf':bytes,'attach':bool,'out':bytearray}
        self.dns_conn = None    # unix stream to the daemon's DNS service
        self.dns_rbuf = b''
        self.dns_pending = {}   # tag -> ('u', addr) | ('t', sock)
        self.dns_tcp = {}       # tcp client sock -> read buffer
        self.tag = 0
        self.timers = []        # [(monotonic deadline, fn)]
        self.arp = None         # packet socket in the container's netns (unsolicited ARPs)
        self.log = open(d + '/log.jsonl', 'ab', buffering=0)

    # ---- setup -------------------------------------------------------------------------------
    def make_netns(self, own=None):
        """`own`: a fresh namespace made ahead by a spare (own_netns()); it is used unless the
        container shares another namespace, else made here."""
        shared = self.cfg.get('sharedNetns')
        if not shared:
            own = own or own_netns()
            self.netns_fd, self.arp = own['netns'], own['arp']
            if self.cfg.get('dnsSocket'):
                self.udp, self.tcp = own['udp'], own['tcp']
                self.sel.register(self.udp, selectors.EVENT_READ, self.on_udp)
                self.sel.register(self.tcp, selectors.EVENT_READ, self.on_tcp_accept)
            else:
                own['udp'].close()
                own['tcp'].close()
            return
        if own:  # not ours to use: its pid namespace for our next child is fine, the rest goes
            for k in ('arp', 'udp', 'tcp'):
                if own[k]:
                    own[k].close()
            os.close(own['netns'])
        else:
            # Our next child becomes PID 1 of a new pid namespace, and we stay its parent: waitpid()
            # then sees the real exit status (util-linux 2.38's `unshare --fork` turns a child killed
            # by a signal into exit 1, which would lose Docker's 137/143).
            check(libc.unshare(CLONE_NEWPID), 'unshare(CLONE_NEWPID)')
        if shared == 'host':  # --network host: the namespace the shim started in
            self.netns_fd = os.open('/proc/self/ns/net', os.O_RDONLY)
            self.arp = packet_socket()
        else:  # --network container:X: X's namespace (its shim's fd path)
            orig = os.open('/proc/self/ns/net', os.O_RDONLY)
            self.netns_fd = os.open(shared, os.O_RDONLY)
            setns(self.netns_fd, CLONE_NEWNET)
            self.arp = packet_socket()
            setns(orig, CLONE_NEWNET)
            os.close(orig)

    def make_control(self):
        path = self.dir + '/shim.sock'
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        self.ctl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)  # socket created 0600: only root may drive the container
        self.ctl.bind(path)
        os.umask(old)
        self.ctl.listen(16)
        self.ctl.setblocking(False)
        self.sel.register(self.ctl, selectors.EVENT_READ, self.on_ctl_accept)

    # ---- container process -------------------------------------------------------------------
    def start(self, net=None):
        if self.state != 'created':
            raise RuntimeError('container already started')
        cfg, netns_fd = self.cfg, self.netns_fd
        self.net_ms = None
        # `net`: the container's network, handed over by the daemon: `host` lines (its veth pair) run
        # in the shim's own namespace, then `container` lines (addresses, up, routes) inside its own.
        host_lines = (net or {}).get('host') or []
        net_lines = (net or {}).get('container') or []
        ms_r, ms_w = os.pipe()  # the child's network setup time
        if cfg.get('tty'):
            # The child normally opens a pty of the container's own devpts and sends its master
            # over pty_w (take_container_pty); this one of the host's is the fallback.
            master, slave = os.openpty()
            rows, cols = cfg.get('size') or (24, 80)
            set_winsize(slave, rows, cols)
            pty_r, pty_w = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
            stdio = (slave, slave, slave)
            child_fds, parent_fds = [slave], [master]
        else:
            o_r, o_w = os.pipe()
            e_r, e_w = os.pipe()
            if cfg.get('openStdin'):
                i_r, i_w = os.pipe()
            else:
                i_r, i_w = os.open('/dev/null', os.O_RDONLY), None
            stdio = (i_r, o_w, e_w)
            child_fds, parent_fds = [i_r, o_w, e_w], [o_r, e_r] + ([i_w] if i_w is not None else [])

        tty = bool(cfg.get('tty'))
        err_r, err_w = os.pipe()  # the child's reason when building the container fails
        d = self.dir

        def preexec():
            # The shim's child, between fork and exec: it is PID 1 of the pid namespace the shim
            # unshared for its children. Die with the shim, join the container netns, get private
            # uts/ipc/mount namespaces (mounts never propagate back), build the rootfs, and (tty)
            # take the pty as controlling terminal (start_new_session already did setsid).
            try:
                libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
                # Network setup runs here, in the future PID 1, because the shim's own first child
                # becomes the pid namespace's init (an `ip` there would end the namespace).
                t0 = time.monotonic()
                if host_lines:
                    apply_host_lines(host_lines)
                setns(netns_fd, CLONE_NEWNET)
                if net_lines:
                    apply_net_lines(net_lines)
                if host_lines or net_lines:
                    os.write(ms_w, b'%.3f' % ((time.monotonic() - t0) * 1000))
                check(libc.unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC), 'unshare')
                check(libc.mount(b'none', b'/', None, ctypes.c_ulong(MS_REC | MS_PRIVATE), None), 'mount --make-rprivate /')
                build_rootfs(cfg, d)
                if tty:
                    take_container_pty()
                    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
                user = cfg.get('user')
                if user:  # last: everything above needs root
                    os.setgroups(user['groups'])
                    os.setgid(user['gid'])
                    os.setuid(user['uid'])
                    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # a credential change clears it
            except BaseException as e:
                os.write(err_w, str(e).encode())
                raise

        def take_container_pty():
            # Inside the new root: a pty of the container's devpts on fds 0-2, its master to the shim.
            try:
                m, s = open_pty('/dev/pts/ptmx')
            except OSError:
                return  # no private devpts: keep the host's pty
            set_winsize(s, rows, cols)
            for fd in (0, 1, 2):
                os.dup2(s, fd)
            os.close(s)
            socket.send_fds(pty_w, [b'm'], [m])
            os.close(m)

        env = dict(e.split('=', 1) if '=' in e else (e, '') for e in cfg['env'])
        env.setdefault('PATH', DEFAULT_PATH)
        try:
            # Popen looks argv[0] up in env's PATH and execve()s each candidate after preexec,
            # i.e. inside the chroot; it returns only once exec succeeded (or raises why not).
            self.proc = subprocess.Popen(cfg['argv'], env=env, stdin=stdio[0], stdout=stdio[1], stderr=stdio[2],
                                         start_new_session=True, preexec_fn=preexec, close_fds=True)
        except BaseException as e:
            os.close(err_w)
            why = os.read(err_r, 4096).decode(errors='replace')
            os.close(err_r)
            os.close(ms_w)
            os.close(ms_r)
            for fd in set(child_fds) | set(parent_fds):
                os.close(fd)
            if tty:
                pty_r.close()
                pty_w.close()
            if isinstance(e, FileNotFoundError):
                code, msg = 127, 'exec: "%s": executable file not found in $PATH' % cfg['argv'][0]
            elif isinstance(e, PermissionError):
                code, msg = 126, 'exec: "%s": permission denied' % cfg['argv'][0]
            else:
                code, msg = 1, 'container init failed: %s' % (why or e)
            self.state = 'running'
            self.finish(code)
            raise RuntimeError(msg)
        os.close(err_w)
        os.close(err_r)
        os.close(ms_w)
        try:
            os.set_blocking(ms_r, False)
            got = os.read(ms_r, 64)
            self.net_ms = float(got) if got else None
        except (BlockingIOError, ValueError):
            pass
        os.close(ms_r)
        for fd in set(child_fds):
            os.close(fd)
        if tty:
            try:  # the child sent its container pty's master before it exec'd (Popen waits for that)
                pty_r.setblocking(False)
                _, fds, _, _ = socket.recv_fds(pty_r, 1, 1)
                if fds:
                    os.close(master)
                    master = fds[0]
            except BlockingIOError:
                pass
            pty_r.close()
            pty_w.close()
            self.master = master
            self.stdin_w = master if cfg.get('openStdin') else None
            self.outputs = {master: 1}
        else:
            self.stdin_w = i_w
            self.outputs = {o_r: 1, e_r: 2}
        for fd in self.outputs:
            os.set_blocking(fd, False)
            self.sel.register(fd, selectors.EVENT_READ, self.on_output)
        self.pidfd = os.pidfd_open(self.proc.pid)
        self.sel.register(self.pidfd, selectors.EVENT_READ, self.on_child_exit)
        self.state = 'running'
        self.pid = self.proc.pid
        self.advertise((net or {}).get('advertise') or [])
        return self.pid

    def on_output(self, fd, _mask):
        stream = self.outputs[fd]
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            return
        except OSError:  # EIO: pty slave closed
            data = b''
        if not data:
            self.sel.unregister(fd)
            del self.outputs[fd]
            if fd != self.master:
                os.close(fd)
            return
        self.emit(stream, data)

    def emit(self, stream, data):
        # json-file logging splits on newlines, like Docker's log copier.
        buf = self.partial[stream] + data
        *lines, rest = buf.split(b'\n')
        self.partial[stream] = rest
        if lines:
            name = 'stdout' if stream == 1 else 'stderr'
            t = now_rfc3339()
            out = ''.join(json.dumps({'stream': name, 'time': t, 'log': (l + b'\n').decode('utf-8', 'replace')}, separators=(',', ':')) + '\n' for l in lines)
            self.log.write(out.encode())
        self.broadcast(frame(stream, data))

    def flush_partial(self):
        for stream, rest in self.partial.items():
            if rest:
                name = 'stdout' if stream == 1 else 'stderr'
                self.log.write((json.dumps({'stream': name, 'time': now_rfc3339(), 'log': rest.decode('utf-8', 'replace')}, separators=(',', ':')) + '\n').encode())
                self.partial[stream] = b''

    def on_child_exit(self, fd, _mask):
        _, status = os.waitpid(self.proc.pid, 0)
        # We are PID 1's real parent, so a fatal signal shows as such: 128+n, like Docker.
        code = os.waitstatus_to_exitcode(status)
        self.sel.unregister(fd)
        os.close(fd)
        self.finish(128 - code if code < 0 else code)

    def finish(self, code):
        self.exit_code = code
        # Drain what is left in the pipes/pty (every writer is gone with the pid namespace).
        for ofd in list(self.outputs):
            for _ in range(1000):
                if ofd not in self.outputs:
                    break
                try:
                    self.on_output(ofd, 0)
                except BlockingIOError:
                    break
                if ofd in self.outputs and not self._readable(ofd):
                    break
        self.flush_partial()
        self.state = 'exited'
        write_atomic(self.dir + '/exit', '%d\n' % self.exit_code)
        ev = {'event': 'exit', 'exitCode': self.exit_code}
        for s, c in list(self.clients.items()):
            self.send(s, frame(3, json.dumps(ev).encode()) if c['attach'] else (json.dumps(ev) + '\n').encode())
        self.running = False

    @staticmethod
    def _readable(fd):
        sel = selectors.DefaultSelector()
        sel.register(fd, selectors.EVENT_READ)
        r = sel.select(0)
        sel.close()
        return bool(r)

    # ---- control / attach --------------------------------------------------------------------
    def on_ctl_accept(self, sock, _mask):
        try:
            conn, _ = sock.accept()
        except BlockingIOError:
            return
        conn.setblocking(False)
        self.clients[conn] = {'buf': b'', 'attach': False, 'out': bytearray()}
        self.sel.register(conn, selectors.EVENT_READ, self.on_client)

    def drop(self, conn):
        if conn in self.clients:
            del self.clients[conn]
            self.sel.unregister(conn)
            conn.close()

    def send(self, conn, data):
        c = self.clients.get(conn)
        if c is None:
            return
        if not c['out']:
            try:
                n = conn.send(data)
            except BlockingIOError:
                n = 0
            except OSError:
                self.drop(conn)
                return
            data = data[n:]
            if not data:
                return
            self.sel.modify(conn, selectors.EVENT_READ | selectors.EVENT_WRITE, self.on_client)
        c['out'] += data
        if len(c['out']) > 16 << 20:  # a client that never reads must not eat the shim's memory
            self.drop(conn)

    def broadcast(self, data):
        for s, c in list(self.clients.items()):
            if c['attach']:
                self.send(s, data)

    def on_client(self, conn, mask):
        c = self.clients[conn]
        if mask & selectors.EVENT_WRITE and c['out']:
            try:
                n = conn.send(c['out'])
                del c['out'][:n]
            except BlockingIOError:
                pass
            except OSError:
                return self.drop(conn)
            if not c['out']:
                self.sel.modify(conn, selectors.EVENT_READ, self.on_client)
        if not mask & selectors.EVENT_READ:
            return
        data = recv_ready(conn)
        if data is None:
            return
        if not data:
            return self.drop(conn)
        c['buf'] += data
        while conn in self.clients:
            if c['attach']:
                if len(c['buf']) < 5:
                    break
                stream, n = struct.unpack('>BI', c['buf'][:5])
                if len(c['buf']) < 5 + n:
                    break
                payload, c['buf'] = c['buf'][5:5 + n], c['buf'][5 + n:]
                self.attach_input(stream, payload)
            else:
                line, sep, rest = c['buf'].partition(b'\n')
                if not sep:
                    break
                c['buf'] = rest
                self.command(conn, c, line)

    def attach_input(self, stream, payload):
        if stream == 0 and self.stdin_w is not None:
            try:
                os.set_blocking(self.stdin_w, True)
                os.write(self.stdin_w, payload)
            except OSError:
                pass
        elif stream == 3:
            msg = json.loads(payload)
            if msg.get('closeStdin'):
                self.close_stdin()
            if msg.get('resize'):
                self.resize(*msg['resize'])

    def close_stdin(self):
        if self.stdin_w is None:
            return
        if self.stdin_w == self.master:
            os.write(self.master, b'\x04')  # EOF on a terminal is ^D
        else:
            os.close(self.stdin_w)
        self.stdin_w = None

    def resize(self, rows, cols):
        if self.master is not None:
            set_winsize(self.master, int(rows), int(cols))
        else:
            self.cfg['size'] = (int(rows), int(cols))  # applied when the pty is created at start

    def advertise(self, items):
        """Docker 28 announces a container's addresses when its interface comes up: unsolicited
        ARPs (IPv4) and neighbour advertisements (IPv6), `count` of them `intervalMs` apart (the
        network's advertise_addr_nmsgs / _ms options). The first waits (polling every 2 ms, at
        most 1 s) until the kernel has the link running: before that its queue is a no-op and the
        frame would be dropped. When the container stops, its interfaces go and sends fail quietly."""
        if self.arp is None:
            return
        deadline = time.monotonic() + 1

        def send(item, left):
            ifname, ip = str(item['ifname']), str(item['address'])
            if left == int(item['count']) and time.monotonic() < deadline:
                try:
                    up = link_flags(self.arp, ifname) & IFF_RUNNING
                except OSError:
                    return  # gone: nothing to announce
                if not up:
                    self.timers.append((time.monotonic() + 0.002, lambda: send(item, left)))
                    return
            (send_unsolicited_na if ':' in ip else send_unsolicited_arp)(self.arp, ifname, ip)
            if left > 1:
                self.timers.append((time.monotonic() + int(item['intervalMs']) / 1000, lambda: send(item, left - 1)))

        for item in items:
            if int(item.get('count', 0)) > 0:
                send(item, int(item['count']))

    def command(self, conn, c, line):
        try:
            msg = json.loads(line)
            cmd = msg.get('cmd')
            reply = {'ok': True}
            if cmd == 'status':
                reply.update(state=self.state, pid=self.pid, exitCode=self.exit_code)
            elif cmd == 'start':
                reply['pid'] = self.start(msg.get('net') or {})
                if self.net_ms is not None:
                    reply['netMs'] = self.net_ms
            elif cmd == 'signal':
                if self.state != 'running':
                    raise RuntimeError('container is not running')
                os.kill(self.pid, int(msg['signal']))
            elif cmd == 'resize':
                self.resize(msg['rows'], msg['cols'])
            elif cmd == 'advertise':
                self.advertise(msg.get('addresses') or [])
            elif cmd == 'attach':
                c['attach'] = True
                self.send(conn, frame(3, json.dumps({'event': 'attached', 'state': self.state}).encode()))
                return
            else:
                raise RuntimeError('unknown command %r' % cmd)
        except Exception as e:  # any failure is the caller's answer, never the shim's death
            reply = {'ok': False, 'error': str(e)}
        self.send(conn, (json.dumps(reply) + '\n').encode())

    # ---- main loop ---------------------------------------------------------------------------
    def run(self):
        self.running = True
        while self.running:
            timeout = None
            if self.timers:
                timeout = max(0, min(t for t, _ in self.timers) - time.monotonic())
            for key, mask in self.sel.select(timeout):
                key.data(key.fileobj, mask)
                if not self.running:
                    break
            if self.timers:
                now = time.monotonic()
                due = [fn for t, fn in self.timers if t <= now]
                self.timers = [(t, fn) for t, fn in self.timers if t > now]
                for fn in due:
                    fn()
        # Exit: give attach/control clients a moment to receive the exit event, then go.
        deadline = time.monotonic() + 2
        for s, c in list(self.clients.items()):
            if c['out']:
                try:
                    s.setblocking(True)
                    s.settimeout(max(0.01, deadline - time.monotonic()))
                    s.sendall(c['out'])
                except OSError:
                    pass
        for path in ('shim.sock', 'shim.json'):
            try:
                os.unlink(self.dir + '/' + path)
            except FileNotFoundError:
                pass


def packet_socket():
    """For unsolicited ARPs/NAs (advertise), in the current netns; lives as long as the shim."""
    try:
        return socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    except OSError:
        return None


def own_netns():
    """What every container with a network namespace of its own needs, none of it specific to the
    container: the namespace (lo up), its packet socket, the embedded DNS sockets on 127.0.0.11:53
    (sockets stay in the netns they were made in, wherever we move later), and the pid namespace
    for our next child. A spare makes this ahead of time (shim_zygote.py)."""
    orig = os.open('/proc/self/ns/net', os.O_RDONLY)
    check(libc.unshare(CLONE_NEWNET), 'unshare(CLONE_NEWNET)')
    own = {'netns': os.open('/proc/self/ns/net', os.O_RDONLY)}  # keeps the netns alive; inheritable=False
    lo_up()
    own['arp'] = packet_socket()
    own['udp'] = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    own['udp'].bind(('127.0.0.11', 53))
    own['udp'].setblocking(False)
    own['tcp'] = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    own['tcp'].setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    own['tcp'].bind(('127.0.0.11', 53))
    own['tcp'].listen(64)
    own['tcp'].setblocking(False)
    setns(orig, CLONE_NEWNET)
    os.close(orig)
    check(libc.unshare(CLONE_NEWPID), 'unshare(CLONE_NEWPID)')
    return own


def shim_main(d, own=None):
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    shim = Shim(d)
    shim.make_netns(own)
    shim.make_control()
    netns = '/proc/%d/fd/%d' % (os.getpid(), shim.netns_fd)
    write_atomic(d + '/shim.json', json.dumps({'pid': os.getpid(), 'netns': netns}) + '\n')
    # Readiness line for the daemon, then stdout goes away (the daemon closes its end).
    os.write(1, ('ready %d %s\n' % (os.getpid(), netns)).encode())
    devnull = os.open('/dev/null', os.O_RDWR)
    os.dup2(devnull, 1)
    os.close(devnull)
    shim.run()
