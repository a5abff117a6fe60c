import type { FastifyReply } from 'fastify';
import type { V2Context } from './context.ts';
import { bodyBytes, sendPlainError } from './go-http.ts';
import { goJson } from './go-json.ts';

/** The etcd release whose v2 API Concord answers like; clients gate features on it. */
export const etcdServerVersion = '3.4.23';
export const etcdClusterVersion = '3.4.0';

/**
 * `/version`. Concord's own version rides in an extra `concord` field: etcd's Go client
 * (`json.Unmarshal` into a struct), python-etcd (`json.loads(...)['etcdcluster']`) and
 * node-etcd all ignore fields they do not know.
 */
export function sendVersion(context: V2Context, reply: FastifyReply): FastifyReply {
  return reply
    .code(200)
    .header('Content-Type', 'application/json')
    .send(
      bodyBytes(
        goJson({
          etcdserver: etcdServerVersion,
          etcdcluster: etcdClusterVersion,
          concord: context.options.version,
        }),
      ),
    );
}

/** How long `/health` waits for a linearizable read, as etcd 3.4 waits for its range. */
const healthReadTimeoutMs = 1000;

/** `/health`: healthy when a leader is known and confirms a linearizable read in time. */
export async function sendHealth(context: V2Context, reply: FastifyReply): Promise<FastifyReply> {
  let healthy = context.node.status().leader !== '';
  if (healthy) {
    healthy = await context.node
      .read(() => true, { quorum: true, signal: AbortSignal.timeout(healthReadTimeoutMs) })
      .catch(() => false);
  }
  if (!healthy) return sendPlainError(reply, 503, goJson({ health: 'false' }));
  // etcd writes no content type here; Go's sniffing then says text/plain.
  return reply
    .code(200)
    .header('Content-Type', 'text/plain; charset=utf-8')
    .send(bodyBytes(goJson({ health: 'true' })));
}

/** `/v2/machines`: every member's client URLs, comma-separated, as plain text. */
export function sendMachines(context: V2Context, reply: FastifyReply): FastifyReply {
  const urls = context.options
    .members()
    .flatMap((member) => member.clientURLs)
    .sort();
  return reply
    .code(200)
    .header('Content-Type', 'text/plain; charset=utf-8')
    .send(bodyBytes(urls.join(', ')));
}
