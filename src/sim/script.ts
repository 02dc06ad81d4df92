/**
 * A small POSIX-sh parser for the scripts containers run (`sh -c '…'`, attach-shell lines):
 * quoting, `$VAR`/`${VAR:-x}`/`$(…)`, pipelines, `&&`/`||`/`;`/`&`, redirections, `{ …; }`,
 * `( … )`, `if`, `while`/`until` loops and `#` comments. No globbing, no field splitting of
 * unquoted expansions (a word stays one argument), no here-documents, no functions — enough
 * for the one-liners people put in compose files, and every unsupported construct is a syntax
 * error rather than a silent misreading.
 */

export type WordPart =
  | { kind: 'lit'; text: string; quoted: boolean }
  | { kind: 'var'; name: string; op?: ':-' | '-' | ':=' | '=' | ':+' | '+'; arg?: Word; quoted: boolean }
  | { kind: 'cmdsub'; script: List; quoted: boolean };

export type Word = WordPart[];

export interface Redirect {
  fd: number;
  op: '>' | '>>' | '<' | '>&' | '<&';
  target: Word;
}

export interface SimpleCommand {
  type: 'simple';
  assigns: Array<{ name: string; value: Word }>;
  words: Word[];
  redirects: Redirect[];
}

export interface LoopCommand {
  type: 'loop';
  until: boolean;
  cond: List;
  body: List;
  redirects: Redirect[];
}

export interface IfCommand {
  type: 'if';
  branches: Array<{ cond: List; body: List }>;
  otherwise?: List;
  redirects: Redirect[];
}

export interface GroupCommand {
  type: 'group';
  subshell: boolean;
  body: List;
  redirects: Redirect[];
}

export type Command = SimpleCommand | LoopCommand | IfCommand | GroupCommand;

export interface Pipeline {
  negate: boolean;
  commands: Command[];
}

export interface AndOr {
  first: Pipeline;
  rest: Array<{ op: '&&' | '||'; pipeline: Pipeline }>;
}

export interface List {
  items: Array<{ andOr: AndOr; background: boolean }>;
}

export class ShellSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShellSyntaxError';
  }
}

type Token =
  | { t: 'word'; word: Word; raw: string }
  | { t: 'op'; op: string }
  | { t: 'redir'; fd: number; op: Redirect['op'] }
  | { t: 'nl' }
  | { t: 'eof' };

const OP_CHARS = new Set([';', '&', '|', '<', '>', '(', ')', '\n']);
const RESERVED = new Set(['if', 'then', 'elif', 'else', 'fi', 'while', 'until', 'do', 'done', '{', '}', '!', 'for', 'case', 'esac', 'in']);

class Lexer {
  private pos = 0;
  constructor(private readonly src: string) {}

  tokens(): Token[] {
    const out: Token[] = [];
    for (;;) {
      const tok = this.next();
      out.push(tok);
      if (tok.t === 'eof') return out;
    }
  }

  private next(): Token {
    const s = this.src;
    while (this.pos < s.length) {
      const ch = s[this.pos];
      if (ch === ' ' || ch === '\t' || ch === '\r') this.pos++;
      else if (ch === '\\' && s[this.pos + 1] === '\n') this.pos += 2;
      else if (ch === '#') {
        while (this.pos < s.length && s[this.pos] !== '\n') this.pos++;
      } else break;
    }
    if (this.pos >= s.length) return { t: 'eof' };
    const ch = s[this.pos];
    if (ch === '\n') {
      this.pos++;
      return { t: 'nl' };
    }
    // IO number: digits directly followed by < or >
    const ioMatch = /^(\d+)(?=[<>])/.exec(s.slice(this.pos));
    if (ioMatch) {
      this.pos += ioMatch[1].length;
      return this.redirect(Number(ioMatch[1]));
    }
    if (ch === '<' || ch === '>') return this.redirect(ch === '<' ? 0 : 1);
    if (OP_CHARS.has(ch)) {
      const two = s.slice(this.pos, this.pos + 2);
      if (two === '&&' || two === '||') {
        this.pos += 2;
        return { t: 'op', op: two };
      }
      this.pos++;
      return { t: 'op', op: ch };
    }
    return this.word();
  }

  private redirect(fd: number): Token {
    const s = this.src;
    const ch = s[this.pos];
    if (ch === '>') {
      if (s[this.pos + 1] === '>') {
        this.pos += 2;
        return { t: 'redir', fd, op: '>>' };
      }
      if (s[this.pos + 1] === '&') {
        this.pos += 2;
        return { t: 'redir', fd, op: '>&' };
      }
      if (s[this.pos + 1] === '|') this.pos++;
      this.pos++;
      return { t: 'redir', fd, op: '>' };
    }
    if (s[this.pos + 1] === '&') {
      this.pos += 2;
      return { t: 'redir', fd, op: '<&' };
    }
    this.pos++;
    return { t: 'redir', fd, op: '<' };
  }

