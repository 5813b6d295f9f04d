"""Generic list/create/edit pages for small catalogues (units, teams, channels …).

A catalogue page names its model, form, columns and capability; the shared templates
`common/list.html` and `common/form.html` draw them.
"""

from typing import Any

from django.contrib import messages
from django.db.models import Model, ProtectedError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView
from django_stubs_ext import StrOrPromise

from cxm.accounts.permissions import CapabilityRequiredMixin, user_can
from cxm.common.pagination import CappedPaginator


class CatalogueListView(CapabilityRequiredMixin, ListView):
    """Readable by every signed-in user; `edit_capability` shows the edit links."""

    template_name = "common/list.html"
    paginate_by = 50
    paginator_class = CappedPaginator
    columns: list[tuple[str, StrOrPromise]] = []  # (attribute, heading)
    title: StrOrPromise = ""
    create_url_name = ""
    edit_url_name = ""
    edit_capability: str | None = None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        can_edit = user_can(self.request.user, self.edit_capability)
        rows = []
        for obj in context["object_list"]:
            cells = []
            for attr, _heading in self.columns:
                value: Any = obj
                for part in attr.split("."):
                    value = getattr(value, part, "") if value is not None else ""
                    if callable(value):
                        value = value()
                if isinstance(value, bool):
                    value = _("Yes") if value else _("No")
                cells.append(value)
            url = reverse(self.edit_url_name, args=[obj.pk]) if can_edit else ""
            rows.append({"cells": cells, "url": url})
        context.update(
            title=self.title,
            headings=[h for _a, h in self.columns],
            rows=rows,
            create_url=reverse(self.create_url_name) if can_edit and self.create_url_name else "",
        )
        return context


class CatalogueFormView(CapabilityRequiredMixin, FormView):
    """Create (no pk) or edit (pk) one catalogue row; saving goes through `save()`."""

    template_name = "common/form.html"
    model: type[Model]
    title: StrOrPromise = ""
    success_url_name = ""
    allow_delete = True

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.object = None
        if "pk" in kwargs:
            self.object = get_object_or_404(self.model, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.object
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.title,
            object=self.object,
            can_delete=self.allow_delete and self.object is not None,
            back_url=reverse(self.success_url_name),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "delete" in request.POST and self.object is not None and self.allow_delete:
            try:
                self.object.delete()
            except ProtectedError:
                messages.error(request, _("It is still in use and cannot be deleted."))
                return HttpResponseRedirect(request.path)
            messages.success(request, _("Deleted."))
            return HttpResponseRedirect(reverse(self.success_url_name))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        self.save(form)
        messages.success(self.request, _("Saved."))
        return HttpResponseRedirect(reverse(self.success_url_name))

    def save(self, form: Any) -> Model:
        instance = form.save(commit=False)
        instance.full_clean()
        instance.save()
        form.save_m2m()
        return instance
