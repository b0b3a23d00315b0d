"""Worker entry point: argv JSON -> boot -> preload -> HELLO -> serve.

mod_wsgi counterpart: wsgi_daemon.c (wsgi_start_process: python-path, home,
display-name, lang/locale, WSGIImportScript preloads). The Node supervisor
(src/wsgi/daemon/supervisor.ts) starts us as::

    <python> -c "import sys;sys.path.insert(0,sys.argv[1]);import tswsgi_worker.__main__ as m;m.main(sys.argv[2:])" <python/ dir> '<json>'

with fd 3 = our end of a connected AF_UNIX SOCK_STREAM socketpair. main()
then takes the python/ dir and '' back out of sys.path so applications never
see them. JSON fields: fd, threads, processGroup ("" = embedded),
applicationGroup, pythonPath [dirs], home (dir|null), displayName
(str|null), preload [{script, callable}], multithread, multiprocess,
runOnce, maximumProcesses, threadsPerProcess, restrictStdout, lang, locale,
reloadOnChanges (bool: restart when a loaded module's file changes,
mod_wsgi-express --reload-on-changes), reloadInterval (seconds between
scans, default 1), shutdownTimeout (seconds a worker-initiated graceful stop
may drain, default 5), process (dict, optional: umask, cpuPriority,
rlimits, stackSize and the user switch; see limits.py), sendBufferSize and
receiveBufferSize (SO_SNDBUF / SO_RCVBUF of fd 3; 0 = the OS default),
serverMetrics (bool: mod_wsgi.server_metrics() asks the front end),
newrelicConfigFile and newrelicEnvironment (str|null: initialise the New
Relic agent, see embedded.py).

Exit codes (gunicorn-style, STYLE.md do-7): 0 after SHUTDOWN or channel EOF,
3 = boot error (bad arguments, fd unusable, bad python-path/home),
4 = a preload script failed to import. The supervisor backs off on 3/4.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import sys
import traceback
from typing import Any, Dict, List, NoReturn, Optional, cast

# Import every submodule now: the package directory leaves sys.path below.
from . import BOOT_ERROR, APP_LOAD_ERROR
from . import channel, embedded, errors, input, limits, loader, protocol
from . import reloader, response, worker, wrapper
from .embedded import Embedded
from .errors import StdWriter
from .channel import Channel
from .worker import Worker, send_hello

_FIELDS = {
    "fd": int, "threads": int, "processGroup": str, "applicationGroup": str,
    "pythonPath": list, "home": (str, type(None)),
    "displayName": (str, type(None)), "preload": list, "multithread": bool,
    "multiprocess": bool, "runOnce": bool, "maximumProcesses": int,
    "threadsPerProcess": int, "restrictStdout": bool,
    "lang": (str, type(None)), "locale": (str, type(None)),
    "reloadOnChanges": bool, "reloadInterval": (int, float),
    "shutdownTimeout": (int, float), "process": dict,
    "serverMetrics": bool, "sendBufferSize": int, "receiveBufferSize": int,
    "newrelicConfigFile": (str, type(None)),
    "newrelicEnvironment": (str, type(None)),
}

# Referenced so linters keep the eager imports above.
_SUBMODULES = (embedded, errors, input, limits, loader, protocol, reloader,
               response, worker, wrapper, channel)


_cpu_watch: Optional[limits.CpuLimitWatch] = None


class BootError(Exception):
    """Bad arguments or environment: exit BOOT_ERROR."""


def _err(text: str) -> None:
    """Write to the real stderr (the supervisor pipes it to the error log)."""
    err = sys.__stderr__
    if err is not None:
        err.write(text)
        err.flush()


def _die(code: int, message: str) -> NoReturn:
    _err("tswsgi worker (pid=%d): %s\n" % (os.getpid(), message))
    os._exit(code)


def parse_config(argv: List[str]) -> Dict[str, Any]:
    if len(argv) != 1:
        raise BootError("expected one JSON argument, got %d arguments" % len(argv))
    try:
        parsed: object = json.loads(argv[0])
    except ValueError as exc:
        raise BootError("invalid JSON configuration: %s" % exc) from None
    if not isinstance(parsed, dict):
        raise BootError("configuration must be a JSON object")
    config = cast(Dict[str, Any], parsed)
    for key, value in config.items():
        kind = _FIELDS.get(key)
        if kind is None:
            continue  # newer front end: ignore unknown fields
        if (kind is not bool and isinstance(value, bool)
                or not isinstance(value, kind)):
            raise BootError("configuration field %r has the wrong type" % key)
    if config.get("threads", 15) < 1:
        raise BootError("threads must be at least 1")
    for key in ("sendBufferSize", "receiveBufferSize"):
        if config.get(key, 0) < 0:
            raise BootError("%s must not be negative" % key)
    for key in ("reloadInterval", "shutdownTimeout"):
        if key in config and not config[key] > 0:
            raise BootError("%s must be a positive number" % key)
    for d in config.get("pythonPath", []):
        if not isinstance(d, str):
            raise BootError("pythonPath entries must be strings")
    for p in config.get("preload", []):
        if not (isinstance(p, dict) and isinstance(
                cast(Dict[str, Any], p).get("script"), str)):
            raise BootError("preload entries need a 'script' string")
    return config


def _clean_sys_path() -> None:
    pkg_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    real = os.path.realpath(pkg_dir)
    sys.path[:] = [p for p in sys.path
                   if p != "" and os.path.realpath(p) != real]


def _add_python_path(dirs: List[str]) -> None:
    """mod_wsgi python-path: site.addsitedir each, new entries first."""
    import site
    before = list(sys.path)
    for d in dirs:
        if not os.path.isdir(d):
            raise BootError("python-path directory does not exist: %s" % d)
        site.addsitedir(d)
    added = [p for p in sys.path if p not in before]
    sys.path[:] = added + [p for p in sys.path if p not in added]


def _set_process_name(name: str) -> None:
    """display-name: best effort via prctl(PR_SET_NAME)."""
    try:
        import ctypes
        import ctypes.util
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        libc.prctl(15, ctypes.c_char_p(name.encode("utf-8")[:15]), 0, 0, 0)
    except Exception:
        pass


def _warn(message: str) -> None:
    _err("tswsgi worker (pid=%d): %s\n" % (os.getpid(), message))


def _apply_process_settings(config: Dict[str, Any]
                            ) -> Optional[limits.CpuLimitWatch]:
    """mod_wsgi's daemon start: priority, user switch, umask, rlimits."""
    settings = cast(Dict[str, Any], config.get("process") or {})
    group = str(config.get("processGroup", ""))
    timeout = float(config.get("shutdownTimeout", 5))
    try:
        limits.apply(settings, group, timeout, _warn)
    except limits.LimitError as exc:
        raise BootError(str(exc)) from None
    seconds = int(settings.get("cpuTimeLimit", 0))
    if seconds > 0:
        return limits.CpuLimitWatch(seconds, group, _warn)
    return None


