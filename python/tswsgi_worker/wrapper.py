"""``wsgi.file_wrapper`` (PEP 3333 "Optional Platform-Specific File Handling").

mod_wsgi counterpart: src/server/wsgi_stream.c (``mod_wsgi.FileWrapper``) and
Adapter_process_file in wsgi_adapter.c: a real file is sent from its current
offset, Content-Length defaults to the remaining size, a declared
Content-Length caps it; anything else is iterated with read(blksize).
"""

from __future__ import annotations

import os
import stat
from typing import Any, Iterator, Optional


class FileWrapper:
    """The object ``environ['wsgi.file_wrapper'](filelike, blksize)`` returns."""

    def __init__(self, filelike: Any, blksize: int = 8192) -> None:
        ok = isinstance(blksize, int)  # pyright: ignore[reportUnnecessaryIsInstance]
        if not ok or blksize <= 0:
            raise ValueError("blksize must be a positive integer")
        self.filelike = filelike
        self.blksize = blksize
        if hasattr(filelike, "close"):
            self.close = filelike.close

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        data = self.filelike.read(self.blksize)
        if data:
            return data
        raise StopIteration

    def file_remaining(self) -> Optional[int]:
        """Bytes from the current offset to the end, for a regular file.

        None when the object is not a real file (no usable fileno(), not a
        regular file, or no tell()), which means: just iterate it.
        """
        filelike = self.filelike
        try:
            fd = filelike.fileno()
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return None
            pos = filelike.tell()
        except Exception:
            return None
        if not isinstance(pos, int):
            return None
        return max(0, st.st_size - pos)
