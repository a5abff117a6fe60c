// Counters a member can export as metrics and tests read to check batching and failures.

export interface TransportStatistics {
  /** Socket writes carrying message frames; one per peer per event-loop turn when batching works. */
  batchWrites: number;
  framesSent: number;
  messagesSent: number;
  /** Messages dropped: peer down, queue full, too large, or the transport closed with them queued. */
  messagesDropped: number;
  framesReceived: number;
  messagesReceived: number;
  /** Incoming connections closed for a refused handshake, a bad frame or a protocol violation. */
  connectionsRejected: number;
  snapshotsSent: number;
  snapshotsReceived: number;
  snapshotsFailed: number;
}

export function emptyStatistics(): TransportStatistics {
  return {
    batchWrites: 0,
    framesSent: 0,
    messagesSent: 0,
    messagesDropped: 0,
    framesReceived: 0,
    messagesReceived: 0,
    connectionsRejected: 0,
    snapshotsSent: 0,
    snapshotsReceived: 0,
    snapshotsFailed: 0,
  };
}
