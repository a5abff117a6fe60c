import { EtcdError, RaftInternalError, type V2Response } from '@concord/protocol';
import { bodyBytes } from './go-http.ts';
import { goJson } from './go-json.ts';
import type { V2Reply } from './reply.ts';

/**
 * etcd's `v2error.Error.WriteTo`: the error's HTTP status, `X-Etcd-Index` of the error's
 * index (0 for validation errors), JSON plus a newline. No Raft headers, as in etcd.
 */
export function sendEtcdError<R extends V2Reply>(reply: R, error: unknown): R {
  const etcdError = asEtcdError(error);
  reply
    .code(etcdError.httpStatus)
    .header('Content-Type', 'application/json')
    .header('X-Etcd-Index', String(etcdError.index))
    .send(bodyBytes(`${goJson(etcdError.toJSON())}\n`));
  return reply;
}

/** Anything that is not already an etcd error is reported as etcd reports it: 300. */
export function asEtcdError(error: unknown): EtcdError {
  if (error instanceof EtcdError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new RaftInternalError(message, 0);
}

/** The actions after which `noValueOnSuccess=true` leaves out both nodes. */
const writeActionsWithoutNodes = new Set(['set', 'compareAndSwap', 'create', 'update']);

/** etcd's `writeKeyEvent` body: the event, or only its action when asked for no value. */
export function eventBody(response: V2Response, noValueOnSuccess: boolean): string {
  if (noValueOnSuccess && writeActionsWithoutNodes.has(response.action)) {
    return `${goJson({ action: response.action })}\n`;
  }
  return `${goJson(response)}\n`;
}
