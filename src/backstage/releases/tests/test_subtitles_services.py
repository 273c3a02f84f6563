"""Subtitle services: who may add, replace, edit and delete; bad input changes nothing; edits are recorded."""

import pytest
from django.utils import translation

from backstage.contributions import services as contribution_services
from backstage.core.errors import Conflict, NotAllowed, ServiceError
from backstage.licensing.credit_sources import entries_for
from backstage.licensing.credits import build_credits, credits_as_text
from backstage.productions.models import Block, Call, CallKind
from backstage.releases import subtitle_services as services
from backstage.releases.models import Release, Subtitle, SubtitleEdit
from backstage.releases.subtitle_drafts import CueDraft, CueErrors
from backstage.releases.subtitle_queries import subtitle_revision
from backstage.releases.subtitles import Cue, parse_subtitles
from backstage.releases.tests.subtitle_fixtures import *  # noqa: F403
from backstage.releases.tests.subtitle_fixtures import EDITORS, POLISH, SUBTITLE_ROLES, upload
from conftest import make_user

pytestmark = pytest.mark.django_db

SRT = b"1\r\n00:00:01,000 --> 00:00:03,000\r\nO\xc3\xb9 est la valise ?\r\n"


def drafts_of(subtitle: Subtitle) -> list[CueDraft]:
    return [
        CueDraft(start=str(cue.start / 1000), end=str(cue.end / 1000), text=cue.text, settings=cue.settings)
        for cue in parse_subtitles(subtitle.text)
    ]


def snapshot(release: Release) -> list[tuple]:
    return list(
        Subtitle.objects.filter(release=release).values_list("language", "label", "text", "cue_count")
    )


@pytest.mark.parametrize("role", [role for role in SUBTITLE_ROLES if role != "anonymous"])
def test_who_may_add_subtitles(role, people, release, studio):
    person = people(role)
    if role in EDITORS:
        saved = services.add_subtitles(
            actor=person, release=release, language="fr", file=upload(SRT, "fr.srt")
        )
        assert saved.subtitle.label == "Français"
        assert saved.subtitle.text == "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nOù est la valise ?\n"
        assert saved.subtitle.cue_count == 1
        assert saved.changes.added == 1
        edit = SubtitleEdit.objects.get(subtitle=saved.subtitle)
        assert (edit.author, edit.cues_changed) == (person, 1)
    else:
        with pytest.raises(NotAllowed):
            services.add_subtitles(actor=person, release=release, language="fr", file=upload(SRT, "fr.srt"))
        assert not Subtitle.objects.exists()


@pytest.mark.parametrize("role", [role for role in SUBTITLE_ROLES if role != "anonymous"])
def test_who_may_edit_and_delete(role, people, subtitle):
    person = people(role)
    drafts = [*drafts_of(subtitle), CueDraft("10", "12", "Koniec.")]
    if role in EDITORS:
        saved = services.save_cues(actor=person, subtitle=subtitle, drafts=drafts)
        assert saved.subtitle.cue_count == 4
        assert SubtitleEdit.objects.filter(subtitle=subtitle, author=person, cues_changed=1).exists()
    else:
        with pytest.raises(NotAllowed):
            services.save_cues(actor=person, subtitle=subtitle, drafts=drafts)
    if role == "producer":
        services.delete_subtitles(actor=person, subtitle=subtitle)
        assert not Subtitle.objects.exists()
    else:
        with pytest.raises(NotAllowed):
            services.delete_subtitles(actor=person, subtitle=subtitle)
        assert Subtitle.objects.filter(pk=subtitle.pk).exists()


