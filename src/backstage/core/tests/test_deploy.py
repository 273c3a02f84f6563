"""Production settings pass Django's deployment checks; every setting is documented."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "BACKSTAGE_DATA_DIR": str(tmp_path),
        "BACKSTAGE_DEBUG": "false",
        "BACKSTAGE_SECRET_KEY": secrets.token_urlsafe(64),
        "BACKSTAGE_HTTPS": "true",
        "BACKSTAGE_ALLOWED_HOSTS": "studio.example.org",
        "DJANGO_SETTINGS_MODULE": "backstage.settings",
    }
    result = subprocess.run(
        [sys.executable, "-m", "backstage.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_embedded_defaults_warn_about_what_production_must_change(tmp_path):
    env = {**os.environ, "BACKSTAGE_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "backstage.settings"}
    env.pop("BACKSTAGE_HTTPS", None)
    result = subprocess.run(
        [sys.executable, "-m", "backstage.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stdout + result.stderr


def test_every_setting_is_documented_in_the_readme():
    settings_source = (ROOT / "src" / "backstage" / "settings.py").read_text()
    readme = (ROOT / "README.md").read_text()
    names = set(re.findall(r'"((?:BACKSTAGE_|DATABASE_URL)[A-Z0-9_]*)"', settings_source))
    assert names, "no settings found"
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert not missing, f"settings missing from the README: {missing}"
