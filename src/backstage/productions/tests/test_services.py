"""The production services directly: rules that hold whatever the surface."""

import threading

import pytest
from django.db import connection

from backstage.core.errors import Conflict, NotAllowed, ServiceError
from backstage.productions import services
from backstage.productions.models import Invitation, Membership, Role
from conftest import make_user


def test_creator_becomes_the_producer(studio):
    production = services.create_production(
        actor=studio.producer, title="Nouveau film", slug="nouveau-film", logline_fr="Un film."
    )
    assert Membership.objects.get(production=production).user == studio.producer


def test_unknown_fields_are_refused(studio):
    with pytest.raises(ServiceError) as caught:
        services.update_production(actor=studio.producer, production=studio.production, created_by=None)
    assert caught.value.code == "unknown_field"


def test_people_without_the_permission_cannot_create(studio):
    with pytest.raises(NotAllowed):
        services.create_production(actor=studio.staff, title="X", slug="x")


def test_inactive_producer_has_no_rights(studio):
    studio.producer.is_active = False
    studio.producer.save()
    with pytest.raises(NotAllowed):
        services.update_production(actor=studio.producer, production=studio.production, title="Nope")


def test_invitations_are_unique_while_pending(studio):
    services.invite_to_team(
        actor=studio.producer, production=studio.production, invitee=studio.member, role="crew"
    )
    with pytest.raises(Conflict) as caught:
        services.invite_to_team(
            actor=studio.producer, production=studio.production, invitee=studio.member, role="director"
        )
    assert caught.value.code == "already_invited"


def test_inactive_people_cannot_be_invited(studio):
    with pytest.raises(ServiceError) as caught:
        services.invite_to_team(
            actor=studio.producer, production=studio.production, invitee=studio.inactive, role="crew"
        )
    assert caught.value.code == "inactive_user"


def test_someone_else_cannot_accept_an_invitation(studio):
    invitation = services.invite_to_team(
        actor=studio.producer, production=studio.production, invitee=studio.member, role="crew"
    )
    with pytest.raises(NotAllowed):
        services.accept_invitation(actor=studio.crew, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


def test_members_may_leave_but_not_remove_others(studio):
    crew = Membership.objects.get(user=studio.crew)
    with pytest.raises(NotAllowed):
        services.remove_from_team(actor=studio.moderator, membership=crew)
    services.remove_from_team(actor=studio.crew, membership=crew)
    assert not Membership.objects.filter(user=studio.crew).exists()


@pytest.mark.django_db(transaction=True)
def test_two_producers_stepping_down_at_once_leave_one(studio):
    """Two simultaneous demotions of the only two producers: one must be refused."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite serialises writers")
    second = make_user("second-producer")
    Membership.objects.filter(user=studio.director).update(user=second, role=Role.PRODUCER)
    memberships = list(Membership.objects.filter(role=Role.PRODUCER).select_related("production"))
    assert len(memberships) == 2
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def step_down(membership: Membership) -> None:
        barrier.wait()
        try:
            services.change_role(actor=membership.user, membership=membership, role=Role.CREW)
            outcomes.append("ok")
        except Conflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=step_down, args=(m,)) for m in memberships]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert Membership.objects.filter(role=Role.PRODUCER).count() == 1
