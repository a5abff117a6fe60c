import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchange, v2Request } from './v2-client.ts';

let server: Server;
let pool: Pool;
const seen: { method: string; url: string; contentType: string | undefined; body: string }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      seen.push({
        method: request.method!,
        url: request.url!,
        contentType: request.headers['content-type'],
        body,
      });
      if (request.url === '/chunks') {
        response.writeHead(200, { 'x-etcd-index': '7' });
        response.write('{"action":"get",');
        setTimeout(() => response.end('"node":{"key":"/a","value":"é","modifiedIndex":5}}'), 20);
      } else if (request.url === '/error') {
        response.writeHead(404, { 'content-type': 'application/json', 'x-etcd-index': '9' });
        response.end('{"errorCode":100,"message":"Key not found","cause":"/x","index":8}');
      } else {
        response.writeHead(201, { 'x-etcd-index': '3' });
        response.end('not json');
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 2 });
});

afterAll(async () => {
  await pool.destroy();
  server.close();
});

describe('the load generator’s requests', () => {
  it('read a whole answer sent in pieces, headers first', async () => {
    let headersAt = 0;
    const answer = await exchange(pool, {
      method: 'GET',
      path: '/chunks',
      onHeaders: () => (headersAt = performance.now()),
    });
    expect(headersAt).toBeGreaterThan(0);
    expect(answer.status).toBe(200);
    expect(answer.headers['x-etcd-index']).toBe('7');
    expect(JSON.parse(answer.body)).toEqual({
      action: 'get',
      node: { key: '/a', value: 'é', modifiedIndex: 5 },
    });
  });

  it('send forms and turn answers into v2 figures', async () => {
    const written = await v2Request(pool, { method: 'PUT', path: '/put', form: { value: 'a b', ttl: '5' } });
    expect(seen.at(-1)).toEqual({
      method: 'PUT',
      url: '/put',
      contentType: 'application/x-www-form-urlencoded',
      body: 'value=a+b&ttl=5',
    });
    expect(written).toEqual({ status: 201, kind: 'http 201', index: 3 });
    const missing = await v2Request(pool, { method: 'DELETE', path: '/error' });
    expect(missing).toEqual({ status: 404, kind: 'http 404 error 100', errorCode: 100, index: 8 });
    const got = await v2Request(pool, { method: 'GET', path: '/chunks' });
    expect(got.node?.value).toBe('é');
    expect(got.index).toBe(7);
  });

  it('count a transport failure by its code', async () => {
    const closed = new Pool('http://127.0.0.1:9', { connections: 1 });
    try {
      await expect(exchange(closed, { method: 'GET', path: '/' })).rejects.toMatchObject({
        code: 'ECONNREFUSED',
      });
      expect(await v2Request(closed, { method: 'GET', path: '/' })).toEqual({
        status: 0,
        kind: 'ECONNREFUSED',
      });
    } finally {
      await closed.destroy();
    }
  });
});
