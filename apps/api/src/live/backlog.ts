import type { Socket } from 'socket.io';

/**
 * Slow clients must not slow the others or grow the server: a socket whose
 * unsent bytes pass this bound skips frames until it drains. It sees the jump
 * in tick numbers and fills the hole from the history (`join` with
 * `sinceTick`), as after any disconnect.
 */
export const BACKLOG_LIMIT_BYTES = 256 * 1024;
/** Packets waiting in engine.io for the transport (long-polling, or a websocket still writing). */
export const BACKLOG_LIMIT_PACKETS = 8;

interface EngineConn {
  writeBuffer?: unknown[];
  transport?: { socket?: { bufferedAmount?: number } };
}

/** Whether a socket has more waiting to be sent than the bounds allow. */
export function isBacklogged(socket: Socket): boolean {
  const conn = socket.conn as unknown as EngineConn;
  return (
    (conn.writeBuffer?.length ?? 0) > BACKLOG_LIMIT_PACKETS ||
    (conn.transport?.socket?.bufferedAmount ?? 0) > BACKLOG_LIMIT_BYTES
  );
}
