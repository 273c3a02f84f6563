"""The subtitle pages: who sees them (before and after the moment), uploading, the editor, replacing, deleting."""

import json
import re

import pytest
from django.urls import reverse

from backstage.media.ingest import renditions_dir
from backstage.media.models import Rendition
from backstage.releases.models import Subtitle, SubtitleEdit
from backstage.releases.subtitles import parse_subtitles
from backstage.releases.tests.subtitle_fixtures import *  # noqa: F403
from backstage.releases.tests.subtitle_fixtures import EDITORS, POLISH, SUBTITLE_ROLES, open_release, upload
from conftest import client_for

pytestmark = pytest.mark.django_db


def url(name: str, release, **extra) -> str:
    return reverse(
        f"releases:{name}", kwargs={"slug": release.production.slug, "release_slug": release.slug, **extra}
    )


def expected_refusal(role: str, public: bool) -> int:
    """What someone who may not edit gets: the login page, 404 while the film is secret to them, else 403."""
    if role == "anonymous":
        return 302
    if role == "moderator" or public:
        return 403
    return 404


def table_post(rows: list[tuple[str, str, str]], **extra: str) -> dict[str, object]:
    """The editor's form as a browser without script sends it: one field of each name per row."""
    return {
        "label": extra.pop("label", "Polish"),
        "start": [row[0] for row in rows],
        "end": [row[1] for row in rows],
        "text": [row[2] for row in rows],
        "settings": ["" for _row in rows],
        **extra,
    }


@pytest.fixture
def proxy(film):
    folder = renditions_dir(film)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "proxy-540.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x01" * 5000)
    return Rendition.objects.create(
        asset=film,
        kind=Rendition.Kind.PROXY,
        label="540p",
        path="proxy-540.mp4",
        mime="video/mp4",
        height=540,
    )


@pytest.mark.parametrize("public", [False, True], ids=["before the moment", "after the moment"])
@pytest.mark.parametrize("role", SUBTITLE_ROLES)
def test_who_may_open_the_pages(role, public, people, release, subtitle, proxy):
    if public:
        open_release(release)
    client = client_for(people(role))
    pages = [
        url("subtitles", release),
        url("subtitle_editor", release, language="pl"),
        url("subtitle_preview", release),
    ]
    for address in pages:
        response = client.get(address)
        assert response.status_code == (200 if role in EDITORS else expected_refusal(role, public)), address
    delete = client.get(url("subtitle_delete", release, language="pl"))
    assert delete.status_code == (
        200 if role == "producer" else 403 if role in EDITORS else expected_refusal(role, public)
    )


@pytest.mark.parametrize("public", [False, True], ids=["before the moment", "after the moment"])
@pytest.mark.parametrize("role", SUBTITLE_ROLES)
def test_downloads_follow_the_embargo_with_translators_let_in(role, public, people, release, subtitle):
    if public:
        open_release(release)
    client = client_for(people(role))
    readers = {"producer", "director", "crew", "moderator", "translator"}
    vtt = client.get(url("subtitle_download", release, language="pl", file_format="vtt"))
    srt = client.get(url("subtitle_download", release, language="pl", file_format="srt"))
    if public or role in readers:
        assert vtt.status_code == srt.status_code == 200
        assert vtt["Content-Type"] == "text/vtt; charset=utf-8"
        assert vtt.content.decode() == subtitle.text
        assert srt.content.decode().startswith("1\n00:00:01,000 --> 00:00:04,000\nGdzie jest walizka?\n")
        assert vtt["Cache-Control"] == ("public, max-age=300" if public else "private, no-store")
        assert 'filename="premiere.pl.srt"' in srt["Content-Disposition"]
    else:
        assert vtt.status_code == srt.status_code == 404


@pytest.mark.parametrize("role", SUBTITLE_ROLES)
def test_who_may_upload(role, people, release):
    response = client_for(people(role)).post(
        url("subtitles", release), {"language": "pl", "label": "", "file": upload()}
    )
    if role in EDITORS:
        assert response.status_code == 302
        assert response["Location"] == url("subtitle_editor", release, language="pl")
        subtitle = Subtitle.objects.get()
        assert (subtitle.label, subtitle.cue_count) == ("Polski", 3)
    else:
        assert response.status_code == expected_refusal(role, public=False)
        assert not Subtitle.objects.exists()


