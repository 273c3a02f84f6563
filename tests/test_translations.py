"""The French catalogue is complete, up to date with the source, compiled, and used by the pages.

The catalogue is src/backstage/locale/fr/LC_MESSAGES/django.po; its compiled django.mo is
committed too. To update both after changing strings, from src/backstage:

    django-admin makemessages -l fr --no-obsolete --ignore "*/tests/*"
    (translate the new entries, remove the "fuzzy" flags)
    django-admin compilemessages -l fr
"""

import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command

from conftest import client_for

SOURCE = Path(__file__).resolve().parent.parent / "src" / "backstage"
LC_MESSAGES = SOURCE / "locale" / "fr" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"

# Browser tests look for these words, so their translation is fixed.
FIXED = {
    "Dashboard": "Tableau de bord",
    "Productions you follow": "Productions que vous suivez",
    "Follow this production": "Suivre cette production",
    "Following": "Suivie",
    "Productions": "Productions",
    "Sign in": "Se connecter",
    "Sign out": "Se déconnecter",
    "Join": "Rejoindre",
    "Settings": "Réglages",
    "Open calls": "Appels ouverts",
    "Team": "Équipe",
    "Synopsis": "Synopsis",
    "License": "Licence",
    "Development": "Développement",
    "Writing": "Écriture",
    "Pre-production": "Préproduction",
    "Shooting": "Tournage",
    "Post-production": "Postproduction",
    "Released": "Sorti",
    "Producer": "Production",
    "Director": "Réalisation",
    "Crew": "Équipe technique",
    "Moderator": "Modération",
}


# A small reader for the PO format (polib is not a dependency) ---------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def where(self) -> str:
        return f"django.po:{self.line} ({', '.join(self.references[:2]) or 'no reference'})"

    @property
    def is_translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"not a PO string: {text!r}")
    return re.sub(r"\\(.)", lambda match: _ESCAPES.get(match.group(1), match.group(0)), text[1:-1])


