from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backstage.activity import queries, services
from backstage.activity.forms import PreferencesForm
from backstage.activity.sentences import target_url
from backstage.core.errors import ServiceError
from backstage.core.http import AuthenticatedRequest
from backstage.productions.models import Production

PAGE_SIZE = 30
# htmx's "stop polling" status: a bell whose session ended goes quiet instead of showing a login page.
STOP_POLLING = 286


def production_activity(request: HttpRequest, slug: str) -> HttpResponse:
    production = get_object_or_404(Production, slug=slug)
    page = Paginator(queries.production_events(production), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "activity/production_activity.html", {"production": production, "page": page})


@login_required
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(queries.notifications_for(request.user.pk), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "activity/notification_list.html", {"page": page})


@login_required
def notification_open(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(queries.notifications_for(request.user.pk), pk=pk)
    services.mark_read(actor=request.user, notification=notification)
    return redirect(target_url(notification.event))


@require_POST
@login_required
def mark_all_read(request: AuthenticatedRequest) -> HttpResponse:
    services.mark_all_read(actor=request.user)
    messages.success(request, _("All your notifications are marked as read."))
    return redirect("notifications:list")


def unread_fragment(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponse(status=STOP_POLLING)
    return render(request, "activity/_bell.html")


@login_required
def preferences(request: AuthenticatedRequest) -> HttpResponse:
    form = PreferencesForm(
        request.POST if request.method == "POST" else None, initial=queries.preferences_of(request.user.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_preferences(actor=request.user, choices=form.cleaned_data)
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
    return render(request, "activity/preferences.html", {"form": form})
