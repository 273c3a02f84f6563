"""Moderators and producers block people from a production; blocked people cannot take part."""

import pytest

from backstage.contributions import services as contribution_services
from backstage.core.errors import Conflict, NotAllowed, ServiceError
from backstage.productions import services
from backstage.productions.models import Block


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("member", False),
        ("crew", False),
        ("director", False),
        ("staff", False),
        ("moderator", True),
        ("producer", True),
    ],
)
def test_only_moderators_and_producers_block(studio, role, allowed):
    target = studio.member
    actor = studio.person(role)
    if not allowed:
        with pytest.raises(NotAllowed):
            services.block_member(actor=actor, production=studio.production, user=target, reason="Spam")
        assert not Block.objects.exists()
    else:
        services.block_member(actor=actor, production=studio.production, user=target, reason="Spam")
        assert Block.objects.get().blocked_by == actor


def test_bad_blocks_are_refused(studio):
    with pytest.raises(ServiceError, match="Say why"):
        services.block_member(
            actor=studio.moderator, production=studio.production, user=studio.member, reason=" "
        )
    with pytest.raises(Conflict):
        services.block_member(
            actor=studio.moderator, production=studio.production, user=studio.crew, reason="No"
        )
    services.block_member(
        actor=studio.moderator, production=studio.production, user=studio.member, reason="Spam"
    )
    with pytest.raises(Conflict):
        services.block_member(
            actor=studio.moderator, production=studio.production, user=studio.member, reason="Again"
        )


def test_blocked_people_cannot_contribute_or_vote_until_unblocked(studio, submit):
    work = submit(studio.crew)
    services.block_member(
        actor=studio.producer, production=studio.production, user=studio.member, reason="Abuse"
    )
    with pytest.raises(NotAllowed, match="blocked"):
        submit(studio.member)
    with pytest.raises(NotAllowed, match="blocked"):
        contribution_services.cast_vote(actor=studio.member, contribution=work)
    services.unblock_member(actor=studio.moderator, production=studio.production, user=studio.member)
    contribution_services.cast_vote(actor=studio.member, contribution=work)
    assert submit(studio.member).pk
