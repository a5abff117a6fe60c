/**
 * Go's `encoding/json` syntax check (its scanner), for the error texts etcd returns on a
 * malformed JSON body: null when `text` is one valid JSON value, else Go's message, such as
 * `invalid character 'x' looking for beginning of value` or `unexpected end of JSON input`.
 */
export function goJsonSyntaxError(text: string): string | null {
  const scanner = new Scanner(text);
  try {
    scanner.skipSpace();
    scanner.value();
    scanner.skipSpace();
    if (scanner.position < text.length) scanner.fail('after top-level value');
    return null;
  } catch (error) {
    if (error instanceof SyntaxFailure) return error.message;
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

  value(): void {
    const character = this.peek();
    if (character === '{') this.object();
    else if (character === '[') this.array();
    else if (character === '"') this.string();
    else if (character === '-' || isDigit(character)) this.number();
    else if (character === 't') this.literal('true');
    else if (character === 'f') this.literal('false');
    else if (character === 'n') this.literal('null');
    else this.fail('looking for beginning of value');
  }

  private object(): void {
    this.position++;
    this.skipSpace();
    if (this.peek() === '}') {
      this.position++;
      return;
    }
    for (;;) {
      if (this.peek() !== '"') this.fail('looking for beginning of object key string');
      this.string();
      this.skipSpace();
      if (this.peek() !== ':') this.fail('after object key');
      this.position++;
      this.skipSpace();
      this.value();
      this.skipSpace();
      if (this.peek() === '}') {
        this.position++;
        return;
      }
      if (this.peek() !== ',') this.fail('after object key:value pair');
      this.position++;
      this.skipSpace();
    }
  }

  private array(): void {
    this.position++;
    this.skipSpace();
    if (this.peek() === ']') {
      this.position++;
      return;
    }
    for (;;) {
      this.value();
      this.skipSpace();
      if (this.peek() === ']') {
        this.position++;
        return;
      }
      if (this.peek() !== ',') this.fail('after array element');
      this.position++;
      this.skipSpace();
    }
  }

  private string(): void {
    this.position++;
    for (;;) {
      const character = this.peek();
      if (character === undefined) this.fail('in string literal');
      if (character === '"') {
        this.position++;
        return;
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

  private number(): void {
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
  }

  private literal(word: string): void {
    this.position++;
    for (const expected of word.slice(1)) {
      if (this.peek() !== expected) this.fail(`in literal ${word} (expecting ${quoteCharacter(expected)})`);
      this.position++;
    }
  }
}

function isDigit(character: string | undefined): boolean {
  return character !== undefined && character >= '0' && character <= '9';
}

/** Go's `quoteChar`: `'x'`, with `'\''` and `'"'` special and control characters escaped. */
function quoteCharacter(character: string): string {
  if (character === "'") return "'\\''";
  if (character === '"') return `'"'`;
  const quoted = JSON.stringify(character);
  return `'${quoted.slice(1, -1)}'`;
}
