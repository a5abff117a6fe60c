import { type Watcher, WatcherLimitError } from '@concord/kv';
import type { V2Response } from '@concord/protocol';
import type { V2Context } from './context.ts';
import { sendEtcdError } from './etcd-reply.ts';
import { bodyBytes, corsHeaders } from './go-http.ts';
import { goJson } from './go-json.ts';
import type { KeyRequest } from './key-request.ts';
import type { V2Reply } from './reply.ts';

/** `corsHeaders` as names and values in one list, as `writeHead` takes them (see `raftHeaders`). */
const corsHeaderPairs = Object.entries(corsHeaders).flat();

/** A stream whose client reads slower than this much unsent output is ended, like etcd's. */
const unsentBytesMax = 4 * 1024 * 1024;

/**
 * etcd's `handleKeyWatch`: headers (status 200, `X-Etcd-Index` = the store index when the
 * watch began) go out at once so that clients know the watch is in place; the body follows
 * when the event does. A long poll ends after one event; `stream=true` goes on until the
 * client leaves or the watch times out. Leaving cancels the watcher.
 *
 * Events are written from the store's apply itself (a listener), before the write that caused
 * them is answered: a client waiting on a key hears of its deletion no later than the deleter
 * hears its answer, so it may take a lock it waited for before the deleter takes it again.
 */
export async function serveWatch(
  context: V2Context,
  reply: V2Reply,
  keyRequest: KeyRequest,
): Promise<V2Reply> {
  const response = reply.raw;
  // History replayed by `watch` itself comes before the headers are out: held until then.
  let held: V2Response[] | null = [];
  let watcher: Watcher;
  const send = (event: V2Response) => {
    if (held !== null) {
      held.push(event);
      return;
    }
    if (response.destroyed || response.writableEnded) return;
    // The watcher is cancelled when the response closes: not here, inside the store's delivery.
    // A long poll's event and the end of its body leave in one write to the socket.
    if (!keyRequest.stream) response.end(encodedEvent(event));
    else {
      response.write(encodedEvent(event));
      if (response.writableLength > unsentBytesMax) response.end();
    }
  };
  try {
    watcher = context.node.store.watch(keyRequest.key, {
      recursive: keyRequest.recursive,
      stream: keyRequest.stream,
      sinceIndex: keyRequest.waitIndex,
      listener: send,
    });
  } catch (error) {
    if (error instanceof WatcherLimitError) return sendWatcherLimit(reply);
    return sendEtcdError(reply, error);
  }
  reply.hijack();
  response.writeHead(200, [
    ...corsHeaderPairs,
    'Content-Type',
    'application/json',
    'X-Etcd-Cluster-Id',
    context.options.clusterId,
    'X-Etcd-Index',
    String(watcher.startIndex),
    ...context.raftHeaders(),
  ]);
  response.flushHeaders();
  const replayed = held;
  held = null;
  for (const event of replayed) send(event);
  const active = watcher;
  const cancel = () => active.cancel();
  const timer = setTimeout(cancel, context.watchTimeoutMs);
  response.on('close', cancel);
  // A client that ends its side of the connection is gone (as etcd sees it: Go cancels the
  // request's context): the server keeps a half-closed connection open for an answer in flight.
  const socket = response.req.socket;
  socket.once('end', cancel);
  if (socket.readableEnded) cancel();
  try {
    // With a listener the watcher buffers nothing: `next` settles only when the watch ends.
    while (!(await active.next()).done) {}
  } catch {
    // An overflowed or cleared watch ends its response without an event, as etcd's does.
  } finally {
    clearTimeout(timer);
    active.cancel();
    response.off('close', cancel);
    socket.off('end', cancel);
    if (!response.writableEnded) response.end();
  }
  return reply;
}

/**
 * An event's body, encoded once for all the watchers it goes to (the store hands each of them
 * the same object): a fan-out to a thousand watchers is one encoding, not a thousand.
 */
const encodedEvents = new WeakMap<V2Response, Buffer>();

function encodedEvent(event: V2Response): Buffer {
  let bytes = encodedEvents.get(event);
  if (bytes === undefined) {
    bytes = Buffer.from(`${goJson(event)}\n`, 'utf8');
    encodedEvents.set(event, bytes);
  }
  return bytes;
}

/** etcd has no watcher limit; Concord's is answered as a temporary overload, not as a 500. */
function sendWatcherLimit(reply: V2Reply): V2Reply {
  return reply
    .code(503)
    .header('Content-Type', 'application/json')
    .send(bodyBytes(`${goJson({ message: 'too many watchers on this member, try again later' })}\n`));
}
