"""Downloading dataset files: SHA-256 checked, validated, written atomically, all or nothing.

Each file is streamed into a temporary file in the destination folder (flushed and fsynced),
its SHA-256 compared with the expected one, then the whole set is checked by the caller's
`validate` (e.g. parse the IDX files and compare counts), and only then moved into place with
`os.replace`. On any failure the temporary files are deleted: the cache never holds a partial
or wrong file.
"""

import hashlib
import http.client
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
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    temps, sources, done = [], [], False
    try:
        for name, sha256 in files.items():
            path, url = _download_checked(name, sha256, folder, mirrors)
            temps.append(path)
            sources.append(url)
        result = validate(temps, sources)
        for path, name in zip(temps, files):
            os.replace(path, folder / name)
        done = True
        return result
    finally:
        if not done:
            for path in temps:
                path.unlink(missing_ok=True)
            if created and not any(folder.iterdir()):
                folder.rmdir()


def _download_checked(name, sha256, folder, mirrors):
    """(temporary path, URL) of `name` fetched from the first mirror that answers."""
    failures = []
    for base in mirrors:
        url = base.rstrip("/") + "/" + name
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
        tmp, keep = Path(tmp), False
        try:
            digest = _stream(url, fd)
            if digest != sha256:
                raise ValueError(
                    f"download: wrong checksum for {url}: expected SHA-256 {sha256}, got "
                    f"{digest} (file deleted; the mirror serves other bytes than the official file)"
                )
            keep = True
            return tmp, url
        except (urllib.error.URLError, http.client.HTTPException, OSError) as e:
            failures.append(f"{url}: {getattr(e, 'reason', None) or repr(e)}")
        finally:
            if not keep:  # also on Ctrl-C in the middle of a transfer
                tmp.unlink(missing_ok=True)
    raise DownloadError("could not download " + name + ":\n  " + "\n  ".join(failures))


def _stream(url, fd):
    """Write the body at `url` into the open file descriptor `fd`; return its SHA-256."""
    digest, received = hashlib.sha256(), 0
    with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as r:
        while chunk := r.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
            received += len(chunk)
        promised = r.headers.get("Content-Length")
        if promised is not None and int(promised) != received:
            raise OSError(f"transfer cut after {received} of {promised} bytes")
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest()
