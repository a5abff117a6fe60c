import {
  etcdErrorFromBody,
  type KvResult,
  type V2Response,
  v2ErrorBodySchema,
  v2ResponseSchema,
} from '@concord/protocol';
import { InvalidResponseError } from './cluster-error.ts';
import type { HttpReply } from './transport.ts';

/** Turns a keys API reply into a result, or throws the `EtcdError` its body describes. */
export function keysResult(reply: HttpReply): KvResult {
  if (reply.status === 200 || reply.status === 201) {
    const response = parseJson(reply.body, (value) => v2ResponseSchema.parse(value)) as V2Response;
    return { response, etcdIndex: etcdIndexOf(reply) };
  }
  const body = parseJson(reply.body, (value) => v2ErrorBodySchema.parse(value));
  throw etcdErrorFromBody(body);
}

export function etcdIndexOf(reply: HttpReply): number {
  const header = reply.headers['x-etcd-index'];
  const text = Array.isArray(header) ? header[0] : header;
  const index = Number(text ?? 0);
  return Number.isSafeInteger(index) ? index : 0;
}

export function parseJson<T>(body: string, check: (value: unknown) => T): T {
  try {
    return check(JSON.parse(body));
  } catch (error) {
    const reason = error instanceof SyntaxError ? 'not JSON' : 'not in the expected shape';
    throw new InvalidResponseError(`invalid response (${reason}): ${body.slice(0, 200)}`);
  }
}
