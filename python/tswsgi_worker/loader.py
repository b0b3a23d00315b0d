"""WSGI script loading and reloading.

mod_wsgi counterpart: src/server/wsgi_interp.c (wsgi_module_name,
wsgi_load_source, wsgi_reload_required) and wsgi_execute.c. A script runs as a
module named ``_mod_wsgi_`` + md5(absolute path) in sys.modules, with
``__file__`` and ``__mtime__`` set; it is loaded once per process; a failed
exec is not cached, so the next request retries. With script reloading on,
any mtime difference (older too) re-executes the script in place of the old
module. One interpreter per process here, so the application group is the
process (the front end keeps groups in separate processes).
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
import types
from typing import Any, Dict, Optional, Tuple

_lock = threading.RLock()
# Scripts whose exec finished. sys.modules holds a script's module from the start of its
# exec (as mod_wsgi does), so the unlocked fast path must not look there: another thread
# would see a half-executed module without its `application` yet and answer 404.
_loaded: Dict[str, types.ModuleType] = {}
# SCRIPT_FILENAME as sent → (absolute path, module name).
_names: Dict[str, Tuple[str, str]] = {}
# Module name → the loaded file's mtime in whole ms (the front end's hint has this form).
_loaded_ms: Dict[str, int] = {}


class ScriptNotFound(Exception):
    """The script file cannot be stat'ed (mod_wsgi answers 404 too)."""


def module_name(path: str) -> str:
    """``_mod_wsgi_<md5 hex of the absolute path, UTF-8>``."""
    digest = hashlib.md5(path.encode("utf-8", "surrogateescape")).hexdigest()
    return "_mod_wsgi_" + digest


def _mtime(path: str) -> Tuple[float, int]:
    """(st_mtime, mtime in whole ms) of ``path``."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise ScriptNotFound(
            "Target WSGI script not found or unable to stat: %s" % path
        ) from exc
    return st.st_mtime, st.st_mtime_ns // 1000000


def _exec(path: str, name: str, mtime: Tuple[float, int]) -> types.ModuleType:
    with open(path, "rb") as f:
        source = f.read()
    module = types.ModuleType(name)
    module.__file__ = path
    module.__mtime__ = mtime[0]  # type: ignore[attr-defined]
    sys.modules[name] = module
    try:
        code = compile(source, path, "exec", dont_inherit=True)
        exec(code, module.__dict__)
    except BaseException:
        # Not cached: the next request tries again (mod_wsgi behaviour).
        if sys.modules.get(name) is module:
            del sys.modules[name]
        raise
    _loaded[name] = module
    _loaded_ms[name] = mtime[1]
    return module


def load_script(path: str, reloading: bool = False,
                mtime_ms: Optional[int] = None) -> types.ModuleType:
    """The module for ``path``, executing (or re-executing) it if needed.

    ``mtime_ms`` is the mtime the front end saw when it stat'ed the script for
    this request (whole ms); when it equals the loaded file's, the module is
    current without a stat here. A stat releases the GIL, and with many
    threads that hand-off cost more than the syscall: ~15 µs per request.
    Raises ScriptNotFound, or whatever the script itself raised.
    """
    key = _names.get(path)
    if key is None:
        # abspath + md5 once per distinct SCRIPT_FILENAME, not once per request.
        abspath = os.path.abspath(path)
        key = _names[path] = (abspath, module_name(abspath))
    path, name = key
    module = _loaded.get(name)
    if module is not None:
        if not reloading:
            return module
        if mtime_ms is not None and _loaded_ms.get(name) == mtime_ms:
            return module
        # Reloading: the common case is an unchanged file. Compare without the lock (the
        # stat releases the GIL); every request of every thread used to serialise here.
        try:
            if os.stat(path).st_mtime == getattr(module, "__mtime__", None):
                return module
        except OSError:
            pass  # the locked path raises ScriptNotFound
    with _lock:
        module = _loaded.get(name)
        if module is not None and not reloading:
            return module
        mtime = _mtime(path)
        if module is not None:
            if getattr(module, "__mtime__", None) == mtime[0]:
                _loaded_ms[name] = mtime[1]
                return module
            del _loaded[name]
            if sys.modules.get(name) is module:
                del sys.modules[name]
        return _exec(path, name, mtime)


def reload_script(path: str) -> types.ModuleType:
    """Execute ``path`` again whatever its mtime (a handler script's
    ``reload_required(resource)`` said so)."""
    abspath = os.path.abspath(path)
    name = module_name(abspath)
    with _lock:
        old = _loaded.pop(name, None)
        if old is not None and sys.modules.get(name) is old:
            del sys.modules[name]
        return _exec(abspath, name, _mtime(abspath))


def find_application(module: types.ModuleType, callable_name: str) -> Optional[Any]:
    """The WSGI callable, or None when the script does not define it."""
    return getattr(module, callable_name, None)


def missing_application_message(path: str, callable_name: str) -> str:
    """mod_wsgi's WSGI0089 text."""
    return ("Target WSGI script '%s' does not contain WSGI application '%s'."
            % (path, callable_name))
