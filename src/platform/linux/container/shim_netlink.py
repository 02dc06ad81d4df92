"""rtnetlink from the shim: the veth pair of a starting container and its default routes, as
netlink messages from this process instead of an `ip` child (a fork + exec of `ip -batch` cost
~3.5 ms of every container start). Only the exact line shapes the daemon sends for these are
recognised; anything else still goes to `ip -batch`, in order."""
import os, socket, struct

RTM_NEWLINK, RTM_NEWROUTE, NLMSG_ERROR = 16, 24, 2
NLM_F_REQUEST, NLM_F_ACK, NLM_F_EXCL, NLM_F_CREATE, NLM_F_REPLACE = 0x1, 0x4, 0x200, 0x400, 0x100
IFLA_ADDRESS, IFLA_IFNAME, IFLA_MTU, IFLA_MASTER, IFLA_LINKINFO, IFLA_NET_NS_FD = 1, 3, 4, 10, 18, 28
IFLA_INFO_KIND, IFLA_INFO_DATA, IFLA_INFO_SLAVE_KIND, IFLA_INFO_SLAVE_DATA = 1, 2, 4, 5
VETH_INFO_PEER = 1
IFLA_BRPORT_MODE, IFLA_BRPORT_ISOLATED = 4, 33  # MODE 1 = hairpin
RTA_GATEWAY, RTA_OIF = 5, 4
IFF_UP = 0x1


def attr(kind, payload):
    n = 4 + len(payload)
    return struct.pack('=HH', n, kind) + payload + b'\0' * (-n % 4)


def ifinfomsg(index=0, flags=0, change=0):
    return struct.pack('=BxHiII', socket.AF_UNSPEC, 0, index, flags, change)


def nl_call(msg_type, flags, body):
    """One request, answered by the kernel's ack; raises OSError(errno) when it is refused."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    try:
        s.send(struct.pack('=IHHII', 16 + len(body), msg_type, flags | NLM_F_REQUEST | NLM_F_ACK, 1, 0) + body)
        reply = s.recv(65536)
    finally:
        s.close()
    kind, err = struct.unpack('=H', reply[4:6])[0], struct.unpack('=i', reply[16:20])[0]
    if kind == NLMSG_ERROR and err:
        raise OSError(-err, os.strerror(-err))


def nl_default_route(gw, dev):
    # RTM_NEWROUTE (create|replace) default via gw dev — the route ioctl is refused on some kernels.
    fam = socket.AF_INET6 if ':' in gw else socket.AF_INET
    rtmsg = struct.pack('=BBBBBBBBI', fam, 0, 0, 0, 254, 3, 0, 1, 0)  # main table, proto boot, unicast
    body = rtmsg + attr(RTA_GATEWAY, socket.inet_pton(fam, gw)) + attr(RTA_OIF, struct.pack('=I', socket.if_nametoindex(dev)))
    nl_call(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, body)


def parse_veth_lines(lines):
    """The daemon's four lines per endpoint (network-plane.ts) as one dict each, or None when any
    line has another shape:
        link add H mtu M type veth peer name IF address MAC mtu M netns PATH
        link set H master BRIDGE
        link set H type bridge_slave hairpin on [isolated on]
        link set H up"""
    out = []
    i = 0
    while i < len(lines):
        w = [line.split() for line in lines[i:i + 4]]
        if len(w) < 4:
            return None
        a, m, p, u = w
        if not (len(a) == 16 and a[:2] == ['link', 'add'] and a[3] == 'mtu' and a[5:9] == ['type', 'veth', 'peer', 'name'] and a[10] == 'address' and a[12] == 'mtu' and a[14] == 'netns'):
            return None
        host = a[2]
        if m != ['link', 'set', host, 'master', m[-1]] or len(m) != 5:
            return None
        if p[:6] != ['link', 'set', host, 'type', 'bridge_slave', 'hairpin'] or p[6:] not in (['on'], ['on', 'isolated', 'on']):
            return None
        if u != ['link', 'set', host, 'up']:
            return None
        out.append({'host': host, 'mtu': int(a[4]), 'peer': a[9], 'mac': bytes.fromhex(a[11].replace(':', '')),
                    'peerMtu': int(a[13]), 'netns': a[15], 'bridge': m[4], 'isolated': len(p) > 7, 'lines': lines[i:i + 4]})
        i += 4
    return out


def create_veth(v):
    """The pair with the peer made directly in the container's netns (final name, MAC, MTU), the
    host end enslaved to the bridge; then hairpin (and isolation for ICC off) on the bridge port,
    and only then the host end up — the same order as the `ip` lines."""
    ns = os.open(v['netns'], os.O_RDONLY)
    try:
        peer = ifinfomsg() + attr(IFLA_IFNAME, v['peer'].encode() + b'\0') + attr(IFLA_ADDRESS, v['mac']) + \
            attr(IFLA_MTU, struct.pack('=I', v['peerMtu'])) + attr(IFLA_NET_NS_FD, struct.pack('=I', ns))
        info = attr(IFLA_INFO_KIND, b'veth') + attr(IFLA_INFO_DATA, attr(VETH_INFO_PEER, peer))
        body = ifinfomsg() + attr(IFLA_IFNAME, v['host'].encode() + b'\0') + attr(IFLA_MTU, struct.pack('=I', v['mtu'])) + \
            attr(IFLA_MASTER, struct.pack('=I', socket.if_nametoindex(v['bridge']))) + attr(IFLA_LINKINFO, info)
        nl_call(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, body)
    finally:
        os.close(ns)
    port = attr(IFLA_BRPORT_MODE, b'\x01') + (attr(IFLA_BRPORT_ISOLATED, b'\x01') if v['isolated'] else b'')
    info = attr(IFLA_INFO_SLAVE_KIND, b'bridge') + attr(IFLA_INFO_SLAVE_DATA, port)
    nl_call(RTM_NEWLINK, 0, ifinfomsg(socket.if_nametoindex(v['host']), IFF_UP, IFF_UP) + attr(IFLA_LINKINFO, info))
