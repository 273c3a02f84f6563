"""A real tus client (tuspy) and raw HTTP against a running server: chunks, resuming, checksums, races."""

import base64
import hashlib
import http.client
import io
import os
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest
import requests
from tusclient.client import TusClient
from tusclient.exceptions import TusCommunicationError
from tusclient.uploader import Uploader

from backstage.media.models import Upload
from backstage.media.tests.conftest import OFFSET_TYPE, part_file, token_for, upload_at

pytestmark = pytest.mark.usefixtures("consistent_uploads", "handed_to_ingest")


def file_data(size: int, seed: bytes = b"varsovie") -> bytes:
    """Bytes that differ along the file, so a piece written in the wrong place shows."""
    blocks = (hashlib.sha256(seed + i.to_bytes(8, "big")).digest() for i in range(size // 32 + 1))
    return b"".join(blocks)[:size]


@pytest.fixture
def token(studio) -> str:
    return token_for(studio.member)


@pytest.fixture
def client(live_server, token) -> TusClient:
    return TusClient(f"{live_server.url}/uploads/", headers={"Authorization": f"Bearer {token}"})


def tus_headers(token: str, **extra: str) -> dict[str, str]:
    return {"Tus-Resumable": "1.0.0", "Authorization": f"Bearer {token}", **extra}


def test_tuspy_uploads_a_file_in_chunks(client, handed_to_ingest):
    data = file_data(300_001)
    uploader = client.uploader(
        file_stream=io.BytesIO(data),
        chunk_size=64 * 1024,
        metadata={"filename": "../Varsovie – scène 12.mov", "filetype": "video/quicktime"},
    )
    uploader.upload()
    upload = upload_at(uploader.url)
    assert uploader.url.startswith(client.url)
    assert (upload.status, upload.offset, upload.length) == (Upload.Status.COMPLETE, len(data), len(data))
    assert upload.metadata == {"filename": "Varsovie – scène 12.mov", "filetype": "video/quicktime"}
    assert part_file(uploader.url).read_bytes() == data
    assert [(call["id"], call["in_transaction"]) for call in handed_to_ingest] == [(upload.pk, True)]


def test_tuspy_resumes_an_upload_stopped_halfway_from_the_servers_offset(client, handed_to_ingest):
    data = file_data(250_000)
    first = client.uploader(file_stream=io.BytesIO(data), chunk_size=40_000)
    first.upload(stop_at=100_000)
    assert upload_at(first.url).offset == 100_000 and handed_to_ingest == []

    # Later, another process knows only the address: it asks the server where to go on from.
    resumed = Uploader(file_stream=io.BytesIO(data), url=first.url, client=client, chunk_size=64 * 1024)
    assert resumed.offset == 100_000
    resumed.upload()
    assert upload_at(first.url).status == Upload.Status.COMPLETE
    assert part_file(first.url).read_bytes() == data
    assert len(handed_to_ingest) == 1


def test_tuspy_sends_checksums_the_server_verifies(client):
    data = file_data(200_000)
    uploader = client.uploader(file_stream=io.BytesIO(data), chunk_size=50_000, upload_checksum=True)
    uploader.upload()
    assert part_file(uploader.url).read_bytes() == data


def test_tuspy_uploads_an_empty_file(client, handed_to_ingest):
    uploader = client.uploader(file_stream=io.BytesIO(b""), metadata={"filename": "empty.txt"})
    uploader.upload()
    assert upload_at(uploader.url).status == Upload.Status.COMPLETE
    assert len(handed_to_ingest) == 1


def test_tuspy_is_told_when_the_file_is_over_the_limit(settings, client):
    settings.UPLOAD_MAX_BYTES = 1000
    with pytest.raises(TusCommunicationError) as refused:
        client.uploader(file_stream=io.BytesIO(b"x" * 1001)).upload()
    assert refused.value.status_code == 413
    assert not Upload.objects.exists()


def test_a_wrong_checksum_over_http_keeps_nothing(live_server, client, token):
    data = file_data(1000)
    uploader = client.uploader(file_stream=io.BytesIO(data), chunk_size=400)
    uploader.upload(stop_at=400)
    wrong = requests.patch(
        uploader.url,
        data=data[400:800],
        headers=tus_headers(
            token,
            **{
                "Upload-Offset": "400",
                "Content-Type": OFFSET_TYPE,
                "Upload-Checksum": "sha256 " + "A" * 43 + "=",
            },
        ),
        timeout=30,
    )
    assert wrong.status_code == 460
    assert upload_at(uploader.url).offset == 400 and part_file(uploader.url).read_bytes() == data[:400]


def send_partially(
    url: str, token: str, *, offset: int, body: bytes, announced: int, **headers: str
) -> tuple[int, dict[str, str]]:
    """A client that announces `announced` bytes, sends `body`, then stops sending (its connection drops)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as connection:
        head = {
            "Host": parts.netloc,
            **tus_headers(token),
            "Upload-Offset": str(offset),
            "Content-Type": OFFSET_TYPE,
            "Content-Length": str(announced),
            **headers,
        }
        request = (
            f"PATCH {parts.path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in head.items()) + "\r\n"
        )
        connection.sendall(request.encode("latin-1") + body)
        connection.shutdown(socket.SHUT_WR)
        reply = b""
        while chunk := connection.recv(65536):
            reply += chunk
    status_line, *header_lines = reply.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    answer = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), answer


def test_an_upload_cut_off_midway_keeps_what_arrived_and_tuspy_finishes_it(client, token, handed_to_ingest):
    data = file_data(500_000)
    uploader = client.uploader(file_stream=io.BytesIO(data), chunk_size=100_000)
    uploader.upload(stop_at=100_000)
    status, headers = send_partially(
        uploader.url, token, offset=100_000, body=data[100_000:250_000], announced=400_000
    )
    assert status == 204 and headers["Upload-Offset"] == "250000"
    assert upload_at(uploader.url).offset == 250_000
    assert part_file(uploader.url).read_bytes() == data[:250_000]

    resumed = Uploader(file_stream=io.BytesIO(data), url=uploader.url, client=client, chunk_size=100_000)
    assert resumed.offset == 250_000
    resumed.upload()
    assert part_file(uploader.url).read_bytes() == data
    assert len(handed_to_ingest) == 1


def test_an_upload_cut_off_midway_with_a_checksum_keeps_nothing(client, token):
    data = file_data(300_000)
    uploader = client.uploader(file_stream=io.BytesIO(data), chunk_size=100_000)
    uploader.upload(stop_at=100_000)
    digest = hashlib.sha1(data[100_000:]).digest()
    status, _headers = send_partially(
        uploader.url,
        token,
        offset=100_000,
        body=data[100_000:200_000],
        announced=200_000,
        **{"Upload-Checksum": "sha1 " + base64.b64encode(digest).decode()},
    )
    assert status == 460
    assert upload_at(uploader.url).offset == 100_000
    assert part_file(uploader.url).read_bytes() == data[:100_000]


def wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the server did not get there in time")
        time.sleep(0.01)


def test_a_second_patch_while_one_is_streaming_is_refused_and_writes_nothing(client, token, handed_to_ingest):
    size = 3 * 1024 * 1024
    ours, theirs = file_data(size, b"ours"), file_data(size, b"theirs")
    uploader = client.uploader(file_stream=io.BytesIO(ours))
    url = uploader.create_url()
    parts = urlsplit(url)
    streaming = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    streaming.putrequest("PATCH", parts.path)
    for name, value in tus_headers(
        token, **{"Upload-Offset": "0", "Content-Type": OFFSET_TYPE, "Content-Length": str(size)}
    ).items():
        streaming.putheader(name, value)
    streaming.endheaders()
    streaming.send(ours[: size // 2])
    # The first request holds the upload once its first megabyte is on disk.
    wait_for(lambda: part_file(url).exists() and part_file(url).stat().st_size >= 1024 * 1024)

    other = requests.patch(
        url,
        data=theirs,
        headers=tus_headers(token, **{"Upload-Offset": "0", "Content-Type": OFFSET_TYPE}),
        timeout=30,
    )
    assert other.status_code == 423
    assert b"Another request" in other.content

    streaming.send(ours[size // 2 :])
    response = streaming.getresponse()
    response.read()
    streaming.close()
    assert response.status == 204 and response.getheader("Upload-Offset") == str(size)
    assert part_file(url).read_bytes() == ours
    assert len(handed_to_ingest) == 1


def test_patches_racing_at_the_same_offset_let_exactly_one_write(live_server, client, token):
    size = 2 * 1024 * 1024
    bodies = [file_data(size, bytes([n])) for n in range(4)]
    url = client.uploader(file_stream=io.BytesIO(bodies[0])).create_url()
    start = threading.Barrier(len(bodies))
    statuses: list[int] = [0] * len(bodies)

    def send(index: int) -> None:
        session = requests.Session()
        start.wait()
        statuses[index] = session.patch(
            url,
            data=bodies[index],
            headers=tus_headers(token, **{"Upload-Offset": "0", "Content-Type": OFFSET_TYPE}),
            timeout=60,
        ).status_code

    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert sorted(statuses).count(204) == 1, statuses
    assert set(statuses) - {204} <= {409, 423}, statuses
    winner = statuses.index(204)
    assert part_file(url).read_bytes() == bodies[winner]
    assert upload_at(url).status == Upload.Status.COMPLETE


def test_termination_from_tuspy_deletes_everything(client, token):
    data = file_data(100_000)
    uploader = client.uploader(file_stream=io.BytesIO(data), chunk_size=30_000)
    uploader.upload(stop_at=30_000)
    response = requests.delete(uploader.url, headers=tus_headers(token), timeout=30)
    assert response.status_code == 204
    assert not part_file(uploader.url).exists()
    with pytest.raises(TusCommunicationError) as gone:
        Uploader(file_stream=io.BytesIO(data), url=uploader.url, client=client)
    assert gone.value.status_code == 410
    assert os.listdir(part_file(uploader.url).parent) == []