def test_translators_are_only_those_accepted_in_a_translation_call_of_this_production(
    studio, release, translation_call
):
    def accepted(person, call):
        contribution = contribution_services.submit_contribution(
            actor=person, call=call, title="Work", description="", license="CC-BY-SA-4.0", links=[]
        )
        contribution_services.review_contribution(
            actor=studio.producer, contribution=contribution, status="accepted"
        )
        return contribution

    submitted_only = make_user("hopeful")
    contribution_services.submit_contribution(
        actor=submitted_only,
        call=translation_call,
        title="Mine",
        description="",
        license="CC-BY-SA-4.0",
        links=[],
    )
    cast_member = make_user("actress")
    accepted(cast_member, studio.call)
    declined_later = make_user("declined")
    contribution = accepted(declined_later, translation_call)
    contribution_services.review_contribution(
        actor=studio.producer, contribution=contribution, status="declined"
    )
    blocked = make_user("blocked")
    accepted(blocked, translation_call)
    Block.objects.create(
        production=studio.production, user=blocked, reason="Abuse", blocked_by=studio.producer
    )
    for person in (submitted_only, cast_member, declined_later, blocked):
        with pytest.raises(NotAllowed):
            services.add_subtitles(actor=person, release=release, language="fr", file=upload(SRT))
    elsewhere = Call.objects.create(
        production=studio.production, kind=CallKind.TRANSLATION, title_en="German", created_by=studio.producer
    )
    welcome = make_user("welcome")
    accepted(welcome, elsewhere)
    assert services.add_subtitles(actor=welcome, release=release, language="de", file=upload(SRT)).subtitle


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty"),
        (b"not subtitles at all", "not_subtitles"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nżółw\n".encode("iso-8859-2"), "not_utf8"),
        (b"WEBVTT\n\n00:03.000 --> 00:02.000\nx\n", "bad_timing"),
        (b"WEBVTT\n\n00:01.000 --> 00:02,000\nx\n", "bad_timestamp"),
        (b"WEBVTT\n\n" + b"x" * (3 * 1024 * 1024), "too_large"),
    ],
)
def test_a_bad_file_adds_or_replaces_nothing(content, code, studio, release, subtitle):
    before = snapshot(release)
    edits = SubtitleEdit.objects.count()
    with pytest.raises(ServiceError) as caught:
        services.add_subtitles(actor=studio.producer, release=release, language="fr", file=upload(content))
    assert (caught.value.code, caught.value.field) == (code, "file")
    with pytest.raises(ServiceError) as caught:
        services.replace_subtitles(actor=studio.producer, subtitle=subtitle, file=upload(content))
    assert caught.value.code == code
    assert snapshot(release) == before
    assert SubtitleEdit.objects.count() == edits


def test_a_cue_beyond_the_end_of_the_film_is_refused(studio, release, film):
    film.probe = {"duration": 8.5}
    film.save()
    with pytest.raises(
        ServiceError, match=r"Cue 3 ends at 00:00:09.000, after the end of the film \(00:00:08.500\)"
    ):
        services.add_subtitles(actor=studio.producer, release=release, language="pl", file=upload())
    assert not Subtitle.objects.exists()


@pytest.mark.parametrize(
    ("language", "label", "code", "field"),
    [("english", "", "bad_language", "language"), ("pl_PL!", "", "bad_language", "language"), ("", "", "bad_language", "language"),
     ("xx", "", "bad_language", "language"), ("pl", "x" * 101, "too_long", "label"), ("pl", "a\x00b", "invalid", "label")],
)  # fmt: skip
def test_bad_language_or_label(language, label, code, field, studio, release):
    with pytest.raises(ServiceError) as caught:
        services.add_subtitles(
            actor=studio.producer, release=release, language=language, label=label, file=upload()
        )
    assert (caught.value.code, caught.value.field) == (code, field)
    assert not Subtitle.objects.exists()


def test_language_tags_are_normalised_and_labels_default_to_the_language_s_own_name(studio, release):
    brazil = services.add_subtitles(
        actor=studio.producer, release=release, language="PT-br", file=upload(SRT)
    )
    assert (brazil.subtitle.language, brazil.subtitle.label) == ("pt-BR", "Português (BR)")
    # Whoever adds them: the player lists each track in its own language for every viewer alike.
    with translation.override("fr"):
        polish = services.add_subtitles(actor=studio.producer, release=release, language="pl", file=upload())
    assert polish.subtitle.label == "Polski"
    named = services.add_subtitles(
        actor=studio.producer, release=release, language="szl", label=" Ślōnski ", file=upload()
    )
    assert named.subtitle.label == "Ślōnski"


def test_one_subtitle_per_language(studio, release, subtitle):
    with pytest.raises(Conflict) as caught:
        services.add_subtitles(actor=studio.producer, release=release, language="PL", file=upload(SRT))
    assert caught.value.field == "language"
    assert Subtitle.objects.get().text == subtitle.text


def test_saving_counts_cues_added_changed_and_removed(studio, subtitle, translator):
    drafts = drafts_of(subtitle)
    edited = [
        CueDraft("0.5", "0.9", "Nowy początek."),  # added
        drafts[0],
        CueDraft(drafts[1].start, drafts[1].end, "<i>W nocnym pociągu.</i>"),  # changed
        # the third is removed
        CueDraft("20", "21", "Koniec."),  # added
    ]
    saved = services.save_cues(actor=translator, subtitle=subtitle, drafts=edited, note="Fixed the ending")
    assert (saved.changes.added, saved.changes.changed, saved.changes.removed) == (2, 1, 1)
    edit = SubtitleEdit.objects.filter(author=translator).get()
    assert (edit.cues_changed, edit.note) == (4, "Fixed the ending")
    assert [cue.text for cue in parse_subtitles(saved.subtitle.text)] == [
        "Nowy początek.", "Gdzie jest walizka?", "<i>W nocnym pociągu.</i>", "Koniec."
    ]  # fmt: skip


def test_saving_the_same_cues_records_no_edit(studio, subtitle, translator):
    saved = services.save_cues(actor=translator, subtitle=subtitle, drafts=drafts_of(subtitle))
    assert saved.changes.total == 0
    assert not SubtitleEdit.objects.filter(author=translator).exists()


