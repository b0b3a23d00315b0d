"""channel.py on its own: buffer lists go out whole and in order.

Large response data is queued as a memoryview of the app's bytes next to its
frame header and sent with sendmsg; a sendmsg that writes only part of the
buffers must resume exactly where it stopped.
"""

import socket
import threading
import time
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


class _GatedSocket:
    """sendall/sendmsg that record (thread name, bytes) and block each call
    until the test opens its gate."""

    def __init__(self) -> None:
        self.calls = []  # type: list
        self.entered = threading.Semaphore(0)
        self.gates = [threading.Event() for _ in range(8)]

    def sendall(self, data) -> None:  # type: ignore[no-untyped-def]
        n = len(self.calls)
        self.calls.append((threading.current_thread().name, bytes(data)))
        self.entered.release()
        self.gates[n].wait(10)

    def sendmsg(self, parts) -> int:  # type: ignore[no-untyped-def]
        data = b"".join(bytes(p) for p in parts)
        self.sendall(data)
        return len(data)


class Drain(unittest.TestCase):
    def test_drain_wakes_when_the_send_in_progress_ends(self):
        # The sender notifies only while a drain() waits (channel.py _drainers): this one
        # must be woken by the send's end, not by its own timeout.
        sock = _GatedSocket()
        chan = Channel(sock)  # type: ignore[arg-type]
        a = threading.Thread(target=chan.send, args=(b"A",))
        a.start()
        self.assertTrue(sock.entered.acquire(timeout=10))  # the send is in progress
        took = []

        def drain() -> None:
            t0 = time.monotonic()
            chan.drain(30)
            took.append(time.monotonic() - t0)

        d = threading.Thread(target=drain)
        d.start()
        while chan._drainers == 0:  # pyright: ignore[reportPrivateUsage]
            time.sleep(0.001)
        sock.gates[0].set()
        d.join(10)
        a.join(10)
        self.assertEqual(len(took), 1)
        self.assertLess(took[0], 5)
        self.assertFalse(chan._sending)  # pyright: ignore[reportPrivateUsage]
        self.assertEqual(chan._drainers, 0)  # pyright: ignore[reportPrivateUsage]


class Relay(unittest.TestCase):
    def test_a_sender_hands_a_long_relay_to_the_relay_thread(self):
        sock = _GatedSocket()
        chan = Channel(sock)  # type: ignore[arg-type]
        a = threading.Thread(target=chan.send, args=(b"A",), name="A")
        a.start()
        self.assertTrue(sock.entered.acquire(timeout=10))  # A is sending its own frame
        chan.send(b"x" * 300000)  # queued for A to relay; returns at once
        sock.gates[0].set()
        self.assertTrue(sock.entered.acquire(timeout=10))  # A relays the 300 kB
        chan.send(b"C")  # queued behind it
        sock.gates[1].set()
        a.join(10)
        self.assertFalse(a.is_alive(), "A went back to its own request")
        self.assertIsNotNone(chan._relay)
        self.assertTrue(sock.entered.acquire(timeout=10))  # the relay thread sends C
        sock.gates[2].set()
        chan.drain(10)
        self.assertEqual([(who, len(data)) for who, data in sock.calls],
                         [("A", 1), ("A", 300000), ("tswsgi-relay", 1)])
        self.assertEqual(sock.calls[2][1], b"C")
        self.assertFalse(chan._sending)

    def test_a_short_relay_stays_with_the_sender(self):
        sock = _GatedSocket()
        chan = Channel(sock)  # type: ignore[arg-type]
        a = threading.Thread(target=chan.send, args=(b"A",), name="A")
        a.start()
        self.assertTrue(sock.entered.acquire(timeout=10))
        chan.send(b"y" * 1000)
        sock.gates[0].set()
        self.assertTrue(sock.entered.acquire(timeout=10))
        chan.send(b"D")
        sock.gates[1].set()
        self.assertTrue(sock.entered.acquire(timeout=10))
        sock.gates[2].set()
        a.join(10)
        self.assertEqual([who for who, _ in sock.calls], ["A", "A", "A"])
        self.assertIsNone(chan._relay)


if __name__ == "__main__":
    unittest.main()
