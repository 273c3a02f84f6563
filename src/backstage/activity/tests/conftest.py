import pytest

from backstage.contributions import services
from backstage.contributions.models import Contribution


@pytest.fixture
def submit(studio):
    def submit(author, *, call=None, title: str = "A poster") -> Contribution:
        return services.submit_contribution(
            actor=author,
            call=call or studio.call,
            title=title,
            description="",
            license="CC-BY-SA-4.0",
            links=[],
        )

    return submit
