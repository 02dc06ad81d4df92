/**
 * Runs the walk-through's steps through any CommandContext (the embedded simulator, or a daemon
 * with the real data plane) and checks what the user saw against what the walk-through says.
 * Pure: no Node imports.
 */
import { dispatch } from './main.js';
import type { CommandContext } from './command.js';
import type { Io } from './io.js';
import { setTimer } from '../api/stream.js';
import { shellQuote, WALKTHROUGH, type TutorialStep } from './tutorial.js';

export interface StepResult {
  step: TutorialStep;
  output: string;
  exitCode: number;
}

/**
 * How a shell prompt ends: the next typed line goes in once the previous command finished.
 * Busybox ash follows its prompt with a cursor-position query (ESC [ 6 n) on a terminal.
 */
const PROMPT_END = /# (\x1b\[6n)?$/;

/**
 * @param waitForPrompt real shells run what is typed in their own time: each line after the first
 *   waits until the shell prompts again (at most `promptTimeoutMs`).
 */
export async function runWalkthroughSteps(
  out: Io,
  contextFor: (io: Io) => CommandContext,
  opts: { waitForPrompt: boolean; promptTimeoutMs?: number },
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const step of WALKTHROUGH) {
    if (step.say) out.stdout(`\n# ${step.say}\n`);
    if (!step.argv) continue;
    out.stdout(`$ ${step.tool ?? 'docker'} ${step.argv.map(shellQuote).join(' ')}\n`);
    const input = [...(step.input ?? [])];
    let output = '';
    let sinceInput = '';
    let first = true;
    let promptSeen: (() => void) | undefined;
    const record = (s: string) => {
      output += s;
      sinceInput += s;
      if (promptSeen && PROMPT_END.test(sinceInput)) promptSeen();
    };
    const io: Io = {
      stdinIsTty: false,
      stdout: (s: string) => {
        record(s);
        // A transcript, not a terminal session: the shell's cursor-position query would make the
        // reader's terminal type its answer into their shell.
        // Line ends as in the rest of the transcript (a terminal's CR LF becomes LF).
        out.stdout(s.replace(/\x1b\[6n/g, '').replace(/\r\n/g, '\n'));
      },
      stderr: (s: string) => {
        record(s);
        out.stderr(s);
      },
      readLine: async () => {
        if (!input.length) return null;
        if (opts.waitForPrompt && !first && !PROMPT_END.test(sinceInput)) {
          await new Promise<void>((resolve) => {
            const cancel = setTimer(resolve, opts.promptTimeoutMs ?? 20_000);
            promptSeen = () => {
              cancel();
              resolve();
            };
          });
          promptSeen = undefined;
        }
        first = false;
        sinceInput = '';
        return input.shift()!;
      },
    };
    const exitCode = await dispatch(contextFor(io), step.argv);
    results.push({ step, output, exitCode });
  }
  return results;
}

export interface Expectation {
  what: string;
  ok: boolean;
}

/** The part of an attach session's output that a typed command produced. */
function segment(result: StepResult | undefined, typed: string): string {
  if (!result) return '';
  const text = result.output.replace(/\r/g, '');
  const at = text.indexOf(typed);
  if (at < 0) return '';
  const rest = text.slice(at + typed.length);
  const next = (result.step.input ?? []).map((l) => rest.indexOf(l)).filter((i) => i > 0);
  return next.length ? rest.slice(0, Math.min(...next)) : rest;
}

const replied = (s: string) => /[1-9]\d* packets received/.test(s);
const unanswered = (s: string) => /\b0 packets received/.test(s);

