"""Answering a call in the browser, voting without a reload, and the review panel, audited with axe."""

import pytest

from backstage.contributions.models import Contribution, Status
from backstage.contributions.tests.conftest import png_upload

from .conftest import sign_in

pytestmark = pytest.mark.browser


def test_answer_vote_and_review(studio, live_server, open_page, axe_audit, tmp_path):
    problems: list[str] = []
    image = tmp_path / "poster.png"
    image.write_bytes(png_upload().read())

    # A member answers the call with an image under a license the production accepts.
    page = open_page(locale="en-US")
    sign_in(page, live_server, studio.member)
    page.goto(f"{live_server.url}/productions/varsovie-express/calls/{studio.call.pk}/contribute/")
    problems += axe_audit(page, "contribute form")
    page.get_by_label("Title").fill("Ania, self-tape")
    page.get_by_label("Description").fill("Scene *Compartiment 6*.")
    page.get_by_label("Creative Commons Attribution-ShareAlike 4.0", exact=False).check()
    page.locator("input[type=file]").set_input_files(str(image))
    page.get_by_role("button", name="Submit my contribution").click()
    page.wait_for_url("**/contributions/*/")
    assert page.get_by_role("heading", name="Ania, self-tape").is_visible()
    page.locator(".file-preview img").wait_for()
    problems += axe_audit(page, "contribution page")
    work = Contribution.objects.get()
    assert work.license == "CC-BY-SA-4.0" and work.files.count() == 1

    # Another member votes from the list; the count changes without a page reload.
    voter = open_page(locale="en-US")
    sign_in(voter, live_server, studio.crew)
    voter.goto(f"{live_server.url}/productions/varsovie-express/calls/{studio.call.pk}/contributions/")
    problems += axe_audit(voter, "contributions list")
    voter.evaluate("() => { window.notReloaded = true; }")
    voter.get_by_role("button", name="Vote").click()
    voter.get_by_role("button", name="Voted").wait_for()
    assert voter.get_by_text("1 vote").is_visible()
    assert voter.evaluate("() => window.notReloaded") is True

    # The same member comments on the contribution, mentioning its author; no reload either.
    voter.goto(f"{live_server.url}{Contribution.objects.get().get_absolute_url()}")
    voter.evaluate("() => { window.notReloaded = true; }")
    voter.get_by_label("Your comment").fill("Great take, @member!")
    voter.get_by_role("button", name="Post").click()
    voter.locator(".comment").filter(has_text="Great take").wait_for()
    assert voter.evaluate("() => window.notReloaded") is True

    # The director accepts it with a note; the author sees the decision.
    director = open_page(locale="en-US")
    sign_in(director, live_server, studio.director)
    director.goto(f"{live_server.url}{work.get_absolute_url()}")
    problems += axe_audit(director, "review panel")
    director.get_by_label("Decision").select_option("accepted")
    director.get_by_label("Note to the author").fill("In the film!")
    director.get_by_role("button", name="Record the decision").click()
    director.get_by_text("The decision is recorded.").wait_for()
    work.refresh_from_db()
    assert work.status == Status.ACCEPTED
    page.reload()
    assert page.get_by_text("In the film!").is_visible()
    # The author's bell counts the mention and the decision; the list says what happened.
    assert page.locator(".bell-count").inner_text() == "2"
    page.locator("a.bell").click()
    page.wait_for_url("**/notifications/")
    problems += axe_audit(page, "notifications")
    assert page.get_by_text("Ania, self-tape").first.is_visible()
    assert not problems, "\n".join(problems)


def test_the_licenses_page_is_accessible(studio, live_server, open_page, axe_audit):
    page = open_page(locale="fr-FR")
    page.goto(f"{live_server.url}/licenses/")
    problems = axe_audit(page, "licenses")
    assert not problems, "\n".join(problems)
