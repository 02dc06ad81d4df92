/**
 * Listening sockets from the text of `/proc/<pid>/net/{tcp,tcp6,udp,udp6}` (the socket tables of
 * that process's network namespace): TCP sockets in LISTEN state, bound UDP sockets. Pure (the
 * caller reads the files), so the real data plane can tell explain who really listens, servers
 * started by `docker exec` included.
 */
import { formatIp } from '../ipam/ip.js';
import type { Listener } from './listeners.js';

const TCP_LISTEN = '0A';
const UDP_UNCONNECTED = '07';

/** `0100007F` → 127.0.0.1; IPv6: four 32-bit words, each in host (little-endian) byte order. */
function hexAddress(hex: string): string {
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word = hex.slice(w, w + 8);
    for (let b = 6; b >= 0; b -= 2) bytes.push(Number.parseInt(word.slice(b, b + 2), 16));
  }
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return formatIp({ family: bytes.length === 4 ? 4 : 6, value });
}

export function parseProcNet(text: string, protocol: 'tcp' | 'udp'): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4) continue;
    const [addr, port] = f[1].split(':');
    const state = f[3];
    if (protocol === 'tcp' ? state !== TCP_LISTEN : state !== UDP_UNCONNECTED || f[2].split(':')[1] !== '0000') continue;
    const l: Listener = { port: Number.parseInt(port, 16), protocol, address: hexAddress(addr) };
    if (!out.some((o) => o.port === l.port && o.protocol === l.protocol && o.address === l.address)) out.push(l);
  }
  return out;
}
