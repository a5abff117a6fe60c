/**
 * A JSON value as Go's decoder meets it: objects keep every key in order, duplicates included
 * (Go assigns each in turn, and reports the first type error among them).
 */
export type GoJsonValue =
  | null
  | boolean
  | number
  | string
  | readonly GoJsonValue[]
  | { readonly entries: readonly (readonly [string, GoJsonValue])[] };

/**
 * Go's `encoding/json` scanner, for the error texts etcd returns on a malformed JSON body:
 * the value when `text` is one valid JSON value, else Go's message, such as
 * `invalid character 'x' looking for beginning of value` or `unexpected end of JSON input`.
 */
export function parseGoJson(text: string): { value: GoJsonValue } | { error: string } {
  const scanner = new Scanner(text);
  try {
    scanner.skipSpace();
    const value = scanner.value();
    scanner.skipSpace();
    if (scanner.position < text.length) scanner.fail('after top-level value');
    return { value };
  } catch (error) {
    if (error instanceof SyntaxFailure) return { error: error.message };
    throw error;
  }
}

class SyntaxFailure extends Error {}

const endOfInput = 'unexpected end of JSON input';

class Scanner {
  position = 0;
  constructor(private readonly text: string) {}

  fail(context: string): never {
    if (this.position >= this.text.length) throw new SyntaxFailure(endOfInput);
    throw new SyntaxFailure(`invalid character ${quoteCharacter(this.text[this.position]!)} ${context}`);
  }

  skipSpace(): void {
    while (this.position < this.text.length && ' \t\r\n'.includes(this.text[this.position]!)) this.position++;
  }

  private peek(): string | undefined {
    return this.text[this.position];
  }

  value(): GoJsonValue {
    const character = this.peek();
    if (character === '{') return this.object();
    if (character === '[') return this.array();
    if (character === '"') return this.string();
    if (character === '-' || isDigit(character)) return this.number();
    if (character === 't') return this.literal('true', true);
    if (character === 'f') return this.literal('false', false);
    if (character === 'n') return this.literal('null', null);
    return this.fail('looking for beginning of value');
  }

  private object(): GoJsonValue {
    const entries: (readonly [string, GoJsonValue])[] = [];
    this.position++;
    this.skipSpace();
    if (this.peek() === '}') {
      this.position++;
      return { entries };
    }
    for (;;) {
      if (this.peek() !== '"') this.fail('looking for beginning of object key string');
      const key = this.string();
      this.skipSpace();
      if (this.peek() !== ':') this.fail('after object key');
      this.position++;
      this.skipSpace();
      entries.push([key, this.value()]);
      this.skipSpace();
      if (this.peek() === '}') {
        this.position++;
        return { entries };
      }
      if (this.peek() !== ',') this.fail('after object key:value pair');
      this.position++;
      this.skipSpace();
    }
  }

  private array(): GoJsonValue {
    const items: GoJsonValue[] = [];
    this.position++;
    this.skipSpace();
    if (this.peek() === ']') {
      this.position++;
      return items;
    }
    for (;;) {
      items.push(this.value());
      this.skipSpace();
      if (this.peek() === ']') {
        this.position++;
        return items;
      }
      if (this.peek() !== ',') this.fail('after array element');
      this.position++;
      this.skipSpace();
    }
  }

  private string(): string {
    const start = this.position;
    this.position++;
    for (;;) {
      const character = this.peek();
      if (character === undefined) this.fail('in string literal');
      if (character === '"') {
        this.position++;
        // Valid JSON by now, which JavaScript decodes alike.
        return JSON.parse(this.text.slice(start, this.position)) as string;
      }
      if (character < ' ') this.fail('in string literal');
      this.position++;
      if (character !== '\\') continue;
      const escaped = this.peek();
      if (escaped !== undefined && 'bfnrt"\\/'.includes(escaped)) {
        this.position++;
      } else if (escaped === 'u') {
        this.position++;
        for (let digit = 0; digit < 4; digit++) {
          if (!/^[0-9a-fA-F]$/.test(this.peek() ?? '')) this.fail('in \\u hexadecimal character escape');
          this.position++;
        }
      } else {
        this.fail('in string escape code');
      }
    }
  }

  private number(): number {
    const start = this.position;
    if (this.peek() === '-') {
      this.position++;
      if (!isDigit(this.peek())) this.fail('in numeric literal');
    }
    if (this.peek() === '0') this.position++;
    else while (isDigit(this.peek())) this.position++;
    if (this.peek() === '.') {
      this.position++;
      if (!isDigit(this.peek())) this.fail('after decimal point in numeric literal');
      while (isDigit(this.peek())) this.position++;
    }
    if (this.peek() === 'e' || this.peek() === 'E') {
      this.position++;
      if (this.peek() === '+' || this.peek() === '-') this.position++;
      if (!isDigit(this.peek())) this.fail('in exponent of numeric literal');
      while (isDigit(this.peek())) this.position++;
    }
    return Number(this.text.slice(start, this.position));
  }

  private literal<T extends GoJsonValue>(word: string, value: T): T {
    this.position++;
    for (const expected of word.slice(1)) {
      if (this.peek() !== expected) this.fail(`in literal ${word} (expecting ${quoteCharacter(expected)})`);
      this.position++;
    }
    return value;
  }
}

function isDigit(character: string | undefined): boolean {
  return character !== undefined && character >= '0' && character <= '9';
}

const goEscapes: Readonly<Record<string, string>> = {
  '\u0007': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
};

/** Go's `quoteChar`: `'x'`, with `'\''` and `'"'` special, others as `strconv.Quote` escapes them. */
function quoteCharacter(character: string): string {
  if (character === "'") return "'\\''";
  if (character === '"') return `'"'`;
  const code = character.charCodeAt(0);
  const escaped =
    goEscapes[character] ??
    (code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : character);
  return `'${escaped}'`;
}
