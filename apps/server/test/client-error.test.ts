import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConcordMember, startConcordMember } from './concord-member.ts';
import { exchangeBytes as exchange } from './raw-http.ts';

describe('requests the HTTP parser cannot read to their end', () => {
  let member: ConcordMember;
  beforeAll(async () => {
    member = await startConcordMember();
  });
  afterAll(async () => {
    await member?.stop();
  });

  it('a write whose body is cut short gets its own answer, not a 400 for a write that commits (as etcd)', async () => {
    // No form content type: the body is not read and the write goes ahead with an empty value.
    const answer = await exchange(
      member.url,
      'PUT /v2/keys/cut HTTP/1.1\r\nHost: x\r\nContent-Length: 29\r\n\r\nprevIndex=&quo',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 201 Created\r\n/);
    expect(answer).toContain('"action":"set","node":{"key":"/cut","value":""');
    const stored = await fetch(`${member.url}/v2/keys/cut`);
    expect(((await stored.json()) as { node: { value: string } }).node.value).toBe('');
  });

  it('a form body cut short is refused with a 400, and nothing is written', async () => {
    const answer = await exchange(
      member.url,
      'PUT /v2/keys/cut-form HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
        'Content-Length: 20\r\n\r\nvalue=abc',
    );
    // etcd says 210 "unexpected EOF" in a JSON body; the status is the same.
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect((await fetch(`${member.url}/v2/keys/cut-form`)).status).toBe(404);
  });

  it("a malformed request gets Go's plain-text 400, not a JSON shape etcd never sends", async () => {
    const answer = await exchange(member.url, 'GET /v2/keys/ HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer).toContain('Content-Type: text/plain; charset=utf-8');
    expect(answer.endsWith('\r\n\r\n400 Bad Request')).toBe(true);
  });
});
