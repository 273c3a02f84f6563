"""Screenshot Backstage pages in headless Chromium, at phone and desktop widths, in both languages.

Usage: python scripts/screenshot.py BASE_URL OUT_DIR PATH [PATH …]
Set BACKSTAGE_SCREENSHOT_LOGIN=email:password to sign in first.
"""

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}


def main() -> None:
    base, out, *paths = sys.argv[1:]
    Path(out).mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        for language in ("en", "fr"):
            for label, (width, height) in WIDTHS.items():
                context = browser.new_context(viewport={"width": width, "height": height}, locale=language)
                page = context.new_page()
                login = os.environ.get("BACKSTAGE_SCREENSHOT_LOGIN")
                if login:
                    email, password = login.split(":", 1)
                    page.goto(base + "/accounts/login/")
                    page.fill("input[name=login]", email)
                    page.fill("input[name=password]", password)
                    page.click("form button[type=submit]")
                    page.wait_for_load_state()
                for path in paths:
                    page.goto(base + path)
                    name = path.strip("/").replace("/", "_") or "home"
                    page.screenshot(path=f"{out}/{name}-{language}-{label}.png", full_page=True)
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
