"""`backstage demo` then `backstage run`: the embedded studio serves pages, static files and runs tasks."""

import contextlib
import http.client
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


@contextlib.contextmanager
def running(env: dict[str, str], log_path: Path, *options: str) -> Iterator[str]:
    """`backstage run` on a free port until the block ends; its address once it answers."""
    port = _free_port()
    with log_path.open("w+") as log:
        server = subprocess.Popen(
            [BIN / "backstage", "run", "--port", str(port), "--web-workers", "1", *options],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            for _attempt in range(120):
                try:
                    _get(base + "/")
                    break
                except OSError:
                    time.sleep(0.5)
            else:
                pytest.fail("the server did not answer:\n" + log_path.read_text())
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert server.returncode == 0, log_path.read_text()


def shell(env: dict[str, str], code: str) -> str:
    """The last line `backstage shell -c code` prints."""
    output = subprocess.run(
        [BIN / "backstage", "shell", "-c", code],
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    ).stdout
    return output.strip().splitlines()[-1] if output.strip() else ""


@pytest.fixture
def embedded_env(tmp_path):
    if os.environ.get("DATABASE_URL"):
        pytest.skip("the embedded mode is SQLite; the SQLite run of the suite covers it")
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update({"BACKSTAGE_DATA_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "backstage.settings"})
    return env


def test_demo_then_run_serves_the_studio_and_runs_the_worker(embedded_env, tmp_path):
    demo = subprocess.run(
        [BIN / "backstage", "demo"], env=embedded_env, capture_output=True, text=True, timeout=180, check=True
    )
    assert "camille@kassandra.example" in demo.stdout
    again = subprocess.run(
        [BIN / "backstage", "demo"], env=embedded_env, capture_output=True, text=True, timeout=180, check=True
    )
    assert "nothing changed" in again.stdout

    log = tmp_path / "run.log"
    with running(embedded_env, log) as base:
        status, body = _get(base + "/productions/varsovie-express/")
        assert status == 200
        html = body.decode()
        assert "Varsovie-Express" in html
        stylesheet = re.search(r'href="(/static/backstage/backstage\.[0-9a-f]+\.css)"', html)
        assert stylesheet, "static files are not hashed by the production storage"
        assert _get(base + stylesheet.group(1))[0] == 200

        # A task enqueued by another process is picked up by a worker started beside the server.
        shell(
            embedded_env,
            "from backstage.core.tasks import send_email; "
            "send_email.enqueue(subject='Worker check 42', body='hello', to=['a@example.org'])",
        )
        for _attempt in range(60):
            if "Worker check 42" in log.read_text():
                break
            time.sleep(0.5)
        else:
            pytest.fail("the worker did not send the e-mail:\n" + log.read_text())

        # The demo's camera test went through the media pipeline in the workers: streams and a poster.
        check = (
            "from backstage.media.models import Asset; "
            "asset = Asset.objects.get(name__contains='camera test'); "
            "print(asset.status, sorted(asset.renditions.values_list('kind', flat=True)))"
        )
        for _attempt in range(240):
            state = shell(embedded_env, check)
            if not state.startswith(("verifying", "processing")):
                break
            time.sleep(1)
        assert state.split()[0] == "ready", state + log.read_text()
        assert "'hls'" in state and "'poster'" in state and "'proxy'" in state

        # The demo release's premiere page is public; the workers prepare its files, then schedule it.
        status, body = _get(base + "/productions/varsovie-express/releases/premiere/")
        assert status == 200 and "Varsovie-Express" in body.decode()
        check = (
            "from backstage.releases.models import Release; "
            "release = Release.objects.get(slug='premiere'); "
            "print(release.build, release.scheduled, release.files.count())"
        )
        for _attempt in range(300):
            state = shell(embedded_env, check)
            if state.startswith(("ready True", "failed")):
                break
            time.sleep(1)
        build, scheduled, files = state.split()
        assert (build, scheduled) == ("ready", "True"), state + log.read_text()[-3000:]
        assert int(files) >= 10
        # Scheduled now: the premiere page counts down to the moment (once each process's copy is renewed).
        for _attempt in range(30):
            if (
                "data-countdown"
                in _get(base + "/productions/varsovie-express/releases/premiere/")[1].decode()
            ):
                break
            time.sleep(1)
        else:
            pytest.fail("the scheduled demo release shows no countdown")
        # The dub's voice is credited by the name its actor goes by, as the rest of the credits are.
        voices = shell(
            embedded_env,
            "from backstage.releases.models import AudioTrack; "
            "print(AudioTrack.objects.get(language='pl').attribution)",
        )
        assert voices == "Inès Haddad"


def test_uploads_under_gunicorn_go_from_the_socket_to_the_file_intact(embedded_env, tmp_path):
    """The tus endpoint as deployed (gunicorn): large bodies, small ones, one cut short then resumed after
    the server restarted."""
    from tusclient.client import TusClient

    with running(embedded_env, tmp_path / "run.log", "--no-worker") as base:
        port = int(base.rsplit(":", 1)[1])
        token = shell(
            embedded_env,
            "from backstage.accounts.models import User; "
            "from backstage.accounts.services import create_api_token; "
            "user = User.objects.create_user(username='ines', email='ines@example.org', password='x' * 12); "
            "print(create_api_token(actor=user, name='tests')[1])",
        )
        headers = {"Authorization": f"Bearer {token}"}
        parts = Path(embedded_env["BACKSTAGE_DATA_DIR"]) / "uploads"

        # Several PATCHes of 1 MiB and a last short one, through a standard tus client.
        data = os.urandom(5 * 1024 * 1024 + 12_345)
        source = tmp_path / "rush.mov"
        source.write_bytes(data)
        uploader = TusClient(f"{base}/uploads/", headers=headers).uploader(
            str(source), chunk_size=1024 * 1024, metadata={"filename": "rush.mov"}
        )
        uploader.upload()
        upload_id = uploader.url.rstrip("/").split("/")[-1]
        assert (parts / f"{upload_id}.part").read_bytes() == data

        # A PATCH whose client stops halfway keeps what arrived; the upload then resumes from there.
        create = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        create.request(
            "POST", "/uploads/", headers={**headers, "Tus-Resumable": "1.0.0", "Upload-Length": "300000"}
        )
        location = create.getresponse().getheader("Location")
        path = urlsplit(location).path
        cut = socket.create_connection(("127.0.0.1", port))
        cut.sendall(
            f"PATCH {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
            "Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n"
            "Content-Length: 300000\r\n\r\n".encode()
            + data[:100_000]
        )
        time.sleep(0.5)
        cut.close()
        for _attempt in range(50):
            head = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            head.request("HEAD", path, headers={**headers, "Tus-Resumable": "1.0.0"})
            offset = int(head.getresponse().getheader("Upload-Offset"))
            if offset == 100_000:
                break
            time.sleep(0.2)
        assert offset == 100_000

    # The server stops and starts again: the upload goes on from what it had received.
    with running(embedded_env, tmp_path / "run-again.log", "--no-worker") as base:
        port = int(base.rsplit(":", 1)[1])
        head = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        head.request("HEAD", path, headers={**headers, "Tus-Resumable": "1.0.0"})
        assert head.getresponse().getheader("Upload-Offset") == "100000"
        rest = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        rest.request(
            "PATCH", path, body=data[100_000:300_000],
            headers={**headers, "Tus-Resumable": "1.0.0", "Upload-Offset": "100000",
                     "Content-Type": "application/offset+octet-stream"},
        )  # fmt: skip
        answer = rest.getresponse()
        assert answer.status == 204 and answer.getheader("Upload-Offset") == "300000"
        assert (parts / f"{path.rstrip('/').split('/')[-1]}.part").read_bytes() == data[:300_000]
