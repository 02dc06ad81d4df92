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
"""
import ctypes, fcntl, json, os, selectors, signal, socket, struct, subprocess, sys, termios, time

CLONE_NEWNET = 0x40000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC = 1, 2, 4, 8, 0x1000, 0x4000
MS_PRIVATE = 1 << 18
PR_SET_PDEATHSIG = 1
PR_SET_MM, PR_SET_MM_ARG_START, PR_SET_MM_ARG_END = 35, 8, 9
errno_E2BIG = 7
libc = ctypes.CDLL(None, use_errno=True)
DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'


def check(ret, what):
    if ret != 0:
        e = ctypes.get_errno()
        raise OSError(e, '%s: %s' % (what, os.strerror(e)))


def setns(fd, nstype):
    check(libc.setns(fd, nstype), 'setns')


def set_winsize(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))


TIOCSPTLCK = 0x40045431
TIOCGPTPEER = 0x5441


def open_pty(ptmx):
    """A pty pair from the devpts instance that ptmx belongs to. With the container's own, the
    slave is /dev/pts/N inside the container, so ttyname() (`tty`) finds it, as under Docker; a
    pty of the host's devpts has a name that does not exist in there ("not a tty").
    TIOCGPTPEER opens the slave from the master, with no path lookup (Linux 4.13)."""
    master = os.open(ptmx, os.O_RDWR | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        fcntl.ioctl(master, TIOCSPTLCK, struct.pack('i', 0))
        slave = fcntl.ioctl(master, TIOCGPTPEER, os.O_RDWR | os.O_NOCTTY)
    except BaseException:
        os.close(master)
        raise
    return master, slave


def lo_up():
    # ioctl instead of spawning `ip link set lo up`: saves a fork+exec (~3 ms) per container.
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        req = struct.pack('16sH22x', b'lo', 0)
        flags = struct.unpack('16sH22x', fcntl.ioctl(s.fileno(), 0x8913, req))[1]  # SIOCGIFFLAGS
        fcntl.ioctl(s.fileno(), 0x8914, struct.pack('16sH22x', b'lo', flags | 1))  # SIOCSIFFLAGS IFF_UP
    finally:
        s.close()


def run_ip_batch(text):
    # fork + exec `ip -batch -` with `text` on its stdin; raises with ip's stderr when it fails.
    in_r, in_w = os.pipe()
    er_r, er_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(in_r, 0)
            os.dup2(er_w, 2)
            os.execvp('ip', ['ip', '-batch', '-'])
        finally:
            os._exit(127)
    os.close(in_r)
    os.close(er_w)
    os.write(in_w, text)
    os.close(in_w)
    _, status = os.waitpid(pid, 0)
    err = os.read(er_r, 4096).decode(errors='replace').strip()
    os.close(er_r)
    if status != 0:
        raise RuntimeError('network setup failed: %s' % err)


SIOCGIFFLAGS, SIOCSIFFLAGS, SIOCSIFADDR, SIOCSIFNETMASK = 0x8913, 0x8914, 0x8916, 0x891c
IFF_UP = 0x1


def nl_default_route(gw, dev):
    # RTM_NEWROUTE (create|replace) default via gw dev — the route ioctl is refused on some kernels.
    fam = socket.AF_INET6 if ':' in gw else socket.AF_INET
    gwb = socket.inet_pton(fam, gw)
    rtmsg = struct.pack('=BBBBBBBBI', fam, 0, 0, 0, 254, 3, 0, 1, 0)  # main table, proto boot, unicast
    attrs = struct.pack('=HH', 4 + len(gwb), 5) + gwb + struct.pack('=HHI', 8, 4, socket.if_nametoindex(dev))
    body = rtmsg + attrs
    msg = struct.pack('=IHHII', 16 + len(body), 24, 0x1 | 0x4 | 0x400 | 0x100, 1, 0) + body
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    try:
        s.sendto(msg, (0, 0))
        err = struct.unpack('=i', s.recv(4096)[16:20])[0]
        if err:
            raise OSError(-err, os.strerror(-err))
    finally:
        s.close()


def sockaddr_in(ip):
    return struct.pack('=H2s4s8s', socket.AF_INET, b'', socket.inet_aton(ip), b'')


ETH_P_ARP = 0x0806
ETH_P_IPV6 = 0x86dd


SIOCGIFHWADDR = 0x8927
IFF_RUNNING = 0x40


def link_flags(s, ifname):
    return struct.unpack('16sH14s', fcntl.ioctl(s, SIOCGIFFLAGS, struct.pack('16sH14s', ifname.encode(), 0, b'')))[1]


def send_unsolicited_arp(s, ifname, ip):
    # A gratuitous ARP request (sender = target = ip, broadcast) out of `ifname`: neighbours that
    # still hold the previous MAC for this address (a restart gets a new random MAC) take the new
    # one at once instead of after their reachable time. `s` is a packet socket of protocol 0 in
    # the container's netns: it receives nothing, so it never registers a packet hook (binding or
    # closing one that does waits for an RCU grace period, 10-15 ms here).
    try:
        mac = fcntl.ioctl(s, SIOCGIFHWADDR, struct.pack('256s', ifname.encode()))[18:24]
        ipb = socket.inet_aton(ip)
        arp = struct.pack('!HHBBH', 1, 0x0800, 6, 4, 1) + mac + ipb + b'\0' * 6 + ipb
        s.sendto((b'\xff' * 6 + mac + struct.pack('!H', ETH_P_ARP) + arp).ljust(60, b'\0'), (ifname, 0))
    except OSError:
        pass  # the interface went away meanwhile: nothing to announce


def icmp6_checksum(src, dst, msg):
    data = src + dst + struct.pack('!I3xB', len(msg), socket.IPPROTO_ICMPV6) + msg
    total = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def send_unsolicited_na(s, ifname, ip):
    # The IPv6 counterpart (RFC 4861 7.2.6): a neighbour advertisement for `ip` to all nodes
    # (ff02::1), Override set and Solicited clear, with the new MAC as target link-layer address.
    try:
        mac = fcntl.ioctl(s, SIOCGIFHWADDR, struct.pack('256s', ifname.encode()))[18:24]
        src = socket.inet_pton(socket.AF_INET6, ip)
        dst = socket.inet_pton(socket.AF_INET6, 'ff02::1')
        body = struct.pack('!BBHI', 136, 0, 0, 0x20000000) + src + struct.pack('!BB', 2, 1) + mac
        body = body[:2] + struct.pack('!H', icmp6_checksum(src, dst, body)) + body[4:]
        ip6 = struct.pack('!IHBB', 6 << 28, len(body), socket.IPPROTO_ICMPV6, 255) + src + dst
        s.sendto(b'\x33\x33\0\0\0\x01' + mac + struct.pack('!H', ETH_P_IPV6) + ip6 + body, (ifname, 0))
    except OSError:
        pass


def apply_net_lines(lines):
    # The usual container-side lines (lo up, IPv4 address, link up, IPv4 default route) are done
    # with ioctls and one netlink message in this process — no `ip` to start; the rest (IPv6
    # addresses and routes…) goes to `ip -batch` afterwards, in its order. IPv6 routes must come
    # after their addresses and the link up: only then has the kernel the on-link prefix route
    # that a route via the gateway needs.
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rest = []
    try:
        for line in lines:
            w = line.split()
            try:
                if len(w) == 4 and w[:2] == ['link', 'set'] and w[3] == 'up':
                    req = struct.pack('16sH14s', w[2].encode(), 0, b'')
                    flags = struct.unpack('16sH14s', fcntl.ioctl(sock, SIOCGIFFLAGS, req))[1]
                    fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack('16sH14s', w[2].encode(), flags | IFF_UP, b''))
                elif len(w) == 7 and w[:2] == ['addr', 'add'] and w[3] == 'dev' and w[5:] == ['brd', '+'] and ':' not in w[2]:
                    # The ioctls set the broadcast address from the netmask, as `brd +` does.
                    ip, prefix = w[2].split('/')
                    mask = socket.inet_ntoa(struct.pack('!I', (0xffffffff << (32 - int(prefix))) & 0xffffffff))
                    fcntl.ioctl(sock, SIOCSIFADDR, w[4].encode().ljust(16, b'\0') + sockaddr_in(ip))
                    fcntl.ioctl(sock, SIOCSIFNETMASK, w[4].encode().ljust(16, b'\0') + sockaddr_in(mask))
                elif len(w) == 7 and w[:2] == ['route', 'replace'] and w[2] == 'default' and w[3] == 'via' and w[5] == 'dev':
                    nl_default_route(w[4], w[6])
                else:
                    rest.append(line)
            except OSError as e:
                raise RuntimeError('network setup failed: %s: %s' % (line, e.strerror))
    finally:
        sock.close()
    if rest:
        run_ip_batch(('\n'.join(rest) + '\n').encode())


def now_rfc3339():
    t = time.time_ns()
    return time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(t // 1_000_000_000)) + '.%09dZ' % (t % 1_000_000_000)


def frame(stream, data):
    return struct.pack('>BI', stream, len(data)) + data


def write_atomic(path, text):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        f.write(text)
    os.rename(tmp, path)


def mount(src, target, fstype, flags=0, data=None):
    enc = lambda v: v.encode() if isinstance(v, str) else v
    check(libc.mount(enc(src), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)), 'mount %s' % target)


def build_rootfs(cfg, d):
    """Runs in the container's PID 1 between fork and exec, inside its private mount namespace
    (so every mount vanishes with the container): overlay rootfs, /proc, /dev, the bind-mounted
    /etc files, hostname, then chroot + chdir. Done with syscalls, not mount(8) children: no
    fork/exec per step, and the process is complete when exec succeeds (no half-built window)."""
    m = d + '/merged'
    mount('overlay', m, 'overlay', 0, 'lowerdir=%s,upperdir=%s/upper,workdir=%s/work' % (cfg['rootfs'], d, d))
    for sub in ('proc', 'dev', 'sys', 'etc', 'tmp'):
        os.makedirs(m + '/' + sub, exist_ok=True)
    mount('proc', m + '/proc', 'proc', MS_NOSUID | MS_NODEV | MS_NOEXEC)
    mount('tmpfs', m + '/dev', 'tmpfs', MS_NOSUID, 'mode=755,size=65536k')
    for n in ('null', 'zero', 'full', 'random', 'urandom', 'tty'):
        os.close(os.open(m + '/dev/' + n, os.O_CREAT | os.O_WRONLY, 0o666))
        mount('/dev/' + n, m + '/dev/' + n, None, MS_BIND)
    os.mkdir(m + '/dev/pts')
    os.mkdir(m + '/dev/shm')
    try:  # a private devpts, so pty allocation inside the container works; optional
        mount('devpts', m + '/dev/pts', 'devpts', MS_NOSUID | MS_NOEXEC, 'newinstance,ptmxmode=0666,mode=0620')
        os.symlink('pts/ptmx', m + '/dev/ptmx')
    except OSError:
        pass
    mount('shm', m + '/dev/shm', 'tmpfs', MS_NOSUID | MS_NODEV | MS_NOEXEC, 'mode=1777,size=65536k')
    for name, target in (('fd', '/proc/self/fd'), ('stdin', '/proc/self/fd/0'), ('stdout', '/proc/self/fd/1'), ('stderr', '/proc/self/fd/2')):
        os.symlink(target, m + '/dev/' + name)
    try:  # read-only sysfs of the container's own netns (/sys/class/net), as Docker has
        mount('sysfs', m + '/sys', 'sysfs', MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)
    except OSError:
        pass
    for name in ('hosts', 'resolv.conf', 'hostname'):
        target = m + '/etc/' + name
        if not os.path.lexists(target):  # bind targets must exist; this writes to the upper layer only
            os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o644))
        mount(cfg['files'][{'resolv.conf': 'resolvConf'}.get(name, name)], target, None, MS_BIND)
    host = cfg['hostname'].encode()
    check(libc.sethostname(host, len(host)), 'sethostname')
    wd = cfg.get('workdir') or '/'
    os.makedirs(m + wd, exist_ok=True)
    os.chroot(m)
    os.chdir(wd)


class Shim:
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
    def make_netns(self):
        orig = os.open('/proc/self/ns/net', os.O_RDONLY)
        shared = self.cfg.get('sharedNetns')
        if shared == 'host':  # --network host: the namespace the shim started in
            self.netns_fd = os.open('/proc/self/ns/net', os.O_RDONLY)
        elif shared:  # --network container:X: X's namespace (its shim's fd path)
            self.netns_fd = os.open(shared, os.O_RDONLY)
            setns(self.netns_fd, CLONE_NEWNET)
        else:
            check(libc.unshare(CLONE_NEWNET), 'unshare(CLONE_NEWNET)')
            self.netns_fd = os.open('/proc/self/ns/net', os.O_RDONLY)  # keeps the netns alive; inheritable=False
            lo_up()
        try:  # for unsolicited ARPs (advertise); lives as long as the shim
            self.arp = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        except OSError:
            self.arp = None
        if self.cfg.get('dnsSocket'):
            # Sockets stay in the netns they were created in, whatever netns we move to later.
            self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.udp.bind(('127.0.0.11', 53))
            self.udp.setblocking(False)
            self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.tcp.bind(('127.0.0.11', 53))
            self.tcp.listen(64)
            self.tcp.setblocking(False)
            self.sel.register(self.udp, selectors.EVENT_READ, self.on_udp)
            self.sel.register(self.tcp, selectors.EVENT_READ, self.on_tcp_accept)
        setns(orig, CLONE_NEWNET)
        os.close(orig)
        # Our next child becomes PID 1 of a new pid namespace, and we stay its parent: waitpid()
        # then sees the real exit status (util-linux 2.38's `unshare --fork` turns a child killed
        # by a signal into exit 1, which would lose Docker's 137/143).
        check(libc.unshare(CLONE_NEWPID), 'unshare(CLONE_NEWPID)')

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
        batch = lambda lines: ('\n'.join(lines) + '\n').encode() if lines else None
        host_text = batch((net or {}).get('host'))
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
                if host_text:
                    run_ip_batch(host_text)
                setns(netns_fd, CLONE_NEWNET)
                if net_lines:
                    apply_net_lines(net_lines)
                if host_text or net_lines:
                    os.write(ms_w, b'%.3f' % ((time.monotonic() - t0) * 1000))
                check(libc.unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC), 'unshare')
                check(libc.mount(b'none', b'/', None, ctypes.c_ulong(MS_REC | MS_PRIVATE), None), 'mount --make-rprivate /')
                build_rootfs(cfg, d)
                if tty:
                    take_container_pty()
                    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
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
        try:
            data = conn.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b''
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

    # ---- DNS relay ---------------------------------------------------------------------------
    def dns_forward(self, batch):
        """Relays [(transport, query, origin)] to the daemon in one write (a burst of queries costs
        one syscall, not one each)."""
        msgs = []
        tags = []
        for transport, query, origin in batch:
            self.tag = (self.tag + 1) & 0xffffffff
            payload = struct.pack('>I', self.tag) + self.cfg['id'].encode() + transport + query
            msgs.append(struct.pack('>I', len(payload)))
            msgs.append(payload)
            tags.append((self.tag, origin))
        msg = b''.join(msgs)
        for attempt in (0, 1):  # a stale connection (daemon restarted) gets one reconnect
            if self.dns_conn is None and not self.dns_connect():
                return  # service down: drop the queries, the clients retry
            try:
                self.dns_conn.sendall(msg)
                for tag, origin in tags:
                    self.dns_pending[tag] = origin
                return
            except OSError:
                self.dns_close()

    def dns_connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.settimeout(1)
            s.connect(self.cfg['dnsSocket'])
        except OSError:
            s.close()
            return False
        # Blocking with a timeout: sendall never half-writes a frame, and a stuck daemon costs
        # at most a second; reads only follow select(), so they do not block.
        self.dns_conn, self.dns_rbuf = s, b''
        self.sel.register(s, selectors.EVENT_READ, self.on_dns_reply)
        return True

    def dns_close(self):
        if self.dns_conn is not None:
            self.sel.unregister(self.dns_conn)
            self.dns_conn.close()
            self.dns_conn = None
            self.dns_pending.clear()

    def on_dns_reply(self, s, _mask):
        try:
            data = s.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b''
        if not data:
            return self.dns_close()
        buf = self.dns_rbuf + data if self.dns_rbuf else data
        off, end = 0, len(buf)
        while end - off >= 4:
            n = struct.unpack_from('>I', buf, off)[0]
            if end - off < 4 + n:
                break
            tag = struct.unpack_from('>I', buf, off + 4)[0]
            answer = buf[off + 8:off + 4 + n]
            off += 4 + n
            origin = self.dns_pending.pop(tag, None)
            if origin is None or not answer:
                continue
            try:
                if origin[0] == 'u':
                    self.udp.sendto(answer, origin[1])
                elif origin[1] in self.dns_tcp:
                    origin[1].setblocking(True)
                    origin[1].settimeout(1)
                    origin[1].sendall(struct.pack('>H', len(answer)) + answer)
                    origin[1].setblocking(False)
            except OSError:
                pass
        self.dns_rbuf = buf[off:]

    def on_udp(self, s, _mask):
        batch = []
        for _ in range(64):  # drain a burst, bounded so other events get their turn
            try:
                query, addr = s.recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                break
            batch.append((b'u', query, ('u', addr)))
        if batch:
            self.dns_forward(batch)

    def on_tcp_accept(self, s, _mask):
        try:
            conn, _ = s.accept()
        except BlockingIOError:
            return
        conn.setblocking(False)
        self.dns_tcp[conn] = b''
        self.sel.register(conn, selectors.EVENT_READ, self.on_tcp_data)

    def on_tcp_data(self, conn, _mask):
        try:
            data = conn.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b''
        if not data:
            del self.dns_tcp[conn]
            self.sel.unregister(conn)
            conn.close()
            return
        buf = self.dns_tcp[conn] + data
        while len(buf) >= 2:
            n = struct.unpack('>H', buf[:2])[0]
            if len(buf) < 2 + n:
                break
            self.dns_forward([(b't', buf[2:2 + n], ('t', conn))])
            buf = buf[2 + n:]
        self.dns_tcp[conn] = buf

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


def shim_main(d):
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    shim = Shim(d)
    shim.make_netns()
    shim.make_control()
    netns = '/proc/%d/fd/%d' % (os.getpid(), shim.netns_fd)
    write_atomic(d + '/shim.json', json.dumps({'pid': os.getpid(), 'netns': netns}) + '\n')
    # Readiness line for the daemon, then stdout goes away (the daemon closes its end).
    os.write(1, ('ready %d %s\n' % (os.getpid(), netns)).encode())
    devnull = os.open('/dev/null', os.O_RDWR)
    os.dup2(devnull, 1)
    os.close(devnull)
    shim.run()


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


def zygote_child(lsock, conn, d):
    """In the fork of the zygote: become an independent shim for `d`, exactly as if started
    `python3 -S -E shim.py <d>` detached with stdout = the request connection and stderr =
    <d>/shim.log. Never returns."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the shim waits for its own child
        os.setsid()
        conn.setblocking(True)  # a timeout made it O_NONBLOCK; it becomes the shim's stdout
        cfd, lfd = conn.detach(), lsock.detach()
        os.dup2(cfd, 1)
        log = os.open(d + '/shim.log', os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.dup2(log, 2)
        os.closerange(3, 1 << 16)  # the listening socket, the request connection, anything else
        try:
            set_cmdline(list(sys.orig_argv[:sys.orig_argv.index('--zygote')]) + [d])
        except OSError as e:
            os.write(1, ('error %s\n' % e).encode())
            os._exit(1)
        os.write(1, ('shim %d\n' % os.getpid()).encode())
        shim_main(d)
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
                d = os.path.abspath(json.loads(buf)['dir'])
                if not os.path.isfile(d + '/config.json'):
                    raise RuntimeError('no config.json in %s' % d)
                if os.fork() == 0:
                    zygote_child(lsock, conn, d)
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
