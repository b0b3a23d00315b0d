"""Per-process settings of a daemon group, applied by the worker to itself.

mod_wsgi counterpart: wsgi_daemon.c (4.9.4 mod_wsgi.c) wsgi_start_process
(setpriority for cpu-priority, setrlimit for cpu-time-limit / memory-limit /
virtual-memory-limit, the SIGXCPU handler), wsgi_setup_access (setgid,
setgroups for supplementary-groups else initgroups, setuid, umask) and
apr_threadattr_stacksize_set for stack-size.

The front end (src/wsgi/daemon/spawn-config.ts) sends them as the
``process`` field of the argv JSON::

    {"umask": int|null, "cpuPriority": int, "cpuTimeLimit": int,
     "memoryLimit": int, "virtualMemoryLimit": int, "stackSize": int,
     "privileges": {"user": str, "uid": int, "gid": int,
                    "groups": [int]|null} | null}

``privileges`` is set only when the worker starts as root and must become
another account: it then does what mod_wsgi's forked daemon does, in the
same order. A failed user switch is fatal (LimitError → exit 3); a limit
that cannot be set is logged and the process runs without it, as mod_wsgi.
"""

from __future__ import annotations

import os
import resource
import signal
import threading
from typing import Any, Callable, Dict, List, Optional, cast

# The host functions used, replaceable by tests (a module or any object).
Ops = Any


class LimitError(Exception):
    """The user switch failed: the worker must not run (exit BOOT_ERROR)."""


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)


def switch_user(priv: Dict[str, Any], ops: Ops = os) -> None:
    """wsgi_setup_access as root: setgid, setgroups/initgroups, setuid."""
    user = str(priv["user"])
    uid = int(priv["uid"])
    gid = int(priv["gid"])
    groups = cast(Optional[List[int]], priv.get("groups"))
    if ops.geteuid() != 0:
        return  # mod_wsgi: no switch unless root
    try:
        ops.setgid(gid)
    except OSError as exc:
        raise LimitError("Unable to set group id to gid=%d: %s"
                         % (gid, _why(exc))) from None
    if groups is not None:
        try:
            ops.setgroups(groups)
        except OSError as exc:
            raise LimitError(
                "Unable to set supplementary groups for uname=%s of '%s': %s"
                % (user, ",".join(str(g) for g in groups), _why(exc))) from None
    else:
        try:
            ops.initgroups(user, gid)
        except OSError as exc:
            raise LimitError("Unable to set groups for uname=%s and gid=%d: %s"
                             % (user, gid, _why(exc))) from None
    if uid != ops.getuid() or uid != ops.geteuid():
        try:
            ops.setuid(uid)
        except OSError as exc:
            raise LimitError("Unable to change to uid=%d: %s"
                             % (uid, _why(exc))) from None


def set_rlimits(settings: Dict[str, Any], group: str, shutdown_timeout: float,
                warn: Callable[[str], None],
                setrlimit: Callable[[int, Any], None] = resource.setrlimit
                ) -> None:
    """cpu-time-limit, memory-limit, virtual-memory-limit (0 = leave alone)."""
    cpu = int(settings.get("cpuTimeLimit", 0))
    if cpu > 0:
        # mod_wsgi: the hard limit leaves room for the graceful shutdown.
        hard = cpu + 1 + int(shutdown_timeout)
        try:
            setrlimit(resource.RLIMIT_CPU, (cpu, hard))
        except (OSError, ValueError) as exc:
            warn("Couldn't set CPU time limit of %d seconds for process "
                 "'%s': %s" % (cpu, group, _why(exc)))
    for key, what, res in (("memoryLimit", "memory", resource.RLIMIT_DATA),
                           ("virtualMemoryLimit", "virtual memory",
                            resource.RLIMIT_AS)):
        n = int(settings.get(key, 0))
        if n > 0:
            try:
                setrlimit(res, (n, n))
            except (OSError, ValueError) as exc:
                warn("Couldn't set %s limit of %d for process '%s': %s"
                     % (what, n, group, _why(exc)))


def apply(settings: Dict[str, Any], group: str, shutdown_timeout: float,
          warn: Callable[[str], None], ops: Ops = os) -> None:
    """Everything but SIGXCPU, in mod_wsgi's order; raises LimitError."""
    prio = int(settings.get("cpuPriority", 0))
    if prio != 0:
        # Before the user switch: only root may raise the priority.
        try:
            ops.setpriority(ops.PRIO_PROCESS, 0, prio)
        except OSError as exc:
            warn("Couldn't set CPU priority of %d for process '%s': %s"
                 % (prio, group, _why(exc)))
    priv = settings.get("privileges")
    if isinstance(priv, dict):
        switch_user(cast(Dict[str, Any], priv), ops)
    mask = settings.get("umask")
    if isinstance(mask, int) and not isinstance(mask, bool):
        ops.umask(mask)
    set_rlimits(settings, group, shutdown_timeout, warn)
    stack = int(settings.get("stackSize", 0))
    if stack > 0:
        try:
            threading.stack_size(stack)
        except (ValueError, RuntimeError) as exc:
            warn("Couldn't set thread stack size of %d for process '%s': %s"
                 % (stack, group, _why(exc)))


class CpuLimitWatch:
    """SIGXCPU → graceful restart (mod_wsgi's 'C' on the signal pipe).

    SIGXCPU is blocked in the main thread before any other thread exists
    (so every later thread inherits the mask) and taken by one thread in
    sigwait(): a request thread burning CPU cannot miss it, and the kernel's
    default action (kill with a core dump) never runs. Before a stop
    callback is attached (still preloading) the process leaves at once.
    """

    def __init__(self, seconds: int, group: str,
                 log: Callable[[str], None]) -> None:
        self.seconds = seconds
        self.group = group
        self._log = log
        self._stop: Optional[Callable[[], None]] = None
        self._lock = threading.Lock()
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGXCPU})
        t = threading.Thread(target=self._wait, name="tswsgi-cpu-limit",
                             daemon=True)
        t.start()

    def attach(self, stop: Callable[[], None],
               log: Callable[[str], None]) -> None:
        """The worker is serving: SIGXCPU now drains it instead."""
        with self._lock:
            self._stop = stop
            self._log = log

    def _wait(self) -> None:
        signal.sigwait({signal.SIGXCPU})
        with self._lock:
            stop, log = self._stop, self._log
        if stop is None:
            log("Exceeded CPU time limit of %d seconds (cpu-time-limit), "
                "triggering immediate shutdown of daemon process '%s'."
                % (self.seconds, self.group))
            os._exit(0)
        log("Exceeded CPU time limit of %d seconds (cpu-time-limit), "
            "waiting for requests to complete in daemon process '%s'; "
            "it will be replaced." % (self.seconds, self.group))
        stop()
