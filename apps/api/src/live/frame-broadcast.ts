import { PacketType } from 'socket.io-parser';
import type { Server, Socket } from 'socket.io';
import * as ws from 'ws';
import { constants, deflateRawSync } from 'node:zlib';
import { isBacklogged } from './backlog';

/** What one broadcast did: written straight to the WebSocket (plain or compressed), through engine.io, or skipped. */
export interface BroadcastCount {
  direct: number;
  compressed: number;
  queued: number;
  skipped: number;
}

/** ws's frame builder (public in ws, absent from its type declarations). */
const { Sender } = ws as unknown as {
  Sender: { frame: (data: Buffer, options: object) => Buffer[] };
};

/** socket.io's way into engine.io for packets already encoded (what its own adapter calls). */
interface ClientWriter {
  writeToEngine(encodedPackets: unknown[], options: { preEncoded: boolean }): void;
}

/** The parts of engine.io's connection and the ws socket under it that the fast path reads. */
interface EngineConn {
  readyState: string;
  writeBuffer: unknown[];
  transport: {
    name: string;
    socket?: {
      readyState: number;
      _sender?: { sendFrame(list: Buffer[]): void };
      /** Negotiated extensions: permessage-deflate's parameters when the client offered it. */
      _extensions?: { 'permessage-deflate'?: { params: { server_max_window_bits?: number } } };
    };
  };
}

const WS_OPEN = 1;
/** The window frames are compressed with; a client that asked for a smaller one gets plain frames. */
const WINDOW_BITS = 15;

/** One event's bytes, framed once as a WebSocket text message: plain, and compressed when first needed. */
class FramedPacket {
  private compressedFrame: Buffer[] | null = null;
  readonly plain: Buffer[];

  constructor(private readonly data: Buffer) {
    this.plain = Sender.frame(data, {
      fin: true,
      mask: false,
      opcode: 1,
      readOnly: false,
      rsv1: false,
    });
  }

  /**
   * RFC 7692: the message deflated (sync flush, the closing 00 00 ff ff removed), RSV1 set. Each
   * message is deflated on its own, so it reads the same whatever the client's context holds.
   */
  get compressed(): Buffer[] {
    if (this.compressedFrame === null) {
      const deflated = deflateRawSync(this.data, {
        level: 1,
        windowBits: WINDOW_BITS,
        finishFlush: constants.Z_SYNC_FLUSH,
      });
      this.compressedFrame = Sender.frame(deflated.subarray(0, deflated.length - 4), {
        fin: true,
        mask: false,
        opcode: 1,
        readOnly: false,
        rsv1: true,
      });
    }
    return this.compressedFrame;
  }
}

/**
 * One event to every socket of this instance in a room, at the cost of a bare `ws` loop or less:
 * the socket.io packet is encoded once and framed once as a WebSocket text message (and deflated
 * once, for the sockets that negotiated permessage-deflate), then written to each socket's
 * WebSocket as it is. What a client reads is socket.io's protocol, the same message
 * `io.to(room).emit(event, payload)` sends, so every socket.io client reads it.
 *
 * Per socket:
 * - more unsent than the backlog bounds allow (backlog.ts): skipped; the client sees the gap in
 *   tick numbers and fills it from the history, as after a reconnect;
 * - a WebSocket with nothing waiting in engine.io's write buffer: the framed message is written
 *   directly, compressed when the client negotiated permessage-deflate (engine.io's own packets,
 *   written before it, are already in the socket, so order holds);
 * - otherwise (long-polling, an upgrade in progress, engine.io packets still waiting): the
 *   pre-encoded packet goes through engine.io's normal path, behind what waits, in order.
 *
 * The stock broadcast (socket.io's adapter) pays per socket for a packet object, engine.io's
 * write buffer, a flush, events and callbacks, and for `except` a set of the room's socket ids;
 * this loop pays a map lookup and a write.
 */
export function broadcastPreEncoded(
  server: Server,
  room: string,
  event: string,
  payload: unknown,
): BroadcastCount {
  const count: BroadcastCount = { direct: 0, compressed: 0, queued: 0, skipped: 0 };
  const namespace = server.of('/');
  const ids = namespace.adapter.rooms.get(room);
  if (ids === undefined || ids.size === 0) return count;
  const encoded = server.encoder.encode({
    type: PacketType.EVENT,
    nsp: '/',
    data: [event, payload],
  }) as unknown[];
  // An event without binary parts encodes as one string; "4" is engine.io's message type.
  const text = encoded.length === 1 && typeof encoded[0] === 'string' ? encoded[0] : null;
  const framed = text === null ? null : new FramedPacket(Buffer.from(`4${text}`));
  const viaEngine = { preEncoded: true };
  for (const id of ids) {
    const socket = namespace.sockets.get(id);
    if (socket === undefined) continue;
    if (isBacklogged(socket)) {
      count.skipped++;
      continue;
    }
    const written = framed === null ? null : writeDirect(socket, framed);
    if (written === 'plain') count.direct++;
    else if (written === 'compressed') count.compressed++;
    else {
      (socket.client as unknown as ClientWriter).writeToEngine(encoded, viaEngine);
      count.queued++;
    }
  }
  return count;
}

/** Writes the framed message to the socket's WebSocket when nothing in engine.io waits before it. */
function writeDirect(socket: Socket, framed: FramedPacket): 'plain' | 'compressed' | null {
  const conn = socket.conn as unknown as EngineConn;
  if (conn.readyState !== 'open' || conn.writeBuffer.length > 0) return null;
  const transport = conn.transport;
  if (transport.name !== 'websocket') return null;
  const webSocket = transport.socket;
  if (webSocket?.readyState !== WS_OPEN || webSocket._sender === undefined) return null;
  const deflate = webSocket._extensions?.['permessage-deflate'];
  const windowBits = deflate?.params.server_max_window_bits ?? WINDOW_BITS;
  // engine.io's WebSocket transport writes pre-framed broadcasts the same way (wsPreEncodedFrame).
  if (deflate !== undefined && windowBits >= WINDOW_BITS) {
    webSocket._sender.sendFrame(framed.compressed);
    return 'compressed';
  }
  webSocket._sender.sendFrame(framed.plain);
  return 'plain';
}
