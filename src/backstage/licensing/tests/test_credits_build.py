"""The credits built from the record: sources, grouping, order, additions, exclusions and the exports."""

import json

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from backstage.accounts.models import User
from backstage.licensing import credit_services, credit_sources
from backstage.licensing.credit_sources import CreditEntry, Section
from backstage.licensing.credits import build_credits, credits_as_json, credits_as_text, sort_key
from backstage.licensing.models import CreditExclusion
from backstage.licensing.tests.conftest import contribute, make_call, review
from backstage.productions.models import CallKind, Membership, Role
from conftest import make_user


def named(username: str, display_name: str = "") -> User:
    user = make_user(username)
    if display_name:
        user.profile.display_name = display_name
        user.profile.save()
    return user


def people(credits, section: str) -> list[tuple[str, list[str]]]:
    found = next((item for item in credits.sections if item.key == section), None)
    return [(line.name, line.roles) for line in found.lines] if found else []


def keys(credits) -> set[str]:
    return {entry.key for section in credits.sections for line in section.lines for entry in line.entries}


@pytest.fixture
def extra_source():
    """Register sources and sections for the length of a test, as the screenplay or funding apps will."""
    sources, sections = list(credit_sources._sources), dict(credit_sources.SECTIONS)
    yield credit_sources.register
    credit_sources._sources[:] = sources
    credit_sources.SECTIONS.clear()
    credit_sources.SECTIONS.update(sections)


def test_the_team_is_credited_with_its_roles_producers_first(studio):
    studio.director.profile.display_name = "Zofia Director"
    studio.director.profile.save()
    credits = build_credits(studio.production)
    assert credits.sections[0].key == "team"
    assert people(credits, "team") == [
        ("producer", ["Producer"]),
        ("Zofia Director", ["Director"]),
        ("crew", ["Crew"]),
        ("moderator", ["Moderator"]),
    ]
    entry = credits.sections[0].lines[0].entries[0]
    assert entry.key == f"productions:member:{studio.producer.pk}"
    assert entry.user_id == studio.producer.pk
    assert not entry.needs_reason_to_remove


def test_accepted_contributions_are_credited_under_their_call_kind(studio, accept, music_call):
    ania = named("ania", "Ania Nowak")
    art = make_call(studio.production, CallKind.ART, "Poster", by=studio.producer)
    accept(ania, "Ania reads Ania")
    accept(ania, "Night train", call=music_call, license="CC0-1.0")
    poster = accept(named("lea", "Léa"), "Affiche rouge", call=art)
    credits = build_credits(studio.production)
    assert [section.key for section in credits.sections] == ["team", "cast", "music", "art"]
    assert people(credits, "cast") == [("Ania Nowak", ["Casting: Ania"])]
    assert people(credits, "music") == [("Ania Nowak", ["Main theme"])]
    line = credits.sections[3].lines[0]
    assert (line.name, line.roles) == ("Léa", ["Poster"])
    entry = line.entries[0]
    assert entry.key == f"contributions:contribution:{poster.pk}"
    assert (entry.work, entry.license, entry.needs_reason_to_remove) == (
        "Affiche rouge",
        "CC-BY-SA-4.0",
        True,
    )
    music = credits.sections[2].lines[0].works[0]
    assert (music.title, music.license, music.license_name) == (
        "Night train",
        "CC0-1.0",
        "Creative Commons Zero 1.0",
    )
    assert music.license_url == "https://creativecommons.org/publicdomain/zero/1.0/"


def test_only_the_current_status_counts_and_the_latest_acceptance(studio, accept):
    ania = named("ania")
    submitted = contribute(studio.call, named("bob"), "Still waiting")
    shortlisted = review(contribute(studio.call, named("cleo"), "Maybe"), "shortlisted", by=studio.crew)
    declined = review(accept(named("dan"), "Changed our mind"), "declined", by=studio.producer)
    again = accept(ania, "First take")
    review(again, "declined", by=studio.producer)
    again.title = "Second take"  # the author cannot edit it now; the record keeps what was accepted
    again.save()
    review(again, "accepted", by=studio.director)
    credited = keys(build_credits(studio.production))
    assert f"contributions:contribution:{again.pk}" in credited
    for absent in (submitted, shortlisted, declined):
        assert f"contributions:contribution:{absent.pk}" not in credited
    cast = build_credits(studio.production).sections[1]
    assert [work.title for work in cast.lines[0].works] == ["Second take"]