def test_a_bad_cue_saves_nothing_and_names_every_problem(studio, subtitle):
    before = subtitle.text
    drafts = [*drafts_of(subtitle), CueDraft("12", "11", "Backwards"), CueDraft("1:0x", "2", "Typo")]
    with pytest.raises(CueErrors) as caught:
        services.save_cues(actor=studio.director, subtitle=subtitle, drafts=drafts)
    assert [(problem.index, problem.field) for problem in caught.value.problems] == [(3, "end"), (4, "start")]
    assert caught.value.problems[0].message == "Cue 4 ends (00:00:11.000) before it starts (00:00:12.000)."
    subtitle.refresh_from_db()
    assert subtitle.text == before
    assert SubtitleEdit.objects.count() == 1


def test_saving_over_someone_elses_newer_save_is_refused(studio, subtitle, translator):
    opened_at = subtitle_revision(subtitle)
    services.save_cues(
        actor=studio.crew, subtitle=subtitle, drafts=[*drafts_of(subtitle), CueDraft("10", "11", "A")]
    )
    with pytest.raises(Conflict) as caught:
        services.save_cues(
            actor=translator, subtitle=subtitle, drafts=[CueDraft("1", "2", "B")], base_revision=opened_at
        )
    assert caught.value.code == "stale"
    subtitle.refresh_from_db()
    assert subtitle.cue_count == 4


def test_replacing_keeps_the_label_unless_given_and_counts_changes(studio, subtitle):
    replacement = POLISH.replace(b"Do Warszawy.", b"Do Warszawy!")
    saved = services.replace_subtitles(actor=studio.crew, subtitle=subtitle, file=upload(replacement))
    assert (saved.changes.changed, saved.subtitle.label) == (1, "Polski")
    saved = services.replace_subtitles(actor=studio.crew, subtitle=subtitle, file=upload(SRT), label="Polish")
    assert saved.subtitle.label == "Polish"
    assert saved.subtitle.cue_count == 1


def test_every_change_bumps_the_release_version(studio, release, subtitle):
    version = Release.objects.get(pk=release.pk).version
    services.save_cues(actor=studio.producer, subtitle=subtitle, drafts=[CueDraft("1", "2", "Tak.")])
    services.delete_subtitles(actor=studio.producer, subtitle=subtitle)
    assert Release.objects.get(pk=release.pk).version == version + 2


def test_cue_text_is_sanitised_on_save(studio, subtitle):
    saved = services.save_cues(
        actor=studio.producer,
        subtitle=subtitle,
        drafts=[CueDraft("1", "2", "<script>x</script><b onclick=y>Tak</b> & <")],
    )
    assert parse_subtitles(saved.subtitle.text) == [Cue(1000, 2000, "x<b>Tak</b> &amp; &lt;")]


def test_credits_name_each_translator_once_per_language(studio, release, subtitle, translator):
    services.save_cues(
        actor=translator, subtitle=subtitle, drafts=[*drafts_of(subtitle), CueDraft("10", "11", "A")]
    )
    services.save_cues(
        actor=translator, subtitle=subtitle, drafts=[*drafts_of(subtitle)[:2], CueDraft("10", "11", "B")]
    )
    subtitle.refresh_from_db()
    unchanged = drafts_of(subtitle)
    services.save_cues(actor=studio.director, subtitle=subtitle, drafts=unchanged)
    second = Release.objects.create(
        production=studio.production,
        slug="directors-cut",
        title="Varsovie-Express (director's cut)",
        license="CC-BY-SA-4.0",
    )
    services.add_subtitles(actor=translator, release=second, language="pl", file=upload())
    services.add_subtitles(actor=translator, release=second, language="fr", file=upload(SRT))
    entries = sorted(
        (entry for entry in entries_for(studio.production) if entry.section == "subtitles"),
        key=lambda entry: entry.key,
    )
    assert [(entry.key, entry.name, str(entry.role)) for entry in entries] == [
        (f"releases:subtitles:fr:{translator.pk}", "translator", "Subtitles (French)"),
        (f"releases:subtitles:pl:{studio.producer.pk}", "producer", "Subtitles (Polish)"),
        (f"releases:subtitles:pl:{translator.pk}", "translator", "Subtitles (Polish)"),
    ]
    with translation.override("fr"):
        assert str(entries[0].role) == "Subtitles (français)" or "français" in str(entries[0].role).lower()


def test_the_generated_credits_list_the_translators_under_subtitles(studio, subtitle, translator):
    services.save_cues(
        actor=translator, subtitle=subtitle, drafts=[*drafts_of(subtitle), CueDraft("10", "11", "A")]
    )
    text = credits_as_text(build_credits(studio.production))
    section = text[text.index("SUBTITLES\n") :]
    assert "producer — Subtitles (Polish)" in section and "translator — Subtitles (Polish)" in section
