"""End-to-end tests in headless Chromium.

A package, so that its conftest is imported as ``browser.conftest`` and the tests' own
``from conftest import ...`` keeps meaning the repository's root conftest.
"""