def read_po(path: Path) -> tuple[dict[str, str], list[Entry]]:
    """The header (as a dict) and the entries of a PO file; obsolete (#~) entries are left out."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int | None] | None = None

    def finish() -> None:
        nonlocal entry, target
        if entry is not None and target is not None:
            entries.append(entry)
        entry, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~") or line.startswith("#|"):
            continue
        if line.startswith("#"):
            if target is not None:  # comments start a new entry
                finish()
            entry = entry or Entry(line=number)
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            elif line.startswith("#:"):
                entry.references.extend(line[2:].split())
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, value = match.groups()
            if keyword in ("msgid", "msgctxt") and target is not None and target[0].startswith("msgstr"):
                finish()
            entry = entry or Entry(line=number)
            if keyword == "msgid":
                entry.line = number
            target = (keyword.split("[")[0], int(index) if index is not None else None)
            text = _unquote(value)
        elif line.startswith('"') and entry is not None and target is not None:
            text = _unquote(line)
        else:
            raise ValueError(f"{path.name}:{number}: cannot read {raw!r}")
        name, index_value = target
        if name == "msgstr":
            key = index_value or 0
            entry.msgstr[key] = entry.msgstr.get(key, "") + text
        else:
            setattr(entry, name, (getattr(entry, name) or "") + text)
    finish()

    header: dict[str, str] = {}
    if entries and entries[0].msgid == "" and entries[0].msgctxt is None:
        for header_line in entries.pop(0).msgstr.get(0, "").splitlines():
            name, _, value = header_line.partition(":")
            header[name.strip()] = value.strip()
    return header, entries


@pytest.fixture(scope="module")
def catalogue() -> tuple[dict[str, str], list[Entry]]:
    return read_po(PO)


def test_the_reader_understands_the_po_format(tmp_path):
    sample = tmp_path / "sample.po"
    sample.write_text(
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
        '#: a.py:1\n#, python-format\nmsgid "Hello, %(name)s"\nmsgstr "Bonjour, %(name)s"\n\n'
        '#, fuzzy\nmsgctxt "month"\nmsgid "May"\nmsgstr ""\n"Mai"\n\n'
        'msgid "%(counter)s call"\nmsgid_plural "%(counter)s calls"\nmsgstr[0] "%(counter)s appel"\n'
        'msgstr[1] ""\n\n#~ msgid "Gone"\n#~ msgstr "Parti"\n\n'
        'msgid ""\n"Two\\n"\n"lines \\"quoted\\""\nmsgstr "Deux\\nlignes « citées »"\n',
        encoding="utf-8",
    )
    header, entries = read_po(sample)
    assert header["Language"] == "fr"
    assert [entry.msgid for entry in entries] == [
        "Hello, %(name)s",
        "May",
        "%(counter)s call",
        'Two\nlines "quoted"',
    ]
    hello, may, calls, two = entries
    assert hello.flags == {"python-format"} and hello.msgstr == {0: "Bonjour, %(name)s"}
    assert hello.is_translated and hello.references == ["a.py:1"]
    assert may.msgctxt == "month" and "fuzzy" in may.flags and may.msgstr == {0: "Mai"}
    assert calls.msgid_plural == "%(counter)s calls" and not calls.is_translated
    assert two.msgstr[0] == "Deux\nlignes « citées »"


# The catalogue itself --------------------------------------------------------------------------


def test_the_header_is_french_with_french_plurals(catalogue):
    header, _entries = catalogue
    assert header.get("Language") == "fr"
    assert header.get("Plural-Forms") == "nplurals=2; plural=(n > 1);"
    assert header.get("Content-Type") == "text/plain; charset=UTF-8"


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    _header, entries = catalogue
    assert entries, "the catalogue is empty"
    problems = [
        f"{entry.where}: {'fuzzy' if 'fuzzy' in entry.flags else 'untranslated'}: {entry.msgid!r}"
        for entry in entries
        if "fuzzy" in entry.flags or not entry.is_translated
    ]
    assert not problems, "French entries to translate or review:\n" + "\n".join(problems)


def test_plural_entries_have_both_french_forms(catalogue):
    _header, entries = catalogue
    wrong = [
        entry.where for entry in entries if entry.msgid_plural is not None and set(entry.msgstr) != {0, 1}
    ]
    assert not wrong, "plural entries need msgstr[0] and msgstr[1]:\n" + "\n".join(wrong)


FORMAT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]")
TAG = re.compile(r"<[^<>]+>")


def test_translations_keep_placeholders_and_markup(catalogue):
    _header, entries = catalogue
    problems = []
    for entry in entries:
        originals = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural is not None else [])
        for index, translation in entry.msgstr.items():
            if not translation:
                continue
            original = originals[min(index, len(originals) - 1)]
            if "python-format" in entry.flags and sorted(set(FORMAT.findall(original))) != sorted(
                set(FORMAT.findall(translation))
            ):
                problems.append(f"{entry.where}: placeholders differ in {translation!r}")
            if sorted(TAG.findall(original)) != sorted(TAG.findall(translation)):
                problems.append(f"{entry.where}: HTML tags differ in {translation!r}")
    assert not problems, "\n".join(problems)


def test_french_typography_is_consistent(catalogue):
    """Typographic apostrophes and « » quotes, never ' or " or “ ” in the French text."""
    _header, entries = catalogue
    problems = []
    for entry in entries:
        for translation in entry.msgstr.values():
            text = TAG.sub("", translation)
            if re.search(r"['\"“”]", text):
                problems.append(f"{entry.where}: {translation!r}")
    assert not problems, "use ’ and « » in French:\n" + "\n".join(problems)


def test_strings_the_browser_tests_rely_on_have_their_agreed_translation(catalogue):
    _header, entries = catalogue
    found = {entry.msgid: entry.msgstr.get(0) for entry in entries if entry.msgctxt is None}
    wrong = {
        msgid: (found.get(msgid), expected)
        for msgid, expected in FIXED.items()
        if msgid in found and found[msgid] != expected
    }
    assert not wrong, wrong
    assert "Dashboard" in found and "Follow this production" in found


