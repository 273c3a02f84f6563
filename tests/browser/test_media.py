"""Uploading a video in the browser with visible progress, then watching it stream."""

import pytest

from backstage.media.models import Asset
from backstage.media.tests.clips import Clips

from .conftest import sign_in

pytestmark = pytest.mark.browser


def test_upload_a_video_see_its_progress_and_play_it(studio, live_server, open_page, axe_audit, tmp_path):
    clip = Clips(tmp_path)["video.mp4"]
    problems: list[str] = []
    page = open_page(locale="fr-FR")
    sign_in(page, live_server, studio.crew)
    page.goto(f"{live_server.url}/assets/upload/")
    problems += axe_audit(page, "upload form")
    page.get_by_label("Pour la production").select_option("varsovie-express")
    page.locator("#upload-files").set_input_files(str(clip))
    # Small pieces, so that the bar moves through several steps even for a small clip; every value it
    # shows is recorded.
    page.evaluate(
        """() => {
            document.getElementById("upload-form").dataset.chunkSize = String(16 * 1024);
            window.shown = [];
            new MutationObserver(() => {
                const bar = document.querySelector(".upload-item progress");
                if (bar) window.shown.push(bar.value);
            }).observe(document.getElementById("upload-list"), {subtree: true, attributes: true, childList: true});
        }"""
    )
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_role("link", name="Ouvrir").wait_for(timeout=60_000)
    shown = page.evaluate("() => window.shown")
    assert shown[-1] == 100 and any(0 < value < 100 for value in shown), shown

    asset = Asset.objects.get()
    assert asset.production == studio.production and asset.owner == studio.crew
    page.get_by_role("link", name="Ouvrir").click()
    page.wait_for_url(f"**/assets/{asset.pk}/")
    # The worker may still be at it: the page shows the steps, then reloads by itself.
    page.locator("video.player").wait_for(timeout=60_000)
    assert Asset.objects.get().status == Asset.Status.READY
    problems += axe_audit(page, "asset page")

    video = page.locator("video.player")
    video.evaluate("v => { v.muted = true; return v.play(); }")
    page.wait_for_function("() => document.querySelector('video.player').currentTime > 0.2", timeout=20_000)
    assert video.evaluate("v => v.dataset.player") == "hls.js"
    assert page.get_by_text("320×240").is_visible()
    assert not problems, "\n".join(problems)
