// httpd: modules/metadata/mod_unique_id.c (gen_unique_id, set_unique_id at
// post_read_request MIDDLE, generate_log_id).
//
// Every request gets UNIQUE_ID: 27 base64url characters encoding 20 bytes: the
// request time in seconds, 10 random bytes chosen when the process starts, a counter that
// starts at a random value, and the connection's index (network byte order each). An
// internal redirect keeps its predecessor's id (REDIRECT_UNIQUE_ID). The id is also the
// request's log id (%L, mod_wsgi.request_id), as generate_log_id makes it.

import { randomBytes } from 'node:crypto';
import { DECLINED } from '../../request/hooks.js';
import type { Outcome } from '../../request/hooks.js';
import type { ConnectionLog, RequestRecord } from '../../request/record.js';
import { UNIQUE_ID_NOTE } from '../../request/record.js';
import type { ModuleDef } from '../module.js';

/** mod_unique_id. */
export const uniqueIdModule: ModuleDef = {
  name: 'unique_id',
  hooks: {
    postReadRequest: { run: (r) => setUniqueId(r), order: 'middle' },
  },
};

// base64url (RFC 4648), as 2.4's uuencoder table.
const UUENCODER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** (20 bytes × 8 + 5) / 6 characters. */
const SIZE_UU = 27;

/** unique_id_child_init: this process's root and the counter's random start. */
const ROOT = randomBytes(10);
let counter = randomBytes(4).readUInt32BE(0);

/** conn_rec->id: an index per connection, in the order they first asked. */
const connIds = new WeakMap<ConnectionLog, number>();
let nextConnId = 0;
function connectionId(log: ConnectionLog): number {
  let id = connIds.get(log);
  if (id === undefined) {
    id = nextConnId++ >>> 0;
    connIds.set(log, id);
  }
  return id;
}

/** gen_unique_id. */
export function genUniqueId(requestTimeMs: number, connIndex: number): string {
  const x = Buffer.alloc(22); // 20 bytes and the two zero bytes the encoding may read
  x.writeUInt32BE(Math.floor(requestTimeMs / 1000) >>> 0, 0);
  ROOT.copy(x, 4);
  counter = (counter + 1) >>> 0;
  x.writeUInt16BE((counter - 1) % 65535, 14);
  x.writeUInt32BE(connIndex >>> 0, 16);
  let s = '';
  for (let i = 0; i < 20; i += 3) {
    const a = x[i] ?? 0;
    const b = x[i + 1] ?? 0;
    const c = x[i + 2] ?? 0;
    s += UUENCODER[a >> 2] ?? '';
    s += UUENCODER[((a & 0x03) << 4) | ((b & 0xf0) >> 4)] ?? '';
    if (s.length === SIZE_UU) break;
    s += UUENCODER[((b & 0x0f) << 2) | ((c & 0xc0) >> 6)] ?? '';
    if (s.length === SIZE_UU) break;
    s += UUENCODER[c & 0x3f] ?? '';
  }
  return s;
}

/** set_unique_id. */
export function setUniqueId(r: RequestRecord): Outcome {
  const id =
    (r.prev !== undefined ? r.env.get('REDIRECT_UNIQUE_ID') : undefined) ??
    genUniqueId(r.requestTime, connectionId(r.connection.log));
  r.env.set('UNIQUE_ID', id);
  r.notes.set(UNIQUE_ID_NOTE, id);
  return DECLINED;
}
