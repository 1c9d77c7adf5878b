"""Downloading dataset files: SHA-256 checked, validated, written atomically, all or nothing.

Each file is streamed into a temporary file in the destination folder (flushed and fsynced),
its SHA-256 compared with the expected one, then the whole set is checked by the caller's
`validate` (e.g. parse the IDX files and compare counts), and only then moved into place with
`os.replace`. On any failure the temporary files are deleted: the cache never holds a partial
or wrong file.
"""

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

_CHUNK = 1 << 20
TIMEOUT_SECONDS = 30


class DownloadError(OSError):
    """No mirror could be reached (network down, host unknown, HTTP error)."""


def fetch_files(files, folder, mirrors, validate):
    """Download `files` ({name: sha256 hex}) from the first mirror that answers into `folder`.

    mirrors: base URLs; a file's URL is base + name. validate(paths, sources): gets the
    temporary paths and their URLs in `files` order, raises ValueError on bad content, and its
    return value is returned. Raises DownloadError when no mirror answers, ValueError on a
    checksum mismatch or invalid content (naming the URL and the problem).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    temps, sources = [], []
    try:
        for name, sha256 in files.items():
            path, url = _download_checked(name, sha256, folder, mirrors)
            temps.append(path)
            sources.append(url)
        result = validate(temps, sources)
        for path, name in zip(temps, files):
            os.replace(path, folder / name)
        temps = []
        return result
    finally:
        for path in temps:
            path.unlink(missing_ok=True)


def _download_checked(name, sha256, folder, mirrors):
    """(temporary path, URL) of `name` fetched from the first mirror that answers."""
    failures = []
    for base in mirrors:
        url = base.rstrip("/") + "/" + name
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
        tmp = Path(tmp)
        try:
            digest = _stream(url, fd)
        except (urllib.error.URLError, OSError) as e:
            tmp.unlink(missing_ok=True)
            failures.append(f"{url}: {getattr(e, 'reason', e)}")
            continue
        if digest != sha256:
            tmp.unlink()
            raise ValueError(
                f"download: wrong checksum for {url}: expected SHA-256 {sha256}, got {digest} "
                "(file deleted; the mirror serves different bytes than the official file)"
            )
        return tmp, url
    raise DownloadError("could not download " + name + ":\n  " + "\n  ".join(failures))


def _stream(url, fd):
    """Write the body at `url` into the open file descriptor `fd`; return its SHA-256."""
    digest = hashlib.sha256()
    with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as r:
        while chunk := r.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest()
