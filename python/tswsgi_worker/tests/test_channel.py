"""channel.py on its own: buffer lists go out whole and in order.

Large response data is queued as a memoryview of the app's bytes next to its
frame header and sent with sendmsg; a sendmsg that writes only part of the
buffers must resume exactly where it stopped.
"""

import socket
import threading
import unittest

from tswsgi_worker.channel import Channel


def _drain(sock: socket.socket, out: bytearray, total: int) -> None:
    while len(out) < total:
        data = sock.recv(7919)  # small, odd reads: many partial sendmsg calls
        if not data:
            return
        out += data


class BufferLists(unittest.TestCase):
    def test_a_list_with_a_large_view_arrives_whole_after_partial_sends(self):
        ours, theirs = socket.socketpair()
        ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        try:
            big = bytes(range(256)) * 8192  # 2 MiB
            parts = [b"HDR1", memoryview(big)[5:], b"", b"tail"]
            expected = b"HDR1" + big[5:] + b"tail"
            got = bytearray()
            reader = threading.Thread(target=_drain, args=(theirs, got, len(expected)))
            reader.start()
            Channel(ours).send(parts)
            reader.join(30)
            self.assertEqual(len(got), len(expected))
            self.assertTrue(got == expected)
        finally:
            ours.close()
            theirs.close()

    def test_sends_from_many_threads_never_interleave_inside_a_send(self):
        ours, theirs = socket.socketpair()
        ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        try:
            chan = Channel(ours)
            blocks = {i: [bytes([65 + i]) * 10, memoryview(bytes([97 + i]) * 100000)]
                      for i in range(6)}
            total = 6 * 100010
            got = bytearray()
            reader = threading.Thread(target=_drain, args=(theirs, got, total))
            reader.start()
            senders = [threading.Thread(target=chan.send, args=(blocks[i],)) for i in range(6)]
            for t in senders:
                t.start()
            for t in senders:
                t.join(30)
            reader.join(30)
            self.assertEqual(len(got), total)
            # Each send is its header run then its body run, whole and adjacent.
            at = 0
            seen = set()
            while at < total:
                i = got[at] - 65
                self.assertNotIn(i, seen)
                seen.add(i)
                self.assertEqual(bytes(got[at:at + 10]), bytes([65 + i]) * 10)
                self.assertEqual(bytes(got[at + 10:at + 100010]), bytes([97 + i]) * 100000)
                at += 100010
            self.assertEqual(seen, set(range(6)))
        finally:
            ours.close()
            theirs.close()


if __name__ == "__main__":
    unittest.main()
