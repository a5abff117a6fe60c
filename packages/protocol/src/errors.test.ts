import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { etcdErrorCatalogue, etcdErrorCodes, isEtcdErrorCode } from './error-catalogue.ts';
import {
  CompareFailedError,
  EtcdError,
  EventIndexClearedError,
  etcdErrorFromBody,
  KeyNotFoundError,
  RootReadOnlyError,
  ValidationError,
} from './errors.ts';
import { v2ErrorBodySchema } from './node.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function documentedRows(): Map<number, { name: string; httpStatus: number; message: string }> {
  const rows = new Map<number, { name: string; httpStatus: number; message: string }>();
  for (const line of readme.split('\n')) {
    // Cells may be padded (the formatter aligns the table).
    const cells = line.split('|').map((cell) => cell.trim());
    if (cells.length !== 6 || !/^\d{3}$/.test(cells[1]!)) continue;
    rows.set(Number(cells[1]), { name: cells[2]!, httpStatus: Number(cells[3]), message: cells[4]! });
  }
  return rows;
}

describe('etcd error catalogue', () => {
  it('is documented row for row in README.md', () => {
    const documented = documentedRows();
    const codes = Object.keys(etcdErrorCatalogue).map(Number);
    expect([...documented.keys()].sort()).toEqual(codes.sort());
    for (const code of codes) {
      expect(documented.get(code)).toEqual(etcdErrorCatalogue[code as keyof typeof etcdErrorCatalogue]);
    }
  });

  it('has unique names and a name-to-code table that round-trips', () => {
    const names = Object.values(etcdErrorCatalogue).map((entry) => entry.name);
    expect(new Set(names).size).toBe(names.length);
    for (const [name, code] of Object.entries(etcdErrorCodes)) {
      expect(etcdErrorCatalogue[code].name).toBe(name);
    }
  });

  it('gives every code the HTTP status etcd answers with', () => {
    // Pinned against etcd 3.4: 104 and 107 are 400, not 403.
    const expected: Record<number, number> = { 100: 404, 101: 412, 102: 403, 104: 400, 105: 412 };
    Object.assign(expected, { 107: 400, 108: 403, 110: 401, 300: 500, 301: 500, 401: 400 });
    for (const [code, status] of Object.entries(expected)) {
      expect(new EtcdError(Number(code) as keyof typeof etcdErrorCatalogue, undefined, 1).httpStatus).toBe(
        status,
      );
    }
    for (let code = 200; code <= 212; code++) {
      expect(isEtcdErrorCode(code)).toBe(true);
      expect(etcdErrorCatalogue[code as keyof typeof etcdErrorCatalogue].httpStatus).toBe(400);
    }
  });

  it('keeps the code ranges etcd defines and nothing else', () => {
    expect(isEtcdErrorCode(111)).toBe(false);
    expect(isEtcdErrorCode(213)).toBe(false);
    expect(isEtcdErrorCode(302)).toBe(false);
    expect(isEtcdErrorCode(405)).toBe(false);
  });
});

describe('EtcdError', () => {
  it('prints the JSON body etcd prints', () => {
    const error = new KeyNotFoundError('/x', 7);
    expect(JSON.stringify(error)).toBe('{"errorCode":100,"message":"Key not found","cause":"/x","index":7}');
    expect(error).toBeInstanceOf(EtcdError);
    expect(error.message).toBe('Key not found');
  });

  it('leaves out an empty cause', () => {
    expect(new EtcdError(300, undefined, 3).toJSON()).toEqual({
      errorCode: 300,
      message: 'Raft Internal Error',
      index: 3,
    });
  });

  it('formats the causes etcd formats', () => {
    expect(new RootReadOnlyError(8).toJSON()).toEqual({
      errorCode: 107,
      message: 'Root is read only',
      cause: '/',
      index: 8,
    });
    expect(new EventIndexClearedError(63, 5, 1062).toJSON()).toEqual({
      errorCode: 401,
      message: 'The event in requested index is outdated and cleared',
      cause: 'the requested history has been cleared [63/5]',
      index: 1062,
    });
    expect(new CompareFailedError('[old != 3] [1 != 7]', 10).httpStatus).toBe(412);
  });

  it('gives validation errors index 0 and refuses non-validation codes', () => {
    const error = new ValidationError(202, 'invalid value for "ttl"');
    expect(JSON.stringify(error)).toBe(
      '{"errorCode":202,"message":"The given TTL in POST form is not a number","cause":"invalid value for \\"ttl\\"","index":0}',
    );
    expect(() => new ValidationError(100, 'x')).toThrow(RangeError);
  });

  it('round-trips through a body', () => {
    const body = v2ErrorBodySchema.parse(JSON.parse(JSON.stringify(new KeyNotFoundError('/a', 4))));
    const error = etcdErrorFromBody(body);
    expect(error).toBeInstanceOf(EtcdError);
    expect((error as EtcdError).errorCode).toBe(100);
    expect(etcdErrorFromBody({ errorCode: 999, message: 'odd', index: 0 })).not.toBeInstanceOf(EtcdError);
  });
});
