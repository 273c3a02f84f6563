"""Editing a profile, the avatar's hostile-input guard, and API tokens through the pages."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from backstage.accounts.models import ApiToken, Profile, Skill
from conftest import client_for, make_user

PROFILE = {
    "display_name": "Ania Nowak",
    "bio": "Actress. <script>alert(1)</script> [site](javascript:alert(1)) **bold**",
    "city": "Kraków",
    "languages": ["pl", "fr"],
    "links": "https://ania.example.org\nhttp://showreel.example.org/ania",
    "language": "fr",
}


def _png(width: int = 64, height: int = 48, color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return out.getvalue()


def _upload(data: bytes, name: str = "me.png", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def skill(db):
    return Skill.objects.create(slug="acting", name_en="Acting", name_fr="Jeu d'acteur")


def test_edit_profile_and_see_it_public_and_sanitised(studio, skill):
    client = client_for(studio.member)
    assert client.get("/settings/profile/").status_code == 200
    response = client.post("/settings/profile/", {**PROFILE, "skills": [skill.pk], "avatar": _upload(_png())})
    assert response.status_code == 302
    profile = Profile.objects.get(user=studio.member)
    assert profile.display_name == "Ania Nowak"
    assert profile.links == ["https://ania.example.org", "http://showreel.example.org/ania"]
    assert list(profile.skills.all()) == [skill]
    studio.member.refresh_from_db()
    assert studio.member.language == "fr"
    # The avatar was re-encoded to WebP whatever was sent.
    with profile.avatar.open("rb") as stored:
        assert Image.open(stored).format == "WEBP"

    page = client_for(None).get("/people/member/").content.decode()
    assert "Ania Nowak" in page and "Kraków" in page
    assert "<strong>bold</strong>" in page
    assert "<script>alert" not in page and 'href="javascript:' not in page
    assert "Acting" in page


def test_a_bio_filled_to_its_limit_in_the_browser_is_kept_with_its_line_breaks(studio):
    # 4,000 characters as the text area counted them; the browser sends each line break as CRLF.
    typed = "\n".join(["b" * 79] * 50)
    sent = {**PROFILE, "bio": typed.replace("\n", "\r\n")}
    assert client_for(studio.member).post("/settings/profile/", sent).status_code == 302
    assert Profile.objects.get(user=studio.member).bio == typed


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"display_name": "d" * 81}, "at most 80 characters"),
        ({"city": "c" * 101}, "at most 100 characters"),
        ({"bio": "b" * 4001}, "at most 4000 characters"),
        ({"languages": ["klingon"]}, "Select a valid choice"),
        ({"links": "ftp://files.example.org"}, "is not a web address"),
        ({"links": "javascript:alert(1)"}, "is not a web address"),
        ({"links": "\n".join(f"https://{n}.example.org" for n in range(6))}, "at most 5 links"),
        ({"language": "de"}, "Select a valid choice"),
        ({"skills": ["999999"]}, "Select a valid choice"),
        ({"skills": ["abc"]}, "is not a valid value"),
    ],
)
def test_bad_profile_input_is_refused_and_kept(studio, change, message):
    response = client_for(studio.member).post("/settings/profile/", {**PROFILE, **change})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Ania Nowak" in html or "display_name" in change  # what the person typed is still there
    assert Profile.objects.get(user=studio.member).display_name == ""


def _png_bomb() -> bytes:
    """A tiny PNG declaring 30,000 × 30,000 pixels (900 megapixels) of zeros."""
    width = height = 30_000
    raw = zlib.compress(b"\x00" * (1 + width) * 64)  # a few rows; the header is what matters

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.png", "The submitted file is empty."),
        (b"<html><script>alert(1)</script></html>", "page.png", "not an image we can read"),
        (_png_bomb(), "bomb.png", "not an image we can read"),
        (_png()[:60], "truncated.png", "damaged or incomplete"),
        (b"GIF89a" + b"\x00" * 20, "broken.gif", "not an image we can read"),
        (b"%PDF-1.4\n%...", "doc.png", "not an image we can read"),
        (b"\x00" * (5 * 1024 * 1024 + 10), "huge.png", "too large"),
    ],
)
def test_hostile_avatars_are_refused_and_nothing_is_stored(studio, data, name, message, settings):
    response = client_for(studio.member).post(
        "/settings/profile/", {**PROFILE, "avatar": _upload(data, name=name)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    profile = Profile.objects.get(user=studio.member)
    assert not profile.avatar
    assert profile.display_name == ""
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))


def test_a_polyglot_keeps_only_its_pixels(studio):
    # A valid PNG with an HTML page appended: accepted as a picture, the HTML never stored.
    data = _png() + b"<html><script>alert(1)</script></html>"
    client_for(studio.member).post("/settings/profile/", {**PROFILE, "avatar": _upload(data)})
    profile = Profile.objects.get(user=studio.member)
    with profile.avatar.open("rb") as stored:
        content = stored.read()
    assert b"<script>" not in content
    assert content[8:12] == b"WEBP"


def test_avatar_can_be_removed(studio):
    client = client_for(studio.member)
    client.post("/settings/profile/", {**PROFILE, "avatar": _upload(_png())})
    client.post("/settings/profile/", {**PROFILE, "remove_avatar": "on"})
    assert not Profile.objects.get(user=studio.member).avatar


def test_inactive_and_unknown_profiles_are_404(studio):
    assert client_for(None).get("/people/inactive/").status_code == 404
    assert client_for(None).get("/people/nobody/").status_code == 404


# --- API tokens --------------------------------------------------------------------------------


def test_a_token_is_shown_once_and_stored_hashed(studio):
    client = client_for(studio.member)
    response = client.post("/settings/tokens/", {"name": "upload script"})
    assert response.status_code == 200
    html = response.content.decode()
    token = ApiToken.objects.get(user=studio.member)
    clear = html.split('<code id="new-token">')[1].split("</code>")[0]
    assert clear.startswith("bst_") and len(clear) > 40
    assert token.digest != clear and clear not in token.digest
    assert clear not in client.get("/settings/tokens/").content.decode()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {clear}").json()["username"] == "member"


@pytest.mark.parametrize(
    ("name", "message"), [("", "This field is required."), ("n" * 81, "at most 80 characters")]
)
def test_bad_token_names_are_refused(studio, name, message):
    response = client_for(studio.member).post("/settings/tokens/", {"name": name})
    assert message in response.content.decode()
    assert not ApiToken.objects.exists()


def test_tokens_are_revoked_only_by_their_owner(studio):
    client = client_for(studio.member)
    client.post("/settings/tokens/", {"name": "mine"})
    token = ApiToken.objects.get()
    other = make_user("other")
    assert client_for(other).post(f"/settings/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()
    assert client.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 302
    assert not ApiToken.objects.exists()
