import { type Watcher, WatcherLimitError } from '@concord/kv';
import type { FastifyReply } from 'fastify';
import type { V2Context } from './context.ts';
import { sendEtcdError } from './etcd-reply.ts';
import { bodyBytes, corsHeaders } from './go-http.ts';
import { goJson } from './go-json.ts';
import type { KeyRequest } from './key-request.ts';

/** A stream whose client reads slower than this much unsent output is ended, like etcd's. */
const unsentBytesMax = 4 * 1024 * 1024;

/**
 * etcd's `handleKeyWatch`: headers (status 200, `X-Etcd-Index` = the store index when the
 * watch began) go out at once so that clients know the watch is in place; the body follows
 * when the event does. A long poll ends after one event; `stream=true` goes on until the
 * client leaves or the watch times out. Leaving cancels the watcher.
 */
export async function serveWatch(
  context: V2Context,
  reply: FastifyReply,
  keyRequest: KeyRequest,
): Promise<FastifyReply> {
  let watcher: Watcher;
  try {
    watcher = context.node.store.watch(keyRequest.key, {
      recursive: keyRequest.recursive,
      stream: keyRequest.stream,
      sinceIndex: keyRequest.waitIndex,
    });
  } catch (error) {
    if (error instanceof WatcherLimitError) return sendWatcherLimit(reply);
    return sendEtcdError(reply, error);
  }
  reply.hijack();
  const response = reply.raw;
  response.writeHead(200, {
    ...corsHeaders,
    'Content-Type': 'application/json',
    'X-Etcd-Cluster-Id': context.options.clusterId,
    'X-Etcd-Index': String(watcher.startIndex),
    ...context.raftHeaders(),
  });
  response.flushHeaders();
  const cancel = () => watcher.cancel();
  const timer = setTimeout(cancel, context.watchTimeoutMs);
  response.on('close', cancel);
  try {
    await deliver(watcher, response, keyRequest.stream);
  } catch {
    // An overflowed or cleared watch ends its response without an event, as etcd's does.
  } finally {
    clearTimeout(timer);
    watcher.cancel();
    response.off('close', cancel);
    if (!response.writableEnded) response.end();
  }
  return reply;
}

async function deliver(watcher: Watcher, response: FastifyReply['raw'], stream: boolean): Promise<void> {
  for (;;) {
    const next = await watcher.next();
    if (next.done || response.destroyed) return;
    response.write(`${goJson(next.value)}\n`);
    if (!stream || response.writableLength > unsentBytesMax) return;
  }
}

/** etcd has no watcher limit; Concord's is answered as a temporary overload, not as a 500. */
function sendWatcherLimit(reply: FastifyReply): FastifyReply {
  return reply
    .code(503)
    .header('Content-Type', 'application/json')
    .send(bodyBytes(`${goJson({ message: 'too many watchers on this member, try again later' })}\n`));
}
