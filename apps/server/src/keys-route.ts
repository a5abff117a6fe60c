import { type KeyStoreRequest, responseIsCreation } from '@concord/kv';
import { EtcdError, type V2Response, ValidationError } from '@concord/protocol';
import { hasKeyAccess, sendKeyNoAuth } from './auth/access.ts';
import type { V2Context } from './context.ts';
import { eventBody, sendEtcdError } from './etcd-reply.ts';
import { bodyBytes, sendMethodNotAllowed } from './go-http.ts';
import { type KeyMethod, type KeyRequest, parseKeyRequest, storeRequestOf } from './key-request.ts';
import type { V2Reply, V2Request } from './reply.ts';
import { mergeForm, type RequestBody } from './request-body.ts';
import { operationOf } from './store-statistics.ts';
import { serveWatch } from './watch.ts';

export const keysPrefix = '/v2/keys';

const keyMethods: readonly KeyMethod[] = ['HEAD', 'GET', 'PUT', 'POST', 'DELETE'];

/** `/v2/keys/<key>`: etcd's keysHandler. `path` is the decoded, clean request path. */
export async function handleKeys(
  context: V2Context,
  request: V2Request,
  reply: V2Reply,
  path: string,
  rawQuery: string,
): Promise<V2Reply> {
  const method = request.method as KeyMethod;
  if (!keyMethods.includes(method)) return sendMethodNotAllowed(reply, keyMethods);
  reply.header('X-Etcd-Cluster-Id', context.options.clusterId);
  let keyRequest: KeyRequest;
  try {
    keyRequest = parseRequest(method, path, request.body as RequestBody | undefined, rawQuery);
  } catch (error) {
    if ((request.body as RequestBody | undefined)?.kind === 'too-large') reply.header('Connection', 'close');
    return sendEtcdError(reply, error);
  }
  context.statistics.recordAuthenticationCheck();
  // The key as etcd checks it: the request path after /v2/keys, a trailing slash kept.
  const key = path.slice(keysPrefix.length);
  // Without auth nothing needs checking (and no turn of the event loop is spent on it).
  const allowed =
    !context.node.store.auth.enabled || (await hasKeyAccess(context, request, key, keyRequest.recursive));
  if (!allowed) return sendKeyNoAuth(reply);
  if (method === 'GET' && keyRequest.quorum) return serveRead(context, reply, keyRequest, true);
  if (method === 'GET' && keyRequest.wait) return serveWatch(context, reply, keyRequest);
  if (method === 'GET' || method === 'HEAD') return serveRead(context, reply, keyRequest, false);
  return serveWrite(context, reply, keyRequest);
}

function parseRequest(method: KeyMethod, path: string, body: RequestBody | undefined, rawQuery: string) {
  const form = mergeForm(body, rawQuery);
  if (form.error !== undefined) throw new ValidationError(210, form.error);
  return parseKeyRequest(method, path.slice(keysPrefix.length), form.values);
}

async function serveRead(
  context: V2Context,
  reply: V2Reply,
  keyRequest: KeyRequest,
  quorum: boolean,
): Promise<V2Reply> {
  let answer: { response: V2Response; index: number };
  try {
    answer = await context.node.read(
      (store) => ({
        response: store.get(keyRequest.key, Date.now(), {
          recursive: keyRequest.recursive,
          sorted: keyRequest.sorted,
        }),
        index: store.currentIndex,
      }),
      { quorum },
    );
  } catch (error) {
    if (isStoreError(error)) context.statistics.record('get', false);
    return sendEtcdError(reply, error);
  }
  context.statistics.record('get', true);
  return sendEvent(context, reply, answer.response, answer.index, 200, keyRequest.noValueOnSuccess);
}

async function serveWrite(context: V2Context, reply: V2Reply, keyRequest: KeyRequest): Promise<V2Reply> {
  const storeRequest: KeyStoreRequest = storeRequestOf(keyRequest);
  const operation = operationOf(storeRequest);
  try {
    const { response } = await context.node.propose(storeRequest);
    context.statistics.record(operation, true);
    const status = responseIsCreation(response) ? 201 : 200;
    const index = response.node.modifiedIndex ?? context.node.store.currentIndex;
    return sendEvent(context, reply, response, index, status, keyRequest.noValueOnSuccess);
  } catch (error) {
    if (isStoreError(error)) context.statistics.recordRefusal(operation, error.errorCode);
    return sendEtcdError(reply, error);
  }
}

function sendEvent(
  context: V2Context,
  reply: V2Reply,
  response: V2Response,
  etcdIndex: number,
  status: number,
  noValueOnSuccess: boolean,
): V2Reply {
  reply.code(status).header('Content-Type', 'application/json').header('X-Etcd-Index', String(etcdIndex));
  const raft = context.raftHeaders();
  for (let at = 0; at < raft.length; at += 2) reply.header(raft[at]!, raft[at + 1]!);
  return reply.send(bodyBytes(eventBody(response, noValueOnSuccess)));
}

/** The store's refusals count as failed operations; a lost leader or a timeout does not. */
function isStoreError(error: unknown): error is EtcdError {
  return error instanceof EtcdError && error.errorCode !== 300 && error.errorCode !== 301;
}
