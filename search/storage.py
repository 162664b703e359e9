"""On-disk layout of an index family: versioned directories, the CURRENT pointer,
the cross-process locks and the journal of writes made while a rebuild runs.

    base_dir/
        CURRENT            name of the live index directory
        index-<stamp>/     whoosh index directories (the live one, maybe one being built)
        write.lock         held by every writer and by the rebuild's final switch
        rebuild.lock       held for a whole rebuild, so rebuilds never overlap
        rebuild.journal    exists only while a rebuild runs
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh.util.filelock import FileLock, try_for

from .interface import IndexUnavailable

INDEX_DIR_PREFIX = "index-"
LOCK_POLL_SECONDS = 0.02


class IndexStorage:
    def __init__(self, base_dir: str | os.PathLike, lock_timeout: float) -> None:
        self.base_dir = Path(base_dir)
        self.lock_timeout = lock_timeout
        self._pointer = self.base_dir / "CURRENT"
        self._journal = self.base_dir / "rebuild.journal"

    def current_dir(self) -> Path:
        try:
            name = self._pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            raise IndexUnavailable(f"no index has been built in {self.base_dir}") from None
        return self.base_dir / name

    def new_index_dir(self) -> Path:
        stamp = time.strftime("%Y%m%dT%H%M%S")
        path = self.base_dir / f"{INDEX_DIR_PREFIX}{stamp}-{uuid.uuid4().hex[:8]}"
        path.mkdir(parents=True)
        return path

    def switch_to(self, index_dir: Path) -> None:
        """Atomically make `index_dir` the live index (readers see old or new, never neither)."""
        tmp = self._pointer.with_name(f"CURRENT.{uuid.uuid4().hex}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(index_dir.name)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self._pointer)

    def remove_index_dirs_except(self, keep: Path) -> None:
        for path in self.base_dir.glob(f"{INDEX_DIR_PREFIX}*"):
            if path.is_dir() and path.name != keep.name:
                shutil.rmtree(path, ignore_errors=True)

    def abandon_build(self, index_dir: Path) -> None:
        with self.write_lock():
            self.take_journal()
        shutil.rmtree(index_dir, ignore_errors=True)

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Serialises writers across processes and against the rebuild's switch.

        Taking the pointer lock before opening the index means a writer can never
        commit into a directory that a rebuild has just retired.
        """
        self.base_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.base_dir / "write.lock"))
        if not try_for(lock.acquire, timeout=self.lock_timeout, delay=LOCK_POLL_SECONDS):
            raise IndexUnavailable(f"timed out after {self.lock_timeout}s waiting for the write lock")
        try:
            yield
        finally:
            lock.release()

    @contextmanager
    def rebuild_lock(self, blocking: bool = True) -> Iterator[bool]:
        """Held for a whole rebuild; yields False (not blocking) if another rebuild holds it."""
        self.base_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.base_dir / "rebuild.lock"))
        if not lock.acquire(blocking=blocking):
            yield False
            return
        try:
            yield True
        finally:
            lock.release()

    # The journal methods must be called while holding the write lock.

    def start_journal(self) -> None:
        self._journal.write_text("", encoding="utf-8")

    def append_to_journal(self, changes: list[dict]) -> None:
        if not self._journal.exists():
            return
        with open(self._journal, "a", encoding="utf-8") as f:
            f.writelines(json.dumps(change) + "\n" for change in changes)

    def take_journal(self) -> list[dict]:
        """Return the journalled changes and stop journalling."""
        try:
            lines = self._journal.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        self._journal.unlink()
        return [json.loads(line) for line in lines]
