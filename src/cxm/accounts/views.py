"""Pages of people and access: sign-in, preferences, units/teams/positions/users, audit log."""

from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import ListView, TemplateView, UpdateView

from cxm.accounts import forms
from cxm.accounts.models import Position, Team, Unit, User
from cxm.accounts.permissions import CapabilityRequiredMixin
from cxm.accounts.roles import Capability
from cxm.common.crud import CatalogueFormView, CatalogueListView
from cxm.common.pagination import CappedPaginator
from cxm.customers.models import Customer, LifecycleStage


class HomeView(LoginRequiredMixin, TemplateView):
    """The dashboard every role can read."""

    template_name = "accounts/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        by_stage = dict(
            Customer.objects.values_list("lifecycle_stage").annotate(n=Count("id")).order_by()
        )
        context.update(
            today=timezone.localdate(),
            customers_total=sum(by_stage.values()),
            stages=[(label, by_stage.get(code, 0)) for code, label in LifecycleStage.choices],
            club_members=Customer.objects.exclude(club_tier="").count(),
            widgets=dashboard_widgets(self.request),
        )
        return context


def dashboard_widgets(request: HttpRequest) -> list[str]:
    """Templates that later capabilities add to the dashboard (an extension point)."""
    return list(getattr(settings, "CXM_DASHBOARD_WIDGETS", []))


class PreferencesView(LoginRequiredMixin, UpdateView):
    form_class = forms.PreferencesForm
    template_name = "accounts/preferences.html"
    success_url = reverse_lazy("preferences")

    def get_object(self, queryset: Any = None) -> Any:
        return self.request.user

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        language = form.cleaned_data.get("language") or ""
        if language:
            translation.activate(language)
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
        messages.success(self.request, _("Your preferences were saved."))
        return response


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """The language menu: saves the choice on the user and in the language cookie."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        messages.error(request, _("Unknown language."))
        language = ""
    target = request.POST.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("home")
    response = HttpResponseRedirect(target)
    if language:
        user: Any = request.user
        if user.is_authenticated:
            user.language = language
            user.save(update_fields=["language"])
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response


class PeopleView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/people.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            units=Unit.objects.annotate(n=Count("members")).select_related("parent"),
            teams=Team.objects.select_related("unit", "lead").annotate(n=Count("members")),
            positions=Position.objects.select_related("unit").annotate(n=Count("holders")),
            can_manage=self.request.user.can(Capability.PEOPLE_MANAGE),  # type: ignore[union-attr]
        )
        return context


class UserListView(CatalogueListView):
    title = gettext_lazy("Users")
    columns = [
        ("username", gettext_lazy("Username")),
        ("display_name", gettext_lazy("Name")),
        ("get_role_display", gettext_lazy("Role")),
        ("unit", gettext_lazy("Unit")),
        ("team", gettext_lazy("Team")),
        ("position", gettext_lazy("Position")),
    ]
    create_url_name = "user-create"
    edit_url_name = "user-edit"
    edit_capability = Capability.PEOPLE_MANAGE

    def get_queryset(self) -> Any:
        return User.objects.select_related("unit", "team", "position").order_by("username")


def _catalogue(model: type, form: type, title: Any, list_name: str) -> type[CatalogueFormView]:
    return type(
        f"{model.__name__}FormView",
        (CatalogueFormView,),
        {
            "model": model,
            "form_class": form,
            "title": title,
            "success_url_name": list_name,
            "capability": Capability.PEOPLE_MANAGE,
        },
    )


UnitFormView = _catalogue(Unit, forms.UnitForm, gettext_lazy("Unit"), "people")
TeamFormView = _catalogue(Team, forms.TeamForm, gettext_lazy("Team"), "people")
PositionFormView = _catalogue(Position, forms.PositionForm, gettext_lazy("Position"), "people")
UserFormView = _catalogue(User, forms.UserForm, gettext_lazy("User"), "user-list")
UserFormView.allow_delete = False


class AuditLogView(CapabilityRequiredMixin, ListView):
    """Who changed what and when (django-auditlog)."""

    capability = Capability.AUDIT_VIEW
    template_name = "accounts/audit.html"
    paginate_by = 50
    paginator_class = CappedPaginator

    def get_queryset(self) -> Any:
        return LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp")
