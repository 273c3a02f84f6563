"""Settings for benchmark servers: the product's settings with a URL root that adds a baseline view."""

from backstage.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
