"""What people do on Backstage, in a real browser: join and follow a film in French; open a call in English.

Their pages are audited with axe-core, and serious or critical violations fail: the French
journey's pages by a twin test that does not depend on the French catalogue, the call form
within the English journey.
"""

import re
import time

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from backstage.productions.models import Call, Follow
from conftest import PASSWORD

pytestmark = pytest.mark.browser

PRODUCTION = "/productions/varsovie-express/"
SIGNUP = "/accounts/signup/"
CONFIRMATION_LINK = re.compile(r"https?://\S+/accounts/confirm-email/[^/\s]+/")


def field(label: str) -> re.Pattern:
    """A form label, whatever the language's label suffix ("Email:", "E-mail\u00a0:")."""
    return re.compile(rf"^{re.escape(label)}\s*:?$")


def expect_french(page: Page) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "fr")


def sign_up_in_french(page: Page, *, email: str, username: str) -> None:
    """Fills and sends the sign-up form.

    Its French labels come from several catalogues (Django's, allauth's, ours: "E-mail" has
    become "Courriel"), so the fields are found by name; axe checks that they are labelled.
    """
    form = page.get_by_role("main").locator(f"form[action='{SIGNUP}']")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password1]").fill("un train de nuit pour Varsovie")
    form.locator("input[name=password2]").fill("un train de nuit pour Varsovie")
    form.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))


def confirmation_link(live_server, email: str) -> str:
    """The link of the confirmation e-mail (sent by the live server's thread into the locmem outbox)."""
    deadline = time.monotonic() + 5
    while True:
        messages = [message for message in mail.outbox if email in message.to]
        if messages or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(messages) == 1, f"expected one confirmation e-mail to {email}, got {len(messages)}"
    match = CONFIRMATION_LINK.search(messages[0].body)
    assert match, f"no confirmation link in:\n{messages[0].body}"
    link = match.group(0)
    assert link.startswith(live_server.url), f"the link {link} leaves the site {live_server.url}"
    return link


def test_visitor_joins_in_french_follows_a_film_and_finds_it_on_the_dashboard(studio, live_server, open_page):
    page = open_page(locale="fr-FR")

    page.goto("/")
    expect_french(page)
    # The French name of the "Join the studio" button is the translators' choice: found by address.
    page.get_by_role("main").locator(f"a[href='{SIGNUP}']").click()
    expect(page).to_have_url(re.compile(f"{SIGNUP}$"))
    expect_french(page)
    sign_up_in_french(page, email="ania@example.org", username="ania")

    page.goto(confirmation_link(live_server, "ania@example.org"))
    expect_french(page)
    page.get_by_role("button", name="Confirmer").click()
    # Confirming logs the person in and takes them to their dashboard.
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("link", name="Tableau de bord")).to_be_visible()

    page.goto(PRODUCTION)
    expect_french(page)
    page.evaluate("window.sameDocument = true")
    page.get_by_role("button", name="Suivre cette production").click()
    following = page.locator("#follow-form").get_by_role("button", name="Suivie")
    expect(following).to_be_visible()
    expect(following).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.sameDocument") is True, (
        "following reloaded the page instead of swapping the button"
    )
    assert Follow.objects.filter(user__username="ania", production=studio.production).exists()

    page.get_by_role("link", name="Tableau de bord").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect_french(page)
    expect(page).to_have_title(re.compile("Tableau de bord"))
    followed = page.get_by_role("region", name="Productions que vous suivez")
    expect(followed.get_by_role("heading", name="Productions que vous suivez")).to_be_visible()
    expect(followed.get_by_role("link", name="Varsovie-Express")).to_be_visible()


def test_french_join_and_follow_pages_have_no_serious_accessibility_violations(
    studio, live_server, open_page, axe_audit
):
    """The pages of the journey above, reached without depending on the French catalogue."""
    page = open_page(locale="fr-FR")
    problems = []

    page.goto("/")
    problems += axe_audit(page, "home")

    page.goto(SIGNUP)
    problems += axe_audit(page, "signup")
    sign_up_in_french(page, email="bogdan@example.org", username="bogdan")

    page.goto(confirmation_link(live_server, "bogdan@example.org"))
    problems += axe_audit(page, "confirm e-mail")
    page.get_by_role("button", name="Confirmer").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    page.goto(PRODUCTION)
    problems += axe_audit(page, "production")
    page.locator("#follow-form button").click()
    expect(page.locator("#follow-form button")).to_have_attribute("aria-pressed", "true")
    problems += axe_audit(page, "production, followed")

    page.goto("/dashboard/")
    expect(page.get_by_role("main").get_by_role("link", name="Varsovie-Express").first).to_be_visible()
    problems += axe_audit(page, "dashboard")

    assert not problems, "axe-core found serious or critical violations:\n" + "\n".join(problems)


def test_producer_signs_in_and_opens_a_call_after_fixing_a_missing_title(
    studio, live_server, open_page, axe_audit
):
    page = open_page(locale="en-US")
    problems = []

    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    page.get_by_label(field("Email")).fill(studio.producer.email)
    page.get_by_label(field("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    page.get_by_role("region", name="Your teams").get_by_role("link", name="Varsovie-Express").click()
    expect(page).to_have_url(re.compile(f"{PRODUCTION}$"))
    page.get_by_role("link", name="Open a call").click()
    expect(page).to_have_url(re.compile(r"/calls/new/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Open a call")
    problems += axe_audit(page, "call form")

    brief = "A composer for the **night train** theme.\n\nSend a sketch of one minute."
    page.get_by_label(field("Kind")).select_option(label="Music")
    page.get_by_label(field("Brief (English)")).fill(brief)
    page.get_by_role("button", name="Open the call").click()

    expect(page).to_have_url(re.compile(r"/calls/new/$"))
    expect(
        page.get_by_role("alert").filter(has_text="Give the call a title in at least one language.")
    ).to_be_visible()
    expect(page.get_by_label(field("Brief (English)"))).to_have_value(brief)
    expect(page.get_by_label(field("Kind"))).to_have_value("music")
    problems += axe_audit(page, "call form with an error")
    assert not Call.objects.filter(brief_en=brief).exists()

    page.get_by_label(field("Title (English)")).fill("Music: the night train theme")
    page.get_by_role("button", name="Open the call").click()

    expect(page).to_have_url(re.compile(r"/productions/varsovie-express/calls/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Music: the night train theme")
    expect(page.get_by_role("status")).to_contain_text("The call is open.")
    expect(page.get_by_role("main").locator("strong", has_text="night train")).to_be_visible()
    call = Call.objects.get(title_en="Music: the night train theme")
    assert call.brief_en.replace("\r\n", "\n") == brief  # browsers send CRLF line endings
    assert call.created_by == studio.producer

    assert not problems, "axe-core found serious or critical violations:\n" + "\n".join(problems)
