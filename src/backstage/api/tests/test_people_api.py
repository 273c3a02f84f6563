"""People through the API: public profiles and the signed-in person."""

import pytest

from backstage.accounts.models import Profile, Skill
from backstage.api.tests.api_client import ApiClient, api_as, assert_error


def test_a_public_profile(studio):
    profile = Profile.objects.get(user=studio.crew)
    profile.display_name = "Zofia K."
    profile.bio = "Gaffer. <script>alert(1)</script> **Night shoots.**"
    profile.city = "Kraków"
    profile.languages = ["pl", "fr"]
    profile.links = ["https://example.org/zofia"]
    profile.save()
    profile.skills.add(Skill.objects.create(slug="lighting", name_en="Lighting", name_fr="Lumière"))

    response = ApiClient().get("/people/crew")

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "crew"
    assert body["display_name"] == "Zofia K."
    assert (body["city"], body["languages"], body["skills"]) == ("Kraków", ["pl", "fr"], ["lighting"])
    assert "<strong>Night shoots.</strong>" in body["bio_html"]
    assert "<script" not in body["bio_html"]
    assert body["avatar_url"] is None


def test_the_team_shows_display_names(studio):
    Profile.objects.filter(user=studio.crew).update(display_name="Zofia K.")

    team = ApiClient().get("/productions/varsovie-express/team").json()

    assert {member["username"]: member["display_name"] for member in team}["crew"] == "Zofia K."


@pytest.mark.parametrize(("username", "status"), [("nobody-here", 404), ("inactive", 404), ("bad name", 422)])
def test_a_profile_that_cannot_be_shown(studio, username, status):
    assert_error(ApiClient().get(f"/people/{username}"), status)


def test_me_is_the_signed_in_person(studio):
    response = api_as(studio.director).get("/me")

    assert response.json() == {"username": "director", "email": "director@example.org", "language": "en"}


def test_me_needs_signing_in(studio):
    assert_error(ApiClient().get("/me"), 401, "not_authenticated")
