import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type FormValues, parseGoMediaType, parseGoQuery } from './go-form.ts';

/** Go's `ParseForm` reads at most 10 MiB of form body; etcd answers 210 past that. */
export const formBodyBytesMax = 10 * 1024 * 1024;

/** JSON bodies (a member's peer URLs, users and roles) are small; past this they are not read. */
export const jsonBodyBytesMax = 1024 * 1024;

/** A request body as Go's `parsePostForm` sees it. */
export type RequestBody =
  | { readonly kind: 'form'; readonly values: FormValues; readonly error?: string }
  /** Not a form (octet-stream, multipart, …): Go ignores such bodies. */
  | { readonly kind: 'ignored'; readonly error?: string }
  /**
   * A JSON body (as the members API reads it), up to `jsonBodyBytesMax`; a larger one is
   * 'ignored'. The keys API ignores it as Go does.
   */
  | { readonly kind: 'json'; readonly bytes: Buffer; readonly error?: string }
  /** `/v2/auth` bodies are JSON, read whole (up to `jsonBodyBytesMax`) whatever the content type. */
  | { readonly kind: 'auth'; readonly text: string }
  | { readonly kind: 'too-large' };

/**
 * Takes over body parsing: every content type is accepted (Go never answers 415), forms are
 * read up to the limit and decoded like Go, anything else is drained unread.
 */
export function registerBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request, payload, done) => {
    readBody(request, payload)
      .then((body) => done(null, body))
      .catch((error: Error) => done(error, undefined));
  });
}

async function readBody(request: FastifyRequest, payload: IncomingMessage): Promise<RequestBody> {
  const method = request.method;
  if (method !== 'POST' && method !== 'PUT' && method !== 'PATCH') {
    payload.resume();
    return { kind: 'ignored' };
  }
  if (request.url.startsWith('/v2/auth/')) {
    const bytes = await readAtMost(payload, jsonBodyBytesMax + 1);
    return bytes.length > jsonBodyBytesMax
      ? { kind: 'too-large' }
      : { kind: 'auth', text: bytes.toString('utf8') };
  }
  const header = request.headers['content-type'];
  const { mediaType, error } = parseGoMediaType(
    header === undefined || header === '' ? 'application/octet-stream' : header,
  );
  if (mediaType === 'application/json') {
    const bytes = await readAtMost(payload, jsonBodyBytesMax + 1);
    // A bad media parameter is the keys API's form error; the members API reads the JSON.
    if (bytes.length <= jsonBodyBytesMax)
      return error === undefined ? { kind: 'json', bytes } : { kind: 'json', bytes, error };
    payload.resume();
    return error === undefined ? { kind: 'ignored' } : { kind: 'ignored', error };
  }
  if (mediaType !== 'application/x-www-form-urlencoded') {
    payload.resume();
    return error === undefined ? { kind: 'ignored' } : { kind: 'ignored', error };
  }
  return formBody(await readAtMost(payload, formBodyBytesMax + 1), error);
}

/**
 * A form body as Go's `parsePostForm` decodes it, read up to `formBodyBytesMax` + 1 bytes;
 * `mediaTypeError` is the content type's own error, which comes first.
 */
export function formBody(bytes: Buffer, mediaTypeError?: string): RequestBody {
  if (bytes.length > formBodyBytesMax) return { kind: 'too-large' };
  const parsed = parseGoQuery(bytes.toString('latin1'));
  const firstError = mediaTypeError ?? parsed.error;
  return firstError === undefined
    ? { kind: 'form', values: parsed.values }
    : { kind: 'form', values: parsed.values, error: firstError };
}

/** Reads up to `limit` bytes and stops reading there (the connection is then closed). */
export function readAtMost(payload: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const finish = () => {
      payload.off('data', onData);
      payload.off('end', finish);
      payload.off('error', reject);
      resolve(Buffer.concat(chunks, Math.min(length, limit)));
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= limit) {
        payload.pause();
        finish();
      }
    };
    payload.on('data', onData);
    payload.on('end', finish);
    payload.on('error', reject);
  });
}

/**
 * Go's `r.Form`: body values first, then the query's; the body's error wins over the
 * query's. Returns the error text etcd puts in the cause of 210.
 */
export function mergeForm(
  body: RequestBody | undefined,
  rawQuery: string,
): { values: FormValues; error?: string } {
  if (body?.kind === 'too-large') return { values: new Map(), error: 'http: POST too large' };
  const values: FormValues = new Map();
  if (body?.kind === 'form') {
    for (const [name, list] of body.values) values.set(name, [...list]);
  }
  const query = parseGoQuery(rawQuery, values);
  const bodyError = body === undefined || body.kind === 'auth' ? undefined : body.error;
  const error = bodyError ?? query.error;
  return error === undefined ? { values } : { values, error };
}
