"""Headless Chromium for the end-to-end tests: Playwright's sync API against pytest-django's live_server.

Debian's Chromium (/usr/bin/chromium) is used, never a browser downloaded by Playwright.
Without it the directory is skipped, unless BACKSTAGE_BROWSER_TESTS is set (meant for CI),
in which case a missing browser fails the run instead of silently testing nothing.
"""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parents[1]
SCREENSHOTS = REPOSITORY / "test-artifacts" / "screenshots"
AXE = HERE / "vendor" / "axe.min.js"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
]
SKIP_MESSAGE = (
    "browser tests skipped: install Debian's chromium (apt-get install chromium) "
    "or set BACKSTAGE_BROWSER_TESTS=1 to run them"
)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Milliseconds: long enough for a slow CI machine, short enough to fail fast.
TIMEOUT = 10_000

_failed = pytest.StashKey[bool]()


def _browser_tests_required() -> bool:
    return os.environ.get("BACKSTAGE_BROWSER_TESTS", "") != ""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # This hook sees every collected test, so only the ones in this directory are marked.
    if CHROMIUM.exists() or _browser_tests_required():
        return
    skip = pytest.mark.skip(reason=SKIP_MESSAGE)
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[_failed] = report.failed
    return report


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for this directory's tests in each test process (xdist worker).

    While Playwright's sync API is started, its asyncio event loop counts as running in the
    main thread, and Django refuses ORM calls from there unless DJANGO_ALLOW_ASYNC_UNSAFE is
    set. So the browser lives for this package only (not the session: the other tests that
    the same worker runs afterwards need neither the loop nor the variable, and subprocesses
    must not inherit it: ``check --deploy`` rejects it), and the variable is set just as long.
    """
    if not CHROMIUM.exists():
        if _browser_tests_required():
            pytest.fail(f"BACKSTAGE_BROWSER_TESTS is set but {CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(SKIP_MESSAGE)
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def open_page(browser, live_server, request) -> Iterator[Callable]:
    """Opens a page in a fresh browser context (own cookies) on the live server.

    ``open_page(locale="fr-FR")`` sends ``Accept-Language: fr-FR`` like a French browser.
    Uncaught JavaScript errors fail the test; a failed test leaves a screenshot of each
    of its pages in test-artifacts/screenshots/failures/.
    """
    contexts = []
    js_errors: list[str] = []

    def _open(*, locale: str = "en-US", viewport: dict | None = None, is_mobile: bool = False):
        context = browser.new_context(
            base_url=live_server.url, locale=locale, viewport=viewport or DESKTOP, is_mobile=is_mobile
        )
        context.set_default_timeout(TIMEOUT)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: js_errors.append(f"{page.url}: {error}"))
        return page

    yield _open

    if request.node.stash.get(_failed, False):
        folder = SCREENSHOTS / "failures"
        folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        for number, page in enumerate(page for context in contexts for page in context.pages):
            page.screenshot(path=folder / f"{name}-{number}.png", full_page=True)
    for context in contexts:
        context.close()
    if js_errors:
        pytest.fail("JavaScript errors in the page:\n" + "\n".join(js_errors))


def sign_in(page, live_server, user) -> None:
    """Give the page's browser context the session cookie of `user`, as if they had signed in."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


@pytest.fixture
def axe_audit() -> Callable:
    """Runs axe-core on a page; returns its serious and critical violations, one readable line each.

    Usage: ``problems += axe_audit(page, "signup")`` then ``assert not problems, "\\n".join(problems)``.
    """

    def _audit(page, label: str) -> list[str]:
        page.add_script_tag(path=AXE)
        results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        problems = []
        for violation in results["violations"]:
            if violation["impact"] not in {"serious", "critical"}:
                continue
            problems.append(
                f"[{label}] {page.url}: {violation['id']} ({violation['impact']}): {violation['help']}"
                f" <{violation['helpUrl']}>"
            )
            for node in violation["nodes"]:
                summary = " ".join(node.get("failureSummary", "").split())
                problems.append(f"    {' > '.join(map(str, node['target']))}: {summary}")
        return problems

    return _audit
