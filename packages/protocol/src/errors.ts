import {
  type EtcdErrorCode,
  etcdErrorCatalogue,
  etcdErrorCodes,
  isEtcdErrorCode,
} from './error-catalogue.ts';
import type { V2ErrorBody } from './node.ts';

/**
 * An error in etcd v2's shape. `message` is the catalogue's text for the code, `cause` is
 * the detail etcd prints after it (a key, `[old != new]`, ...), `index` is the store index
 * when the error happened (0 for request validation errors, as in etcd).
 */
export class EtcdError extends Error {
  readonly errorCode: EtcdErrorCode;
  override readonly cause: string | undefined;
  readonly index: number;

  constructor(errorCode: EtcdErrorCode, cause: string | undefined, index: number) {
    // An etcd error is an answer (a key not found, a compare that failed), not a fault: no
    // stack trace is captured. Capturing one costs more than serving the request that failed,
    // and lock contention or a polling client makes such answers common.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(etcdErrorCatalogue[errorCode].message);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = `EtcdError${errorCode}`;
    this.errorCode = errorCode;
    this.cause = cause;
    this.index = index;
  }

  get httpStatus(): number {
    return etcdErrorCatalogue[this.errorCode].httpStatus;
  }

  /** The JSON body etcd sends; `cause` is left out when empty, as etcd's `omitempty` does. */
  toJSON(): V2ErrorBody {
    if (this.cause === undefined || this.cause === '') {
      return { errorCode: this.errorCode, message: this.message, index: this.index };
    }
    return { errorCode: this.errorCode, message: this.message, cause: this.cause, index: this.index };
  }
}

export class KeyNotFoundError extends EtcdError {
  constructor(cause: string, index: number) {
    super(etcdErrorCodes.KeyNotFound, cause, index);
  }
}

export class CompareFailedError extends EtcdError {
  constructor(cause: string, index: number) {
    super(etcdErrorCodes.CompareFailed, cause, index);
  }
}

export class NotFileError extends EtcdError {
  constructor(cause: string, index: number) {
    super(etcdErrorCodes.NotFile, cause, index);
  }
}

export class NotDirectoryError extends EtcdError {
  constructor(cause: string, index: number) {
    super(etcdErrorCodes.NotDirectory, cause, index);
  }
}

export class NodeExistsError extends EtcdError {
  constructor(cause: string, index: number) {
    super(etcdErrorCodes.NodeExists, cause, index);
  }
}

export class RootReadOnlyError extends EtcdError {
  constructor(index: number) {
    super(etcdErrorCodes.RootReadOnly, '/', index);
  }
}

export class DirectoryNotEmptyError extends EtcdError {
  constructor(cause: string, index: number) {
    super(etcdErrorCodes.DirectoryNotEmpty, cause, index);
  }
}

export class UnauthorizedError extends EtcdError {
  constructor(cause: string | undefined, index: number) {
    super(etcdErrorCodes.Unauthorized, cause, index);
  }
}

/** Request validation errors carry index 0, as etcd's do. */
export class ValidationError extends EtcdError {
  constructor(errorCode: EtcdErrorCode, cause: string | undefined) {
    if (errorCode < 200 || errorCode > 299) throw new RangeError(`${errorCode} is not a validation code`);
    super(errorCode, cause, 0);
  }
}

export class RaftInternalError extends EtcdError {
  constructor(cause: string | undefined, index: number) {
    super(etcdErrorCodes.RaftInternal, cause, index);
  }
}

export class LeaderElectionError extends EtcdError {
  constructor(cause: string | undefined, index: number) {
    super(etcdErrorCodes.LeaderElection, cause, index);
  }
}

export class WatcherClearedError extends EtcdError {
  constructor(cause: string | undefined, index: number) {
    super(etcdErrorCodes.WatcherCleared, cause, index);
  }
}

/** `cause` is etcd's `the requested history has been cleared [<oldest>/<requested>]`. */
export class EventIndexClearedError extends EtcdError {
  constructor(oldestIndex: number, requestedIndex: number, index: number) {
    super(
      etcdErrorCodes.EventIndexCleared,
      `the requested history has been cleared [${oldestIndex}/${requestedIndex}]`,
      index,
    );
  }
}

/** Rebuilds an error from a body a server sent; unknown codes are kept as a plain Error. */
export function etcdErrorFromBody(body: V2ErrorBody): EtcdError | Error {
  if (!isEtcdErrorCode(body.errorCode)) {
    return new Error(`etcd error ${body.errorCode}: ${body.message}`);
  }
  return new EtcdError(body.errorCode, body.cause, body.index);
}
