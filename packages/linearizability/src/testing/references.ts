import type { EtcdInput, EtcdOutput } from '../model-etcd.ts';
import type { RegisterInput, RegisterOutput } from '../model-register.ts';
import type { Random } from './random.ts';
import type { ReferenceObject } from './simulate.ts';

/** Every written value is unique, so a corrupted read can be told apart from any real one. */
export class ReferenceRegisters implements ReferenceObject<RegisterInput, RegisterOutput> {
  private readonly values = new Map<string, string>();
  private written = 0;

  constructor(private readonly keys: readonly string[]) {}

  nextInput(random: Random): RegisterInput {
    const key = random.pick(this.keys);
    const roll = random.next();
    if (roll < 0.45) return { type: 'read', key };
    const value = `v${this.written++}`;
    if (roll < 0.8) return { type: 'write', key, value };
    // Expect the value written last, or absent: CAS then succeeds often enough to matter.
    const expected = random.chance(0.8) ? (this.values.get(key) ?? null) : null;
    return { type: 'compareAndSwap', key, expected, value };
  }

  execute(input: RegisterInput): RegisterOutput {
    const current = this.values.get(input.key) ?? null;
    switch (input.type) {
      case 'read':
        return { type: 'read', value: current };
      case 'write':
        this.values.set(input.key, input.value);
        return { type: 'write' };
      case 'compareAndSwap': {
        const succeeded = current === input.expected;
        if (succeeded) this.values.set(input.key, input.value);
        return { type: 'compareAndSwap', succeeded };
      }
    }
  }
}

interface StoredNode {
  readonly value: string;
  readonly modifiedIndex: number;
}

/** A plain etcd v2 store: one index for the whole store, advanced by every write to any key. */
export class ReferenceEtcdStore implements ReferenceObject<EtcdInput, EtcdOutput> {
  private readonly nodes = new Map<string, StoredNode>();
  private storeIndex = 0;
  private written = 0;

  constructor(private readonly keys: readonly string[]) {}

  nextInput(random: Random): EtcdInput {
    const key = random.pick(this.keys);
    const value = `v${this.written++}`;
    const node = this.nodes.get(key);
    const roll = random.integer(10);
    if (roll < 3) return { type: 'get', key };
    if (roll === 3) return { type: 'set', key, value };
    if (roll === 4) return { type: 'create', key, value };
    if (roll === 5) return { type: 'update', key, value };
    if (roll === 6) return { type: 'compareAndSwap', key, value, prevValue: node?.value ?? 'none' };
    if (roll === 7) return { type: 'compareAndSwap', key, value, prevIndex: node?.modifiedIndex ?? 1 };
    if (roll === 8) return { type: 'delete', key };
    return { type: 'compareAndDelete', key, prevIndex: node?.modifiedIndex ?? 1 };
  }

  execute(input: EtcdInput): EtcdOutput {
    const node = this.nodes.get(input.key);
    switch (input.type) {
      case 'get':
        return node === undefined ? keyNotFound() : { type: 'value', ...node };
      case 'set':
        return this.write(input.key, input.value);
      case 'create':
        return node === undefined ? this.write(input.key, input.value) : { type: 'error', errorCode: 105 };
      case 'update':
        return node === undefined ? keyNotFound() : this.write(input.key, input.value);
      case 'compareAndSwap':
        if (node === undefined) return keyNotFound();
        return matches(node, input) ? this.write(input.key, input.value) : { type: 'error', errorCode: 101 };
      case 'delete':
        return node === undefined ? keyNotFound() : this.remove(input.key);
      case 'compareAndDelete':
        if (node === undefined) return keyNotFound();
        return matches(node, input) ? this.remove(input.key) : { type: 'error', errorCode: 101 };
    }
  }

  private write(key: string, value: string): EtcdOutput {
    const modifiedIndex = ++this.storeIndex;
    this.nodes.set(key, { value, modifiedIndex });
    return { type: 'written', modifiedIndex };
  }

  private remove(key: string): EtcdOutput {
    this.nodes.delete(key);
    return { type: 'deleted', modifiedIndex: ++this.storeIndex };
  }
}

function keyNotFound(): EtcdOutput {
  return { type: 'error', errorCode: 100 };
}

function matches(
  node: StoredNode,
  input: { readonly prevValue?: string; readonly prevIndex?: number },
): boolean {
  if (input.prevValue !== undefined && input.prevValue !== node.value) return false;
  return input.prevIndex === undefined || input.prevIndex === node.modifiedIndex;
}
