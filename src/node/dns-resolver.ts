/**
 * The embedded DNS's decisions for the real data plane: names the querier's networks know (and
 * PTR for their addresses) are answered from the engine exactly as the simulator does
 * (answerQuestion); every other name is 'forward' — relayed to real upstreams by the DNS service
 * instead of the simulated outside world's answer. A querier only on internal networks gets
 * SERVFAIL for such names (Docker skips host upstreams without external access). The simulator's
 * own behaviour (NetView) is unchanged: this is a separate check in front of it.
 */
import { answerQuestion, ptrToAddress, type DnsDecision } from '../dns/answer.js';
import type { Engine } from '../engine/engine.js';
import type { ContainerRecord } from '../engine/model.js';
import { NetView } from '../sim/netview.js';
import type { DnsResolver } from './dns-service.js';

/** Whether the querier's networks (embedded DNS) know the name, for either family. */
function knownName(view: NetView, c: ContainerRecord, name: string): boolean {
  for (const family of [4, 6] as const) {
    const r = view.dnsQuery(c, name, family);
    if ((r.kind === 'answer' || r.kind === 'nodata') && r.source === 'embedded') return true;
  }
  return false;
}

export function engineDnsResolver(getEngine: () => Engine): DnsResolver {
  return {
    answer(containerId: string, question: { name: string; type: string }): DnsDecision | 'forward' | undefined {
      const engine = getEngine();
      const c = engine.containers.get(containerId);
      if (!c) return undefined;
      const view = new NetView(engine);
      const name = question.name.replace(/\.$/, '');
      const local =
        question.type === 'PTR'
          ? (() => {
              const address = ptrToAddress(name);
              return address !== undefined && view.reverse(c, address) !== undefined;
            })()
          : knownName(view, c, name);
      if (local) return answerQuestion(view, c, question);
      if (!view.externalAccess(c)) return { rcode: 'SERVFAIL', answers: [] };
      return 'forward';
    },
  };
}
