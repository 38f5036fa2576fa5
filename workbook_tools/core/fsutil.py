"""Files in and out, safely: inputs are opened only when they are regular files, and every write goes to a
temporary file in the target folder that is renamed into place (a failure leaves the original and no partial
output).

Temporary files and folders carry the writing process's id (``.name.wbt1234-x8k2.tmp``), so whoever
outlives a killed worker (the batch, after a time limit or an interrupt) can remove exactly what the dead
process left, and nothing of a process still running (:func:`sweep_orphans`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import tempfile

from .errors import WorkbookToolsError

#: Longest file name (bytes) most file systems accept (ext4, NTFS, APFS: 255).
NAME_MAX = 255
#: Marker of this project's temporary files and folders, followed by the owner's pid.
TEMP_TAG = ".wbt"
_TEMP = re.compile(re.escape(TEMP_TAG) + r"(\d+)-")


class _Saveable(Protocol):
    def save(self, filename: str) -> None: ...


class NotARegularFile(WorkbookToolsError, OSError):
    """An input path that is a FIFO, a device, a folder, a socket or a symlink loop: never opened.

    Also an OSError (EINVAL, naming the path), so a handler of failures of the environment reports it too.
    """

    code = "file-special"

    def __init__(self, path: str | Path, kind_zh: str, kind_en: str) -> None:
        super().__init__(f"{path}：这是{kind_zh}，不是普通文件，未打开", f"{path}: {kind_en}, not a regular file; not opened")
        self.errno, self.strerror, self.filename = errno.EINVAL, kind_en, str(path)
        self.kind_zh = kind_zh
        self.kind_en = kind_en

    def __str__(self) -> str:
        return self.message_zh


def file_kind(path: str | Path) -> tuple[str, str] | None:
    """What a path is when it is not a regular file (Chinese, English), None for a regular file.

    ``stat`` follows symlinks, so a link to a workbook is a workbook, a link to ``/dev/zero`` is a device and a
    symlink loop is named as such; nothing here opens the path (opening a FIFO blocks until a writer comes).
    """
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "符号链接循环（链接指向自身）", "a symlink loop"
        if isinstance(exc, FileNotFoundError):
            if os.path.islink(path):
                return "失效的符号链接（指向的文件不存在）", "a dangling symlink"
            return "文件不存在", "no such file"
        return f"无法访问（{exc.strerror or exc}）", f"not accessible ({exc.strerror or exc})"
    mode = st.st_mode
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "文件夹", "a folder"
    if stat.S_ISFIFO(mode):
        return "命名管道（FIFO）", "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件", "a device file"
    if stat.S_ISSOCK(mode):
        return "套接字", "a socket"
    return "特殊文件", "a special file"


def require_regular(path: str | Path) -> None:
    """Raise :class:`NotARegularFile` unless ``path`` is (a link to) a regular file."""
    kind = file_kind(path)
    if kind is not None:
        raise NotARegularFile(path, *kind)


def open_regular(path: str | Path) -> int:
    """A read-only descriptor of a regular file, opened with O_NONBLOCK (a FIFO swapped in after the check
    cannot block) and checked again on the descriptor itself."""
    require_regular(path)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise NotARegularFile(path, "特殊文件", "a special file")
    return fd


# -- names ----------------------------------------------------------------------------------------


def fits(name: str, limit: int = NAME_MAX) -> str:
    """``name`` shortened, if its UTF-8 bytes exceed ``limit``, to a prefix plus a hash of the whole name, the
    extension kept: distinct long names stay distinct, and every derived name (``.bak``, temp) still fits."""
    raw = os.fsencode(name)
    if len(raw) <= limit:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or len(os.fsencode(ext)) > 16:
        stem, ext = name, ""
    import hashlib  # here: OpenSSL's module costs the validate command 2-3 ms to import, for a rare long name

    digest = hashlib.sha256(raw).hexdigest()[:10]
    tail = f"~{digest}" + (f".{ext}" if ext else "")
    budget = limit - len(tail.encode())
    cut = os.fsencode(stem)[:budget].decode("utf-8", "ignore")
    return cut.rstrip(" .") + tail


def _temp_prefix(label: str) -> str:
    return f".{fits(label, 60)}{TEMP_TAG}{os.getpid()}-"


def temp_dir(label: str, dir: str | Path | None = None) -> tempfile.TemporaryDirectory[str]:
    """A temporary folder tagged with this process's id (see :func:`sweep_orphans`)."""
    import tempfile

    return tempfile.TemporaryDirectory(prefix=_temp_prefix(label), dir=dir, ignore_cleanup_errors=True)


# -- modes ----------------------------------------------------------------------------------------


def current_umask() -> int:
    """The process umask (read from /proc where possible, else set-and-restore)."""
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mode_for(dest: Path) -> int:
    """An existing file keeps its permission bits; a new one gets what ``open()`` would give it (0666 & ~umask)."""
    try:
        return stat.S_IMODE(os.stat(dest).st_mode)
    except OSError:
        return 0o666 & ~current_umask()


# -- atomic writes ----------------------------------------------------------------------------------