def test_the_catalogue_is_valid_for_msgfmt():
    if shutil.which("msgfmt") is None:
        pytest.skip("install GNU gettext (apt-get install gettext) to check the catalogue with msgfmt")
    result = subprocess.run(
        ["msgfmt", "--check", "--output-file=/dev/null", str(PO)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_catalogue_is_up_to_date_with_the_source(catalogue, tmp_path, monkeypatch, settings):
    """Every string marked for translation in the code and templates is in the committed catalogue."""
    if shutil.which("xgettext") is None:
        pytest.skip("install GNU gettext (apt-get install gettext) to check the catalogue is up to date")
    copy = tmp_path / "backstage"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("locale", "tests", "__pycache__", "*.pyc"))
    # makemessages writes into the first of LOCALE_PATHS: point it at the copy, never at the real one.
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["fr"], no_obsolete=True, ignore_patterns=["*/tests/*"], verbosity=0)
    fresh = copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    _fresh_header, fresh_entries = read_po(fresh)
    assert fresh_entries, "makemessages found no string at all"
    _header, entries = catalogue
    committed = {entry.key for entry in entries}
    missing = [entry for entry in fresh_entries if entry.key not in committed]
    assert not missing, (
        'strings missing from the French catalogue; run makemessages -l fr --no-obsolete --ignore "*/tests/*" '
        "in src/backstage and translate them:\n"
        + "\n".join(f"{', '.join(entry.references[:2])}: {entry.msgid!r}" for entry in missing)
    )


def test_the_compiled_catalogue_matches_the_po(catalogue):
    """django.mo holds exactly the translations of django.po (run compilemessages after editing it)."""
    _header, entries = catalogue
    assert MO.exists(), "django.mo is missing: run django-admin compilemessages -l fr in src/backstage"
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    expected: dict[object, str] = {}
    for entry in entries:
        if "fuzzy" in entry.flags or not entry.is_translated:
            continue  # msgfmt leaves these out; another test reports them
        msgid = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            expected[msgid] = entry.msgstr[0]
        else:
            for index, translation in entry.msgstr.items():
                expected[(msgid, index)] = translation
    actual = {key: value for key, value in compiled._catalog.items() if key != ""}  # type: ignore[attr-defined]
    stale = sorted(
        repr(key) for key in expected.keys() | actual.keys() if expected.get(key) != actual.get(key)
    )
    assert not stale, "django.mo is out of date, run compilemessages -l fr; differences:\n" + "\n".join(stale)
    assert [compiled.plural(n) for n in (0, 1, 2, 5)] == [0, 0, 1, 1]  # type: ignore[attr-defined]


# The pages in French ---------------------------------------------------------------------------


def test_the_home_page_speaks_french_to_a_french_browser(studio):
    page = client_for(None).get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="fr">' in page
    for text in ("Productions en cours", "Se connecter", "Rejoindre", "Aller au contenu", "Varsovie-Express"):
        assert text in page
    assert "Productions in progress" not in page


def test_the_production_list_speaks_french(studio):
    response = client_for(None).get("/productions/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in page
    assert "Développement" in page  # the production's stage
    assert "0 abonné<" in page  # French singular for zero
    assert "Development" not in page


def test_the_dashboard_speaks_french(studio):
    page = client_for(studio.producer).get("/dashboard/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    for text in (
        "Tableau de bord",
        "Productions que vous suivez",
        "Réglages",
        "Se déconnecter",
        "Vos équipes",
    ):
        assert text in page
    # Browser tests find the region by this name, which Playwright matches as a case-insensitive
    # substring: no other heading of the dashboard may contain it.
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", page, flags=re.S)
    assert [heading for heading in headings if "productions que vous suivez" in heading.lower()] == [
        "Productions que vous suivez"
    ]


def test_english_stays_the_default(studio):
    page = client_for(None).get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="en">' in page
    assert "Productions in progress" in page


def test_the_language_switcher_changes_the_language_of_the_next_pages(studio):
    client = client_for(None)
    assert '<html lang="en">' in client.get("/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/productions/"})
    assert response.status_code == 302
    assert response["Location"] == "/productions/"
    page = client.get("/").content.decode()
    assert '<html lang="fr">' in page
    assert "Productions en cours" in page
    # The choice wins over the browser's preference, and can be undone.
    assert "Productions en cours" in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Productions in progress" in client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
