/**
 * The hand-made baseline of the throughput section: what a Docker bridge network is with nothing
 * else around it. Three namespaces of our own (src/platform/linux/sandbox.ts `Sandbox`, each held
 * by a `sleep` under `unshare --net`, killed with us): a "host" with one bridge (MTU 1500,
 * 10.231.0.1/24) and two "containers", each with one veth pair (MTU 1500) whose host side is a
 * bridge port — the same `ip` commands crosstalk's driver issues, without its nftables ruleset.
 * Like crosstalkd's sandbox, the host namespace has bridge-nf-call-iptables off, so both paths
 * skip the inet hooks for bridged traffic (like for like).
 */
import { Sandbox } from '../../src/platform/linux/sandbox.js';

export interface RawBridge {
  a: { netns: string; ip: string };
  b: { netns: string; ip: string };
  destroy(): Promise<void>;
}

export async function rawBridge(): Promise<RawBridge> {
  const made: Sandbox[] = [];
  try {
    const host = await Sandbox.create();
    made.push(host);
    for (const f of ['iptables', 'ip6tables', 'arptables']) {
      try {
        host.exec(['sysctl', '-q', '-w', `net.bridge.bridge-nf-call-${f}=0`]);
      } catch {
        // no br_netfilter in this kernel: bridged traffic never sees the inet hooks anyway
      }
    }
    host.ipBatch(['link add br0 type bridge', 'link set br0 mtu 1500', 'addr add 10.231.0.1/24 dev br0', 'link set br0 up']);
    const ends: Array<{ netns: string; ip: string }> = [];
    for (const i of [2, 3]) {
      const c = await Sandbox.create();
      made.push(c);
      host.ipBatch([`link add veth${i} mtu 1500 type veth peer name ceth${i} mtu 1500 netns ${c.pid}`, `link set veth${i} master br0`, `link set veth${i} up`]);
      c.ipBatch([`link set ceth${i} name eth0`, `addr add 10.231.0.${i}/24 dev eth0`, 'link set eth0 up', 'route add default via 10.231.0.1']);
      ends.push({ netns: c.netnsPath, ip: `10.231.0.${i}` });
    }
    return { a: ends[0], b: ends[1], destroy: () => destroyAll(made) };
  } catch (e) {
    await destroyAll(made);
    throw e;
  }
}

async function destroyAll(made: Sandbox[]): Promise<void> {
  for (const s of made.reverse()) await s.destroy();
}
