"""``mod_wsgi.process_metrics()``, ``request_metrics()`` and ``server_metrics()``.

mod_wsgi counterpart: src/server/wsgi_metrics.c at 4.9.4
(wsgi_utilization_time, wsgi_record_request_times, wsgi_start_request /
wsgi_end_request, wsgi_process_metrics, wsgi_request_metrics,
wsgi_server_metrics), wsgi_thread.c (wsgi_thread_info: request threads) and
wsgi_memory.c (peak and current RSS).

Per request this costs what mod_wsgi's own bookkeeping costs: a lock, a
clock read and a few additions when a request starts and when it ends. The
per-request time sums and histograms behind ``request_metrics()`` are only
kept once an application has called ``request_metrics()`` (mod_wsgi's
``wsgi_request_metrics_enabled``).

``server_metrics()`` describes Apache's scoreboard in mod_wsgi. Here the
front end keeps the scoreboard (mod_status's request slots), so when server
metrics are on for the process (``server-metrics=On`` for a daemon group;
embedded mode unless ``WSGIServerMetrics Off``, since 4.9.4 treats the unset
flag as on) the calling thread sends METRICS_QUERY on stream 0 and waits for
the METRICS answer (docs/protocol.md). Off, before the worker serves, or
without an answer within QUERY_TIMEOUT seconds, it returns None.
"""

from __future__ import annotations

import os
import resource
import json
import threading
import time
from typing import Any, Callable, Dict, List, Optional

_BUCKETS = 16
QUERY_TIMEOUT = 5.0
_PENDING = object()

try:
    _TICK = float(os.sysconf("SC_CLK_TCK"))
except (AttributeError, ValueError, OSError):  # pragma: no cover - not Linux
    _TICK = 100.0
try:
    _PAGE = os.sysconf("SC_PAGE_SIZE")
except (AttributeError, ValueError, OSError):  # pragma: no cover - not Linux
    _PAGE = 4096


