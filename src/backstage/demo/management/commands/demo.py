"""``backstage demo``: load the demo studio (idempotent; existing data is kept)."""

import io
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image

from backstage.accounts.models import Skill, User
from backstage.contributions import comments, services
from backstage.demo import data as demo_data
from backstage.demo.media import add_camera_test
from backstage.demo.release import add_release
from backstage.productions.models import Call, Follow, Membership, Production


class Command(BaseCommand):
    help = "Load the demo studio Kassandra and its production Varsovie-Express (keeps existing data)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-migrate", action="store_true", help="Assume the database is migrated.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
            call_command("createcachetable", verbosity=0)
        with transaction.atomic():
            created = self._load()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo studio Kassandra is ready."
                if created
                else "Demo studio already loaded; nothing changed."
            )
        )
        self.stdout.write(f"Demo accounts (password: {demo_data.DEMO_PASSWORD}):")
        for username, email, name, *_rest in demo_data.PEOPLE:
            role = dict(demo_data.TEAM).get(username, "staff" if username == "admin" else "member")
            self.stdout.write(f"  {email:32} {name} ({role})")

    def _load(self) -> bool:
        if Production.objects.filter(slug="varsovie-express").exists():
            return False
        skills = {}
        for slug, name_en, name_fr in demo_data.SKILLS:
            skills[slug], _created = Skill.objects.get_or_create(
                slug=slug, defaults={"name_en": name_en, "name_fr": name_fr}
            )
        people = {}
        for username, email, name, city, language, skill_slugs, bio, staff in demo_data.PEOPLE:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(
                    username=username,
                    email=email,
                    password=demo_data.DEMO_PASSWORD,
                    language=language,
                    is_staff=staff,
                    is_superuser=staff,
                )
                EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
                profile = user.profile
                profile.display_name, profile.city, profile.bio = name, city, bio
                profile.languages = [language]
                profile.save(update_fields=["display_name", "city", "bio", "languages"])
                profile.skills.set([skills[slug] for slug in skill_slugs])
            people[username] = user
        from django.contrib.auth.models import Permission

        add_production = Permission.objects.get(
            codename="add_production", content_type__app_label="productions"
        )
        people["camille"].user_permissions.add(add_production)
        now = timezone.now()
        for spec in demo_data.PRODUCTIONS:
            calls = spec["calls"]
            values = {key: value for key, value in spec.items() if key != "calls"}
            production = Production.objects.create(created_by=people["camille"], **values)
            for username, role in demo_data.TEAM:
                Membership.objects.create(production=production, user=people[username], role=role)
            for call_spec in calls:
                call_values = dict(call_spec)
                days = call_values.pop("deadline_days")
                Call.objects.create(
                    production=production,
                    created_by=people["jan"],
                    deadline=now + timedelta(days=days) if days else None,
                    **call_values,
                )
        varsovie = Production.objects.get(slug="varsovie-express")
        for username in ("marek", "lea", "ines"):
            Follow.objects.get_or_create(user=people[username], production=varsovie)
        self._contributions(varsovie, people)
        add_camera_test(varsovie, people["ines"])
        add_release(varsovie, people)
        return True

    def _contributions(self, production: Production, people: dict[str, User]) -> None:
        calls = list(Call.objects.filter(production=production).order_by("pk"))
        for spec in demo_data.CONTRIBUTIONS:
            if "text" in spec:
                upload = SimpleUploadedFile("scene.txt", spec["text"].encode(), content_type="text/plain")
            else:
                image = io.BytesIO()
                Image.new("RGB", (700, 1000), spec["color"]).save(image, format="PNG")
                upload = SimpleUploadedFile("poster.png", image.getvalue(), content_type="image/png")
            contribution = services.submit_contribution(
                actor=people[spec["author"]],
                call=calls[spec["call"]],
                title=spec["title"],
                description=spec["description"],
                license=spec["license"],
                links=[],
                files=[upload],
            )
            if spec.get("comment"):
                author, text, reply_author, reply = spec["comment"]
                first = comments.post_comment(actor=people[author], contribution=contribution, body=text)
                comments.post_comment(
                    actor=people[reply_author], contribution=contribution, body=reply, parent=first
                )
            if spec["status"] != "submitted":
                services.review_contribution(
                    actor=people["jan"],
                    contribution=contribution,
                    status=spec["status"],
                    note=spec.get("note", ""),
                )