  private word(): Token {
    const s = this.src;
    const start = this.pos;
    const parts: Word = [];
    let lit = '';
    const flushLit = (quoted: boolean) => {
      if (lit) parts.push({ kind: 'lit', text: lit, quoted });
      lit = '';
    };
    while (this.pos < s.length) {
      const ch = s[this.pos];
      if (ch === ' ' || ch === '\t' || ch === '\r' || OP_CHARS.has(ch)) break;
      if (ch === '\\') {
        if (this.pos + 1 < s.length) {
          flushLit(false);
          parts.push({ kind: 'lit', text: s[this.pos + 1], quoted: true });
        }
        this.pos += 2;
      } else if (ch === "'") {
        flushLit(false);
        const end = s.indexOf("'", this.pos + 1);
        if (end < 0) throw new ShellSyntaxError('unterminated quoted string');
        parts.push({ kind: 'lit', text: s.slice(this.pos + 1, end), quoted: true });
        this.pos = end + 1;
      } else if (ch === '"') {
        flushLit(false);
        this.pos++;
        this.doubleQuoted(parts);
      } else if (ch === '$') {
        flushLit(false);
        const part = this.dollar(false);
        if (part) parts.push(part);
        else lit += '$';
      } else if (ch === '`') {
        throw new ShellSyntaxError('backquote command substitution is not supported by the simulator; use $(...)');
      } else {
        lit += ch;
        this.pos++;
      }
    }
    flushLit(false);
    if (parts.length === 0) parts.push({ kind: 'lit', text: '', quoted: true });
    return { t: 'word', word: parts, raw: s.slice(start, this.pos) };
  }

  private doubleQuoted(parts: Word): void {
    const s = this.src;
    let lit = '';
    for (;;) {
      if (this.pos >= s.length) throw new ShellSyntaxError('unterminated quoted string');
      const ch = s[this.pos];
      if (ch === '"') {
        this.pos++;
        break;
      }
      if (ch === '\\' && '$`"\\\n'.includes(s[this.pos + 1] ?? '')) {
        if (s[this.pos + 1] !== '\n') lit += s[this.pos + 1];
        this.pos += 2;
      } else if (ch === '$') {
        if (lit) parts.push({ kind: 'lit', text: lit, quoted: true });
        lit = '';
        const part = this.dollar(true);
        if (part) parts.push(part);
        else lit += '$';
      } else if (ch === '`') {
        throw new ShellSyntaxError('backquote command substitution is not supported by the simulator; use $(...)');
      } else {
        lit += ch;
        this.pos++;
      }
    }
    parts.push({ kind: 'lit', text: lit, quoted: true });
  }

