import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

const responseInFlight = Symbol('concord.responseInFlight');

type TrackedSocket = Socket & { [responseInFlight]?: ServerResponse | undefined };

/** Go's net/http answers to requests it cannot parse: plain text, then the connection closes. */
const answers = {
  timeout: [408, 'Request Timeout'],
  headerOverflow: [431, 'Request Header Fields Too Large'],
  malformed: [400, 'Bad Request'],
} as const;

/**
 * Answers connections whose request Node's HTTP parser could not read to its end.
 *
 * When a client ends its side in the middle of a body, the route may already be running: a
 * write needs no body without a form content type (etcd applies `PUT /v2/keys/k` with an
 * empty value then), and it waits for its commit. Fastify's default would answer 400 at once,
 * telling the client "refused" about a write that commits. So the answer in flight goes out
 * and the connection closes after it. A form cut short is refused (400: no write happens),
 * and any other parse error gets Go's answer too, as etcd gives.
 */
export class ClientErrors {
  constructor(private readonly answerMsMax: number) {}

  /**
   * Called for every request, before Fastify sees it; `untrack` must follow when its response
   * closes (the app's one 'close' listener per request does both this and the metrics). The
   * response in flight is kept on its socket: a WeakMap's set and delete on every request
   * rehashed its table over and over.
   */
  track(request: IncomingMessage, response: ServerResponse): void {
    (request.socket as TrackedSocket)[responseInFlight] = response;
  }

  untrack(request: IncomingMessage, response: ServerResponse): void {
    const socket = request.socket as TrackedSocket;
    if (socket[responseInFlight] === response) socket[responseInFlight] = undefined;
  }

  readonly handle = (error: Error & { code?: string }, socket: Socket): void => {
    const response = (socket as TrackedSocket)[responseInFlight];
    const request = response?.req;
    // Nobody reads the rest of the body (a form would be read, and is refused below): the
    // route went ahead on the headers, and its answer is the true one.
    const routeWentAhead = request !== undefined && request.listenerCount('data') === 0;
    if (error.code === 'HPE_INVALID_EOF_STATE' && routeWentAhead && response?.writableFinished === false) {
      // Bounded: a long poll in flight is not kept open for longer than a request may take.
      const timer = setTimeout(() => socket.destroy(), this.answerMsMax);
      const close = () => {
        clearTimeout(timer);
        socket.destroy();
      };
      response.once('finish', close);
      response.once('close', close);
      return;
    }
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, text] =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? answers.timeout
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? answers.headerOverflow
          : answers.malformed;
    if (socket.writable && socket.bytesWritten === 0) {
      const body = `${status} ${text}`;
      socket.write(
        `HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n` +
          `Content-Length: ${body.length}\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}
