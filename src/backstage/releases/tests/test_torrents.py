"""Torrents: parsed back with torf, every piece checked against the files, and the web seed fetched.

The live-server tests serve a folder with this module's own URLconf (the release's real seed view
lives with the release pages) through ``backstage.media.downloads.serve_file``, and download every
piece the way a BEP 19 client does: one ranged GET per file the piece overlaps.
"""

import hashlib
import os
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
import torf
from django.conf import settings
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import path as url_path
from django.utils._os import safe_join

from backstage.media.downloads import serve_file
from backstage.releases.torrents import (
    MAX_PIECE_LENGTH,
    MIN_PIECE_LENGTH,
    READ_BLOCK,
    bencode,
    make_torrent,
    piece_length_for,
)

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB
WEB_SEED = "https://films.example.org/seed/"


def seed(request: HttpRequest, path: str) -> HttpResponseBase:
    try:
        full = Path(safe_join(Path(settings.MEDIA_ROOT) / "seed", path))
    except Exception as error:  # SuspiciousFileOperation: outside the folder
        raise Http404 from error
    if not full.is_file():
        raise Http404
    return serve_file(request, full)


urlpatterns = [url_path("seed/<path:path>", seed)]


def random_file(path: Path, size: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(size))
    return path


def expected_pieces(contents: list[bytes], piece_length: int) -> list[bytes]:
    """The SHA-1 of each piece of the files laid end to end, computed the plain way."""
    stream = b"".join(contents)
    return [
        hashlib.sha1(stream[offset : offset + piece_length]).digest()
        for offset in range(0, len(stream), piece_length)
    ]


def parse(data: bytes) -> torf.Torrent:
    return torf.Torrent.read_stream(data, validate=True)


# --- Single file ----------------------------------------------------------------------------------


def test_single_file_torrent_parses_back_with_every_piece_right(tmp_path: Path) -> None:
    film = random_file(tmp_path / "stored" / "3f9a.bin", 3 * MIB + 12_345)
    created = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)

    torrent = make_torrent(
        name="Varsovie-Express 1080p.mp4",
        files=[(film, "Varsovie-Express 1080p.mp4")],
        web_seed=WEB_SEED,
        comment="Varsovie-Express, LAL-1.3",
        creation_date=created,
    )

    parsed = parse(torrent.data)
    assert parsed.mode == "singlefile"
    assert parsed.name == "Varsovie-Express 1080p.mp4"
    assert parsed.size == film.stat().st_size == torrent.total_size
    assert parsed.piece_size == torrent.piece_length == MIN_PIECE_LENGTH
    assert list(parsed.hashes) == expected_pieces([film.read_bytes()], torrent.piece_length)
    assert len(parsed.hashes) == torrent.piece_count
    assert parsed.webseeds == [WEB_SEED]
    assert parsed.comment == "Varsovie-Express, LAL-1.3"
    assert parsed.created_by == "Backstage"
    assert parsed.creation_date.timestamp() == created.timestamp()
    assert parsed.trackers == []
    assert parsed.infohash == torrent.info_hash
    assert torrent.info_hash == hashlib.sha1(bencode(parsed.metainfo["info"])).hexdigest()
    assert torrent.single_file
    # BEP 19, single file: the client appends the name to a URL that ends with a slash.
    assert torrent.files[0].url == WEB_SEED + "Varsovie-Express%201080p.mp4"
    assert torf.Torrent.read_stream(torrent.data).verify(film) is True


def test_magnet_link_names_the_torrent_its_size_trackers_and_web_seed(tmp_path: Path) -> None:
    film = random_file(tmp_path / "film.mp4", 700 * KIB)
    trackers = ["udp://tracker.example.org:6969/announce", "https://tracker.example.net/announce"]

    torrent = make_torrent(name="film.mp4", files=[(film, "film.mp4")], web_seed=WEB_SEED, trackers=trackers)

    magnet = torf.Magnet.from_string(torrent.magnet)
    assert magnet.infohash == torrent.info_hash
    assert magnet.dn == "film.mp4"
    assert magnet.xl == 700 * KIB
    assert list(magnet.tr) == trackers
    assert list(magnet.ws) == [WEB_SEED]
    parsed = parse(torrent.data)
    assert parsed.trackers == [[trackers[0]], [trackers[1]]]
    assert parsed.metainfo["announce"] == trackers[0]


def test_web_seed_gets_its_final_slash(tmp_path: Path) -> None:
    film = random_file(tmp_path / "film.mp4", 1000)

    torrent = make_torrent(name="film.mp4", files=[(film, "film.mp4")], web_seed="http://x.example/seed")

    assert parse(torrent.data).webseeds == ["http://x.example/seed/"]
    assert torrent.files[0].url == "http://x.example/seed/film.mp4"


# --- Several files --------------------------------------------------------------------------------


