"""The embedded-DNS relay of the container shim: queries to 127.0.0.11:53 (UDP and TCP) inside the
container's namespace go to the daemon over one unix socket, answers come back the same way."""
import ctypes, fcntl, json, os, selectors, signal, socket, struct, subprocess, sys, termios, time
from shim_sys import *  # noqa: F401,F403


class DnsRelay:
    """Mixed into Shim: uses its selector and the sockets make_netns opened."""

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
        data = recv_ready(conn)
        if data is None:
            return
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
