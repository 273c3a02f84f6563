from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from backstage.accounts.models import ApiToken, Profile, Skill, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Backstage", {"fields": ("language",)}))  # type: ignore[misc]
    list_display = ("username", "email", "is_active", "is_staff", "date_joined")


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "display_name", "city")
    search_fields = ("user__username", "display_name", "city")
    raw_id_fields = ("user",)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_en", "name_fr")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "prefix", "created_at", "last_used_at")
    readonly_fields = ("digest", "prefix")
    raw_id_fields = ("user",)
