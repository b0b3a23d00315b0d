// mod_wsgi: src/server/wsgi_daemon.c + wsgi_remote.c (the child <-> daemon socket
// protocol), replaced by a framed, multiplexed stream. Spec: docs/protocol.md.
//
// One persistent full-duplex byte stream per worker (a connected UNIX socket, fd 3 in the worker).
// Every message is a frame; all integers unsigned big-endian:
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-------------------------------+---------------+---------------+
//  |        magic 0x5457 ("TW")    |  version (2)  |     type      |
//  +-------------------------------+---------------+---------------+
//  |                      stream id (u32)                          |
//  +---------------------------------------------------------------+
//  |                   payload length (u32)                        |
//  +---------------------------------------------------------------+
//  |                payload (length bytes) ...                     |
//  +---------------------------------------------------------------+
//
// * HEADER_SIZE = 12, MAX_PAYLOAD = 16 MiB; a longer declared length is rejected from the
//   header alone (mod_wsgi rejected environ frames over 16 MiB too).
// * Stream 0 is the process (HELLO, SHUTDOWN, PING/PONG, METRICS_QUERY/METRICS, process
//   LOG); requests use ≥ 1.
// * Types 0x0_ go front end → worker, 0x8_ worker → front end. Unknown types are errors.
// * Body directions are credit-based per stream (INITIAL_WINDOW each way, WINDOW frames).

/** Frame magic, "TW". */
export const MAGIC = 0x5457;
/** Protocol version carried in every header (and HELLO's `protocol`). */
export const PROTOCOL_VERSION = 2;
/** Bytes in a frame header. */
export const HEADER_SIZE = 12;
/** Largest payload a frame may declare (16 MiB). */
export const MAX_PAYLOAD = 16 * 1024 * 1024;
/** Initial per-stream body credit in each direction (1 MiB; 256 KiB in version 1). */
export const INITIAL_WINDOW = 1048576;
/** REQUEST flags bit 0: body frames (DATA…EOF) follow. */
export const FLAG_BODY = 0x01;
/**
 * REQUEST flags bit 1: the environ is NUL-separated (`k1 NUL v1 NUL k2 …`) instead of a
 * strlist. The front end uses it whenever no key or value contains a NUL byte (always, in
 * practice): Python splits it in one C call, ~3× faster than walking a strlist.
 */
export const FLAG_NULSEP = 0x02;

/** Frame type codes. */
export const FrameType = {
  // front end → worker
  REQUEST: 0x01,
  DATA: 0x02,
  EOF: 0x03,
  ABORT: 0x04,
  WINDOW: 0x05,
  SHUTDOWN: 0x06,
  PING: 0x07,
  METRICS: 0x08,
  // worker → front end
  HELLO: 0x81,
  START: 0x82,
  RESP_DATA: 0x83,
  END: 0x84,
  ERROR: 0x85,
  RESP_WINDOW: 0x86,
  LOG: 0x87,
  PONG: 0x88,
  METRICS_QUERY: 0x89,
} as const;
export type FrameTypeCode = (typeof FrameType)[keyof typeof FrameType];

const KNOWN: ReadonlySet<number> = new Set<number>(Object.values(FrameType));

/** True if `t` is a frame type of this protocol version. */
export function isFrameType(t: number): t is FrameTypeCode {
  return KNOWN.has(t);
}

/** Syslog-style levels carried by LOG frames. */
export const LogFrameLevel = { ERROR: 3, WARNING: 4, NOTICE: 5, INFO: 6, DEBUG: 7 } as const;

/** Why a byte stream is not valid protocol. */
export type ProtocolErrorCode =
  'bad-magic' | 'bad-version' | 'too-large' | 'unknown-type' | 'bad-payload';

/** A protocol violation; the reader closes the stream and the worker is replaced. */
export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  constructor(code: ProtocolErrorCode, message: string) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
  }
}

/** A raw frame: header fields plus the payload bytes. */
export interface RawFrame {
  readonly type: FrameTypeCode;
  readonly stream: number;
  readonly payload: Buffer;
}
