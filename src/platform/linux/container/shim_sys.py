"""Kernel-facing helpers of the crosstalk container shim (shim.py): namespaces, mounts and the
container's rootfs, ptys, network setup (ioctls, netlink, `ip -batch`), unsolicited ARP/NA."""
import ctypes, fcntl, json, os, selectors, signal, socket, struct, subprocess, sys, termios, time
from shim_netlink import create_veth, nl_default_route, parse_veth_lines

CLONE_NEWNET = 0x40000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC = 1, 2, 4, 8, 0x1000, 0x4000
MS_PRIVATE = 1 << 18
MS_REMOUNT = 32
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


def apply_host_lines(lines):
    # The container's veth pairs, made by netlink from this process; lines of any other shape go
    # to `ip -batch` unchanged.
    veths = parse_veth_lines(lines)
    if veths is None:
        run_ip_batch(('\n'.join(lines) + '\n').encode())
        return
    for v in veths:
        try:
            create_veth(v)
        except OSError as e:
            raise RuntimeError('network setup failed: veth %s: %s' % (v['host'], e.strerror))


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


def recv_ready(sock, n=65536):
    """What a readable non-blocking socket has: None when nothing after all, b'' once it is closed
    (or broken)."""
    try:
        return sock.recv(n)
    except BlockingIOError:
        return None
    except OSError:
        return b''


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
    if cfg.get('init'):  # --init: docker-init (tini) where Docker puts it, read-only
        os.makedirs(m + '/sbin', exist_ok=True)
        target = m + '/sbin/docker-init'
        if not os.path.lexists(target):
            os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o755))
        mount(cfg['init'], target, None, MS_BIND)
        mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY)
    host = cfg['hostname'].encode()
    check(libc.sethostname(host, len(host)), 'sethostname')
    wd = cfg.get('workdir') or '/'
    os.makedirs(m + wd, exist_ok=True)
    os.chroot(m)
    os.chdir(wd)
