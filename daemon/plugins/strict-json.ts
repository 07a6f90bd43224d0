// Strict JSON (RFC 8259) for plugin manifests and extra-configuration files, plus what their validators
// share: key paths, how a value or a file error reads in a message.
//
// Why not JSON.parse: a duplicate key is an error here (JSON.parse keeps the last one silently, json-c
// too), an integer beyond 2^53 stays exact (a bigint), an object with a key `__proto__` cannot touch a
// prototype (objects have none), and a syntax error names its line and column. Never throws.

/** A parsed JSON value. Integers that are not safe JS integers are bigints; objects have no prototype. */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export type JsonResult =
  { ok: true; value: JsonValue } | { ok: false; line: number; column: number; message: string };

/** Nesting deeper than this is refused (no configuration needs it; it bounds the recursion). */
export const MAX_JSON_DEPTH = 64;

// ===== Key paths =====

/** One step of a key path: an object key or an array index. */
export type PathSegment = string | number;

const BARE_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `a.b."0"[2]`: bare keys joined by dots, other keys JSON-quoted, indexes in brackets. */
export function keyPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else {
      const key = BARE_KEY.test(s) ? s : JSON.stringify(s);
      out += out === '' ? key : `.${key}`;
    }
  }
  return out;
}

// ===== Value helpers for validators =====

/** A JSON object or a plain JS object (YAML output): not null, not an array, plain prototype. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype;
}

/** An integer value as a bigint (a safe-integer number or a bigint), else undefined. */
export function integerValue(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  return undefined;
}

/** How a value reads in a message: `a string`, `an integer`, `null`, ... */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'bigint') return 'an integer';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'boolean') return 'a boolean';
  if (isPlainObject(v)) return 'an object';
  return typeof v;
}

/** How a failed file read reads in a message: `no such file`, `is a folder`, ... */
export function describeFsError(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a folder';
  if (code === 'EACCES') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}

// ===== Parser =====

/** Thrown inside the parser only, and caught by its one caller below. */
class SyntaxFault extends Error {
  constructor(
    readonly pos: number,
    message: string,
  ) {
    super(message);
  }
}

const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseDocument(): JsonValue {
    this.skipSpace();
    const v = this.value([], 0);
    this.skipSpace();
    if (this.pos < this.text.length) this.fail('unexpected text after the JSON value');
    return v;
  }

  private fail(message: string, pos = this.pos): never {
    throw new SyntaxFault(pos, message);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos]!)) this.pos++;
  }

  private expect(ch: string): void {
    if (this.text[this.pos] !== ch) this.fail(`expected '${ch}'`);
    this.pos++;
  }

  /** Step over `ch` (the separator); report that `ch` or `end` was expected. */
  private expectEither(ch: string, end: string): void {
    if (this.text[this.pos] !== ch) this.fail(`expected '${ch}' or '${end}'`);
    this.pos++;
  }

  private value(path: PathSegment[], depth: number): JsonValue {
    if (depth > MAX_JSON_DEPTH) this.fail(`nesting deeper than ${MAX_JSON_DEPTH} levels`);
    const ch = this.text[this.pos];
    if (ch === '{') return this.object(path, depth);
    if (ch === '[') return this.array(path, depth);
    if (ch === '"') return this.string();
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return this.number();
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    return this.fail(ch === undefined ? 'unexpected end of input' : `unexpected character '${ch}'`);
  }

  private object(path: PathSegment[], depth: number): JsonObject {
    const out = Object.create(null) as JsonObject;
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      const keyPos = this.pos;
      if (this.text[this.pos] !== '"') this.fail('expected a string key');
      const key = this.string();
      if (Object.hasOwn(out, key)) {
        this.fail(`duplicate key ${keyPath([...path, key])}`, keyPos);
      }
      this.skipSpace();
      this.expect(':');
      this.skipSpace();
      out[key] = this.value([...path, key], depth + 1);
      this.skipSpace();
      if (this.text[this.pos] === '}') {
        this.pos++;
        return out;
      }
      this.expectEither(',', '}');
      this.skipSpace();
    }
  }

  private array(path: PathSegment[], depth: number): JsonValue[] {
    const out: JsonValue[] = [];
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value([...path, out.length], depth + 1));
      this.skipSpace();
      if (this.text[this.pos] === ']') {
        this.pos++;
        return out;
      }
      this.expectEither(',', ']');
      this.skipSpace();
    }
  }

  private string(): string {
    let out = '';
    this.pos++;
    for (;;) {
      const ch = this.text[this.pos];
      if (ch === undefined) this.fail('unterminated string');
      if (ch === '"') {
        this.pos++;
        return out;
      }
      if (ch < ' ') this.fail('control character in a string (escape it)');
      if (ch === '\\') out += this.escape();
      else {
        out += ch;
        this.pos++;
      }
    }
  }

  private escape(): string {
    const ch = this.text[this.pos + 1];
    if (ch === 'u') {
      const hex = this.text.slice(this.pos + 2, this.pos + 6);
      if (!/^[0-9A-Fa-f]{4}$/.test(hex)) this.fail('bad \\u escape');
      this.pos += 6;
      return String.fromCharCode(parseInt(hex, 16));
    }
    const e = ch === undefined ? undefined : ESCAPES[ch];
    if (e === undefined) this.fail(`bad escape '\\${ch ?? ''}'`);
    this.pos += 2;
    return e;
  }

  private number(): number | bigint {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (m === null) return this.fail('bad number');
    this.pos += m[0].length;
    if (m[1] === undefined && m[2] === undefined) {
      const n = Number(m[0]);
      return Number.isSafeInteger(n) ? n : BigInt(m[0]);
    }
    const n = Number(m[0]);
    if (!Number.isFinite(n)) this.fail('number out of range', this.pos - m[0].length);
    return n;
  }
}

function lineColumn(text: string, pos: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      start = i + 1;
    }
  }
  return { line, column: pos - start + 1 };
}

/** Parse JSON text strictly. Never throws. */
export function parseStrictJson(text: string): JsonResult {
  try {
    return { ok: true, value: new Parser(text).parseDocument() };
  } catch (err) {
    if (!(err instanceof SyntaxFault)) throw err;
    return { ok: false, ...lineColumn(text, err.pos), message: err.message };
  }
}
