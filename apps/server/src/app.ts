import { createServer, type Server as HttpServer } from 'node:http';
import { createServer as createSecureServer } from 'node:https';
import { guardServer, serverTlsOptions } from '@concord/tls';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { ClientErrors } from './client-error.ts';
import { V2Context } from './context.ts';
import { EtcdServerResponse } from './etcd-response.ts';
import { sendBadRequest, sendMalformedRequest } from './go-http.ts';
import { ConcordMetrics } from './metrics.ts';
import { registerMetrics, requestMeasurer } from './metrics-route.ts';
import { assertV2AppOptions, type V2AppOptions } from './options.ts';
import { PlainKeyRequests } from './plain-keys.ts';
import { registerBodyParser } from './request-body.ts';
import { dispatch } from './routes.ts';

/** Request line and headers together; a longer key is refused by Node with 431. */
export const headerBytesMax = 64 * 1024;
/** A client must send its whole request (headers and body) within this time. */
export const requestTimeoutMs = 60_000;
/**
 * A connection idle after its last answer is closed after this time. etcd never closes one, and
 * clients keep idle connections up to 90 s (Go's default transport): one closed sooner can
 * meet a request the client is sending on it, a race that non-idempotent writes then report
 * as an error. Longer than those clients wait, and still bounded.
 */
export const idleConnectionMs = 120_000;

/** Every method Node's HTTP parser lets through is routed to `dispatch`, which answers 405 itself. */
const routedMethods = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS'];

/**
 * The etcd v2 HTTP API of one member, as a Fastify app that the caller `listen()`s on.
 * The member must be running; closing the app does not close it.
 */
export function buildV2App(options: V2AppOptions): FastifyInstance {
  assertV2AppOptions(options);
  const context = new V2Context(options);
  const metrics = options.metrics ?? new ConcordMetrics();
  const plainKeys = new PlainKeyRequests(context, options.logger || null);
  // Request lines (logged at info and below) are Fastify's: with them on, it serves everything.
  const logsRequestLines = options.logger ? requestLineLevels.has(options.logger.level) : false;
  if (options.directKeyRequests === false || logsRequestLines) plainKeys.disable();
  const app = Fastify(fastifyOptions(options, metrics, plainKeys));
  registerBodyParser(app);
  const handler = (request: Parameters<typeof dispatch>[1], reply: Parameters<typeof dispatch>[2]) =>
    dispatch(context, request, reply);
  app.route({ method: routedMethods, url: '*', handler });
  registerMetrics(app, context, metrics);
  // Methods Fastify's router does not know (PROPFIND, …) arrive as "not found".
  app.setNotFoundHandler(handler);
  app.setErrorHandler((error, _request, reply) => {
    app.log.warn({ err: error }, 'request failed before reaching a route');
    return sendBadRequest(reply);
  });
  app.addHook('preClose', async () => plainKeys.disable());
  app.addHook('onClose', async () => context.close());
  return app;
}

function fastifyOptions(
  options: V2AppOptions,
  metrics: ConcordMetrics,
  plainKeys: PlainKeyRequests,
): FastifyServerOptions {
  // Fastify takes a ready logger instance under its own option; `false` or absent: no logging.
  const logging = options.logger
    ? {
        loggerInstance: options.logger,
        // A child logger per request (carrying its id) only where request lines are logged,
        // at info and below: creating one is a cost on every request.
        childLoggerFactory,
      }
    : { logger: false };
  const clientErrors = new ClientErrors(requestTimeoutMs);
  const measure = requestMeasurer(metrics, (request, response) => clientErrors.untrack(request, response));
  return {
    ...logging,
    serverFactory: (handler) =>
      serverFor(options, (request, response) => {
        clientErrors.track(request, response);
        measure(request, response);
        if (!plainKeys.serve(request, response)) handler(request, response);
      }),
    clientErrorHandler: clientErrors.handle,
    exposeHeadRoutes: false,
    return503OnClosing: true,
    frameworkErrors: (_error, _request, reply) => sendMalformedRequest(reply as FastifyReply),
    routerOptions: { ignoreTrailingSlash: false, ignoreDuplicateSlashes: false, maxParamLength: 1024 },
  };
}

const requestLineLevels = new Set(['trace', 'debug', 'info']);

const childLoggerFactory: NonNullable<FastifyServerOptions['childLoggerFactory']> = (
  logger,
  bindings,
  childOptions,
) => (requestLineLevels.has(logger.level) ? logger.child(bindings, childOptions) : logger);

const clientListen = {
  who: 'client',
  certificateAuthFlag: '--client-cert-auth',
  caFlag: '--trusted-ca-file',
};

/** Plain HTTP, or HTTPS whose clients without a valid certificate are refused and explained. */
function serverFor(options: V2AppOptions, handler: Parameters<typeof createServer>[1]) {
  if (options.tls === undefined) {
    return withTimeouts(answeringHalfClosedClients(createServer(serverOptions, handler)));
  }
  const { settings, report } = options.tls;
  const server = createSecureServer({ ...serverTlsOptions(settings), ...serverOptions }, handler);
  guardServer(server, settings, clientListen, report);
  return withTimeouts(answeringHalfClosedClients(server));
}

const serverOptions = {
  maxHeaderSize: headerBytesMax,
  requestTimeout: requestTimeoutMs,
  ServerResponse: EtcdServerResponse,
};

/**
 * Fastify leaves a server from `serverFactory` as it is, so the timeouts are set here. Sockets
 * get no inactivity timeout: long polls are idle for minutes by design and end through their
 * own watch timeout; slow requests end at `requestTimeoutMs` (408), idle connections at
 * `idleConnectionMs`.
 */
function withTimeouts<Server extends HttpServer>(server: Server): Server {
  server.keepAliveTimeout = idleConnectionMs;
  server.timeout = 0;
  return server;
}

/**
 * A client may end its side of the connection once its request is sent (a shell's `nc -N`, some
 * scripts). Node's server then closes the connection at once, and a write still waiting for its
 * commit is applied but never answered (5–9 % of such writes in a test); etcd answers every one.
 * With `httpAllowHalfOpen` (a property of Node's HTTP servers, false unless set) the answer in
 * flight goes out first and the connection closes after it; a connection with nothing in flight
 * still closes at once. Watches end when their client ends its side (`watch.ts`), as etcd's do.
 */
function answeringHalfClosedClients<Server extends object>(server: Server): Server {
  (server as { httpAllowHalfOpen?: boolean }).httpAllowHalfOpen = true;
  return server;
}
