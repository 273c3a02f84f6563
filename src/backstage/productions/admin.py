from django.contrib import admin

from backstage.productions.models import Block, Call, Follow, Invitation, Membership, Production


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Production)
class ProductionAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "stage", "license", "created_at")
    search_fields = ("title", "slug")
    inlines = [MembershipInline]


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("__str__", "production", "kind", "is_open", "deadline")
    list_filter = ("kind", "is_open")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("production", "invitee", "role", "status", "created_at")
    raw_id_fields = ("invitee", "invited_by")


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("production", "user", "created_at")
    raw_id_fields = ("user",)


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ("production", "user", "blocked_by", "created_at")
    raw_id_fields = ("user", "blocked_by")
