"""Content-addressed storage: every uploaded file is kept under its sha256, written once, never overwritten.

An upload is streamed to a temporary file in the same folder, hashed on the way, fsynced, then linked to
``blobs/ab/abcdef….xlsx``. ``os.link`` fails when the name exists, so two uploads of the same bytes at the same
moment end with one intact copy and neither overwrites the other. The uploaded file name never becomes part
of a path.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings


def data_dir() -> Path:
    return Path(settings.DATA_DIR)


def blob_path(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a sha256: {sha256!r}")
    return data_dir() / "blobs" / sha256[:2] / f"{sha256}.xlsx"


def store_chunks(chunks: Iterable[bytes]) -> tuple[str, int]:
    """Write the bytes once under their hash; returns (sha256, size). An existing blob is left as it is."""
    tmp_dir = data_dir() / "blobs" / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp = tempfile.mkstemp(dir=tmp_dir, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        sha = digest.hexdigest()
        dest = blob_path(sha)
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(tmp, dest)
        except FileExistsError:
            pass  # same content already stored: nothing to write, nothing overwritten
        else:
            os.chmod(dest, 0o440)
        return sha, size
    finally:
        os.unlink(tmp)


def store_file(path: Path) -> tuple[str, int]:
    def chunks() -> Iterable[bytes]:
        with open(path, "rb") as fh:
            while block := fh.read(1 << 20):
                yield block

    return store_chunks(chunks())


def derived_path(sha256: str, name: str) -> Path:
    """Where a file made from a blob (annotated, filled, report) is cached; depends only on the blob's content."""
    blob_path(sha256)  # validates the hash
    return data_dir() / "derived" / sha256[:2] / sha256 / name
