"""Sections other apps add to a person's public profile (accepted contributions, credits…).

The profile belongs to ``accounts``, which must not know the apps above it; each of them
registers a section here from its ``AppConfig.ready``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from backstage.accounts.models import User


@dataclass(frozen=True)
class ProfileSection:
    template: str
    # Builds the section's context; a fixed number of queries whatever the person has done.
    context: Callable[[User], dict[str, Any]]


_sections: list[ProfileSection] = []


def register(section: ProfileSection) -> None:
    if section not in _sections:
        _sections.append(section)


def sections_for(person: User) -> list[tuple[str, dict[str, Any]]]:
    return [(section.template, section.context(person)) for section in _sections]
