"""The producer's changes to the credits through the services: who may, bad inputs, the invariants."""

import pytest
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backstage.contributions.services import withdraw_contribution
from backstage.core.errors import Conflict, NotAllowed, NotFound, ServiceError
from backstage.licensing import credit_services
from backstage.licensing.credits import build_credits
from backstage.licensing.models import CreditAddition, CreditExclusion, CreditsRoll, SectionPlace
from backstage.licensing.tests.conftest import contribute, review
from conftest import make_user

OUTSIDERS = ["member", "staff", "inactive"]
TEAM_BUT_PRODUCER = ["director", "crew", "moderator"]


@pytest.fixture
def work(studio, accept):
    return accept(make_user("ania"), "Ania reads Ania")


def key_of(contribution) -> str:
    return f"contributions:contribution:{contribution.pk}"


def credited(production) -> set[str]:
    credits = build_credits(production)
    return {entry.key for section in credits.sections for line in section.lines for entry in line.entries}


def nothing_changed() -> bool:
    return not (
        CreditAddition.objects.exists()
        or CreditExclusion.objects.exists()
        or SectionPlace.objects.exists()
        or CreditsRoll.objects.exists()
    )


@pytest.mark.parametrize("role", OUTSIDERS + TEAM_BUT_PRODUCER)
def test_only_producers_change_the_credits(studio, work, role):
    actor = studio.person(role)
    production = studio.production
    addition = CreditAddition.objects.create(production=production, section="other", name="Kept")
    exclusion = CreditExclusion.objects.create(
        production=production,
        key="productions:member:999",
        name="Gone",
        reason="Left",
        excluded_by=studio.producer,
    )
    attempts = [
        lambda: credit_services.reorder_sections(actor=actor, production=production, sections=["music"]),
        lambda: credit_services.move_section(actor=actor, production=production, section="music", offset=-1),
        lambda: credit_services.add_person(actor=actor, production=production, section="other", name="X"),
        lambda: credit_services.edit_person(actor=actor, addition=addition, section="other", name="Changed"),
        lambda: credit_services.remove_person(actor=actor, addition=addition),
        lambda: credit_services.exclude_entry(
            actor=actor, production=production, key=key_of(work), reason="No"
        ),
        lambda: credit_services.restore_entry(actor=actor, exclusion=exclusion),
        lambda: credit_services.request_roll(actor=actor, production=production),
    ]
    for attempt in attempts:
        with pytest.raises(NotAllowed) as refused:
            attempt()
        assert refused.value.code == "forbidden"
        assert refused.value.status == 403
    addition.refresh_from_db()
    exclusion.refresh_from_db()
    assert addition.name == "Kept"
    assert exclusion.restored_at is None
    assert CreditExclusion.objects.count() == 1
    assert not SectionPlace.objects.exists()
    assert not CreditsRoll.objects.exists()


def test_the_producer_adds_edits_and_removes_a_person(studio):
    addition = credit_services.add_person(
        actor=studio.producer,
        production=studio.production,
        section="other",
        name="  Café du Nord ",
        role=" Food ",
    )
    assert (addition.name, addition.role, addition.position, addition.created_by) == (
        "Café du Nord",
        "Food",
        0,
        studio.producer,
    )
    credit_services.edit_person(
        actor=studio.producer, addition=addition, section="team", name="Marta", role="Gaffer", position=25
    )
    addition.refresh_from_db()
    assert (addition.section, addition.name, addition.role, addition.position) == (
        "team",
        "Marta",
        "Gaffer",
        25,
    )
    credit_services.remove_person(actor=studio.producer, addition=addition)
    assert not CreditAddition.objects.exists()


@pytest.mark.parametrize(
    ("values", "code", "field"),
    [
        ({"name": "   "}, "required", "name"),
        ({"name": "x" * 151}, "too_long", "name"),
        ({"role": "x" * 201}, "too_long", "role"),
        ({"section": "bloopers"}, "unknown_section", "section"),
        ({"position": -1}, "invalid_position", "position"),
        ({"position": 1001}, "invalid_position", "position"),
    ],
)
def test_bad_people_are_refused_and_nothing_is_saved(studio, values, code, field):
    arguments = {"section": "other", "name": "Marta", "role": "", "position": 0, **values}
    with pytest.raises(ServiceError) as refused:
        credit_services.add_person(actor=studio.producer, production=studio.production, **arguments)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert str(refused.value.message)
    assert nothing_changed()
    addition = CreditAddition.objects.create(production=studio.production, section="other", name="Kept")
    with pytest.raises(ServiceError):
        credit_services.edit_person(actor=studio.producer, addition=addition, **arguments)
    addition.refresh_from_db()
    assert (addition.name, addition.section, addition.position) == ("Kept", "other", 0)


