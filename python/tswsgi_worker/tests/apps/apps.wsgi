# WSGI callables for the worker tests; a request picks one through
# environ['mod_wsgi.callable_object'] (WSGICallableObject).
import hashlib
import json
import os
import sys
import threading
import time

LOAD_ID = time.time()
EVENTS = []  # side effects the tests ask about through 'events'


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"Hello World!"]


def events(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(EVENTS).encode()]


def dump(environ, start_response):
    out = {}
    for k, v in environ.items():
        if isinstance(v, (str, int, float, bool, tuple)) or v is None:
            out[k] = list(v) if isinstance(v, tuple) else v
        else:
            out[k] = "<%s>" % type(v).__name__
    out["__file__"] = __file__
    out["__name__"] = __name__
    out["sys.argv"] = sys.argv
    out["sys.path"] = sys.path
    out["cwd"] = os.getcwd()
    out["errors_is_text"] = hasattr(environ["wsgi.errors"], "write")
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(out).encode("utf-8")]


def status_from_query(environ, start_response):
    """QUERY_STRING is a JSON [status, headers] to pass to start_response."""
    status, headers = json.loads(environ["QUERY_STRING"])
    if isinstance(headers, list):
        headers = [tuple(h) if isinstance(h, list) else h for h in headers]
    try:
        start_response(status, headers)
    except Exception as exc:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [("%s: %s" % (type(exc).__name__, exc)).encode("utf-8")]
    return [b"accepted"]


def bad_headers_object(environ, start_response):
    kind = environ["QUERY_STRING"]
    samples = {
        "tuple": (("A", "b"),),
        "list-item": [["A", "b"]],
        "three": [("A", "b", "c")],
        "bytes-name": [(b"A", "b")],
        "bytes-value": [("A", b"b")],
        "non-latin1": [("A", "\u20ac")],
        "status-bytes": None,
        "status-int": None,
    }
    try:
        if kind == "status-bytes":
            start_response(b"200 OK", [])
        elif kind == "status-int":
            start_response(200, [])
        else:
            start_response("200 OK", samples[kind])
    except Exception as exc:
        start_response("200 OK", [])
        return [("%s: %s" % (type(exc).__name__, exc)).encode("utf-8")]
    return [b"accepted"]


def recall_replaces(environ, start_response):
    start_response("500 Oops", [("X-First", "1")])
    start_response("201 Created", [("X-Second", "2")])
    return [b"second"]


def exc_info_before_output(environ, start_response):
    start_response("200 OK", [("X-A", "1")])
    try:
        raise ValueError("boom")
    except ValueError:
        start_response("500 Error", [("X-B", "2")], sys.exc_info())
    return [b"error page"]


def exc_info_after_output(environ, start_response):
    write = start_response("200 OK", [])
    write(b"partial")
    try:
        raise KeyError("late")
    except KeyError:
        try:
            start_response("500 Error", [], sys.exc_info())
        except KeyError:
            EVENTS.append("reraised")
            raise
    return [b"never"]


def recall_after_output_no_exc_info(environ, start_response):
    write = start_response("200 OK", [])
    write(b"x")
    try:
        start_response("500 Error", [])
    except RuntimeError as exc:
        return [("|RuntimeError: %s" % exc).encode()]
    return [b"|no error"]


def write_then_iterable(environ, start_response):
    write = start_response("200 OK", [])
    write(b"one,")
    write(b"two,")
    return [b"three,", b"four"]


def str_item_first(environ, start_response):
    start_response("200 OK", [])
    return ["text"]


def str_item_later(environ, start_response):
    start_response("200 OK", [])

    def gen():
        yield b"bytes,"
        yield "text"
    return gen()


def cl_over(environ, start_response):
    start_response("200 OK", [("Content-Length", "5")])
    return [b"abc", b"defgh", b"ijk"]


def cl_short(environ, start_response):
    start_response("200 OK", [("Content-Length", "10")])
    return [b"abcd"]


def cl_short_head(environ, start_response):
    start_response("200 OK", [("Content-Length", "10")])
    return []


def cl_invalid(environ, start_response):
    start_response("200 OK", [("Content-Length", "ten")])
    return [b"abc"]


def empty_body(environ, start_response):
    start_response("204 No Content", [])
    return []


class ClosingBody:
    def __init__(self, items, fail_at=None):
        self.items = items
        self.fail_at = fail_at

    def __iter__(self):
        for i, item in enumerate(self.items):
            if i == self.fail_at:
                raise RuntimeError("failed while iterating")
            yield item

    def close(self):
        EVENTS.append("closed:%s" % self.fail_at)


def close_called(environ, start_response):
    start_response("200 OK", [])
    return ClosingBody([b"a", b"b"])


