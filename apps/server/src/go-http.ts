import type { V2Reply } from './reply.ts';

/**
 * Answers etcd gives from Go's net/http rather than from its own handlers: they are plain
 * text and carry Go's exact wording, which some clients print to users.
 */

/** etcd's client handler adds these to every answer (its CORS wrapper). */
export const corsHeaders: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Headers': 'accept, content-type, authorization',
  'Access-Control-Allow-Methods': 'POST, GET, OPTIONS, PUT, DELETE',
  'Access-Control-Allow-Origin': '*',
};

/** Go's `http.Error`: the text plus a newline, as text/plain with nosniff. */
export function sendPlainError<R extends V2Reply>(reply: R, statusCode: number, text: string): R {
  reply
    .code(statusCode)
    .header('Content-Type', 'text/plain; charset=utf-8')
    .header('X-Content-Type-Options', 'nosniff')
    .send(bodyBytes(`${text}\n`));
  return reply;
}

/** Go's `http.NotFound`, which etcd registers for every path it does not serve. */
export function sendNotFound<R extends V2Reply>(reply: R): R {
  return sendPlainError(reply, 404, '404 page not found');
}

/** etcd's `allowMethod`: 405 naming the allowed methods in etcd's order, comma-separated. */
export function sendMethodNotAllowed<R extends V2Reply>(reply: R, allowedMethods: readonly string[]): R {
  reply.header('Allow', allowedMethods.join(','));
  return sendPlainError(reply, 405, 'Method Not Allowed');
}

/**
 * Go's `ServeMux` answer to an unclean path: 301 to the cleaned one. GET gets a small HTML
 * body, HEAD its content type only, every other method an empty body.
 */
export function sendPathRedirect<R extends V2Reply>(reply: R, method: string, location: string): R {
  reply.code(301).header('Location', location);
  if (method !== 'GET' && method !== 'HEAD') reply.send(bodyBytes(''));
  else {
    reply.header('Content-Type', 'text/html; charset=utf-8');
    if (method === 'HEAD') reply.send(bodyBytes(''));
    else reply.send(bodyBytes(`<a href="${escapeHtml(location)}">Moved Permanently</a>.\n\n`));
  }
  return reply;
}

/**
 * What Go's server itself answers to a request line it cannot parse (a bad escape in the
 * path): no handler runs, so there are no etcd headers, and the connection is closed.
 */
export function sendMalformedRequest<R extends V2Reply>(reply: R): R {
  for (const name of Object.keys(corsHeaders)) reply.removeHeader(name);
  reply
    .code(400)
    .header('Content-Type', 'text/plain; charset=utf-8')
    .header('Connection', 'close')
    .send(bodyBytes('400 Bad Request'));
  return reply;
}

/**
 * What slipped through to an error handler (a body that broke off, …): the client's fault, not a
 * 500. Go's plain `400 Bad Request`, as the app's Fastify error handler and the direct key path
 * both answer it.
 */
export function sendBadRequest<R extends V2Reply>(reply: R): R {
  reply.code(400).header('Content-Type', 'text/plain; charset=utf-8').send(bodyBytes('400 Bad Request'));
  return reply;
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&#34;')
    .replaceAll("'", '&#39;');
}

/**
 * Bodies go out as bytes so that Fastify leaves the content type exactly as etcd's (it
 * would add a charset to text); an empty body goes out with no content type at all.
 */
export function bodyBytes(text: string): Buffer | undefined {
  return text === '' ? undefined : Buffer.from(text, 'utf8');
}