def test_excluding_needs_a_reason_which_is_kept(studio, work):
    for blank in ["", "   \n "]:
        with pytest.raises(ServiceError) as refused:
            credit_services.exclude_entry(
                actor=studio.producer, production=studio.production, key=key_of(work), reason=blank
            )
        assert (refused.value.code, refused.value.field) == ("required", "reason")
        assert "reason" in str(refused.value.message)
    assert nothing_changed()
    assert key_of(work) in credited(studio.production)
    with pytest.raises(ServiceError) as refused:
        credit_services.exclude_entry(
            actor=studio.producer, production=studio.production, key=key_of(work), reason="x" * 2001
        )
    assert refused.value.code == "too_long"
    exclusion = credit_services.exclude_entry(
        actor=studio.producer,
        production=studio.production,
        key=key_of(work),
        reason="  Asked to stay anonymous.  ",
    )
    assert (exclusion.reason, exclusion.excluded_by, exclusion.name, exclusion.role) == (
        "Asked to stay anonymous.",
        studio.producer,
        "ania",
        "Casting: Ania",
    )
    assert key_of(work) not in credited(studio.production)


def test_excluding_refuses_unknown_hand_added_and_already_excluded_entries(studio, work):
    addition = credit_services.add_person(
        actor=studio.producer, production=studio.production, section="other", name="M"
    )
    exclude = credit_services.exclude_entry
    with pytest.raises(NotFound) as refused:
        exclude(
            actor=studio.producer,
            production=studio.production,
            key="contributions:contribution:999",
            reason="x",
        )
    assert (refused.value.code, refused.value.field) == ("unknown_entry", "key")
    with pytest.raises(Conflict) as refused:
        exclude(actor=studio.producer, production=studio.production, key=addition.key, reason="x")
    assert refused.value.code == "added_by_hand"
    exclude(actor=studio.producer, production=studio.production, key=key_of(work), reason="Once")
    with pytest.raises(Conflict) as refused:
        exclude(actor=studio.producer, production=studio.production, key=key_of(work), reason="Twice")
    assert refused.value.code == "already_excluded"
    assert CreditExclusion.objects.count() == 1


def test_restoring_keeps_the_exclusion_on_record(studio, work):
    exclusion = credit_services.exclude_entry(
        actor=studio.producer, production=studio.production, key=key_of(work), reason="Wrong person"
    )
    credit_services.restore_entry(actor=studio.producer, exclusion=exclusion)
    exclusion.refresh_from_db()
    assert exclusion.restored_by == studio.producer and exclusion.restored_at is not None
    assert key_of(work) in credited(studio.production)
    with pytest.raises(Conflict) as refused:
        credit_services.restore_entry(actor=studio.producer, exclusion=exclusion)
    assert refused.value.code == "not_excluded"
    # Taken out again later: a second exclusion, the first one still on record.
    credit_services.exclude_entry(
        actor=studio.producer,
        production=studio.production,
        key=key_of(work),
        reason="Right person, after all",
    )
    assert CreditExclusion.objects.filter(key=key_of(work)).count() == 2


def test_the_database_keeps_the_invariants(studio, work):
    def refused(**fields) -> None:
        values = {
            "production": studio.production,
            "key": key_of(work),
            "name": "ania",
            "reason": "Why",
            "excluded_by": studio.producer,
            **fields,
        }
        with pytest.raises(IntegrityError), transaction.atomic():
            CreditExclusion.objects.create(**values)

    refused(reason="")
    refused(reason="   ")
    refused(restored_by=studio.producer)  # restored by someone, but when?
    CreditExclusion.objects.create(
        production=studio.production, key=key_of(work), name="ania", reason="Why", excluded_by=studio.producer
    )
    refused()  # twice out at once
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditAddition.objects.create(production=studio.production, section="other", name="  ")
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditAddition.objects.create(production=studio.production, section="", name="Marta")
    with pytest.raises(IntegrityError), transaction.atomic():
        SectionPlace.objects.bulk_create(
            [
                SectionPlace(production=studio.production, section="cast", position=0),
                SectionPlace(production=studio.production, section="music", position=0),
            ]
        )
    CreditsRoll.objects.create(production=studio.production, language="en")
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditsRoll.objects.create(production=studio.production, language="en")  # one at a time
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditsRoll.objects.create(
            production=studio.production, language="en", status="ready"
        )  # without a file
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditsRoll.objects.create(production=studio.production, language="en", status="failed", progress=101)


