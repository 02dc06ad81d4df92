/** Docker-style object IDs (moby pkg/stringid). */
import type { Random } from './ports.js';

const HEX = '0123456789abcdef';

/** 32 random bytes as 64 lowercase hex chars, regenerated while the first 12 are all digits. */
export function generateId(random: Random): string {
  for (;;) {
    let id = '';
    for (let i = 0; i < 8; i++) {
      const word = random.nextUint32();
      for (let shift = 28; shift >= 0; shift -= 4) id += HEX[(word >>> shift) & 0xf];
    }
    if (!/^[0-9]{12}/.test(id)) return id;
  }
}

export function shortId(id: string): string {
  return id.slice(0, 12);
}

/** Random hex string of the given length (veth names). */
export function randomHex(random: Random, length: number): string {
  let out = '';
  while (out.length < length) out += HEX[random.nextUint32() & 0xf];
  return out;
}
