"""Frame codec: shared vectors (tests/fixtures/wire/vectors.json), strlist,
incremental decoding and the four named protocol errors."""

import json
import os
import unittest

from tswsgi_worker import protocol as P

VECTORS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                       "..", "tests", "fixtures", "wire", "vectors.json")


def load_vectors():
    with open(VECTORS) as f:
        return json.load(f)


class SharedVectors(unittest.TestCase):
    def test_every_valid_vector_encodes_to_its_hex(self):
        for v in load_vectors()["valid"]:
            with self.subTest(v["name"]):
                frame = P.encode_frame(v["type"], v["stream"],
                                       bytes.fromhex(v["payload_hex"]))
                self.assertEqual(frame.hex(), v["frame_hex"])

    def test_every_valid_vector_decodes_to_its_fields(self):
        for v in load_vectors()["valid"]:
            with self.subTest(v["name"]):
                frames = P.decode_all(bytes.fromhex(v["frame_hex"]))
                self.assertEqual(frames, [(v["type"], v["stream"],
                                           bytes.fromhex(v["payload_hex"]))])

    def test_valid_vectors_cover_every_frame_type(self):
        types = {v["type"] for v in load_vectors()["valid"]}
        self.assertEqual(types, set(P.KNOWN_TYPES))

    def test_every_invalid_vector_is_rejected_with_its_error(self):
        for v in load_vectors()["invalid"]:
            with self.subTest(v["name"]):
                with self.assertRaises(P.ProtocolError) as cm:
                    P.FrameDecoder().feed(bytes.fromhex(v["frame_hex"]))
                self.assertEqual(cm.exception.code, v["error"])

    def test_request_vectors_carry_decodable_environ(self):
        for v in load_vectors()["valid"]:
            if v["type"] != P.REQUEST:
                continue
            with self.subTest(v["name"]):
                payload = bytes.fromhex(v["payload_hex"])
                if payload[0] & P.FLAG_NULSEP:
                    items = payload[1:].split(b"\0") if len(payload) > 1 else []
                    env = P.decode_environ(payload, 1, True)
                    self.assertEqual(b"\0".join(items), payload[1:])
                else:
                    items = P.decode_strlist(payload, 1)
                    env = P.decode_environ(payload, 1)
                    self.assertEqual(P.encode_strlist(items), payload[1:])
                self.assertEqual(len(env) * 2, len(items))
                self.assertEqual(list(env.items()), [
                    (items[i].decode("latin-1"), items[i + 1].decode("latin-1"))
                    for i in range(0, len(items), 2)])

    def test_both_environ_layouts_decode_to_the_same_dict(self):
        items = [b"REQUEST_METHOD", b"GET", b"PATH_INFO", b"", b"X", b"caf\xe9"]
        nul = bytes([P.FLAG_NULSEP]) + b"\0".join(items)
        strlist = bytes([0]) + P.encode_strlist(items)
        self.assertEqual(P.decode_environ(nul, 1, True),
                         P.decode_environ(strlist, 1))
        self.assertEqual(P.decode_environ(bytes([P.FLAG_NULSEP]), 1, True), {})
        with self.assertRaises(P.ProtocolError) as cm:
            P.decode_environ(bytes([P.FLAG_NULSEP]) + b"odd", 1, True)
        self.assertEqual(cm.exception.code, "bad-payload")


class Codec(unittest.TestCase):
    def test_header_layout_is_big_endian_magic_version_type_stream_length(self):
        frame = P.encode_frame(P.RESP_DATA, 0x01020304, b"abc")
        self.assertEqual(frame[:12], bytes.fromhex("5457028301020304" "00000003"))
        self.assertEqual(frame[12:], b"abc")

    def test_strlist_round_trips_binary_and_empty_items(self):
        items = [b"", b"a", bytes(range(256)), b"\xff" * 70000]
        enc = P.encode_strlist(items)
        self.assertEqual(enc[:4], b"\x00\x00\x00\x04")
        self.assertEqual(P.decode_strlist(enc), items)
        self.assertEqual(P.decode_strlist(P.encode_strlist([])), [])

    def test_strlist_lengths_either_side_of_the_lookup_table(self):
        # encode_strlist looks up the u32 of lengths below 1024 and packs the rest.
        items = [b"a" * n for n in (0, 1, 1023, 1024, 70000)]
        data = P.encode_strlist(items)
        self.assertEqual(data[:4], b"\x00\x00\x00\x05")
        self.assertEqual(data[4:8], b"\x00\x00\x00\x00")
        at = 4 + 4 + 4 + 1 + 4 + 1023
        self.assertEqual(data[at:at + 4], b"\x00\x00\x04\x00")
        self.assertEqual(P.decode_strlist(data), items)

    def test_strlist_rejects_truncation_and_trailing_bytes(self):
        enc = P.encode_strlist([b"abc", b"de"])
        for bad in (enc[:-1], enc + b"x", enc[:3]):
            with self.subTest(bad=bad):
                with self.assertRaises(P.ProtocolError) as cm:
                    P.decode_strlist(bad)
                self.assertEqual(cm.exception.code, "bad-payload")

    def test_decode_environ_maps_pairs_as_latin1(self):
        enc = b"\x00" + P.encode_strlist([b"K", b"caf\xe9", b"E", b""])
        self.assertEqual(P.decode_environ(enc, 1), {"K": "caf\u00e9", "E": ""})
        for bad in (b"\x00" + P.encode_strlist([b"odd"]), enc[:-1], enc + b"z"):
            with self.assertRaises(P.ProtocolError):
                P.decode_environ(bad, 1)

    def test_u32_payloads(self):
        self.assertEqual(P.encode_u32(262144), b"\x00\x04\x00\x00")
        self.assertEqual(P.decode_u32(b"\x00\x00\x13\x88"), 5000)
        with self.assertRaises(P.ProtocolError):
            P.decode_u32(b"\x00\x00")

    def test_encode_refuses_payload_over_max(self):
        with self.assertRaises(P.ProtocolError) as cm:
            P.encode_frame(P.DATA, 1, b"\0" * (P.MAX_PAYLOAD + 1))
        self.assertEqual(cm.exception.code, "too-large")


