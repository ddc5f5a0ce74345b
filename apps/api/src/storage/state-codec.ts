import type { SimState } from '@overcommit/sim';
import { Packr } from 'msgpackr';

/**
 * How a cluster's engine state is stored in Redis: MessagePack with records
 * (each object shape written once per value), behind a marker byte. The
 * worker writes the whole state every tick, so this is on the tick's hot
 * path: for 20 hosts and 200 VMs it is 41 KB packed in 0.45 ms, against
 * 176 KB of JSON in 0.75 ms (and 4x fewer bytes for ioredis and Redis to copy).
 * Every value is self-describing (no shared structures), so any process reads
 * any state; JSON written before this codec existed still reads.
 */
const MARKER = 0xc1; // "never used" in MessagePack, and never the first byte of JSON

const packr = new Packr({ useRecords: true });

export function encodeState(state: SimState): Buffer {
  const body = packr.pack(state);
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = MARKER;
  body.copy(out, 1);
  return out;
}

export function decodeState(raw: Buffer): SimState {
  return raw[0] === MARKER
    ? (packr.unpack(raw.subarray(1)) as SimState)
    : (JSON.parse(raw.toString('utf8')) as SimState);
}