def boot(config: Dict[str, Any]) -> socket.socket:
    """Everything before preloading; raises BootError."""
    global _cpu_watch
    _cpu_watch = _apply_process_settings(config)
    sys.argv = ["mod_wsgi"]
    if config.get("lang"):
        os.environ["LANG"] = config["lang"]
    if config.get("locale"):
        import locale
        try:
            locale.setlocale(locale.LC_ALL, config["locale"])
        except locale.Error as exc:
            _err("tswsgi worker: cannot set locale %r: %s\n"
                 % (config["locale"], exc))
    home = config.get("home")
    if home:
        try:
            os.chdir(home)
        except OSError as exc:
            raise BootError("cannot change to home directory %s: %s"
                            % (home, exc)) from None
    _add_python_path(config.get("pythonPath", []))
    if config.get("displayName"):
        _set_process_name(config["displayName"])
    return open_channel(config)


def open_channel(config: Dict[str, Any]) -> socket.socket:
    """The channel socket (fd), blocking, with the configured buffer sizes."""
    try:
        sock = socket.socket(fileno=config.get("fd", 3))
    except OSError as exc:
        raise BootError("fd %s is not a usable socket: %s"
                        % (config.get("fd", 3), exc)) from None
    if sock.family != socket.AF_UNIX or sock.type != socket.SOCK_STREAM:
        raise BootError("fd %s is not an AF_UNIX stream socket" % sock.fileno())
    sock.setblocking(True)
    # send-buffer-size / receive-buffer-size (mod_wsgi sets them on its listener socket);
    # the kernel doubles the value and caps it at net.core.wmem_max / rmem_max.
    for key, opt in (("sendBufferSize", socket.SO_SNDBUF),
                     ("receiveBufferSize", socket.SO_RCVBUF)):
        size = config.get(key, 0)
        if size > 0:
            try:
                sock.setsockopt(socket.SOL_SOCKET, opt, size)
            except OSError as exc:
                raise BootError("cannot set the channel's %s to %d: %s"
                                % (key, size, exc)) from None
    return sock


