// Executor of Go's text/template (exec.go), following its evaluation order so
// that output, pipeline semantics (the previous result is the *last* argument),
// variable scoping, and the exact error texts and positions match Go.

import { formatValue } from './go-print.js';
import { quote } from './go-quote.js';
import {
  GoCallable,
  GoFuncSpec,
  GoNil,
  GoParam,
  GoStruct,
  GoTime,
  NO_VALUE,
  byteLength,
  goFloat,
  isTrue,
  kindOf,
  mapKeys,
  toFuncSpec,
  typeName,
} from './go-values.js';
import { TemplateError } from './template-error.js';
import { PARAM_TYPE, TIME_METHODS, holdsInterfaces, normalizeResult } from './template-support.js';
import { TemplateFunc } from './template-funcs.js';
import {
  ChainNode,
  CommandNode,
  FieldNode,
  IdentifierNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  VariableNode,
  nodeString,
} from './template-nodes.js';

/** Marks "no final argument" (Go's missingVal) — distinct from every real value. */
const MISSING: unique symbol = Symbol('go.missingVal');
type Final = unknown;

class Break {}
class Continue {}
const BREAK = new Break();
const CONTINUE = new Continue();

export interface ExecOptions {
  /** 'error' = Go's Option("missingkey=error"); default prints "<no value>". */
  missingKey?: 'default' | 'error';
}

export class State {
  private node: Node | null = null;
  private vars: Array<{ name: string; value: unknown; iface?: boolean }>;
  /**
   * Whether dot (resp. the last field result) sits in an interface{}-typed
   * slot — an element of an untyped slice or map. Go names such receivers
   * "interface {}" in errors, and only evalPipeline unwraps them.
   */
  private dotIface = false;
  private resultIface = false;
  out = '';

  constructor(
    private readonly text: string,
    private readonly funcs: Record<string, TemplateFunc>,
    private readonly builtins: Record<string, TemplateFunc>,
    data: unknown,
    private readonly missingKeyError: boolean,
  ) {
    this.vars = [{ name: '$', value: toValue(data) }];
  }

  run(root: ListNode): void {
    this.walk(this.vars[0].value, root);
  }

  // ---- errors -------------------------------------------------------------

  /** ErrorContext: line and byte column of the current node, plus its text. */
  errorf(msg: string): never {
    if (!this.node) throw new TemplateError(`template: : ${msg}`);
    const before = this.text.slice(0, this.node.pos);
    const nl = before.lastIndexOf('\n');
    const line = 1 + (before.match(/\n/g)?.length ?? 0);
    const col = nl < 0 ? byteLength(before) : byteLength(before.slice(nl + 1));
    throw new TemplateError(`template: :${line}:${col}: executing "" at <${nodeString(this.node)}>: ${msg}`);
  }

  private at(node: Node): void {
    this.node = node;
  }

  // ---- variables ----------------------------------------------------------

  private push(name: string, value: unknown): void {
    this.vars.push({ name, value });
  }

  private mark(): number {
    return this.vars.length;
  }

