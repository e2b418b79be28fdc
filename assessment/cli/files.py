"""Writing files at the edge of the command line: whole or not at all.

The library returns bytes; every `wmm` command that writes a file hands them to `write_atomically`
(or, to stream into a file, `atomic_file`), so an error or an interruption never leaves a half-written
file, and a file that was there before stays as it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import click


class FileWriteError(click.ClickException):
    """A file could not be written (exit 1): the message names the file and the reason."""

    exit_code = 1


def write_atomically(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Write ``data`` to ``path`` whole, or leave ``path`` as it was.

    The bytes go to a temporary file in the same folder, are flushed to disk (``fsync``) and the
    temporary file then takes the place of ``path`` in one step (``os.replace``; with
    ``exclusive``, ``os.link``, which refuses an existing ``path``).

    Raises
    ------
    FileWriteError
        When the folder is missing or not writable, the disk is full, or (``exclusive``) ``path``
        exists; nothing is left behind.
    """
    with atomic_file(path, exclusive=exclusive) as handle:
        handle.write(data)


@contextlib.contextmanager
def atomic_file(path: Path, *, exclusive: bool = False) -> Iterator[BinaryIO]:
    """A binary file handle whose bytes become ``path`` when the block ends without an error.

    The temporary file is created when the block starts, so a folder that cannot be written to
    fails before any other work is done. If the block raises, the temporary file is removed and
    ``path`` is untouched. ``exclusive``: refuse (before the block runs, and again at the end) to
    replace an existing ``path``, e.g. a file holding the only copy of something.

    Raises
    ------
    FileWriteError
        As `write_atomically`.
    """
    path = Path(path)
    if exclusive and path.exists():
        raise FileWriteError(f"{path} exists and is kept as it is; choose a new file name")
    try:
        descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise FileWriteError(_cannot_write(path, exc)) from None
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain write would have.
        os.chmod(temporary, _mode_for(path))
        if exclusive:
            os.link(temporary, path)  # refuses a path that appeared meanwhile
        else:
            os.replace(temporary, path)
    except FileExistsError:
        raise FileWriteError(
            f"{path} exists and is kept as it is; choose a new file name"
        ) from None
    except OSError as exc:
        raise FileWriteError(_cannot_write(path, exc)) from None
    finally:
        temporary.unlink(missing_ok=True)
    _sync_folder(path.parent)


def _mode_for(path: Path) -> int:
    """The permission bits of the file being replaced, else those the umask gives a new file."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _cannot_write(path: Path, exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    return f"cannot write {path}: {reason}; nothing was written"


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it (POSIX: fsync the folder)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems refuse to sync a folder; the data itself is already on disk
    finally:
        os.close(descriptor)