@pytest.mark.parametrize(
    ("content", "language", "message"),
    [
        (
            b"WEBVTT\n\n00:03.000 --> 00:02.000\nx\n",
            "pl",
            "Line 3: Cue 1 ends (00:00:02.000) before it starts (00:00:03.000).",
        ),
        ("żółw".encode("iso-8859-2"), "pl", "The file is not UTF-8 text"),
        (b"<html><script>alert(1)</script></html>", "pl", "neither WebVTT nor SubRip"),
        (POLISH, "polish", "is not a language tag"),
    ],
)
def test_a_bad_upload_says_what_is_wrong_and_publishes_nothing(content, language, message, studio, release):
    response = client_for(studio.crew).post(
        url("subtitles", release), {"language": language, "file": upload(content)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Subtitle.objects.exists()


def test_an_existing_language_is_refused_on_upload(studio, release, subtitle):
    response = client_for(studio.crew).post(url("subtitles", release), {"language": "pl", "file": upload()})
    assert "already has subtitles" in response.content.decode()
    assert Subtitle.objects.count() == 1


def test_the_list_shows_each_language_with_its_links(studio, release, subtitle):
    page = client_for(studio.producer).get(url("subtitles", release)).content.decode()
    assert "Polish" in page and url("subtitle_editor", release, language="pl") in page
    assert url("subtitle_download", release, language="pl", file_format="srt") in page
    assert url("subtitle_delete", release, language="pl") in page
    crew_page = client_for(studio.crew).get(url("subtitles", release)).content.decode()
    assert url("subtitle_delete", release, language="pl") not in crew_page


def test_the_editor_shows_every_cue_the_video_and_blank_rows(studio, release, subtitle, proxy):
    page = client_for(studio.crew).get(url("subtitle_editor", release, language="pl")).content.decode()
    assert page.count("data-cue-row>") == 3 + 3 + 1  # cues, blank rows, the row template
    assert 'value="00:00:04.500"' in page and "&lt;i&gt;W nocnym pociągu&lt;/i&gt;" in page
    assert f'src="{url("subtitle_preview", release)}"' in page
    assert "releases/subtitle-editor.js" in page


def test_the_editor_without_a_playable_copy_says_so(studio, release, subtitle):
    page = client_for(studio.crew).get(url("subtitle_editor", release, language="pl")).content.decode()
    assert "No playable copy of the film yet" in page and "<video" not in page


@pytest.mark.parametrize("role", SUBTITLE_ROLES)
def test_who_may_save_in_the_editor(role, people, release, subtitle):
    rows = [
        ("1", "4", "Gdzie jest walizka?"),
        ("4.5", "6", "<i>W nocnym pociągu</i>"),
        ("7", "9", "Do Warszawy!"),
    ]
    response = client_for(people(role)).post(url("subtitle_editor", release, language="pl"), table_post(rows))
    subtitle.refresh_from_db()
    if role in EDITORS:
        assert response.status_code == 302
        assert parse_subtitles(subtitle.text)[2].text == "Do Warszawy!"
        assert SubtitleEdit.objects.filter(author=people(role), cues_changed=1).exists()
    else:
        assert response.status_code == expected_refusal(role, public=False)
        assert "Do Warszawy." in subtitle.text


def test_the_table_saves_without_script_blank_rows_left_out_and_cues_sorted(
    studio, release, subtitle, translator
):
    rows = [
        ("7", "9", "Do Warszawy."),
        ("", "", ""),
        ("00:00:01.000", "00:00:04.000", "Gdzie jest walizka?"),
        ("", "", ""),
    ]
    response = client_for(translator).post(
        url("subtitle_editor", release, language="pl"), table_post(rows, note="Cut one"), follow=True
    )
    assert "Saved. Cues added: 0, changed: 0, removed: 1." in response.content.decode()
    subtitle.refresh_from_db()
    assert [cue.start for cue in parse_subtitles(subtitle.text)] == [1000, 7000]
    assert SubtitleEdit.objects.get(author=translator).note == "Cut one"


def test_a_bad_cue_is_shown_beside_it_and_everything_typed_is_kept(studio, release, subtitle):
    rows = [
        ("1", "4", "Gdzie jest walizka?"),
        ("00:00:06.000", "00:00:05.000", "Typed & kept"),
        ("7", "nine", "Do Warszawy."),
    ]
    response = client_for(studio.director).post(
        url("subtitle_editor", release, language="pl"), table_post(rows)
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "nothing is saved yet" in page
    second = page[page.index('id="cue-2"') : page.index('id="cue-3"')]
    assert "Cue 2 ends (00:00:05.000) before it starts (00:00:06.000)." in second
    assert 'value="00:00:06.000"' in second and "Typed &amp; kept" in second
    third = page[page.index('id="cue-3"') :]
    assert "Cue 3: “nine” is not a valid end time" in third and 'value="nine"' in third
    assert '<a href="#cue-2">' in page and '<a href="#cue-3">' in page
    subtitle.refresh_from_db()
    assert subtitle.text.endswith("Do Warszawy.\n") and SubtitleEdit.objects.count() == 1


def test_the_script_posts_the_whole_document_as_one_field(studio, release, subtitle):
    document = [{"start": "00:00:01.000", "end": "00:00:02.000", "text": "Jeden", "settings": "line:0"},
                {"start": "2.5", "end": "3", "text": "Dwa", "settings": ""}]  # fmt: skip
    response = client_for(studio.crew).post(
        url("subtitle_editor", release, language="pl"), {"label": "Polski", "document": json.dumps(document)}
    )
    assert response.status_code == 302
    subtitle.refresh_from_db()
    assert subtitle.label == "Polski"
    assert (
        subtitle.text
        == "WEBVTT\n\n00:00:01.000 --> 00:00:02.000 line:0\nJeden\n\n00:00:02.500 --> 00:00:03.000\nDwa\n"
    )


@pytest.mark.parametrize(
    "document",
    [
        "not json",
        "{}",
        "[1]",
        '[{"start": 1}]',
        '[{"start": "\\ud800", "end": "1", "text": "x"}]',  # a lone surrogate
        "[" * 100_000 + "]" * 100_000,
    ],
)
def test_a_broken_document_saves_nothing(document, studio, release, subtitle):
    before = subtitle.text
    response = client_for(studio.crew).post(
        url("subtitle_editor", release, language="pl"), {"label": "Polish", "document": document}
    )
    assert response.status_code == 200
    assert "did not arrive whole" in response.content.decode()
    subtitle.refresh_from_db()
    assert subtitle.text == before


def test_saving_over_a_newer_save_is_refused_and_the_typing_kept(studio, release, subtitle, translator):
    page = client_for(translator).get(url("subtitle_editor", release, language="pl")).content.decode()
    revision = re.search(r'name="revision" value="([0-9a-f]+)"', page)[1]
    client_for(studio.crew).post(
        url("subtitle_editor", release, language="pl"), table_post([("1", "2", "Crew's")], revision=revision)
    )
    response = client_for(translator).post(
        url("subtitle_editor", release, language="pl"),
        table_post([("1", "2", "Translator's")], revision=revision),
    )
    page = response.content.decode()
    assert "Someone saved these subtitles after you opened them" in page and "Translator&#x27;s" in page
    subtitle.refresh_from_db()
    assert "Crew's" in subtitle.text


def test_replacing_with_a_file(studio, release, subtitle):
    srt = b"1\n00:00:01,000 --> 00:00:02,000\nNowy.\n"
    response = client_for(studio.director).post(
        url("subtitle_replace", release, language="pl"), {"file": upload(srt, "pl.srt")}
    )
    assert response.status_code == 302
    subtitle.refresh_from_db()
    assert subtitle.cue_count == 1
    bad = client_for(studio.director).post(
        url("subtitle_replace", release, language="pl"), {"file": upload(b"WEBVTT\n\nnope\n")}
    )
    assert bad.status_code == 200 and "is not a timing line" in bad.content.decode()
    subtitle.refresh_from_db()
    assert subtitle.cue_count == 1
    refused = client_for(studio.moderator).post(
        url("subtitle_replace", release, language="pl"), {"file": upload(srt)}
    )
    assert refused.status_code == 403


@pytest.mark.parametrize("role", SUBTITLE_ROLES)
def test_only_the_producer_deletes(role, people, release, subtitle):
    response = client_for(people(role)).post(url("subtitle_delete", release, language="pl"))
    if role == "producer":
        assert response.status_code == 302 and not Subtitle.objects.exists()
    else:
        assert response.status_code == (403 if role in EDITORS else expected_refusal(role, public=False))
        assert Subtitle.objects.exists()


def test_the_preview_streams_the_films_copy_with_ranges(studio, release, subtitle, proxy, translator):
    response = client_for(translator).get(url("subtitle_preview", release), HTTP_RANGE="bytes=0-15")
    assert response.status_code == 206
    assert (
        b"".join(response.streaming_content if response.streaming else [response.content])
        == b"\x00\x00\x00\x18ftypmp42\x01\x01\x01\x01"
    )
    assert response["Cache-Control"] == "private, no-store"


def test_unknown_languages_and_releases_are_not_found(studio, release, subtitle):
    client = client_for(studio.producer)
    assert client.get(url("subtitle_editor", release, language="de")).status_code == 404
    assert client.get(url("subtitles", release) + "xx-yy-zz-!/").status_code == 404
    assert client.get(url("subtitles", release) + "xx-Latn-ZZ-123/").status_code == 404
    assert (
        client.get(
            reverse("releases:subtitles", kwargs={"slug": "varsovie-express", "release_slug": "nope"})
        ).status_code
        == 404
    )


def test_pages_speak_french(studio, release, subtitle):
    client = client_for(studio.producer)
    client.post(reverse("set_language"), {"language": "fr"})
    page = client.get(url("subtitle_editor", release, language="pl")).content.decode()
    assert '<html lang="fr">' in page