def main(argv: List[str]) -> NoReturn:
    _clean_sys_path()
    try:
        config = parse_config(argv)
        sock = boot(config)
    except BootError as exc:
        _die(BOOT_ERROR, str(exc))
    emb = Embedded(config)
    emb.install()  # before preloads: scripts may `import mod_wsgi`
    # The Worker (and its channel) exists before the preloads, so what the
    # interpreter's start logs (New Relic) goes to the log at its own level.
    w = Worker(sock, config, emb)
    emb.init_newrelic()
    for item in config.get("preload", []):
        try:
            loader.load_script(item["script"])
        except BaseException:
            _err("tswsgi worker (pid=%d): failed to preload WSGI script "
                 "'%s'.\n" % (os.getpid(), item["script"]))
            traceback.print_exc(file=sys.__stderr__)
            _die(APP_LOAD_ERROR, "preload failed")
    chan: Channel = w.chan
    if _cpu_watch is not None:
        timeout = float(config.get("shutdownTimeout", 5))
        _cpu_watch.attach(
            lambda: w.stop_by_itself(timeout, "cpu_time_limit"),
            lambda m: chan.log(0, 4, m))
    if config.get("reloadOnChanges"):
        reloader.Reloader(w.request_restart,
                          float(config.get("reloadInterval", 1.0))).start()
    send_hello(chan, {
        "protocol": protocol.VERSION, "pid": os.getpid(),
        "python": platform.python_version(), "executable": sys.executable,
        "prefix": sys.prefix,
    })
    sys.stdout = StdWriter(chan.log, "<stdout>",
                           bool(config.get("restrictStdout", False)))
    sys.stderr = StdWriter(chan.log, "<stderr>")
    code = w.run()
    chan.drain(1.0)
    if not w.timed_out:
        # A clean stop runs atexit handlers, as mod_wsgi's interpreter
        # teardown does; a watchdog bounds handlers that hang.
        import atexit
        import threading
        watchdog = threading.Timer(5.0, os._exit, (code,))
        watchdog.daemon = True
        watchdog.start()
        emb.process_stopping(w.shutdown_reason)  # subscribe_shutdown
        try:
            atexit._run_exitfuncs()  # pyright: ignore[reportPrivateUsage]
        except BaseException:
            pass
        chan.drain(1.0)
    for s in (sys.stdout, sys.stderr):
        try:
            s.flush()
        except Exception:
            pass
    for std in (sys.__stdout__, sys.__stderr__):
        try:
            if std is not None:
                std.flush()
        except Exception:
            pass
    # Threads may still be wedged in application code at a SHUTDOWN
    # deadline: leave without waiting for them (mod_wsgi's reaper does too).
    os._exit(code)


if __name__ == "__main__":
    main(sys.argv[1:])