/** The walk-through's lessons, checked on what actually happened. */
export function checkWalkthrough(results: StepResult[]): Expectation[] {
  const find = (pred: (r: StepResult) => boolean, nth = 0) => results.filter(pred)[nth];
  const isAttach = (name: string) => (r: StepResult) => r.step.argv?.[0] === 'container' && r.step.argv[1] === 'attach' && r.step.argv[2] === name;
  const bridgeAttach = find(isAttach('alpine1'), 0);
  const netAttach = find(isAttach('alpine1'), 1);
  const alpine4 = find(isAttach('alpine4'));
  const exec43 = find((r) => r.step.argv?.join(' ') === 'exec alpine4 ping -c 2 alpine3');
  const exec42 = find((r) => r.step.argv?.join(' ') === 'exec alpine4 ping -c 2 alpine2');
  const stoppedPing = find((r) => r.step.argv?.join(' ') === 'exec alpine1 ping -c 1 alpine2', 0);
  const restartedPing = find((r) => r.step.argv?.join(' ') === 'exec alpine1 ping -c 1 alpine2', 1);
  const bridgeInspect = find((r) => r.step.argv?.join(' ') === 'network inspect bridge')?.output ?? '';
  /** An endpoint in `network inspect` JSON: the MAC and address of a named container. */
  const endpoint = (json: string, name: string, mac: string, cidr: string) =>
    new RegExp(`"Name": "${name}",\\s*"EndpointID": "[0-9a-f]{64}",\\s*"MacAddress": "${mac}",\\s*"IPv4Address": "${cidr.replace(/\./g, '\\.').replace('/', '\\/')}"`).test(json);
  const firstLs = find((r) => r.step.argv?.join(' ') === 'network ls');
  const inspect = (name: string) => find((r) => r.step.argv?.join(' ') === `network inspect ${name}`)?.output ?? '';
  const leftovers = ['dockercompose_default', 'styles_default', 'swcarpentryrnovicegapminder914b882_default', 'swcarpentryrnovicegapminder_default', 'swcarpentryrnoviceinflammation_default', 'swcarpentryshellnovice_default'];
  const s = (r: StepResult | undefined, typed: string) => segment(r, typed);
  return [
    { what: 'the six leftover Compose networks are there', ok: !!firstLs && leftovers.every((n) => firstLs.output.includes(n)) },
    { what: 'default bridge: alpine1 reaches alpine2 by IP (172.17.0.3)', ok: replied(s(bridgeAttach, 'ping -c 2 172.17.0.3')) },
    { what: "default bridge: alpine1 cannot resolve alpine2 (bad address 'alpine2')", ok: s(bridgeAttach, 'ping -c 2 alpine2').includes("bad address 'alpine2'") },
    { what: 'alpine-net got 172.24.0.0/16', ok: inspect('alpine-net').includes('"Subnet": "172.24.0.0/16"') },
    { what: 'alpine1 → alpine2 by name: replies (172.24.0.3)', ok: replied(s(netAttach, 'ping -c 2 alpine2')) && s(netAttach, 'ping -c 2 alpine2').includes('172.24.0.3') },
    { what: "alpine1 → alpine3 by name: bad address 'alpine3'", ok: s(netAttach, 'ping -c 2 alpine3').includes("bad address 'alpine3'") },
    { what: "alpine1 → alpine3's IP (172.17.0.2): no reply", ok: unanswered(s(netAttach, 'ping -c 2 -W 1 172.17.0.2')) },
    { what: 'alpine4 → alpine3 by its bridge IP (172.17.0.2): replies', ok: replied(s(alpine4, 'ping -c 2 172.17.0.2')) },
    { what: "alpine4 → alpine3 by name on the default bridge: bad address 'alpine3'", ok: s(alpine4, 'ping -c 2 alpine3').includes("bad address 'alpine3'") },
    { what: 'lapine-net got 172.25.0.0/16', ok: inspect('lapine-net').includes('"Subnet": "172.25.0.0/16"') },
    { what: 'after lapine-net: alpine4 → alpine3 by name replies (172.25.0.2)', ok: !!exec43 && replied(exec43.output) && exec43.output.includes('172.25.0.2') },
    { what: 'after lapine-net: alpine4 → alpine2 by name still replies (172.24.0.3)', ok: !!exec42 && replied(exec42.output) && exec42.output.includes('172.24.0.3') },
    {
      what: 'default bridge: alpine1 172.17.0.2 (02:42:ac:11:00:02), alpine2 172.17.0.3 (02:42:ac:11:00:03)',
      ok: endpoint(bridgeInspect, 'alpine1', '02:42:ac:11:00:02', '172.17.0.2/16') && endpoint(bridgeInspect, 'alpine2', '02:42:ac:11:00:03', '172.17.0.3/16'),
    },
    {
      what: 'lapine-net: alpine3 172.25.0.2 (02:42:ac:19:00:02), alpine4 172.25.0.3 (02:42:ac:19:00:03)',
      ok: endpoint(inspect('lapine-net'), 'alpine3', '02:42:ac:19:00:02', '172.25.0.2/16') && endpoint(inspect('lapine-net'), 'alpine4', '02:42:ac:19:00:03', '172.25.0.3/16'),
    },
    { what: "a stopped alpine2 does not resolve (bad address 'alpine2'); started again, it replies", ok: !!stoppedPing && stoppedPing.output.includes("bad address 'alpine2'") && !!restartedPing && replied(restartedPing.output) },
  ];
}

export function renderExpectations(list: Expectation[]): string {
  const lines = list.map((e) => `  ${e.ok ? 'ok  ' : 'FAIL'}  ${e.what}`);
  const failed = list.filter((e) => !e.ok).length;
  return `\n# Summary: what the walk-through says, checked on what really happened\n${lines.join('\n')}\n${failed ? `${failed} of ${list.length} expectations failed\n` : `all ${list.length} expectations met\n`}`;
}