def test_multi_file_torrent_keeps_the_order_given_and_pieces_span_files(tmp_path: Path) -> None:
    # Sizes that are no multiple of the piece length, so that pieces straddle files, an empty
    # file among them, and names on disk unrelated to the names in the torrent.
    sizes = [MIN_PIECE_LENGTH * 3 + 17, 0, 100_003, MIN_PIECE_LENGTH - 1, 5]
    stored = [random_file(tmp_path / "stored" / f"{index}.bin", size) for index, size in enumerate(sizes)]
    inside = [
        "Varsovie-Express.mp4",
        "empty.txt",
        "subtitles/pl.vtt",
        "subtitles/fr/Varsovie-Express #2.vtt",
        "LICENSE.txt",
    ]

    torrent = make_torrent(
        name="Varsovie-Express", files=list(zip(stored, inside, strict=True)), web_seed=WEB_SEED
    )

    parsed = parse(torrent.data)
    assert parsed.mode == "multifile"
    assert parsed.name == "Varsovie-Express"
    assert [str(file) for file in parsed.files] == [f"Varsovie-Express/{path}" for path in inside]
    assert [file.size for file in parsed.files] == sizes
    assert list(parsed.hashes) == expected_pieces(
        [path.read_bytes() for path in stored], torrent.piece_length
    )
    assert parsed.webseeds == [WEB_SEED]
    assert not torrent.single_file
    assert [file.url for file in torrent.files] == [
        WEB_SEED + "Varsovie-Express/Varsovie-Express.mp4",
        WEB_SEED + "Varsovie-Express/empty.txt",
        WEB_SEED + "Varsovie-Express/subtitles/pl.vtt",
        WEB_SEED + "Varsovie-Express/subtitles/fr/Varsovie-Express%20%232.vtt",
        WEB_SEED + "Varsovie-Express/LICENSE.txt",
    ]


def test_one_file_under_another_name_is_a_folder(tmp_path: Path) -> None:
    film = random_file(tmp_path / "film.bin", 1234)

    torrent = make_torrent(name="Varsovie-Express", files=[(film, "film.mp4")], web_seed=WEB_SEED)

    assert parse(torrent.data).mode == "multifile"
    assert torrent.files[0].url == WEB_SEED + "Varsovie-Express/film.mp4"


def test_files_larger_than_a_read_block_hash_right_and_report_progress(tmp_path: Path) -> None:
    # Several read blocks, so that the reused buffers and the parallel hashing are exercised.
    sizes = [READ_BLOCK * 2 + 3 * MIN_PIECE_LENGTH + 11, READ_BLOCK + 7, 1, READ_BLOCK // 3]
    stored = [random_file(tmp_path / f"{index}.bin", size) for index, size in enumerate(sizes)]
    reports: list[float] = []

    torrent = make_torrent(
        name="bundle",
        files=[(path, f"part {index}.bin") for index, path in enumerate(stored)],
        web_seed=WEB_SEED,
        progress=reports.append,
    )

    assert list(parse(torrent.data).hashes) == expected_pieces(
        [path.read_bytes() for path in stored], torrent.piece_length
    )
    assert reports and reports[-1] == 1.0
    assert reports == sorted(reports) and all(0 < value <= 1 for value in reports)


def test_torrent_is_reproducible_for_the_same_files_and_date(tmp_path: Path) -> None:
    film = random_file(tmp_path / "film.mp4", 300 * KIB)
    when = datetime(2027, 1, 1, tzinfo=UTC)

    def build() -> bytes:
        return make_torrent(
            name="film.mp4", files=[(film, "film.mp4")], web_seed=WEB_SEED, creation_date=when
        ).data

    assert build() == build()


# --- Piece length ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (1, 256 * KIB),
        (500 * MIB, 256 * KIB),
        (600 * MIB, 512 * KIB),
        (1 * GIB, 1 * MIB),
        (2 * GIB, 2 * MIB),
        (8 * GIB, 8 * MIB),
        (30 * GIB, 16 * MIB),
        (1024 * GIB, 16 * MIB),
    ],
)
def test_piece_length_follows_the_total_size(total: int, expected: int) -> None:
    assert piece_length_for(total) == expected


