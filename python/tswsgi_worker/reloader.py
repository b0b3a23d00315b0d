"""Restart the worker when a source file of a loaded module changes.

mod_wsgi counterpart: src/express/reloader.py (mod_wsgi-express
--reload-on-changes). A daemon thread stats, every ``interval`` seconds, the
``__file__`` of every module in sys.modules (WSGI scripts are there too, as
``_mod_wsgi_*`` modules) and remembers each mtime at first sight. Any
difference, older included, counts as a change; so does a tracked file that
is no longer a regular file. A path that was never a file (zip members,
frozen modules) is ignored. On the first change the thread calls
``on_change(path)`` once and stops; the worker then shuts down gracefully
and the supervisor starts a fresh process.
"""

from __future__ import annotations

import os
import stat
import sys
import threading
from typing import Callable, Dict, Iterable, List, Optional

_COMPILED = (".pyc", ".pyo")


def module_files() -> List[str]:
    """The source paths of every module in sys.modules right now."""
    paths: List[str] = []
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if not path or not isinstance(path, str):
            continue
        if path.endswith(_COMPILED):
            path = path[:-1]
        paths.append(path)
    return paths


class Reloader:
    """Polls file mtimes; ``scan()`` is one pass, ``start()`` the thread."""

    def __init__(self, on_change: Callable[[str], None], interval: float = 1.0,
                 files: Callable[[], Iterable[str]] = module_files) -> None:
        self.on_change = on_change
        self.interval = interval
        self._files = files
        self._mtimes: Dict[str, float] = {}
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def _changed(self, path: str) -> bool:
        try:
            st = os.stat(path)
        except OSError:
            return path in self._mtimes  # tracked, now gone
        if not stat.S_ISREG(st.st_mode):
            return path in self._mtimes
        seen = self._mtimes.setdefault(path, st.st_mtime)
        return seen != st.st_mtime

    def scan(self) -> Optional[str]:
        """Stat everything once; the first changed path, or None."""
        for path in self._files():
            if self._changed(path):
                return path
        return None

    def start(self) -> None:
        """Record the current mtimes now (so a change right after boot is
        seen), then poll in a daemon thread."""
        changed = self.scan()
        self._thread = threading.Thread(target=self._run, args=(changed,),
                                        name="tswsgi-reloader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self, changed: Optional[str]) -> None:
        while changed is None:
            if self._stop.wait(self.interval):
                return
            changed = self.scan()
        self.on_change(changed)