  /** At a `$`: returns the expansion, or null (a literal `$`) after consuming it. */
  private dollar(quoted: boolean): WordPart | null {
    const s = this.src;
    const rest = s.slice(this.pos + 1);
    if (rest.startsWith('(')) {
      if (rest.startsWith('((')) throw new ShellSyntaxError('arithmetic expansion is not supported by the simulator');
      let depth = 0;
      let i = this.pos + 1;
      let inSingle = false;
      let inDouble = false;
      for (; i < s.length; i++) {
        const c = s[i];
        if (inSingle) {
          if (c === "'") inSingle = false;
        } else if (c === '\\') i++;
        else if (c === "'" && !inDouble) inSingle = true;
        else if (c === '"') inDouble = !inDouble;
        else if (!inDouble && c === '(') depth++;
        else if (!inDouble && c === ')' && --depth === 0) break;
      }
      if (i >= s.length) throw new ShellSyntaxError("unterminated '$('");
      const inner = s.slice(this.pos + 2, i);
      this.pos = i + 1;
      return { kind: 'cmdsub', script: parseScript(inner), quoted };
    }
    if (rest.startsWith('{')) {
      const end = s.indexOf('}', this.pos + 2);
      if (end < 0) throw new ShellSyntaxError("missing '}'");
      const body = s.slice(this.pos + 2, end);
      this.pos = end + 1;
      const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9?#$!@*-])(?:(:-|-|:=|=|:\+|\+)([\s\S]*))?$/.exec(body);
      if (!m) throw new ShellSyntaxError(`\${${body}}: bad substitution`);
      const part: WordPart = { kind: 'var', name: m[1], quoted };
      if (m[2]) {
        part.op = m[2] as NonNullable<typeof part.op>;
        const argTok = new Lexer(m[3]).wordOrEmpty();
        part.arg = argTok;
      }
      return part;
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9?#$!@*-])/.exec(rest);
    if (!m) {
      this.pos++;
      return null;
    }
    this.pos += 1 + m[1].length;
    return { kind: 'var', name: m[1], quoted };
  }

  private wordOrEmpty(): Word {
    if (this.src === '') return [{ kind: 'lit', text: '', quoted: true }];
    // Inside ${x:-…} the text is one word even with spaces.
    const parts: Word = [];
    let lit = '';
    while (this.pos < this.src.length) {
      const ch = this.src[this.pos];
      if (ch === '$') {
        if (lit) parts.push({ kind: 'lit', text: lit, quoted: true });
        lit = '';
        const p = this.dollar(true);
        if (p) parts.push(p);
        else lit += '$';
      } else if (ch === "'" || ch === '"') {
        this.pos++;
      } else {
        lit += ch;
        this.pos++;
      }
    }
    if (lit || parts.length === 0) parts.push({ kind: 'lit', text: lit, quoted: true });
    return parts;
  }
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  private peek(): Token {
    return this.toks[this.i];
  }

  private isWord(tok: Token, text: string): boolean {
    return tok.t === 'word' && tok.raw === text;
  }

  private skipNewlines(): void {
    while (this.peek().t === 'nl') this.i++;
  }

  parseProgram(): List {
    const list = this.parseList(new Set());
    const tok = this.peek();
    if (tok.t !== 'eof') throw new ShellSyntaxError(`syntax error: unexpected "${describe(tok)}"`);
    return list;
  }

  /** A list ends at EOF, `)` or one of the reserved words in `stop` (at command position). */
  private parseList(stop: Set<string>): List {
    const items: List['items'] = [];
    const atEnd = (tok: Token) => tok.t === 'eof' || (tok.t === 'op' && tok.op === ')') || (tok.t === 'word' && stop.has(tok.raw));
    for (;;) {
      this.skipNewlines();
      if (atEnd(this.peek())) break;
      const andOr = this.parseAndOr();
      const sep = this.peek();
      let background = false;
      if (sep.t === 'op' && sep.op === '&') {
        background = true;
        this.i++;
      } else if ((sep.t === 'op' && sep.op === ';') || sep.t === 'nl') {
        this.i++;
      } else if (!atEnd(sep)) {
        throw new ShellSyntaxError(`syntax error: unexpected "${describe(sep)}"`);
      }
      items.push({ andOr, background });
    }
    return { items };
  }

  private parseAndOr(): AndOr {
    const first = this.parsePipeline();
    const rest: AndOr['rest'] = [];
    for (;;) {
      const tok = this.peek();
      if (tok.t === 'op' && (tok.op === '&&' || tok.op === '||')) {
        this.i++;
        this.skipNewlines();
        rest.push({ op: tok.op, pipeline: this.parsePipeline() });
      } else break;
    }
    return { first, rest };
  }

  private parsePipeline(): Pipeline {
    let negate = false;
    if (this.isWord(this.peek(), '!')) {
      negate = true;
      this.i++;
    }
    const commands = [this.parseCommand()];
    for (;;) {
      const tok = this.peek();
      if (tok.t === 'op' && tok.op === '|') {
        this.i++;
        this.skipNewlines();
        commands.push(this.parseCommand());
      } else break;
    }
    return { negate, commands };
  }

  private expectWord(text: string): void {
    if (!this.isWord(this.peek(), text)) throw new ShellSyntaxError(`syntax error: unexpected "${describe(this.peek())}" (expecting "${text}")`);
    this.i++;
  }

  private parseRedirects(into: Redirect[]): void {
    for (;;) {
      const tok = this.peek();
      if (tok.t !== 'redir') return;
      this.i++;
      const target = this.peek();
      if (target.t !== 'word') throw new ShellSyntaxError(`syntax error: unexpected "${describe(target)}"`);
      this.i++;
      into.push({ fd: tok.fd, op: tok.op, target: target.word });
    }
  }

  private parseCommand(): Command {
    const tok = this.peek();
    if (tok.t === 'op' && tok.op === '(') {
      this.i++;
      const body = this.parseList(new Set());
      const close = this.peek();
      if (!(close.t === 'op' && close.op === ')')) throw new ShellSyntaxError('syntax error: missing ")"');
      this.i++;
      const cmd: GroupCommand = { type: 'group', subshell: true, body, redirects: [] };
      this.parseRedirects(cmd.redirects);
      return cmd;
    }
    if (tok.t === 'word' && RESERVED.has(tok.raw)) {
      switch (tok.raw) {
        case '{': {
          this.i++;
          const body = this.parseList(new Set(['}']));
          this.expectWord('}');
          const cmd: GroupCommand = { type: 'group', subshell: false, body, redirects: [] };
          this.parseRedirects(cmd.redirects);
          return cmd;
        }
        case 'while':
        case 'until': {
          this.i++;
          const cond = this.parseList(new Set(['do']));
          this.expectWord('do');
          const body = this.parseList(new Set(['done']));
          this.expectWord('done');
          const cmd: LoopCommand = { type: 'loop', until: tok.raw === 'until', cond, body, redirects: [] };
          this.parseRedirects(cmd.redirects);
          return cmd;
        }
        case 'if': {
          this.i++;
          const branches: IfCommand['branches'] = [];
          let otherwise: List | undefined;
          const stops = new Set(['then']);
          const bodyStops = new Set(['elif', 'else', 'fi']);
          for (;;) {
            const cond = this.parseList(stops);
            this.expectWord('then');
            const body = this.parseList(bodyStops);
            branches.push({ cond, body });
            const next = this.peek();
            if (this.isWord(next, 'elif')) {
              this.i++;
              continue;
            }
            if (this.isWord(next, 'else')) {
              this.i++;
              otherwise = this.parseList(new Set(['fi']));
            }
            this.expectWord('fi');
            break;
          }
          const cmd: IfCommand = { type: 'if', branches, otherwise, redirects: [] };
          this.parseRedirects(cmd.redirects);
          return cmd;
        }
        case 'for':
        case 'case':
          throw new ShellSyntaxError(`"${tok.raw}" is not supported by the simulator's shell`);
        default:
          throw new ShellSyntaxError(`syntax error: unexpected "${tok.raw}"`);
      }
    }
    const cmd: SimpleCommand = { type: 'simple', assigns: [], words: [], redirects: [] };
    for (;;) {
      const t = this.peek();
      if (t.t === 'redir') {
        this.parseRedirects(cmd.redirects);
        continue;
      }
      if (t.t !== 'word') break;
      if (cmd.words.length === 0) {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(t.raw);
        if (m && t.word[0]?.kind === 'lit' && !t.word[0].quoted) {
          cmd.assigns.push({ name: m[1], value: stripPrefix(t.word, m[0].length) });
          this.i++;
          continue;
        }
      }
      cmd.words.push(t.word);
      this.i++;
    }
    if (cmd.words.length === 0 && cmd.assigns.length === 0 && cmd.redirects.length === 0) {
      throw new ShellSyntaxError(`syntax error: unexpected "${describe(this.peek())}"`);
    }
    return cmd;
  }
}

function stripPrefix(word: Word, n: number): Word {
  const first = word[0] as { kind: 'lit'; text: string; quoted: boolean };
  const rest = word.slice(1);
  const text = first.text.slice(n);
  return text ? [{ kind: 'lit', text, quoted: false }, ...rest] : rest.length ? rest : [{ kind: 'lit', text: '', quoted: true }];
}

function describe(tok: Token): string {
  switch (tok.t) {
    case 'eof':
      return 'end of file';
    case 'nl':
      return 'newline';
    case 'op':
      return tok.op;
    case 'redir':
      return tok.op;
    case 'word':
      return tok.raw;
  }
}

export function parseScript(src: string): List {
  return new Parser(new Lexer(src).tokens()).parseProgram();
}

/** Literal text of a word when it has no expansions (used by static analysis). */
export function literalWord(word: Word, env: (name: string) => string | undefined = () => undefined): string {
  let out = '';
  for (const p of word) {
    if (p.kind === 'lit') out += p.text;
    else if (p.kind === 'var') {
      const v = env(p.name);
      if (v !== undefined && v !== '') out += v;
      else if (p.arg && (p.op === ':-' || p.op === '-' || p.op === ':=' || p.op === '=')) out += literalWord(p.arg, env);
    }
  }
  return out;
}

/** Every simple command in a script, including loop bodies, branches and background jobs. */
export function simpleCommands(list: List): SimpleCommand[] {
  const out: SimpleCommand[] = [];
  const visitList = (l: List) => {
    for (const item of l.items) {
      for (const p of [item.andOr.first, ...item.andOr.rest.map((r) => r.pipeline)]) for (const c of p.commands) visit(c);
    }
  };
  const visit = (c: Command) => {
    if (c.type === 'simple') out.push(c);
    else if (c.type === 'group') visitList(c.body);
    else if (c.type === 'loop') {
      visitList(c.cond);
      visitList(c.body);
    } else {
      for (const b of c.branches) {
        visitList(b.cond);
        visitList(b.body);
      }
      if (c.otherwise) visitList(c.otherwise);
    }
  };
  visitList(list);
  return out;
}
