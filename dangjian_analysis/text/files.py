"""Files on disk: what a path is, bytes to text, and outputs written by atomic replacement.

The ground floor that every reader and writer of the package uses, so that one rule lives
in one place:

- :func:`path_kind` says what a path is ("a regular file", "a FIFO (named pipe)", "a
  symbolic link loop", ...), so that a reader can refuse a device or a pipe by name
  instead of reading it forever or calling it missing;
- :func:`read_regular_file` reads a regular file's bytes and refuses anything else;
- :func:`decode_utf8` turns the bytes of a UTF-8 file into text (a byte order mark is
  dropped; UTF-16 and bytes that are not UTF-8 are refused with the line and offset);
- :func:`check_output` is the rule for an output path: a new path, or a regular file
  (replaced only when asked); never a folder, a device, a FIFO, a socket or a symbolic
  link, whose target would be replaced or written through;
- :func:`atomic_write_bytes`, :func:`atomic_write_text` and :func:`atomic_output` write an
  output through a temporary file in the same folder, moved into place at the end, so a
  reader never sees half a file and an interruption leaves the old file as it was.

Errors are :class:`OSError` subclasses (:class:`NotRegularFileError`) or
:class:`TextDecodeError`, which carries what was expected and what was found so that
each layer can report it in its own form.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "NotRegularFileError",
    "TextDecodeError",
    "atomic_output",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_output",
    "decode_utf8",
    "path_kind",
    "read_regular_file",
    "utf16_mark",
]

UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class NotRegularFileError(OSError):
    """A path that is there but is not a regular file (a device, a FIFO, a link loop...)."""


class TextDecodeError(ValueError):
    """Bytes that are not UTF-8 text: what was expected, what was found, and where.

    Attributes:
        expected: ``"UTF-8 text"``.
        found: what the bytes are (``"UTF-16 (byte order mark FF FE); save the file as
            UTF-8"``, ``"byte 0xD6 at offset 12, which is not UTF-8 ..."``).
        line: the 1-based line of the first bad byte, or ``None``.
        offset: the byte offset of the first bad byte, or ``None``.

    """

    def __init__(self, found: str, *, line: int | None = None, offset: int | None = None):
        """Record what was found and where."""
        super().__init__(f"expected UTF-8 text, found {found}")
        self.expected = "UTF-8 text"
        self.found = found
        self.line = line
        self.offset = offset


def path_kind(path: str | Path) -> str:
    """Say what is at ``path``, without following it into a read.

    Returns one of ``"no such file"``, ``"a regular file"``, ``"a folder"``, ``"a
    character device"``, ``"a block device"``, ``"a FIFO (named pipe)"``, ``"a socket"``,
    ``"a symbolic link loop"``, ``"a broken symbolic link"``, or ``"unreadable: <reason>"``.
    A symbolic link is described by what it points to (a link to a FIFO is "a FIFO").
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "a broken symbolic link" if os.path.islink(path) else "no such file"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symbolic link loop"
        return f"unreadable: {exc.strerror or type(exc).__name__}"
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_regular_file(path: str | Path) -> bytes:
    """Return the bytes of the regular file at ``path``.

    The file is opened without blocking and checked to be a regular file before a byte
    is read, so a FIFO, ``/dev/zero`` or ``/dev/urandom`` is refused instead of read
    forever.

    Raises:
        FileNotFoundError: nothing is there (or a broken symbolic link).
        IsADirectoryError: a folder.
        NotRegularFileError: a device, a FIFO, a socket or a symbolic link loop; the
            message is what :func:`path_kind` says.
        OSError: the file cannot be read (permissions, I/O error).

    """
    kind = path_kind(path)
    if kind == "no such file" or kind == "a broken symbolic link":
        raise FileNotFoundError(errno.ENOENT, kind, str(path))
    if kind == "a folder":
        raise IsADirectoryError(errno.EISDIR, kind, str(path))
    if kind.startswith("unreadable: "):
        raise PermissionError(errno.EACCES, kind.removeprefix("unreadable: "), str(path))
    if kind != "a regular file":
        raise NotRegularFileError(errno.EINVAL, kind, str(path))
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped since the check
            raise NotRegularFileError(errno.EINVAL, "not a regular file", str(path))
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    finally:
        os.close(fd)


def utf16_mark(data: bytes) -> str | None:
    """Return the UTF-16 byte order mark ``data`` starts with (``"FF FE"``), or ``None``."""
    if data.startswith(_UTF16_BOMS):
        return " ".join(f"{b:02X}" for b in data[:2])
    return None


def decode_utf8(data: bytes) -> str:
    """Return the text of UTF-8 bytes; a leading byte order mark is dropped.

    Raises:
        TextDecodeError: the bytes are UTF-16 (by their byte order mark) or hold a byte
            that is not UTF-8; ``line`` and ``offset`` say where.

    """
    mark = utf16_mark(data)
    if mark is not None:
        raise TextDecodeError(f"UTF-16 (byte order mark {mark}); save the file as UTF-8")
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TextDecodeError(
            f"byte 0x{data[exc.start]:02X} at offset {exc.start}, which is not UTF-8 "
            "(GB18030 or Big5?); save the file as UTF-8",
            line=line,
            offset=exc.start,
        ) from None


# ---- outputs ------------------------------------------------------------------------------


def check_output(path: str | Path, *, overwrite: bool, folder: bool = False) -> Path:
    """Check that ``path`` may be written as an output file; return it as a :class:`Path`.

    A new path is fine; a regular file is replaced only with ``overwrite``. Anything else
    is refused, whatever ``overwrite`` says: replacing a device (``/dev/null``), a FIFO, a
    socket or the file behind a symbolic link would break something that is not an output.
    ``folder``: the output is a folder (of Parquet files), so an existing folder is
    replaced (with ``overwrite``) like a file.

    Raises:
        IsADirectoryError: ``path`` is a folder.
        NotRegularFileError: ``path`` is a symbolic link, a device, a FIFO or a socket.
        FileExistsError: ``path`` is a regular file and ``overwrite`` is false.

    """
    path = Path(path)
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return path
    if stat.S_ISLNK(mode):
        raise NotRegularFileError(
            f"{path} is a symbolic link; give the path of a regular file or a new one "
            "(an output never replaces a link or writes through it)",
        )
    if stat.S_ISDIR(mode) and not folder:
        raise IsADirectoryError(f"{path} is a folder; give the name of a file in it")
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise NotRegularFileError(
            f"{path} is {path_kind(path)}, not a regular file; an output is only ever "
            "written to a regular file or a new path",
        )
    if not overwrite:
        raise FileExistsError(f"{path} exists; give --force to overwrite it")
    return path


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


@contextlib.contextmanager
def atomic_output(
    path: str | Path, *, overwrite: bool = True, folder: bool = False
) -> Iterator[Path]:
    """Yield a temporary path in ``path``'s folder; move it to ``path`` when the block ends.

    ``folder``: the output is a folder (of Parquet files): the yielded path is an empty
    folder, made here, and it replaces ``path`` (an existing folder or file, only with
    ``overwrite``) by two renames, the old one deleted only once the new one is in place.

    Write the output to the yielded path. When the block ends without an exception the
    file is flushed to disk and moved into place in one step; on an exception (Ctrl-C
    included) it is deleted and ``path`` is left as it was. The rule of
    :func:`check_output` is applied before the block and again at the move, so a file
    that appeared meanwhile is not replaced without ``overwrite``, and a device, FIFO or
    symbolic link never is.

    Raises:
        IsADirectoryError, NotRegularFileError, FileExistsError: see :func:`check_output`.

    """
    path = check_output(path, overwrite=overwrite, folder=folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary(path)
    if folder:
        tmp.mkdir()
        try:
            yield tmp
            _publish_folder(tmp, path, overwrite=overwrite)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    try:
        yield tmp
        if tmp.exists():
            with tmp.open("rb") as fh:
                os.fsync(fh.fileno())
        else:
            tmp.touch()
        _publish(tmp, path, overwrite=overwrite)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _publish(tmp: Path, path: Path, *, overwrite: bool) -> None:
    check_output(path, overwrite=overwrite)
    if overwrite:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)  # fails if path exists, atomically
    except FileExistsError:
        raise FileExistsError(
            f"{path} was created meanwhile; give --force to overwrite it"
        ) from None
    except OSError:  # no hard links on this file system: check, then move
        if os.path.lexists(path):
            raise FileExistsError(
                f"{path} was created meanwhile; give --force to overwrite it"
            ) from None
        os.replace(tmp, path)


def _publish_folder(tmp: Path, path: Path, *, overwrite: bool) -> None:
    """Move the finished folder ``tmp`` to ``path``, setting aside what is there."""
    check_output(path, overwrite=overwrite, folder=True)
    if os.path.lexists(path) and not overwrite:  # pragma: no cover (check_output refuses)
        raise FileExistsError(f"{path} was created meanwhile; give --force to overwrite it")
    old = None
    if os.path.lexists(path):
        old = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.old")
        os.replace(path, old)
    try:
        os.rename(tmp, path)
    except OSError:
        if old is not None:
            os.replace(old, path)
        raise
    if old is not None:
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                old.unlink()


def atomic_write_bytes(path: str | Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` by atomic replacement (see :func:`atomic_output`)."""
    with atomic_output(path, overwrite=overwrite) as tmp, tmp.open("xb") as fh:
        fh.write(data)


def atomic_write_text(
    path: str | Path, text: str, encoding: str = "utf-8", *, overwrite: bool = True
) -> None:
    """Write ``text`` to ``path`` in ``encoding`` by atomic replacement (no newline translation)."""
    atomic_write_bytes(path, text.encode(encoding), overwrite=overwrite)