def close_called_on_error(environ, start_response):
    start_response("200 OK", [])
    return ClosingBody([b"a", b"b", b"c"], fail_at=1)


def close_called_error_first(environ, start_response):
    start_response("200 OK", [])
    return ClosingBody([b"a"], fail_at=0)


def generator_finally(environ, start_response):
    start_response("200 OK", [])

    def gen():
        try:
            yield b"x"
            yield b"y"
        finally:
            EVENTS.append("finally")
    return gen()


def raises_before_start(environ, start_response):
    raise ValueError("secret traceback detail")


def raises_after_output(environ, start_response):
    start_response("200 OK", [])

    def gen():
        yield b"first"
        raise ValueError("mid-stream")
    return gen()


def big_response(environ, start_response):
    size = int(environ["QUERY_STRING"])
    data = os.urandom(size)
    start_response("200 OK", [("X-SHA256", hashlib.sha256(data).hexdigest())])
    return [data]


def stream_chunks(environ, start_response):
    start_response("200 OK", [])
    for i in range(int(environ["QUERY_STRING"] or 3)):
        yield b"chunk%d;" % i


def echo_sha(environ, start_response):
    inp = environ["wsgi.input"]
    h = hashlib.sha256()
    n = 0
    while True:
        block = inp.read(100000)
        if not block:
            break
        h.update(block)
        n += len(block)
    start_response("200 OK", [])
    return [json.dumps({"n": n, "sha": h.hexdigest()}).encode()]


def input_ops(environ, start_response):
    """QUERY_STRING is a JSON list of [op, arg] run against wsgi.input."""
    inp = environ["wsgi.input"]
    out = []
    for op, arg in json.loads(environ["QUERY_STRING"]):
        if op == "read":
            out.append(inp.read(arg) if arg != "noarg" else inp.read())
        elif op == "readline":
            out.append(inp.readline(arg) if arg != "noarg" else inp.readline())
        elif op == "readlines":
            out.append(b"|".join(inp.readlines(arg) if arg != "noarg"
                                 else inp.readlines()))
        elif op == "iter":
            out.append(b"|".join(list(inp)))
        elif op == "close":
            inp.close()
            out.append(b"closed")
    start_response("200 OK", [])
    return [json.dumps([b.decode("latin-1") for b in out]).encode()]


ABORT_SEEN = threading.Event()


def abort_reader(environ, start_response):
    inp = environ["wsgi.input"]
    try:
        inp.read(1)  # data arrives, then the client goes away
        while True:
            if not inp.read(1000):
                break
        EVENTS.append("read-eof")
    except OSError as exc:
        EVENTS.append("abort-read:%s" % exc)
    start_response("200 OK", [])
    return ClosingBody([b"ignored"])


def endless(environ, start_response):
    start_response("200 OK", [])

    def gen():
        try:
            while True:
                yield b"x" * 1000
        finally:
            EVENTS.append("endless-closed")
    return gen()


def sleeper(environ, start_response):
    time.sleep(float(environ["QUERY_STRING"]))
    start_response("200 OK", [])
    return [b"slept"]


def errors_writer(environ, start_response):
    err = environ["wsgi.errors"]
    err.write("line one\nline ")
    err.write("two\n")
    print("partial at end", file=err, end="")
    print("from print()")
    sys.stderr.write("to stderr\n")
    start_response("200 OK", [])
    return [b"ok"]


def file_wrapper(environ, start_response):
    q = json.loads(environ["QUERY_STRING"])
    f = open(q["path"], "rb")
    f.seek(q.get("offset", 0))
    headers = [("Content-Type", "application/octet-stream")]
    if "cl" in q:
        headers.append(("Content-Length", str(q["cl"])))
    start_response("200 OK", headers)
    fw = environ["wsgi.file_wrapper"](f, q.get("blksize", 8192))
    orig = fw.close

    def close():
        EVENTS.append("fw-closed")
        orig()
    fw.close = close
    return fw


class Pseudo:
    def __init__(self, data):
        self.data = data
        self.reads = []

    def read(self, n):
        self.reads.append(n)
        chunk, self.data = self.data[:n], self.data[n:]
        return chunk

    def close(self):
        EVENTS.append("pseudo-closed:%s" % self.reads[:2])


def file_wrapper_pseudo(environ, start_response):
    start_response("200 OK", [])
    return environ["wsgi.file_wrapper"](Pseudo(b"0123456789" * 3), 7)


def print_from_thread(environ, start_response):
    t = threading.Thread(target=lambda: print("from a background thread"))
    t.start()
    t.join()
    start_response("200 OK", [])
    return [b"ok"]