def test_one_person_with_several_roles_in_a_section_is_shown_once(studio, accept):
    ania = named("ania", "Ania Nowak")
    ania_call = make_call(studio.production, CallKind.CAST, "Conductor", by=studio.producer)
    accept(ania, "Ania")
    accept(ania, "Conductor", call=ania_call)
    accept(ania, "Ania again")  # the same role twice is said once
    credit_services.add_person(
        actor=studio.producer, production=studio.production, section="cast", name="ania nowak", role="Voice"
    )
    cast = build_credits(studio.production).sections[1]
    assert len(cast.lines) == 1
    line = cast.lines[0]
    assert line.name == "Ania Nowak"
    assert line.roles == ["Casting: Ania", "Conductor", "Voice"]
    assert line.role_text == "Casting: Ania, Conductor, Voice"
    assert [work.title for work in line.works] == ["Ania", "Ania again", "Conductor"]
    assert len(line.entries) == 4


def test_two_accounts_with_the_same_name_stay_two_people(studio, accept):
    accept(named("ania1", "Ania"), "One")
    accept(named("ania2", "Ania"), "Two")
    assert [name for name, _roles in people(build_credits(studio.production), "cast")] == ["Ania", "Ania"]


def test_people_sort_by_position_then_name_without_case_or_accents_and_numbers_by_value(studio, accept):
    for username, name in [
        ("e1", "emma"),
        ("e2", "Élise"),
        ("e3", "Eddy"),
        ("p10", "Player 10"),
        ("p2", "Player 2"),
    ]:
        accept(named(username, name), f"Work of {name}")
    credit_services.add_person(
        actor=studio.producer, production=studio.production, section="cast", name="Zed First", position=0
    )
    credit_services.add_person(
        actor=studio.producer, production=studio.production, section="cast", name="Aaron Last", position=5
    )
    assert [name for name, _roles in people(build_credits(studio.production), "cast")] == [
        "Eddy",
        "Élise",
        "emma",
        "Player 2",
        "Player 10",
        "Zed First",
        "Aaron Last",
    ]
    assert sort_key("Élise") < sort_key("Emma") < sort_key("eric")


def test_a_person_added_to_the_team_can_go_between_roles(studio):
    credit_services.add_person(
        actor=studio.producer,
        production=studio.production,
        section="team",
        name="Marta",
        role="Director of photography",
        position=15,
    )
    assert [name for name, _roles in people(build_credits(studio.production), "team")] == [
        "producer",
        "director",
        "Marta",
        "crew",
        "moderator",
    ]


def test_empty_sections_are_dropped_and_the_producers_order_is_kept(studio, accept, music_call):
    accept(named("ania"), "Theme", call=music_call)
    credit_services.reorder_sections(
        actor=studio.producer, production=studio.production, sections=["music", "other"]
    )
    credits = build_credits(studio.production)
    assert [section.key for section in credits.sections] == ["music", "team"]
    # The producer's tools list every section: the chosen ones first, then the rest as usual.
    assert [section.key for section in credits.section_order][:4] == ["music", "other", "team", "cast"]


def test_excluded_entries_leave_the_credits_and_come_back_when_restored(studio, accept):
    work = accept(named("ania"), "Ania")
    key = f"contributions:contribution:{work.pk}"
    exclusion = credit_services.exclude_entry(
        actor=studio.producer, production=studio.production, key=key, reason="Asked not to be credited."
    )
    credits = build_credits(studio.production)
    assert key not in keys(credits)
    assert [(item.exclusion.pk, item.entry.key) for item in credits.excluded] == [(exclusion.pk, key)]
    assert key not in {entry.key for entry in credits.recorded}
    credit_services.restore_entry(actor=studio.producer, exclusion=exclusion)
    credits = build_credits(studio.production)
    assert key in keys(credits)
    assert credits.excluded == []
    assert CreditExclusion.objects.get().restored_by == studio.producer


def test_a_new_source_adds_its_entries_without_touching_the_credits_code(studio, extra_source):
    credit_sources.register_section(Section("backers", "Backers", 95))

    def backers(production):
        return [
            CreditEntry(section="backers", key="funding:pledge:1", name="Marek", role="Backer"),
            CreditEntry(section="nowhere", key="funding:pledge:2", name="Olga", role="Backer"),
        ]

    extra_source(backers)
    extra_source(backers)  # registering twice changes nothing
    credits = build_credits(studio.production)
    assert people(credits, "backers") == [("Marek", ["Backer"])]
    assert people(credits, "other") == [("Olga", ["Backer"])]
    assert credits.sections[-1].key == "backers"


