"""BitTorrent metainfo (v1) for the release's files, with HTTP web seeds (BEP 19).

The web seed makes our own download URLs a permanent seed: a client with no peers still gets
every byte, and each peer that joins takes load off the server. The pieces are hashed here with
hashlib rather than with torf: the files are mapped from anywhere on disk to their paths inside
the torrent (torf needs them laid out as in the torrent) and keep the order they are given in,
and several pieces are hashed at once while the next block is read.
"""

import hashlib
import os
import posixpath
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

MIN_PIECE_LENGTH = 256 * 1024
MAX_PIECE_LENGTH = 16 * 1024 * 1024
# Few enough pieces for a small .torrent, enough for peers to trade parts of a small file.
MAX_PIECES = 2000
# Reads this large keep the disk streaming and each hashing job long enough to outweigh its overhead.
READ_BLOCK = 16 * 1024 * 1024
MAX_HASHING_THREADS = 4
# Seconds between two progress reports.
PROGRESS_INTERVAL = 0.2

Progress = Callable[[float], None]


@dataclass(frozen=True)
class TorrentFile:
    path: str  # inside the torrent, "/"-separated
    size: int
    # What a BEP 19 client requests from the web seed for this file.
    url: str


@dataclass(frozen=True)
class Torrent:
    name: str
    data: bytes  # the bencoded .torrent file
    info_hash: str  # v1, hex: the magnet link's and the trackers' name for it
    magnet: str
    piece_length: int
    total_size: int
    files: tuple[TorrentFile, ...]
    web_seed: str

    @property
    def piece_count(self) -> int:
        return -(-self.total_size // self.piece_length)

    @property
    def single_file(self) -> bool:
        return len(self.files) == 1 and self.files[0].path == self.name


def make_torrent(
    *,
    name: str,
    files: list[tuple[Path, str]],
    web_seed: str,
    comment: str = "",
    created_by: str = "Backstage",
    trackers: Sequence[str] = (),
    creation_date: datetime | None = None,
    progress: Progress | None = None,
) -> Torrent:
    """Hash the files into a torrent whose web seed is ``web_seed``.

    ``files`` are (path on disk, path inside the torrent), in the order the torrent lists them.
    One file whose path inside is ``name`` makes a single-file torrent, which a client fetches
    from ``web_seed + name``; anything else makes a folder called ``name``, whose files a client
    fetches from ``web_seed + name + "/" + path`` (BEP 19). ``web_seed`` is that base URL; a
    missing final slash is added. ``progress`` is called with the fraction of bytes hashed.
    """
    _check_segment(name, "name")
    if not files:
        raise ValueError("a torrent needs at least one file")
    paths = [inside for _disk, inside in files]
    for inside in paths:
        for segment in inside.split("/"):
            _check_segment(segment, f"path {inside!r}")
    _check_no_clashes(paths)
    web_seed = _checked_web_seed(web_seed)
    for url in trackers:
        if urlsplit(url).scheme not in ("http", "https", "udp") or not urlsplit(url).netloc:
            raise ValueError(f"not a tracker URL: {url!r}")

    sizes = [os.stat(disk).st_size for disk, _inside in files]
    total_size = sum(sizes)
    if total_size == 0:
        raise ValueError("a torrent of empty files has nothing to share")
    piece_length = piece_length_for(total_size)
    pieces = _piece_hashes(
        [(disk, size) for (disk, _inside), size in zip(files, sizes, strict=True)],
        piece_length=piece_length,
        total_size=total_size,
        progress=progress,
    )

    single = len(files) == 1 and paths[0] == name
    info: dict[str, object] = {"name": name, "piece length": piece_length, "pieces": pieces}
    if single:
        info["length"] = total_size
        urls = [web_seed + quote(name, safe="")]
    else:
        info["files"] = [
            {"length": size, "path": inside.split("/")} for inside, size in zip(paths, sizes, strict=True)
        ]
        urls = [web_seed + _url_path([name, *inside.split("/")]) for inside in paths]
    metainfo: dict[str, object] = {
        "created by": created_by,
        "creation date": int(creation_date.timestamp() if creation_date else time.time()),
        "info": info,
        "url-list": [web_seed],
    }
    if comment:
        metainfo["comment"] = comment
    if trackers:
        metainfo["announce"] = trackers[0]
        metainfo["announce-list"] = [[url] for url in trackers]
    info_hash = hashlib.sha1(bencode(info), usedforsecurity=False).hexdigest()
    return Torrent(
        name=name,
        data=bencode(metainfo),
        info_hash=info_hash,
        magnet=magnet_link(
            info_hash=info_hash, name=name, size=total_size, web_seed=web_seed, trackers=trackers
        ),
        piece_length=piece_length,
        total_size=total_size,
        files=tuple(
            TorrentFile(path=inside, size=size, url=url)
            for inside, size, url in zip(paths, sizes, urls, strict=True)
        ),
        web_seed=web_seed,
    )


def piece_length_for(total_size: int) -> int:
    """A power of two from 256 KiB to 16 MiB giving at most about 2000 pieces."""
    piece_length = MIN_PIECE_LENGTH
    while piece_length < MAX_PIECE_LENGTH and total_size > piece_length * MAX_PIECES:
        piece_length *= 2
    return piece_length


def magnet_link(
    *, info_hash: str, name: str, size: int, web_seed: str = "", trackers: Sequence[str] = ()
) -> str:
    """A magnet URI: the info hash, the display name, the size, the trackers and the web seed."""
    parts = [f"xt=urn:btih:{info_hash}", f"dn={quote(name, safe='')}", f"xl={size}"]
    parts += [f"tr={quote(url, safe='')}" for url in trackers]
    if web_seed:
        parts.append(f"ws={quote(web_seed, safe='')}")
    return "magnet:?" + "&".join(parts)


def bencode(value: object) -> bytes:
    """The bencoding of ints, strings (as UTF-8), bytes, lists and dicts with string keys."""
    out: list[bytes] = []
    _bencode_into(value, out)
    return b"".join(out)


def _bencode_into(value: object, out: list[bytes]) -> None:
    if isinstance(value, bool):
        raise TypeError("bencoding has no booleans")
    if isinstance(value, int):
        out.append(b"i%de" % value)
    elif isinstance(value, str | bytes):
        raw = value.encode() if isinstance(value, str) else value
        out.append(b"%d:" % len(raw))
        out.append(raw)
    elif isinstance(value, list | tuple):
        out.append(b"l")
        for item in value:
            _bencode_into(item, out)
        out.append(b"e")
    elif isinstance(value, dict):
        out.append(b"d")
        # The specification sorts keys as raw bytes, which UTF-8 order matches.
        for key, item in sorted((key.encode(), item) for key, item in value.items()):
            _bencode_into(key, out)
            _bencode_into(item, out)
        out.append(b"e")
    else:
        raise TypeError(f"cannot bencode {type(value).__name__}")


# --- Checks ---------------------------------------------------------------------------------------


def _check_segment(segment: str, what: str) -> None:
    if segment in ("", ".", "..") or "/" in segment or "\\" in segment:
        raise ValueError(f"{what}: {segment!r} is not a file or folder name")
    if any(ord(character) < 32 or ord(character) == 127 for character in segment):
        raise ValueError(f"{what}: control characters in {segment!r}")


def _check_no_clashes(paths: list[str]) -> None:
    seen: set[str] = set()
    for path in paths:
        if path in seen:
            raise ValueError(f"two files at {path!r}")
        seen.add(path)
    for path in paths:
        folder = posixpath.dirname(path)
        while folder:
            if folder in seen:
                raise ValueError(f"{folder!r} is both a file and a folder")
            folder = posixpath.dirname(folder)


def _checked_web_seed(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"not a web seed base URL: {url!r}")
    return url if url.endswith("/") else url + "/"


def _url_path(segments: list[str]) -> str:
    return "/".join(quote(segment, safe="") for segment in segments)


# --- Hashing --------------------------------------------------------------------------------------


def _piece_hashes(
    files: list[tuple[Path, int]], *, piece_length: int, total_size: int, progress: Progress | None
) -> bytes:
    """The SHA-1 of every piece of the files laid end to end, concatenated.

    The main thread reads whole blocks (a multiple of the piece length) into a few reused
    buffers while worker threads hash the blocks read before: hashlib releases the GIL on large
    buffers, so reading and hashing use several cores at once.
    """
    block_length = piece_length * max(1, READ_BLOCK // piece_length)
    threads = max(1, min(MAX_HASHING_THREADS, os.cpu_count() or 1))
    buffers = [bytearray(block_length) for _ in range(threads + 1)]
    digests: list[bytes] = []
    pending: deque[tuple[Future[bytes], int]] = deque()
    hashed = 0
    reported_at = 0.0

    def collect_oldest() -> None:
        nonlocal hashed, reported_at
        future, length = pending.popleft()
        digests.append(future.result())
        hashed += length
        now = time.monotonic()
        if progress is not None and (hashed == total_size or now - reported_at >= PROGRESS_INTERVAL):
            reported_at = now
            progress(hashed / total_size)

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="torrent-hash") as pool:
        for number, length in enumerate(_read_blocks(files, buffers)):
            view = memoryview(buffers[number % len(buffers)])[:length]
            pending.append((pool.submit(_hash_block, view, piece_length), length))
            # The next block goes into the buffer of the oldest block still pending.
            if len(pending) == len(buffers):
                collect_oldest()
        while pending:
            collect_oldest()
    return b"".join(digests)


def _read_blocks(files: list[tuple[Path, int]], buffers: list[bytearray]) -> Iterator[int]:
    """Fill buffers[n % len(buffers)] with block n of the files laid end to end; yield its length.

    The caller must be done with a buffer before asking for the block that reuses it. Exactly
    the sizes measured before hashing are read: a file that changes size meanwhile is an error,
    since its pieces would no longer match what the torrent announces.
    """
    number = 0
    view = memoryview(buffers[0])
    filled = 0
    for path, size in files:
        with open(path, "rb", buffering=0) as file:
            if hasattr(os, "posix_fadvise"):
                os.posix_fadvise(file.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
            left = size
            while left:
                count = file.readinto(view[filled : filled + min(left, len(view) - filled)])
                if not count:
                    raise OSError(f"{path} became shorter while it was hashed")
                filled += count
                left -= count
                if filled == len(view):
                    yield filled
                    number += 1
                    view = memoryview(buffers[number % len(buffers)])
                    filled = 0
            if os.fstat(file.fileno()).st_size != size:
                raise OSError(f"{path} changed size while it was hashed")
    if filled:
        yield filled


def _hash_block(view: memoryview, piece_length: int) -> bytes:
    return b"".join(
        hashlib.sha1(view[offset : offset + piece_length], usedforsecurity=False).digest()
        for offset in range(0, len(view), piece_length)
    )