def test_piece_length_keeps_pieces_between_bounds() -> None:
    for total in [2**exponent + extra for exponent in range(10, 46) for extra in (-1, 0, 1)]:
        length = piece_length_for(total)
        assert MIN_PIECE_LENGTH <= length <= MAX_PIECE_LENGTH
        assert length & (length - 1) == 0
        if length < MAX_PIECE_LENGTH:
            assert -(-total // length) <= 2000
        if length > MIN_PIECE_LENGTH:
            assert -(-total // length) > 1000


# --- Bad input ------------------------------------------------------------------------------------


@pytest.fixture
def one_file(tmp_path: Path) -> Path:
    return random_file(tmp_path / "film.mp4", 1000)


@pytest.mark.parametrize("name", ["", ".", "..", "a/b", "a\\b", "bad\x00name", "line\nbreak"])
def test_bad_name_is_refused(one_file: Path, name: str) -> None:
    with pytest.raises(ValueError):
        make_torrent(name=name, files=[(one_file, "film.mp4")], web_seed=WEB_SEED)


@pytest.mark.parametrize(
    "inside",
    [
        ["../film.mp4"],
        ["/etc/film.mp4"],
        ["a//film.mp4"],
        ["a/./film.mp4"],
        ["folder/"],
        ["film.mp4", "film.mp4"],
        ["a", "a/film.mp4"],
        ["a/b/film.mp4", "a/b"],
    ],
)
def test_bad_or_clashing_paths_are_refused(one_file: Path, inside: list[str]) -> None:
    with pytest.raises(ValueError):
        make_torrent(name="films", files=[(one_file, path) for path in inside], web_seed=WEB_SEED)


@pytest.mark.parametrize(
    "web_seed",
    ["", "seed/", "ftp://films.example.org/seed/", "https:///seed/", "https://x.example/seed/?a=1"],
)
def test_bad_web_seed_is_refused(one_file: Path, web_seed: str) -> None:
    with pytest.raises(ValueError):
        make_torrent(name="film.mp4", files=[(one_file, "film.mp4")], web_seed=web_seed)


def test_bad_tracker_is_refused(one_file: Path) -> None:
    with pytest.raises(ValueError):
        make_torrent(name="film.mp4", files=[(one_file, "film.mp4")], web_seed=WEB_SEED, trackers=["tracker"])


def test_no_files_or_only_empty_ones_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    with pytest.raises(ValueError):
        make_torrent(name="nothing", files=[], web_seed=WEB_SEED)
    with pytest.raises(ValueError):
        make_torrent(name="nothing", files=[(empty, "empty")], web_seed=WEB_SEED)


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        make_torrent(name="film.mp4", files=[(tmp_path / "gone.mp4", "film.mp4")], web_seed=WEB_SEED)


# --- The web seed, live ---------------------------------------------------------------------------


def fetch(url: str, start: int, end: int) -> bytes:
    """One ranged GET, as a web seed client sends it (end inclusive)."""
    request = urllib.request.Request(url, headers={"Range": f"bytes={start}-{end}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 206
        assert response.headers["Content-Range"].startswith(f"bytes {start}-{end}/")
        return response.read()


def download_through_web_seed(parsed: torf.Torrent) -> tuple[list[bytes], int]:
    """Every piece of the torrent, fetched from its url-list as a BEP 19 client builds the URLs,
    and the number of requests that took."""
    (base,) = parsed.webseeds
    assert base.endswith("/")
    if parsed.mode == "singlefile":
        spans = [(base + quote(parsed.name), parsed.size)]
    else:
        spans = [
            (base + "/".join(quote(part, safe="") for part in file.parts), file.size)
            for file in parsed.files
            if file.size
        ]
    pieces = []
    requests = 0
    for start in range(0, parsed.size, parsed.piece_size):
        end = min(start + parsed.piece_size, parsed.size)
        piece = b""
        offset = 0
        for url, size in spans:
            low, high = max(start, offset), min(end, offset + size)
            if low < high:
                piece += fetch(url, low - offset, high - offset - 1)
                requests += 1
            offset += size
        pieces.append(piece)
    return pieces, requests


@pytest.mark.urls(__name__)
def test_web_seed_urls_serve_every_piece_of_a_multi_file_torrent(live_server, tmp_path: Path) -> None:
    name = "Varsovie-Express (sources)"
    inside = ["film/Varsovie-Express.mp4", "subtitles/pl.vtt", "README.txt", "notes/été & co.txt"]
    sizes = [MIN_PIECE_LENGTH * 2 + 999, 10_000, MIN_PIECE_LENGTH + 1, 77]
    served = Path(settings.MEDIA_ROOT) / "seed" / name
    files = [(random_file(served / path, size), path) for path, size in zip(inside, sizes, strict=True)]

    torrent = make_torrent(name=name, files=files, web_seed=f"{live_server.url}/seed/")

    parsed = parse(torrent.data)
    pieces, requests = download_through_web_seed(parsed)
    assert requests > len(pieces)  # some pieces straddle files: one ranged request per file
    assert [hashlib.sha1(piece).digest() for piece in pieces] == list(parsed.hashes)
    assert b"".join(pieces) == b"".join(path.read_bytes() for path, _inside in files)
    # The URLs the torrent promises are the ones that answered.
    for file in torrent.files:
        with urllib.request.urlopen(file.url, timeout=30) as response:
            served_path = served / unquote(file.url.split(quote(name) + "/", 1)[1])
            assert response.read() == served_path.read_bytes()


@pytest.mark.urls(__name__)
def test_web_seed_url_serves_every_piece_of_a_single_file_torrent(live_server, tmp_path: Path) -> None:
    name = "Varsovie-Express 1080p.mp4"
    film = random_file(Path(settings.MEDIA_ROOT) / "seed" / name, MIN_PIECE_LENGTH * 3 + 5)

    torrent = make_torrent(name=name, files=[(film, name)], web_seed=f"{live_server.url}/seed")

    parsed = parse(torrent.data)
    pieces, requests = download_through_web_seed(parsed)
    assert requests == len(pieces) == 4
    assert [hashlib.sha1(piece).digest() for piece in pieces] == list(parsed.hashes)
    with urllib.request.urlopen(torrent.files[0].url, timeout=30) as response:
        assert response.read() == film.read_bytes()
