"""Site administration is for staff only; error pages are clear in both languages."""

import pytest

from backstage.productions.models import Call, Production
from conftest import ROLES, client_for


@pytest.mark.parametrize("role", ROLES)
def test_only_staff_reach_the_admin(studio, role):
    response = client_for(studio.person(role)).get("/admin/productions/production/")
    if role == "staff":
        # Staff get in; what they may change there is given by Django's permissions.
        assert response.status_code in (200, 403)
    else:
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_superuser_manages_productions_in_the_admin(studio):
    studio.staff.is_superuser = True
    studio.staff.save()
    response = client_for(studio.staff).get("/admin/productions/production/")
    assert response.status_code == 200
    assert "Varsovie-Express" in response.content.decode()


def test_producer_of_one_production_cannot_touch_anothers_calls(studio):
    other = Production.objects.create(slug="other-film", title="Other film")
    theirs = Call.objects.create(production=other, kind="music", title_en="Their cue")
    client = client_for(studio.producer)
    assert client.get(f"/productions/other-film/calls/{theirs.pk}/edit/").status_code == 403
    assert client.post(f"/productions/other-film/calls/{theirs.pk}/close/").status_code == 403
    # Reaching it through one's own production's address does not work either.
    assert client.get(f"/productions/varsovie-express/calls/{theirs.pk}/edit/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_open and theirs.title_en == "Their cue"


def test_403_page_is_translated(studio):
    response = client_for(studio.member).get("/productions/varsovie-express/edit/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 403
    assert '<html lang="fr">' in response.content.decode()


def test_404_page_is_a_real_page(db, settings):
    settings.DEBUG = False
    response = client_for(None).get("/no/such/page/")
    assert response.status_code == 404
    assert "There is nothing at this address" in response.content.decode()