def test_the_number_of_queries_does_not_grow_with_the_credits(studio, accept, music_call):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            build_credits(studio.production)
        return len(queries)

    accept(named("one"), "One")
    few = count()
    for number in range(12):
        person = named(f"person{number}", f"Person {number}")
        accept(person, f"Cast {number}")
        accept(person, f"Music {number}", call=music_call)
        Membership.objects.create(production=studio.production, user=named(f"crew{number}"), role=Role.CREW)
        credit_services.add_person(
            actor=studio.producer, production=studio.production, section="other", name=f"Helper {number}"
        )
    exclude = credit_services.exclude_entry
    for number, key in enumerate(sorted(keys(build_credits(studio.production)))[:5]):
        exclude(actor=studio.producer, production=studio.production, key=key, reason=f"Reason {number}")
    credit_services.reorder_sections(actor=studio.producer, production=studio.production, sections=["music"])
    assert build_credits(studio.production).people_count > 40
    assert count() == few


def test_the_json_export_has_stable_documented_keys(studio, accept):
    studio.producer.profile.display_name = "Paulina"
    studio.producer.profile.save()
    work = accept(named("ania", "Ania"), "Ania reads Ania", license="LAL-1.3")
    addition = credit_services.add_person(
        actor=studio.producer,
        production=studio.production,
        section="other",
        name="Café du Nord",
        role="Catering",
    )
    data = credits_as_json(build_credits(studio.production))
    assert set(data) == {"format", "version", "language", "production", "sections"}
    assert (data["format"], data["version"], data["language"]) == ("backstage-credits", 1, "en")
    assert data["production"] == {
        "slug": "varsovie-express",
        "title": "Varsovie-Express",
        "license": "LAL-1.3",
    }
    assert [section["key"] for section in data["sections"]] == ["team", "cast", "other"]
    assert set(data["sections"][0]) == {"key", "title", "people"}
    assert set(data["sections"][0]["people"][0]) == {"name", "roles", "entries"}
    assert data["sections"][1]["people"] == [
        {
            "name": "Ania",
            "roles": ["Casting: Ania"],
            "entries": [
                {
                    "key": f"contributions:contribution:{work.pk}",
                    "name": "Ania",
                    "role": "Casting: Ania",
                    "work": "Ania reads Ania",
                    "license": "LAL-1.3",
                    "added_by_hand": False,
                }
            ],
        }
    ]
    assert data["sections"][2]["people"][0]["entries"][0] == {
        "key": f"licensing:addition:{addition.pk}",
        "name": "Café du Nord",
        "role": "Catering",
        "work": "",
        "license": "",
        "added_by_hand": True,
    }
    assert data["sections"][0]["people"][0]["name"] == "Paulina"
    json.dumps(data)  # plain data, nothing lazy left


def test_the_text_export(studio, accept, music_call):
    accept(named("ania", "Ania Żółć"), "Night train", call=music_call, license="CC-BY-4.0")
    credit_services.add_person(
        actor=studio.producer, production=studio.production, section="other", name="Café du Nord"
    )
    text = credits_as_text(build_credits(studio.production))
    assert text.startswith("Varsovie-Express\n================\n\nPRODUCTION TEAM\n\nproducer — Producer\n")
    assert "MUSIC\n\nAnia Żółć — Main theme\n    “Night train” (Creative Commons Attribution 4.0)\n" in text
    assert "WITH THE HELP OF\n\nCafé du Nord\n" in text
    assert text.endswith(
        "The film is released under the Licence Art Libre 1.3 license (LAL-1.3): https://artlibre.org/licence/lal/\n"
    )


def test_the_exports_follow_the_language(studio, accept):
    accept(named("ania"), "Ania")
    with translation.override("fr"):
        credits = build_credits(studio.production)
        data = credits_as_json(credits)
        text = credits_as_text(credits)
    assert data["language"] == "fr"
    assert data["sections"][1]["people"][0]["roles"] == ["Casting : Ania"]
    assert "Casting : Ania" in text


def test_the_fragment_renders_the_credits_for_other_pages(studio, accept):
    accept(named("ania", "Ania <b>Nowak</b>"), "Ania & co", license="CC-BY-SA-4.0")
    credits = build_credits(studio.production)
    html = render_to_string("licensing/_credits.html", {"credits": credits})
    assert '<link rel="stylesheet" href="/static/licensing/credits.css">' in html
    assert '<section class="credits-section" id="credits-team">' in html
    assert '<h3 class="credits-heading">Cast</h3>' in html
    assert "Ania &lt;b&gt;Nowak&lt;/b&gt;" in html
    assert "“Ania &amp; co”" in html
    assert '<a href="https://creativecommons.org/licenses/by-sa/4.0/" rel="license">' in html
    empty = render_to_string("licensing/_credits.html", {"credits": None})
    assert "Nobody is credited yet." in empty
