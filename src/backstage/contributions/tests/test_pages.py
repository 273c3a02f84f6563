"""Answering calls, editing, withdrawing, listing and viewing contributions through HTTP."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backstage.contributions.models import Contribution, ContributionFile, Status
from backstage.contributions.tests.conftest import png_upload
from backstage.productions.models import Call, Production
from conftest import ROLES, client_for, make_user

FORM = {
    "title": "Ania, self-tape",
    "description": "Scene *Compartiment 6*.",
    "license": "CC-BY-SA-4.0",
    "links": "https://video.example.org/ania",
    "sources": "",
}


def contribute_url(studio) -> str:
    return f"/productions/varsovie-express/calls/{studio.call.pk}/contribute/"


def test_a_member_answers_a_call_with_an_image(studio):
    client = client_for(studio.member)
    assert client.get(contribute_url(studio)).status_code == 200
    response = client.post(contribute_url(studio), {**FORM, "attachments": [png_upload()]})
    contribution = Contribution.objects.get()
    assert response.status_code == 302
    assert response["Location"] == contribution.get_absolute_url()
    assert contribution.author == studio.member and contribution.status == Status.SUBMITTED
    stored = contribution.files.get()
    assert stored.kind == "image" and stored.mime == "image/png" and len(stored.sha256) == 64
    page = client_for(None).get(contribution.get_absolute_url()).content.decode()
    assert "Ania, self-tape" in page and "<em>Compartiment 6</em>" in page
    assert f"/files/{stored.pk}/" in page
    image = client_for(None).get(
        f"/productions/varsovie-express/contributions/{contribution.pk}/files/{stored.pk}/"
    )
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image["X-Content-Type-Options"] == "nosniff" and "sandbox" in image["Content-Security-Policy"]
    assert image["X-Frame-Options"] == "SAMEORIGIN"  # previews are framed by our own pages only


def test_the_form_explains_each_accepted_license(studio):
    page = client_for(studio.member).get(contribute_url(studio)).content.decode()
    for spdx in ("LAL-1.3", "CC-BY-SA-4.0", "CC-BY-4.0", "CC0-1.0"):
        assert f'value="{spdx}"' in page
    assert "GPL-3.0-or-later" not in page  # software license, not accepted for the film
    assert "-NC-" not in page and "-ND-" not in page  # no non-free license is offered


def test_visitors_are_asked_to_sign_in(studio):
    response = client_for(None).post(contribute_url(studio), FORM)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Contribution.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"title": "t" * 201}, "at most 200 characters"),
        ({"license": ""}, "This field is required."),
        ({"license": "CC-BY-NC-4.0"}, "Select a valid choice"),
        ({"license": "GPL-3.0-or-later"}, "Select a valid choice"),
        ({"links": "javascript:alert(1)"}, "is not a web address"),
        ({"sources": "twelve"}, "contribution numbers"),
        ({"sources": "999999"}, "No contribution #999999"),
        ({"description": "d" * 20_001}, "at most 20000 characters"),
    ],
)
def test_bad_contributions_are_refused_and_what_was_typed_is_kept(studio, change, message):
    response = client_for(studio.member).post(contribute_url(studio), {**FORM, **change})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Scene *Compartiment 6*." in html or "description" in change
    assert not Contribution.objects.exists()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.png", "empty"),
        (b"<html><script>alert(1)</script></html>", "page.jpg", "not accepted"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "logo.svg",
            "not accepted",
        ),
        (b"MZ\x90\x00" + b"\x00" * 200, "setup.exe", "not accepted"),
    ],
)
def test_hostile_files_are_refused_and_nothing_is_stored(studio, data, name, message, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, data)
    response = client_for(studio.member).post(contribute_url(studio), {**FORM, "attachments": [upload]})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Contribution.objects.exists() and not ContributionFile.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))


def test_closed_and_expired_calls_take_no_contribution(studio):
    Call.objects.filter(pk=studio.call.pk).update(is_open=False)
    response = client_for(studio.member).post(contribute_url(studio), FORM)
    assert "This call is closed" in response.content.decode()
    Call.objects.filter(pk=studio.call.pk).update(
        is_open=True, deadline=timezone.now() - timedelta(minutes=1)
    )
    response = client_for(studio.member).post(contribute_url(studio), FORM)
    assert "This call is closed" in response.content.decode()
    assert not Contribution.objects.exists()


def test_a_remix_names_its_sources_and_both_keep_their_credit(studio, submit):
    original = submit(studio.crew, title="Train theme", license="CC-BY-4.0")
    response = client_for(studio.member).post(contribute_url(studio), {**FORM, "sources": f"#{original.pk}"})
    remix = Contribution.objects.exclude(pk=original.pk).get()
    assert response.status_code == 302
    assert list(remix.sources.all()) == [original]
    remix_page = client_for(None).get(remix.get_absolute_url()).content.decode()
    assert "Train theme" in remix_page and studio.crew.display_name in remix_page
    original_page = client_for(None).get(original.get_absolute_url()).content.decode()
    assert "Remixed in" in original_page and "Ania, self-tape" in original_page


def test_a_remix_under_an_incompatible_license_is_refused(studio, submit):
    original = submit(studio.crew, title="Train theme", license="CC-BY-SA-4.0")
    response = client_for(studio.member).post(
        contribute_url(studio), {**FORM, "license": "CC-BY-4.0", "sources": str(original.pk)}
    )
    assert response.status_code == 200
    assert "CC-BY-SA-4.0" in response.content.decode()
    assert Contribution.objects.count() == 1


def test_sources_must_come_from_the_same_production(studio, submit):
    other = Production.objects.create(slug="other", title="Other")
    other_call = Call.objects.create(production=other, kind="music", title_en="Cue")
    elsewhere = submit(studio.crew, call=other_call, title="Elsewhere")
    response = client_for(studio.member).post(contribute_url(studio), {**FORM, "sources": str(elsewhere.pk)})
    assert "No contribution #" in response.content.decode()


# --- editing and withdrawing --------------------------------------------------------------------


def test_the_author_edits_while_submitted(studio, submit):
    contribution = submit(files=[png_upload()])
    client = client_for(studio.member)
    edit = f"/productions/varsovie-express/contributions/{contribution.pk}/edit/"
    assert client.get(edit).status_code == 200
    stored = contribution.files.get()
    response = client.post(
        edit,
        {**FORM, "title": "Better title", "remove_files": [stored.pk], "attachments": [png_upload("b.png")]},
    )
    assert response.status_code == 302
    contribution.refresh_from_db()
    assert contribution.title == "Better title"
    assert [item.name for item in contribution.files.all()] == ["b.png"]


@pytest.mark.parametrize("role", ["crew", "director", "producer", "staff", "moderator"])
def test_nobody_else_edits_or_withdraws(studio, submit, role):
    contribution = submit()
    client = client_for(studio.person(role))
    base = f"/productions/varsovie-express/contributions/{contribution.pk}"
    assert client.get(base + "/edit/").status_code == 403
    assert client.post(base + "/edit/", {**FORM, "title": "Hijacked"}).status_code == 403
    assert client.post(base + "/withdraw/").status_code == 403
    contribution.refresh_from_db()
    assert contribution.title == "A poster" and contribution.status == Status.SUBMITTED


def test_no_editing_after_the_team_looked_at_it_but_withdrawing_still_works(studio, submit):
    from backstage.contributions import services

    contribution = submit(files=[png_upload()])
    services.review_contribution(actor=studio.crew, contribution=contribution, status=Status.SHORTLISTED)
    client = client_for(studio.member)
    base = f"/productions/varsovie-express/contributions/{contribution.pk}"
    response = client.get(base + "/edit/", follow=True)
    assert "can no longer be edited" in response.content.decode()
    client.post(base + "/withdraw/")
    contribution.refresh_from_db()
    assert contribution.status == Status.WITHDRAWN
    # Withdrawn work leaves the public list and page, its author still sees it.
    assert client_for(None).get(base + "/").status_code == 404
    assert client.get(base + "/").status_code == 200
    stored = contribution.files.first()
    if stored is not None:
        assert client_for(None).get(f"{base}/files/{stored.pk}/").status_code == 404
        assert client_for(studio.crew).get(f"{base}/files/{stored.pk}/").status_code == 200
    listing = client_for(None).get(f"/productions/varsovie-express/calls/{studio.call.pk}/contributions/")
    assert "A poster" not in listing.content.decode()


# --- the list -----------------------------------------------------------------------------------


def test_the_list_sorts_and_pages(studio, submit):
    first = submit(title="First")
    second = submit(make_user("second"), title="Second")
    Contribution.objects.filter(pk=first.pk).update(vote_count=5)
    from backstage.contributions import services

    services.review_contribution(actor=studio.crew, contribution=second, status=Status.SHORTLISTED)
    url = f"/productions/varsovie-express/calls/{studio.call.pk}/contributions/"
    newest = client_for(None).get(url).content.decode()
    assert newest.index("Second") < newest.index("First")
    by_votes = client_for(None).get(url + "?sort=votes").content.decode()
    assert by_votes.index("First") < by_votes.index("Second")
    shortlisted = client_for(None).get(url + "?sort=shortlisted").content.decode()
    assert shortlisted.index("Second") < shortlisted.index("First")
    assert client_for(None).get(url + "?sort=nonsense&page=abc").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_everyone_sees_the_list_and_pages(studio, submit, role):
    contribution = submit()
    client = client_for(studio.person(role))
    assert (
        client.get(f"/productions/varsovie-express/calls/{studio.call.pk}/contributions/").status_code == 200
    )
    assert client.get(contribution.get_absolute_url()).status_code == 200


def test_contribution_of_another_production_is_404(studio, submit):
    contribution = submit()
    Production.objects.create(slug="other", title="Other")
    assert client_for(None).get(f"/productions/other/contributions/{contribution.pk}/").status_code == 404
