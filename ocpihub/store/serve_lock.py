"""One serving hub process per SQLite file.

SQLite serves one hub process: two would each run a delivery worker over the same outbox with
no way to share it (claims across processes need PostgreSQL's row locks). ``serve`` therefore
holds an exclusive lock on ``<database>.serve-lock`` beside the file for as long as it runs. The
kernel releases the lock when the process ends in any way, SIGKILL included, so a restart after a
crash starts at once; the file itself stays and holds the pid of the last process that took it.
CLI commands (``platform add``, ``outbox list``, ...) do not take it: they may run beside the hub.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

__all__ = ["DatabaseInUse", "hold_serve_lock", "lock_path"]


class DatabaseInUse(Exception):
    """Another process serves this SQLite database."""

    def __init__(self, database: Path, pid: int | None) -> None:
        super().__init__(f"{database} is served by process {pid}")
        self.database = database
        self.pid = pid


def lock_path(database: Path) -> Path:
    """The lock file of a SQLite database file."""
    return database.with_name(f"{database.name}.serve-lock")


def hold_serve_lock(database: Path) -> int:
    """Take the serve lock of ``database`` for the rest of this process's life; the open file
    descriptor that holds it (closing it releases the lock). Raises :class:`DatabaseInUse`."""
    fd = os.open(lock_path(database), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        text = os.pread(fd, 32, 0).decode(errors="replace").strip()
        os.close(fd)
        raise DatabaseInUse(database, int(text) if text.isdigit() else None) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd
