"""The importable ``mod_wsgi`` and ``apache`` modules applications see.

mod_wsgi counterpart: src/server/wsgi_module.c (the embedded ``mod_wsgi``
module: version, FileWrapper, process_group, application_group,
maximum_processes, threads_per_process, event_callbacks,
shutdown_callbacks, active_requests, subscribe_events, subscribe_shutdown,
request_data) and wsgi_metrics.c (wsgi_publish_event, wsgi_call_callbacks,
wsgi_start_request/wsgi_end_request, and the metrics functions
process_metrics, request_metrics, server_metrics: see metrics.py). Not
subscribe_signals.

New Relic (``WSGINewRelicConfigFile`` / ``WSGINewRelicEnvironment``, the
daemon options ``newrelic-config-file=`` / ``newrelic-environment=``):
as mod_wsgi 4.9.4's wsgi_python_create_interpreter, the worker imports
``newrelic.agent`` when its interpreter starts and calls
``initialize(config_file, environment)``; as its Adapter_run, each request's
application is then wrapped with ``newrelic.agent.WSGIApplicationWrapper(app,
None)``. Without a config file none of this runs.

As mod_wsgi does inside Apache, our module always takes
``sys.modules['mod_wsgi']``. When the application's environment has the
PyPI ``mod_wsgi`` package (mod_wsgi-express), its package directories become
our ``__path__``, so ``import mod_wsgi.server`` and friends still work.

Event callbacks are called ``callback(name, **event)`` like mod_wsgi's
PyObject_Call(callback, (name,), event); a dict they return is merged into
the event, which is how a ``request_started`` subscriber replaces
``application_object`` with a wrapper. Events: request_started,
request_finished, request_exception, process_stopping (the last one also
goes to the shutdown callbacks). With no event subscriber the per-request
cost is one dict, a thread-local store and an ``active_requests`` entry.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import time
import traceback
import types
from typing import Any, Callable, Dict, List, Optional, Tuple, cast

from .errors import current
from .metrics import Metrics
from .protocol import LOG_ERR, LOG_INFO
from .wrapper import FileWrapper

MOD_WSGI_VERSION = (5, 0, 0)
APACHE_VERSION = (2, 4, 62)

LogFn = Callable[[int, int, str], None]  # (stream id, level, message)
Callback = Callable[..., Any]


class RequestTimeout(BaseException):
    """mod_wsgi.RequestTimeout (a BaseException, so ``except Exception``
    does not swallow it). Defined for compatibility; never raised here."""


def _stderr_log(stream: int, level: int, message: str) -> None:
    del stream, level
    err = sys.__stderr__
    if err is not None:
        err.write(message + "\n")
        err.flush()


class Embedded:
    """The state behind ``sys.modules['mod_wsgi']`` for this process."""

    def __init__(self, config: Dict[str, Any]) -> None:
        threads = int(config.get("threads", 15))
        self.event_callbacks: List[Callback] = []
        self.shutdown_callbacks: List[Callback] = []
        self.active_requests: Dict[Any, Dict[str, Any]] = {}
        self.log: LogFn = _stderr_log  # the Worker plugs in its channel
        self.metrics = Metrics(threads, bool(config.get("processGroup", "")))
        self.metrics.server_enabled = bool(config.get("serverMetrics", False))
        # As mod_wsgi's NULL tests: an empty file name still counts as set.
        self.newrelic_config: Optional[str] = config.get("newrelicConfigFile")
        self.newrelic_environment: Optional[str] = config.get("newrelicEnvironment")
        self._group = str(config.get("processGroup", ""))
        app_group = str(config.get("applicationGroup", ""))
        self._app_group = "" if app_group == "%{GLOBAL}" else app_group
        m = types.ModuleType("mod_wsgi", "tswsgi's embedded mod_wsgi module.")
        m.__dict__.update({
            "version": MOD_WSGI_VERSION,
            "process_group": str(config.get("processGroup", "")),
            "application_group": str(config.get("applicationGroup", "")),
            "maximum_processes": int(config.get("maximumProcesses", 1)),
            "threads_per_process": int(config.get("threadsPerProcess", threads)),
            "FileWrapper": FileWrapper,
            "RequestTimeout": RequestTimeout,
            "event_callbacks": self.event_callbacks,
            "shutdown_callbacks": self.shutdown_callbacks,
            "active_requests": self.active_requests,
            "subscribe_events": self.event_callbacks.append,
            "subscribe_shutdown": self.shutdown_callbacks.append,
            "request_data": request_data,
            "process_metrics": self.metrics.process_metrics,
            "request_metrics": self.metrics.request_metrics,
            "server_metrics": self.metrics.server_metrics,
        })
        self.module = m
        a = types.ModuleType("apache", "tswsgi's embedded apache module.")
        a.__dict__["version"] = APACHE_VERSION
        self.apache = a

    def install(self) -> None:
        """Register ``mod_wsgi`` (always) and ``apache`` in sys.modules;
        call after the python-path is set, so real packages are found."""
        try:
            spec = importlib.util.find_spec("mod_wsgi")
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.submodule_search_locations is not None:
            self.module.__path__ = list(spec.submodule_search_locations)
        sys.modules["mod_wsgi"] = self.module
        # ``apache`` is a common name and ours holds only ``version``: a
        # real package of that name wins.
        try:
            apache_spec = importlib.util.find_spec("apache")
        except (ImportError, ValueError):
            apache_spec = None
        if apache_spec is None:
            sys.modules["apache"] = self.apache

    # -- New Relic -------------------------------------------------------------

    def init_newrelic(self) -> None:
        """wsgi_python_create_interpreter's New Relic start-up (4.9.4)."""
        config_file = self.newrelic_config
        if config_file is None:
            return
        pid = os.getpid()
        try:
            module = importlib.import_module("newrelic.agent")
        except BaseException as exc:
            self.log(0, LOG_INFO, "mod_wsgi (pid=%d): Unable to import "
                     "'newrelic.agent' module." % pid)
            # PyErr_Print: the exception (and the frames of the agent's own code, if
            # any) go to the error log.
            self.log(0, LOG_ERR, _import_error_text(exc))
            return
        self.log(0, LOG_INFO, "mod_wsgi (pid=%d, process='%s', application="
                 "'%s'): Imported 'newrelic.agent'." % (pid, self._group,
                                                       self._app_group))
        initialize = getattr(module, "initialize", None)
        if initialize is None:
            return
        try:
            initialize(config_file, self.newrelic_environment)
        except BaseException:
            self.log(0, LOG_INFO, "mod_wsgi (pid=%d): Unable to initialise New "
                     "Relic agent with config '%s'." % (pid, config_file))

    def wrap_newrelic(self, app: Any, script: str, sid: int) -> Any:
        """Adapter_run: ``newrelic.agent.WSGIApplicationWrapper(app, None)``
        for each request, when a config file is set and the agent imports."""
        module = sys.modules.get("newrelic.agent")
        if module is None:
            try:
                module = importlib.import_module("newrelic.agent")
            except BaseException:
                return app
        factory = getattr(module, "WSGIApplicationWrapper", None)
        if factory is None:
            return app
        try:
            return factory(app, None)
        except BaseException:
            # wsgi_log_python_error
            self.log(sid, LOG_ERR, (
                "mod_wsgi (pid=%d): Exception occurred processing WSGI script "
                "'%s'.\n%s" % (os.getpid(), script,
                               traceback.format_exc().rstrip("\n"))))
            return app

    # -- publishing ------------------------------------------------------------

    def _call(self, callbacks: List[Callback], name: str,
              event: Dict[str, Any], stream: int) -> None:
        for callback in callbacks:
            try:
                result = callback(name, **event)
            except BaseException:
                # SystemExit too: a callback must not end the process.
                self.log(stream, LOG_ERR, (
                    "mod_wsgi (pid=%d): Exception occurred within event "
                    "callback.\n%s" % (os.getpid(),
                                       traceback.format_exc().rstrip("\n"))))
                continue
            if isinstance(result, dict):
                event.update(cast(Dict[str, Any], result))

    def publish(self, name: str, event: Dict[str, Any], stream: int = 0) -> None:
        """Call the event subscribers (and, for process_stopping, the
        shutdown subscribers) with ``name`` and the event's items."""
        self._call(self.event_callbacks, name, event, stream)
        if name == "process_stopping":
            self._call(self.shutdown_callbacks, name, event, stream)

    def request_started(self, env: Dict[str, Any], app: Any, data: Dict[str, Any],
                        thread_id: int, sid: int) -> Tuple[Any, float]:
        """Publish request_started; returns (application, start time)."""
        start = time.time()
        event: Dict[str, Any] = {
            "request_id": env.get("mod_wsgi.request_id"),
            "thread_id": thread_id,
            "request_start": _seconds(env.get("mod_wsgi.request_start")),
            "application_object": app,
            "callable_object": env.get("mod_wsgi.callable_object") or "application",
            "request_environ": env,
            "application_start": start,
            "request_data": data,
        }
        self.publish("request_started", event, sid)
        return event.get("application_object", app), start

    def request_finished(self, env: Dict[str, Any], data: Dict[str, Any],
                         start: float, status: Optional[str],
                         input_length: int, output_length: int,
                         sid: int) -> None:
        finish = time.time()
        code = 0
        if status:
            try:
                code = int(status.split(" ", 1)[0])
            except ValueError:
                pass
        self.publish("request_finished", {
            "request_id": env.get("mod_wsgi.request_id"),
            "input_length": input_length,
            "output_length": output_length,
            "status": code,
            "application_start": start,
            "application_finish": finish,
            "application_time": finish - start,
            "request_data": data,
        }, sid)

    def process_stopping(self, reason: str) -> None:
        """Run at a graceful exit, before atexit handlers (mod_wsgi's
        interpreter teardown publishes this event the same way)."""
        self.publish("process_stopping", {"shutdown_reason": reason})


def _import_error_text(exc: BaseException) -> str:
    """What PyErr_Print shows for an import made from C: no frames of the importer
    (here: this module and importlib), only those of the code being imported."""
    tb = exc.__traceback__
    frames = [f for f in traceback.extract_tb(tb)
              if f.filename != __file__ and "importlib" not in f.filename]
    text = "".join(traceback.format_exception_only(type(exc), exc)).rstrip("\n")
    if not frames:
        return text
    return ("Traceback (most recent call last):\n"
            + "".join(traceback.format_list(frames)) + text)


def _seconds(us: Optional[str]) -> float:
    """mod_wsgi 5.x passes request_start as decimal microseconds."""
    try:
        return int(us or 0) / 1e6
    except ValueError:
        return 0.0


def request_data() -> Dict[str, Any]:
    """``mod_wsgi.request_data()``: the per-request scratch dict (the one
    also in ``active_requests`` and in events as ``request_data``)."""
    data: Optional[Dict[str, Any]] = getattr(current, "request_data", None)
    if data is None:
        raise RuntimeError("no active request for thread")
    return data