def test_reordering_sections(studio):
    order = credit_services.reorder_sections(
        actor=studio.producer, production=studio.production, sections=["music", "cast"]
    )
    assert order[:3] == ["music", "cast", "team"]
    assert list(SectionPlace.objects.values_list("section", flat=True)) == order
    assert credit_services.move_section(
        actor=studio.producer, production=studio.production, section="team", offset=-1
    )[:3] == ["music", "team", "cast"]
    first = credit_services.move_section(
        actor=studio.producer, production=studio.production, section="music", offset=-1
    )
    assert first[0] == "music"  # already first: stays
    for sections, code in [
        (["music", "music"], "duplicate_section"),
        (["music", "bloopers"], "unknown_section"),
        ([], "required"),
    ]:
        with pytest.raises(ServiceError) as refused:
            credit_services.reorder_sections(
                actor=studio.producer, production=studio.production, sections=sections
            )
        assert (refused.value.code, refused.value.field) == (code, "sections")
    assert list(SectionPlace.objects.values_list("section", flat=True)) == first
    with pytest.raises(ServiceError) as refused:
        credit_services.move_section(
            actor=studio.producer, production=studio.production, section="bloopers", offset=1
        )
    assert refused.value.code == "unknown_section"


def test_a_roll_at_a_time_and_an_interrupted_one_can_be_replaced(studio, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        roll = credit_services.request_roll(
            actor=studio.producer, production=studio.production, language="fr"
        )
    assert len(queued) == 1  # the rendering is queued once the request is saved
    assert (roll.status, roll.width, roll.height, roll.language) == ("queued", 1920, 1080, "fr")
    with pytest.raises(Conflict) as refused:
        credit_services.request_roll(actor=studio.producer, production=studio.production)
    assert refused.value.code == "roll_in_progress"
    with pytest.raises(ServiceError) as refused:
        credit_services.request_roll(
            actor=studio.producer, production=studio.production, width=1000, height=1000
        )
    assert refused.value.code == "invalid_size"
    CreditsRoll.objects.filter(pk=roll.pk).update(
        status="running", heartbeat_at=roll.created_at.replace(year=2020)
    )
    with django_capture_on_commit_callbacks(execute=False):
        again = credit_services.request_roll(
            actor=studio.producer, production=studio.production, width=1280, height=720
        )
    roll.refresh_from_db()
    assert (roll.status, roll.problem) == ("failed", "interrupted")
    assert (again.status, again.width) == ("queued", 1280)


# --- Completeness: an accepted contribution is in the credits unless excluded with a reason -------

STEPS = st.lists(
    st.tuples(
        st.integers(0, 5),  # which contribution
        st.sampled_from(
            ["shortlisted", "accepted", "declined", "submitted", "withdraw", "exclude", "restore"]
        ),
        st.sampled_from(["", "  ", "Asked not to be credited", "Duplicate of another take"]),
    ),
    max_size=30,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(count=st.integers(1, 6), steps=STEPS)
def test_accepted_contributions_are_credited_unless_excluded_with_a_reason(studio, count, steps):
    with transaction.atomic():
        authors = [make_user(f"author{number}") for number in range(count)]
        works = [contribute(studio.call, author, f"Take {number}") for number, author in enumerate(authors)]
        for which, action, reason in steps:
            work = works[which % count]
            try:
                if action == "withdraw":
                    withdraw_contribution(actor=work.author, contribution=work)
                elif action == "exclude":
                    credit_services.exclude_entry(
                        actor=studio.producer, production=studio.production, key=key_of(work), reason=reason
                    )
                elif action == "restore":
                    exclusion = CreditExclusion.objects.filter(
                        key=key_of(work), restored_at__isnull=True
                    ).first()
                    if exclusion is not None:
                        credit_services.restore_entry(actor=studio.producer, exclusion=exclusion)
                else:
                    review(work, action, by=studio.crew)
            except ServiceError:
                pass  # a move the rules refuse (a blank reason, a withdrawn work…) changes nothing
            work.refresh_from_db()

        active = {
            exclusion.key: exclusion
            for exclusion in CreditExclusion.objects.filter(
                production=studio.production, restored_at__isnull=True
            )
        }
        accepted = {key_of(work) for work in works if work.status == "accepted"}
        shown = credited(studio.production) - {
            key for key in credited(studio.production) if key.startswith("productions:")
        }
        assert shown == accepted - set(active)
        for key in accepted - shown:
            assert active[key].reason.strip()
        assert all(exclusion.reason.strip() for exclusion in CreditExclusion.objects.all())
        transaction.set_rollback(True)