def peak_rss() -> int:
    """getPeakRSS(): ru_maxrss, which Linux gives in KiB, in bytes."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def current_rss() -> int:
    """getCurrentRSS(): the second field of /proc/self/statm times the page
    size; 0 when it cannot be read (as mod_wsgi)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            fields = f.read().split()
        return int(fields[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def cpu_times() -> "tuple[float, float]":
    """times(2)'s tms_utime and tms_stime in seconds, in clock ticks as
    mod_wsgi reads them (so the values are multiples of 1/CLK_TCK)."""
    t = os.times()
    return (round(t.user * _TICK) / _TICK, round(t.system * _TICK) / _TICK)


def _bucket(buckets: List[int], duration: float) -> None:
    """wsgi_record_time_in_buckets: 5 ms, doubling, 15 limits + overflow."""
    index = 0
    threshold = 0.005
    while index < 14:
        if duration <= threshold:
            buckets[index] += 1
            return
        threshold *= 2
        index += 1
    buckets[index] += 1


def _us(value: Any) -> int:
    """A mod_wsgi.*_start environ value (decimal µs) as an int; 0 if absent."""
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


class Metrics:
    """The process's request accounting and the three metrics functions.

    ``daemon`` is True in a daemon process group (mod_wsgi's
    wsgi_daemon_process): queue and daemon times are then measured, else they
    are None. ``threads`` is request_threads_maximum (the group's threads=;
    for embedded mode the MPM's ThreadsPerChild, as ap_mpm_query answers).
    """

    def __init__(self, threads: int, daemon: bool) -> None:
        self.lock = threading.Lock()
        self.daemon = daemon
        self.threads_maximum = max(1, threads)
        self.restart_time = time.time()
        # wsgi_utilization_time's state.
        self.active = 0
        self.total_requests = 0
        self.busy = 0.0
        self.last = 0.0
        # wsgi_thread_info: threads that have handled a request, and each
        # one's count of application calls (thread_handle->request_count).
        self.thread_counts: Dict[int, int] = {}
        # request_metrics(): off until its first call.
        self.enabled = False
        self._sample: Optional[Dict[str, float]] = None
        self._reset_interval()
        # server_metrics(): METRICS_QUERY tokens waiting for their METRICS.
        self.server_enabled = False
        self.query: Optional[Callable[[int], None]] = None
        self._replies = threading.Condition()
        self._token = 0
        self._pending: Dict[int, Any] = {}

    def _reset_interval(self) -> None:
        self.sample_requests = 0
        self.server_time = 0.0
        self.queue_time = 0.0
        self.daemon_time = 0.0
        self.application_time = 0.0
        self.server_buckets = [0] * _BUCKETS
        self.queue_buckets = [0] * _BUCKETS
        self.daemon_buckets = [0] * _BUCKETS
        self.application_buckets = [0] * _BUCKETS
        self.thread_buckets = [0] * self.threads_maximum

    # -- per request -----------------------------------------------------------

    def _utilization(self, adjustment: int) -> "tuple[float, int]":
        """wsgi_utilization_time, called with the lock held."""
        now = time.time()
        if self.last:
            self.busy += self.active * max(0.0, now - self.last)
        self.last = now
        self.active += adjustment
        if adjustment < 0:
            self.total_requests -= adjustment
        return self.busy, self.total_requests

    def start(self, thread_id: int) -> None:
        """wsgi_start_request (and wsgi_thread_info(1, 1)): _utilization(1), inlined
        (this and end() run for every request)."""
        with self.lock:
            if thread_id not in self.thread_counts:
                self.thread_counts[thread_id] = 0
            now = time.time()
            if self.last and now > self.last:
                self.busy += self.active * (now - self.last)
            self.last = now
            self.active += 1

    def called(self, thread_id: int) -> None:
        """Adapter_run's thread_handle->request_count++ (the app is called)."""
        self.thread_counts[thread_id] = self.thread_counts.get(thread_id, 0) + 1

    def end(self, thread_id: int) -> None:
        """wsgi_end_request: _utilization(-1), inlined."""
        with self.lock:
            if self.enabled and 0 < thread_id <= self.threads_maximum:
                self.thread_buckets[thread_id - 1] += 1
            now = time.time()
            if self.last and now > self.last:
                self.busy += self.active * (now - self.last)
            self.last = now
            self.active -= 1
            self.total_requests += 1

    def record_times(self, env: Dict[str, Any], app_start: float,
                     app_finish: float) -> None:
        """wsgi_record_request_times (only while request_metrics() is on)."""
        if not self.enabled:
            return
        request_start = _us(env.get("mod_wsgi.request_start")) / 1e6
        queue_start = _us(env.get("mod_wsgi.queue_start")) / 1e6
        daemon_start = _us(env.get("mod_wsgi.daemon_start")) / 1e6
        if queue_start:
            server_time = queue_start - request_start
            queue_time = daemon_start - queue_start
            daemon_time = app_start - daemon_start
        else:
            server_time = app_start - request_start
            queue_time = daemon_time = 0.0
        application_time = app_finish - app_start
        with self.lock:
            self.sample_requests += 1
            self.server_time += server_time
            self.queue_time += queue_time
            self.daemon_time += daemon_time
            self.application_time += application_time
            _bucket(self.server_buckets, server_time)
            if self.daemon:
                _bucket(self.queue_buckets, queue_time)
                _bucket(self.daemon_buckets, daemon_time)
            _bucket(self.application_buckets, application_time)

    # -- the module functions --------------------------------------------------

    def process_metrics(self) -> Dict[str, Any]:
        """mod_wsgi.process_metrics(), keys in mod_wsgi's order."""
        with self.lock:
            busy, count = self._utilization(0)
            active = self.active
            threads = sorted(self.thread_counts.items())
        user, system = cpu_times()
        now = time.time()
        return {
            "pid": os.getpid(),
            "request_busy_time": busy,
            "request_count": count,
            "memory_max_rss": peak_rss(),
            "memory_rss": current_rss(),
            "cpu_user_time": user,
            "cpu_system_time": system,
            "restart_time": self.restart_time,
            "current_time": now,
            "running_time": int(now - self.restart_time),
            "request_threads": len(threads),
            "active_requests": active,
            "threads": [{"thread_id": tid, "request_count": n}
                        for tid, n in threads],
        }

    def request_metrics(self) -> Dict[str, Any]:
        """mod_wsgi.request_metrics(): figures for the interval since the
        previous call. The first call starts the sampling and returns {}."""
        stop = time.time()
        with self.lock:
            busy, count = self._utilization(0)
        user, system = cpu_times()
        prev = self._sample
        self._sample = {"time": stop, "busy": busy, "count": count,
                        "user": user, "system": system}
        if prev is None:
            with self.lock:
                self._reset_interval()
                self.enabled = True
            return {}
        period = stop - prev["time"]
        result: Dict[str, Any] = {
            "pid": os.getpid(),
            "start_time": prev["time"],
            "stop_time": stop,
            "sample_period": period,
            # mod_wsgi divides without a guard; a zero period cannot
            # happen with its µs clock, nor with ours in practice.
            "cpu_user_time": (user - prev["user"]) / period if period else 0.0,
            "cpu_system_time": ((system - prev["system"]) / period
                                if period else 0.0),
            "memory_max_rss": peak_rss(),
            "memory_rss": current_rss(),
            "request_threads_maximum": self.threads_maximum,
        }
        with self.lock:
            result["request_threads_started"] = len(self.thread_counts)
            result["capacity_utilization"] = (
                (busy - prev["busy"]) / period / self.threads_maximum
                if period else 0.0)
            requests = int(count - prev["count"])
            result["request_count"] = requests
            result["request_throughput"] = requests / period if period else 0
            n = self.sample_requests
            sums = (self.server_time, self.queue_time, self.daemon_time,
                    self.application_time)
            result["server_time_buckets"] = self.server_buckets
            result["queue_time_buckets"] = self.queue_buckets
            result["daemon_time_buckets"] = self.daemon_buckets
            result["application_time_buckets"] = self.application_buckets
            result["request_threads_buckets"] = self.thread_buckets
            result["request_threads_active"] = sum(
                1 for b in self.thread_buckets if b)
            self._reset_interval()
        server, queue, daemon, application = (
            (s / n for s in sums) if n else (0.0, 0.0, 0.0, 0.0))
        result["server_time"] = server
        result["queue_time"] = queue if self.daemon else None
        result["daemon_time"] = daemon if self.daemon else None
        result["application_time"] = application
        return result

    def server_metrics(self) -> Any:
        """mod_wsgi.server_metrics(): the front end's scoreboard, or None."""
        query = self.query
        if not self.server_enabled or query is None:
            return None
        with self._replies:
            self._token = self._token % 0xFFFFFFFF + 1
            token = self._token
            self._pending[token] = _PENDING
        try:
            query(token)
            deadline = time.monotonic() + QUERY_TIMEOUT
            with self._replies:
                while self._pending.get(token) is _PENDING:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._replies.wait(left)
                value = self._pending.pop(token, _PENDING)
        finally:
            with self._replies:
                self._pending.pop(token, None)
        return None if value is _PENDING else value

    def cancel(self) -> None:
        """The channel closed: no answer will come; waiting calls return None."""
        self.query = None
        with self._replies:
            for token in self._pending:
                self._pending[token] = None
            self._replies.notify_all()

    def answer(self, payload: bytes) -> None:
        """METRICS from the front end (called by the reader thread)."""
        if len(payload) < 4:
            return
        token = int.from_bytes(payload[:4], "big")
        try:
            value = json.loads(payload[4:].decode("utf-8"))
        except ValueError:
            value = None
        with self._replies:
            if token in self._pending:
                self._pending[token] = value
                self._replies.notify_all()