class IncrementalDecoder(unittest.TestCase):
    def stream(self):
        return b"".join([
            P.encode_frame(P.REQUEST, 1, b"\x01" + P.encode_strlist([b"A", b"b"])),
            P.encode_frame(P.DATA, 1, os.urandom(70000)),
            P.encode_frame(P.EOF, 1),
            P.encode_frame(P.PING, 0, b"12345678"),
        ])

    def test_views_of_a_reused_buffer_give_payloads_of_their_own(self):
        # The worker reads into one buffer and feeds views of it (worker._read_loop): every
        # payload must be a bytes copy, whole or split across reads, so the next read into
        # the buffer cannot change a frame already handed out.
        data = self.stream()
        whole = P.decode_all(data)
        for size in (7, 4096, 65536, len(data)):
            buf = bytearray(size)
            view = memoryview(buf)
            dec = P.FrameDecoder()
            got = []
            for start in range(0, len(data), size):
                n = len(data[start:start + size])
                buf[:n] = data[start:start + size]
                got.extend(dec.feed(view[:n]))
                buf[:] = b"\xee" * size  # the next read overwrites everything
            self.assertEqual(dec.buffered, 0, size)
            self.assertEqual(got, whole, size)
            self.assertTrue(all(type(f[2]) is bytes for f in got), size)

    def test_any_chunking_yields_the_same_frames(self):
        data = self.stream()
        whole = P.decode_all(data)
        self.assertEqual([f[0] for f in whole], [P.REQUEST, P.DATA, P.EOF, P.PING])
        for size in (1, 2, 11, 12, 13, 4096, 65536):
            with self.subTest(chunk=size):
                dec = P.FrameDecoder()
                got = []
                for i in range(0, len(data), size):
                    got.extend(dec.feed(data[i:i + size]))
                self.assertEqual(got, whole)
                self.assertEqual(dec.buffered, 0)

    def test_too_large_is_refused_from_the_header_alone(self):
        header = P.encode_header(P.DATA, 1, P.MAX_PAYLOAD + 1)
        with self.assertRaises(P.ProtocolError) as cm:
            P.FrameDecoder().feed(header)
        self.assertEqual(cm.exception.code, "too-large")

    def test_max_payload_itself_is_accepted(self):
        dec = P.FrameDecoder()
        self.assertEqual(dec.feed(P.encode_header(P.DATA, 1, P.MAX_PAYLOAD)), [])
        self.assertEqual(dec.buffered, 12)

    def test_bad_magic_is_seen_in_a_partial_header(self):
        with self.assertRaises(P.ProtocolError) as cm:
            P.FrameDecoder().feed(b"GE")
        self.assertEqual(cm.exception.code, "bad-magic")

    def test_decoder_stays_failed_after_an_error(self):
        dec = P.FrameDecoder()
        with self.assertRaises(P.ProtocolError):
            dec.feed(bytes.fromhex("545701840000000100000000"))
        with self.assertRaises(P.ProtocolError) as cm:
            dec.feed(P.encode_frame(P.EOF, 1))
        self.assertEqual(cm.exception.code, "bad-version")

    def test_frame_types_are_the_protocol_table(self):
        self.assertEqual(
            {P.FRAME_NAMES[t]: t for t in P.KNOWN_TYPES},
            {"REQUEST": 1, "DATA": 2, "EOF": 3, "ABORT": 4, "WINDOW": 5,
             "SHUTDOWN": 6, "PING": 7, "HELLO": 0x81, "START": 0x82,
             "RESP_DATA": 0x83, "END": 0x84, "ERROR": 0x85,
             "RESP_WINDOW": 0x86, "LOG": 0x87, "PONG": 0x88,
             "METRICS": 8, "METRICS_QUERY": 0x89})
        self.assertEqual((P.HEADER_SIZE, P.MAX_PAYLOAD, P.INITIAL_WINDOW),
                         (12, 16777216, 1048576))


if __name__ == "__main__":
    unittest.main()