  private pop(mark: number): void {
    this.vars.length = mark;
  }

  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) {
        this.vars[i].value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  private setTopVar(n: number, value: unknown, iface: boolean): void {
    const v = this.vars[this.vars.length - n];
    v.value = value;
    v.iface = iface;
  }

  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) return this.vars[i].value;
    }
    return this.errorf(`undefined variable: ${name}`);
  }

  private varIface(name: string): boolean {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) return this.vars[i].iface ?? false;
    }
    return false;
  }

  // ---- walking ------------------------------------------------------------

  private walk(dot: unknown, node: Node): void {
    this.at(node);
    switch (node.kind) {
      case 'action': {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
      case 'comment':
        return;
      case 'if':
      case 'with':
        this.walkIfOrWith(node.kind, dot, node.pipe, node.list, node.elseList);
        return;
      case 'list':
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case 'range':
        this.walkRange(dot, node.pipe, node.list, node.elseList);
        return;
      case 'template':
        this.at(node);
        this.errorf(`template ${quote(node.name)} not defined`);
      // falls through (errorf never returns)
      case 'text':
        this.out += node.text;
        return;
      default:
        this.errorf(`unknown node: ${nodeString(node)}`);
    }
  }

  private walkIfOrWith(kind: 'if' | 'with', dot: unknown, pipe: PipeNode, list: ListNode, elseList: ListNode | null) {
    const mark = this.mark();
    try {
      const val = this.evalPipeline(dot, pipe);
      if (kindOf(val) === 'func') this.errorf(`if/with can't use ${formatValue(val)}`);
      if (isTrue(val)) {
        if (kind === 'with') this.walkWithDot(val, false, list);
        else this.walk(dot, list);
      } else if (elseList) {
        this.walk(dot, elseList);
      }
    } finally {
      this.pop(mark);
    }
  }

  private walkRange(dot: unknown, pipe: PipeNode, list: ListNode, elseList: ListNode | null): void {
    const mark = this.mark();
    try {
      const val = this.evalPipeline(dot, pipe);
      const inner = this.mark();
      const elemIface = holdsInterfaces(val);
      const oneIteration = (index: unknown, elem: unknown) => {
        if (pipe.decl.length > 0) this.setTopVar(1, elem, elemIface);
        if (pipe.decl.length > 1) this.setTopVar(2, index, false);
        try {
          this.walkWithDot(elem, elemIface, list);
        } catch (e) {
          if (e !== CONTINUE) throw e;
        } finally {
          this.pop(inner);
        }
      };
      switch (val instanceof GoNil ? 'invalid' : kindOf(val)) {
        case 'slice': {
          const arr = val as unknown[];
          if (arr.length === 0) break;
          arr.forEach((e, i) => oneIteration(i, e));
          return;
        }
        case 'map': {
          const m = val as Record<string, unknown>;
          const keys = mapKeys(m);
          if (keys.length === 0) break;
          for (const k of keys) oneIteration(k, m[k]);
          return;
        }
        case 'int': {
          // Go 1.22+: range over an integer n yields 0..n-1.
          if (pipe.decl.length > 1) this.errorf(`can't use ${formatValue(val)} to iterate over more than one variable`);
          const n = Number(val);
          if (n <= 0) break;
          for (let i = 0; i < n; i++) oneIteration(i, i);
          return;
        }
        case 'invalid':
          break; // a nil map or slice acts like an empty one
        default:
          this.errorf(`range can't iterate over ${formatValue(val)}`);
      }
      if (elseList) this.walk(dot, elseList);
    } catch (e) {
      if (e !== BREAK) throw e;
    } finally {
      this.pop(mark);
    }
  }

  private walkWithDot(dot: unknown, iface: boolean, list: ListNode): void {
    const saved = this.dotIface;
    this.dotIface = iface;
    try {
      this.walk(dot, list);
    } finally {
      this.dotIface = saved;
    }
  }

  private printValue(node: Node, v: unknown): void {
    this.at(node);
    if (v === NO_VALUE) {
      this.out += '<no value>';
      return;
    }
    if (kindOf(v) === 'func') this.errorf(`can't print ${nodeString(node)} of type ${typeName(v)}`);
    // A top-level pointer is dereferenced before printing (printableValue).
    this.out += formatValue(v, true);
  }

  // ---- evaluation ---------------------------------------------------------

  private evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.at(pipe);
    let value: unknown = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      // Go re-wraps interface values; a nil interface becomes the invalid value.
      if (value === null || value === undefined) value = NO_VALUE;
    }
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0], value);
      else this.push(v.ident[0], value);
    }
    return value;
  }

  private notAFunction(args: Node[] | null, final: Final): void {
    if ((args && args.length > 1) || final !== MISSING) {
      this.errorf(`can't give argument to non-function ${nodeString(args![0])}`);
    }
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0];
    switch (first.kind) {
      case 'field':
        return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain':
        return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier':
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable':
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.kind) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        this.errorf('nil is not a command');
      // falls through (errorf never returns)
      case 'number':
        return this.idealConstant(first);
      case 'string':
        return first.text;
    }
    return this.errorf(`can't evaluate command ${quote(nodeString(first))}`);
  }

  /** An untyped constant becomes an int, or a float64 when written with . e E p P. */
  private idealConstant(n: NumberNode): unknown {
    this.at(n);
    const isHexInt = /^0[xX]/.test(n.text) && !/[pP]/.test(n.text);
    const isRune = n.text.startsWith("'");
    if (n.isFloat && !isHexInt && !isRune && /[.eEpP]/.test(n.text)) return goFloat(n.float);
    if (n.isInt) {
      if (n.int >= BigInt(Number.MIN_SAFE_INTEGER) && n.int <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(n.int);
      return n.int;
    }
    if (n.isUint) this.errorf(`${n.text} overflows int`);
    return NO_VALUE;
  }

  private evalFieldNode(dot: unknown, field: FieldNode, args: Node[] | null, final: Final): unknown {
    this.at(field);
    return this.evalFieldChain(dot, dot, this.dotIface, field, field.ident, args, final);
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: Node[] | null, final: Final): unknown {
    this.at(chain);
    if (chain.field.length === 0) this.errorf('internal error: no fields in evalChainNode');
    if (chain.node.kind === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, undefined, chain.node);
    return this.evalFieldChain(dot, pipe, false, chain, chain.field, args, final);
  }

  private evalVariableNode(dot: unknown, variable: VariableNode, args: Node[] | null, final: Final): unknown {
    this.at(variable);
    const value = this.varValue(variable.ident[0]);
    if (variable.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    const iface = this.varIface(variable.ident[0]);
    return this.evalFieldChain(dot, value, iface, variable, variable.ident.slice(1), args, final);
  }

  private evalFieldChain(
    dot: unknown,
    receiver: unknown,
    iface: boolean,
    node: Node,
    ident: string[],
    args: Node[] | null,
    final: Final,
  ): unknown {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) {
      receiver = this.evalField(dot, ident[i], node, null, MISSING, receiver, iface);
      iface = this.resultIface;
    }
    return this.evalField(dot, ident[n - 1], node, args, final, receiver, iface);
  }

  private evalFunction(dot: unknown, node: IdentifierNode, cmd: Node, args: Node[] | null, final: Final): unknown {
    this.at(node);
    const name = node.ident;
    const exec = Object.prototype.hasOwnProperty.call(this.funcs, name) ? this.funcs[name] : undefined;
    const builtin = Object.prototype.hasOwnProperty.call(this.builtins, name) ? this.builtins[name] : undefined;
    const fn = exec ?? builtin;
    if (!fn) this.errorf(`${quote(name)} is not a defined function`);
    return this.evalCall(dot, fn, !exec && !!fn.builtin, cmd, name, args, final);
  }

  /** Field or method lookup on a receiver (evalField). */
  private evalField(
    dot: unknown,
    fieldName: string,
    node: Node,
    args: Node[] | null,
    final: Final,
    receiver: unknown,
    receiverIface: boolean,
  ): unknown {
    this.resultIface = false;
    if (receiver === NO_VALUE || receiver === undefined) {
      if (this.missingKeyError) this.errorf(`nil data; no entry for key ${quote(fieldName)}`);
      return NO_VALUE;
    }
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${fieldName}`);
    const typ = receiverIface ? 'interface {}' : typeName(receiver);
    if (receiver instanceof GoStruct) {
      const m = receiver.method(fieldName);
      if (m) return this.evalCall(dot, toFuncSpec(m), false, node, fieldName, args, final);
    } else if (receiver instanceof GoTime && Object.prototype.hasOwnProperty.call(TIME_METHODS, fieldName)) {
      return this.evalCall(dot, TIME_METHODS[fieldName](receiver), false, node, fieldName, args, final);
    }
    const hasArgs = (args !== null && args.length > 1) || final !== MISSING;
    if (receiver instanceof GoStruct) {
      if (receiver.hasField(fieldName)) {
        if (hasArgs) this.errorf(`${fieldName} has arguments but cannot be invoked as function`);
        return receiver.field(fieldName);
      }
    } else if (receiver instanceof GoNil) {
      if (receiver.kind === 'ptr' || receiver.kind === 'interface') {
        this.errorf(`nil pointer evaluating ${typ}.${fieldName}`);
      }
      if (receiver.kind === 'map') {
        if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
        if (this.missingKeyError) this.errorf(`map has no entry for key ${quote(fieldName)}`);
        return NO_VALUE;
      }
    } else if (kindOf(receiver) === 'map') {
      if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
      const m = receiver as Record<string, unknown>;
      if (Object.prototype.hasOwnProperty.call(m, fieldName) && m[fieldName] !== undefined) {
        this.resultIface = holdsInterfaces(m);
        return m[fieldName];
      }
      if (this.missingKeyError) this.errorf(`map has no entry for key ${quote(fieldName)}`);
      return NO_VALUE;
    }
    return this.errorf(`can't evaluate field ${fieldName} in type ${typ}`);
  }

  /** Call a function or method: arity check, argument conversion, and `final` as the last argument. */
  private evalCall(
    dot: unknown,
    fn: GoFuncSpec,
    isBuiltin: boolean,
    node: Node,
    name: string,
    allArgs: Node[] | null,
    final: Final,
  ): unknown {
    const args = allArgs ? allArgs.slice(1) : [];
    const numIn = args.length + (final !== MISSING ? 1 : 0);
    let numFixed = args.length;
    if (fn.variadic) {
      numFixed = fn.params.length;
      if (numIn < numFixed) {
        this.errorf(`wrong number of args for ${name}: want at least ${fn.params.length} got ${args.length}`);
      }
    } else if (numIn !== fn.params.length) {
      this.errorf(`wrong number of args for ${name}: want ${fn.params.length} got ${numIn}`);
    }

    if (isBuiltin && (name === 'and' || name === 'or')) {
      // Short-circuit: stop at the first argument whose truth decides the result.
      let v: unknown = NO_VALUE;
      for (const arg of args) {
        v = this.evalArg(dot, 'value', arg);
        if (isTrue(v) === (name === 'or')) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }

    const argv: unknown[] = [];
    let i = 0;
    for (; i < numFixed && i < args.length; i++) argv.push(this.evalArg(dot, fn.params[i], args[i]));
    if (fn.variadic) {
      for (; i < args.length; i++) argv.push(this.evalArg(dot, fn.variadic, args[i]));
    }
    if (final !== MISSING) {
      let t: GoParam = fn.params[fn.params.length - 1];
      if (fn.variadic) t = numIn - 1 < numFixed ? fn.params[numIn - 1] : fn.variadic;
      argv.push(this.validateType(final, t));
    }
    try {
      return normalizeResult(fn.fn(...argv));
    } catch (e) {
      if (e instanceof TemplateError) throw e;
      this.at(node);
      return this.errorf(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** validateType: check (and convert) a computed value for a parameter of type `typ`. */
  private validateType(value: unknown, typ: GoParam | undefined): unknown {
    if (typ === undefined || typ === 'value') return value;
    if (value === NO_VALUE || value === undefined) {
      if (typ === 'any') return null;
      if (typ === '[]string') return new GoNil('[]string');
      this.errorf(`invalid value; expected ${PARAM_TYPE[typ]}`);
    }
    if (typ === 'any') return value;
    const k = kindOf(value);
    let ok: boolean;
    switch (typ) {
      case 'string':
        ok = typeof value === 'string';
        break;
      case 'int':
        ok = k === 'int';
        break;
      case 'bool':
        ok = k === 'bool';
        break;
      case 'float64':
        ok = k === 'float';
        break;
      case '[]string':
        // A tagged []string, or (leniently) any slice holding only strings.
        ok =
          (value instanceof GoNil && value.typeName === '[]string') ||
          (Array.isArray(value) && value.every((e) => typeof e === 'string'));
        break;
    }
    if (!ok) this.errorf(`wrong type for value; expected ${PARAM_TYPE[typ]}; got ${typeName(value)}`);
    return value;
  }

  /** evalArg: evaluate one argument node for a parameter of type `typ`. */
  private evalArg(dot: unknown, typ: GoParam | undefined, n: Node): unknown {
    this.at(n);
    switch (n.kind) {
      case 'dot':
        return this.validateType(dot, typ);
      case 'nil':
        if (typ === 'any' || typ === 'value') return typ === 'any' ? null : NO_VALUE;
        if (typ === '[]string') return new GoNil('[]string');
        return this.errorf(`cannot assign nil to ${typ ? PARAM_TYPE[typ] : '<nil>'}`);
      case 'field':
        return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), typ);
      case 'variable':
        return this.validateType(this.evalVariableNode(dot, n, null, MISSING), typ);
      case 'pipe':
        return this.validateType(this.evalPipeline(dot, n), typ);
      case 'identifier':
        return this.validateType(this.evalFunction(dot, n, n, null, MISSING), typ);
      case 'chain':
        return this.validateType(this.evalChainNode(dot, n, null, MISSING), typ);
    }
    switch (typ) {
      case 'bool':
        if (n.kind === 'bool') return n.value;
        return this.errorf(`expected bool; found ${nodeString(n)}`);
      case 'float64':
        if (n.kind === 'number' && n.isFloat) return goFloat(n.float);
        return this.errorf(`expected float; found ${nodeString(n)}`);
      case 'int':
        if (n.kind === 'number' && n.isInt) return Number(n.int);
        return this.errorf(`expected integer; found ${nodeString(n)}`);
      case 'string':
        if (n.kind === 'string') return n.text;
        return this.errorf(`expected string; found ${nodeString(n)}`);
      case 'any':
      case 'value':
      case undefined:
        return this.evalEmptyInterface(n);
    }
    return this.errorf(`can't handle ${nodeString(n)} for arg of type ${PARAM_TYPE[typ]}`);
  }

  private evalEmptyInterface(n: Node): unknown {
    this.at(n);
    switch (n.kind) {
      case 'bool':
        return n.value;
      case 'number':
        return this.idealConstant(n);
      case 'string':
        return n.text;
    }
    return this.errorf(`can't handle assignment of ${nodeString(n)} to empty interface argument`);
  }
}

/** The root data value: Go's reflect.ValueOf(nil) is the invalid value. */
function toValue(data: unknown): unknown {
  return data === null || data === undefined ? NO_VALUE : data;
}

export type { GoCallable };