@contextlib.contextmanager
def atomic_path(dest: str | Path, mode: int | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``dest``; on success it replaces ``dest`` atomically, on error it vanishes.

    ``dest`` may be a symlink: the link's target is replaced, the link stays. The result keeps the
    permissions of the file it replaces, or gets the umask's for a new file (mkstemp alone would give 0600),
    or ``mode`` when given.
    """
    dest = Path(dest)
    if dest.is_symlink():
        dest = Path(os.path.realpath(dest))
    if dest.is_dir():
        raise IsADirectoryError(errno.EISDIR, "是一个文件夹 / is a directory", str(dest))
    dest.parent.mkdir(parents=True, exist_ok=True)
    import tempfile  # here, as shutil below: validate writes nothing, and these imports cost it ~4 ms

    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(dest.name), suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with contextlib.suppress(OSError):
            os.chmod(tmp_path, _mode_for(dest) if mode is None else mode)
        os.replace(tmp_path, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()


def atomic_save(book: _Saveable, dest: str | Path) -> Path:
    """Save an openpyxl workbook (or anything with ``save(filename)``) atomically."""
    with atomic_path(dest) as tmp:
        book.save(str(tmp))
    return Path(dest)


def atomic_write_bytes(dest: str | Path, data: bytes) -> Path:
    with atomic_path(dest) as tmp:
        tmp.write_bytes(data)
    return Path(dest)


def atomic_write_text(dest: str | Path, text: str) -> Path:
    return atomic_write_bytes(dest, text.encode("utf-8"))


def atomic_copy(src: str | Path, dest: str | Path) -> Path:
    """Copy ``src`` to ``dest`` atomically, keeping ``src``'s permission bits."""
    import shutil

    with atomic_path(dest, mode=stat.S_IMODE(os.stat(src).st_mode)) as tmp:
        shutil.copyfile(src, tmp)
    return Path(dest)


def free_backup_name(path: str | Path) -> Path:
    """``x.xlsx.bak``, or ``x.xlsx.bak.1``, ``.bak.2`` … when earlier backups exist: a backup is never replaced."""
    path = Path(path)
    bak = path.with_name(fits(path.name + ".bak"))
    n = 1
    while bak.exists() or bak.is_symlink():
        bak = path.with_name(fits(f"{path.name}.bak.{n}"))
        n += 1
    return bak


# -- orphans ------------------------------------------------------------------------------------------


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            if fh.read().rsplit(")", 1)[-1].split()[0] in ("Z", "X"):
                return False  # killed, not yet reaped
    return True


def sweep_orphans(folders: Iterable[str | Path], recursive: bool = True) -> list[Path]:
    """Remove temporary files and folders of this project whose owner process is dead (a worker killed at its
    time limit or by an interrupt cannot clean up after itself); returns what was removed."""
    import shutil

    removed: list[Path] = []
    for folder in folders:
        root = Path(folder)
        if not root.is_dir():
            continue
        walker = os.walk(root) if recursive else [(str(root), [e.name for e in os.scandir(root) if e.is_dir()],
                                                     [e.name for e in os.scandir(root) if not e.is_dir()])]
        for dirpath, dirnames, filenames in walker:
            for name in [*dirnames, *filenames]:
                m = _TEMP.search(name)
                if not m or not name.startswith(".") or _alive(int(m.group(1))):
                    continue
                p = Path(dirpath) / name
                if p.is_dir() and not p.is_symlink():
                    shutil.rmtree(p, ignore_errors=True)
                    if name in dirnames:
                        dirnames.remove(name)
                else:
                    with contextlib.suppress(OSError):
                        p.unlink()
                removed.append(p)
    return removed


def leftover_temp(folders: Iterable[str | Path]) -> list[Path]:
    """Every temporary file or folder of this project under ``folders`` (tests assert there is none)."""
    out: list[Path] = []
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            out += [Path(dirpath) / n for n in [*dirnames, *filenames] if n.startswith(".") and _TEMP.search(n)]
    return out


def describe_os_error(exc: OSError, lang: str = "zh") -> str:
    """One line for a failure of the environment (read-only folder, full disk, a folder where a file goes)."""
    where = exc.filename if exc.filename is not None else ""
    where = str(where)
    reasons = {
        errno.EACCES: ("没有写入权限", "permission denied"),
        errno.EPERM: ("没有权限", "operation not permitted"),
        errno.EROFS: ("所在磁盘是只读的", "read-only file system"),
        errno.ENOSPC: ("磁盘空间已满", "no space left on the disk"),
        errno.EDQUOT: ("超出磁盘配额", "disk quota exceeded"),
        errno.EISDIR: ("这是一个文件夹，不能作为输出文件", "is a directory, not a file"),
        errno.ENOTDIR: ("路径中有一段不是文件夹", "a part of the path is not a directory"),
        errno.ENAMETOOLONG: ("文件名太长", "file name too long"),
        errno.ENOENT: ("路径不存在", "no such file or directory"),
    }
    zh, en = reasons.get(exc.errno or 0, (exc.strerror or str(exc), exc.strerror or str(exc)))
    if lang == "en":
        return f"{where}: cannot write: {en}" if where else f"cannot write: {en}"
    return f"{where}：无法写出：{zh}" if where else f"无法写出：{zh}"


__all__ = ["atomic_path", "atomic_save", "atomic_write_bytes", "atomic_write_text", "atomic_copy", "free_backup_name",
           "fits", "file_kind", "require_regular", "open_regular", "NotARegularFile", "sweep_orphans",
           "leftover_temp", "temp_dir", "current_umask", "describe_os_error", "NAME_MAX", "TEMP_TAG"]
