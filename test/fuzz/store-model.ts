// The keys a store must hold, replayed from the answers to acknowledged writes: every
// successful write's answer says which node it changed and how. Keys whose fate is not
// certain (a TTL that may have expired, a write whose answer was lost) are set aside.

interface AnswerNode {
  readonly key?: string;
  readonly value?: string;
  readonly dir?: boolean;
  readonly expiration?: string;
  readonly nodes?: readonly AnswerNode[];
}

interface Answer {
  readonly action?: string;
  readonly node?: AnswerNode;
}

const writeActions = new Set(['set', 'create', 'update', 'compareAndSwap', 'delete', 'compareAndDelete']);

export class StoreModel {
  /** Key to value (null for a directory) of every visible node. */
  private readonly nodes = new Map<string, string | null>();
  /** Prefixes whose content is uncertain. */
  private readonly uncertain = new Set<string>();

  /** Applies a successful (2xx) answer to a write. */
  apply(answer: Answer): void {
    const node = answer.node;
    if (node?.key === undefined || answer.action === undefined || !writeActions.has(answer.action)) return;
    if (node.expiration !== undefined) this.uncertain.add(node.key);
    if (answer.action === 'delete' || answer.action === 'compareAndDelete') {
      this.remove(node.key);
      return;
    }
    this.createParents(node.key);
    this.nodes.set(node.key, node.dir === true ? null : (node.value ?? ''));
  }

  /** A write to `key` whose outcome is unknown (no answer, or a 5xx). */
  unknown(key: string): void {
    this.uncertain.add(key);
    this.uncertain.add(parentOf(key) ?? '/');
  }

  /** The differences between the model and the store's listing (GET /v2/keys/?recursive=true). */
  differences(listing: AnswerNode): string[] {
    const actual = new Map<string, string | null>();
    flatten(listing, actual);
    const differences: string[] = [];
    for (const [key, value] of this.nodes) {
      if (this.isUncertain(key) || isHidden(key)) continue;
      if (!actual.has(key)) differences.push(`${key} is missing (expected ${describe(value)})`);
      else if (actual.get(key) !== value) {
        differences.push(`${key} holds ${describe(actual.get(key) ?? null)}, expected ${describe(value)}`);
      }
    }
    for (const [key, value] of actual) {
      if (!this.nodes.has(key) && !this.isUncertain(key))
        differences.push(`${key} (${describe(value)}) was never written`);
    }
    return differences;
  }

  get size(): number {
    return this.nodes.size;
  }

  private isUncertain(key: string): boolean {
    for (let current: string | null = key; current !== null; current = parentOf(current)) {
      if (this.uncertain.has(current)) return true;
    }
    return this.uncertain.has('/');
  }

  private remove(key: string): void {
    for (const existing of [...this.nodes.keys()]) {
      if (existing === key || existing.startsWith(`${key}/`)) this.nodes.delete(existing);
    }
  }

  private createParents(key: string): void {
    for (let parent = parentOf(key); parent !== null && parent !== '/'; parent = parentOf(parent)) {
      this.nodes.set(parent, null);
    }
  }
}

function parentOf(key: string): string | null {
  if (key === '/' || key === '') return null;
  const cut = key.lastIndexOf('/');
  return cut <= 0 ? '/' : key.slice(0, cut);
}

function isHidden(key: string): boolean {
  return key.split('/').some((segment) => segment.startsWith('_'));
}

function flatten(node: AnswerNode, into: Map<string, string | null>): void {
  for (const child of node.nodes ?? []) {
    if (child.key === undefined) continue;
    into.set(child.key, child.dir === true ? null : (child.value ?? ''));
    flatten(child, into);
  }
}

function describe(value: string | null): string {
  return value === null ? 'a directory' : JSON.stringify(value);
}
