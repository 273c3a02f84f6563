"""A studio the size of a busy one, written straight into the database with bulk inserts.

Runs in a process where Django is set up with the benchmark's settings, after ``migrate``.
Profiles are inserted here because the sign-up signal that creates them only fires on ``save()``.
"""

import random
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backstage.accounts.models import User

FEATURED_SLUG = "varsovie-express"
FEATURED_CALLS = 24
BATCH_SIZE = 1000

SYNOPSIS = """\
Warsaw, December. The last night train from Paris carries **six strangers** and a suitcase
that none of them admits to owning.

When the train stops in the snow outside Poznań, the suitcase is opened and the passengers
discover what they share: a name, an address, and a debt that was never paid.

- Ania, a violinist who missed her audition;
- Marek, a conductor who knows every passenger by sight;
- the twins, who do not travel together.

By dawn, one of them has left the train. The others must decide what to tell the police,
and what to tell each other. *Varsovie-Express* is a film in three acts, written with the public,
shot in Poland and France, and released under a free license.
"""

CITIES = ["Paris", "Warszawa", "Lyon", "Kraków", "Bruxelles", "Montréal", "Berlin", "Gdańsk", ""]


@dataclass
class LargeStudio:
    featured_slug: str
    members: int
    productions: int
    calls: int
    open_calls: int
    follows: int
    featured_followers: int
    featured_team: int
    signed_in_username: str
    session_cookie: str


def populate(*, members: int, productions: int, calls: int, team_size: int, seed: int = 2025) -> LargeStudio:
    """Insert the studio and return what the benchmark needs to address it."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from backstage.accounts.models import Profile, User
    from backstage.productions.models import Call, CallKind, Follow, Membership, Production, Role, Stage

    rng = random.Random(seed)
    now = timezone.now()
    unusable_password = make_password(None)

    with transaction.atomic():
        users = User.objects.bulk_create(
            (
                User(
                    username=f"member{index:05d}",
                    email=f"member{index:05d}@example.org",
                    password=unusable_password,
                    language="fr" if index % 4 == 0 else "en",
                )
                for index in range(members)
            ),
            batch_size=BATCH_SIZE,
        )
        Profile.objects.bulk_create(
            (
                Profile(
                    user=user,
                    display_name=f"Member {index}" if index % 3 else "",
                    city=CITIES[index % len(CITIES)],
                    bio="Actor, musician and night-train enthusiast." if index % 5 == 0 else "",
                    languages=["en", "fr"] if index % 2 else ["pl"],
                )
                for index, user in enumerate(users)
            ),
            batch_size=BATCH_SIZE,
        )

        stages = [stage for stage in Stage.values if stage != Stage.RELEASED]
        films = Production.objects.bulk_create(
            [
                Production(
                    slug=FEATURED_SLUG,
                    title="Varsovie-Express",
                    logline_en="A night train to Warsaw.",
                    logline_fr="Un train de nuit pour Varsovie.",
                    synopsis_en=SYNOPSIS,
                    stage=Stage.PRE_PRODUCTION,
                    created_by=users[0],
                ),
                *(
                    Production(
                        slug=f"film-{index:03d}",
                        title=f"Film {index:03d}",
                        logline_en=f"The story of film number {index}.",
                        synopsis_en=SYNOPSIS,
                        stage=Stage.RELEASED if index % 10 == 0 else stages[index % len(stages)],
                        created_by=users[index % members],
                    )
                    for index in range(1, productions)
                ),
            ]
        )
        featured = films[0]

        roles = [Role.PRODUCER, Role.DIRECTOR, Role.MODERATOR]
        team_members = []
        for film in films:
            for position, index in enumerate(rng.sample(range(1, members), team_size)):
                role = roles[position] if position < len(roles) else Role.CREW
                team_members.append(Membership(production=film, user=users[index], role=role))
        Membership.objects.bulk_create(team_members, batch_size=BATCH_SIZE)

        # Everyone follows the featured production; the others have a few hundred followers each.
        follows = [Follow(user=user, production=featured) for user in users]
        for film in films[1:]:
            for index in rng.sample(range(members), min(members, rng.randint(50, 500))):
                follows.append(Follow(user=users[index], production=film))
        Follow.objects.bulk_create(follows, batch_size=BATCH_SIZE)

        kinds = CallKind.values
        new_calls = []
        for index in range(calls):
            film = featured if index < min(FEATURED_CALLS, calls) else films[1 + index % (len(films) - 1)]
            if index % 3 == 0:
                deadline = None
            elif index % 20 == 1:
                deadline = now - timedelta(days=index % 30 + 1)  # past its deadline
            else:
                deadline = now + timedelta(days=7 + index % 120)
            new_calls.append(
                Call(
                    production=film,
                    kind=kinds[index % len(kinds)],
                    title_en=f"{kinds[index % len(kinds)].title()} call {index}",
                    title_fr=f"Appel {index}",
                    brief_en="We are looking for **you**. Send a short sample of your work.",
                    deadline=deadline,
                    is_open=index % 8 != 7,
                    created_by=film.created_by,
                )
            )
        Call.objects.bulk_create(new_calls, batch_size=BATCH_SIZE)

    if connection.vendor == "postgresql":
        # What autovacuum would soon do on a live database: give the planner its statistics.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    signed_in = users[members - 1]
    session_cookie = session_cookie_for(signed_in)
    team_ids = {membership.user_id for membership in team_members if membership.production_id == featured.pk}
    if signed_in.pk in team_ids:
        raise RuntimeError("the signed-in visitor must be a follower outside the team")
    return LargeStudio(
        featured_slug=featured.slug,
        members=members,
        productions=len(films),
        calls=len(new_calls),
        open_calls=Call.objects.open().count(),
        follows=len(follows),
        featured_followers=Follow.objects.filter(production=featured).count(),
        featured_team=len(team_ids),
        signed_in_username=signed_in.username,
        session_cookie=session_cookie,
    )


def session_cookie_for(user: "User") -> str:
    """A signed-in session for ``user``, as the login view would store it; returns the Cookie header."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
