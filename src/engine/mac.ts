/** Container MAC addresses per profile (docker-engine.md §6). */
import type { Random } from '../core/ports.js';

const hex2 = (n: number) => n.toString(16).padStart(2, '0');

/** 46 random bits: unicast (bit 0 clear), locally administered (bit 1 set). */
export function randomMac(random: Random): string {
  const bytes: number[] = [];
  for (let i = 0; i < 6; i++) bytes.push(random.nextUint32() & 0xff);
  bytes[0] = (bytes[0] & 0xfe) | 0x02;
  return bytes.map(hex2).join(':');
}

/** Engine ≤27: 02:42 followed by the four IPv4 bytes. */
export function macFromIpv4(ipv4: string): string {
  return ['02', '42', ...ipv4.split('.').map((o) => hex2(Number(o)))].join(':');
}

/** Engine ≤27 with no IPv4 address: 02:42 + four random bytes. */
export function legacyRandomMac(random: Random): string {
  const bytes = [0x02, 0x42];
  for (let i = 0; i < 4; i++) bytes.push(random.nextUint32() & 0xff);
  return bytes.map(hex2).join(':');
}

const MAC_RE = /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/;
export function isValidMac(mac: string): boolean {
  return MAC_RE.test(mac);
}
