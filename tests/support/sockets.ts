// What the kernel says about this process's sockets (Linux /proc): the inode of a listening
// socket and how many descriptors of it the process holds.

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** The inode of the socket listening on 127.0.0.1:port (from /proc/net/tcp). */
export function listeningInode(port: number): string {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // local address 0100007F:PORT, state 0A = LISTEN, inode is column 10
    if (f[1] === `0100007F:${hex}` && f[3] === '0A') return f[9] ?? '';
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

/** How many of this process's file descriptors are the socket with that inode. */
export function descriptorsOf(inode: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === `socket:[${inode}]`) n++;
    } catch {
      // closed since the listing
    }
  }
  return n;
}
