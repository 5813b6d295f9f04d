"""Customer pages: the list with search, the 360 page, create/edit, consent changes."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, TemplateView

from cxm.accounts.permissions import CapabilityRequiredMixin, user_can
from cxm.accounts.roles import Capability
from cxm.common.pagination import CappedPaginator
from cxm.common.timeline import customer_timeline
from cxm.customers import selectors, services
from cxm.customers.forms import ConsentForm, CustomerFilterForm, CustomerForm
from cxm.customers.models import Customer


class CustomerListView(CapabilityRequiredMixin, ListView):
    template_name = "customers/list.html"
    paginate_by = 50
    paginator_class = CappedPaginator

    def get_queryset(self) -> Any:
        self.filter_form = CustomerFilterForm(self.request.GET or None)
        filters = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        return selectors.customer_list(filters=filters)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        context["show_contacts"] = user_can(self.request.user, Capability.CUSTOMERS_VIEW_CONTACTS)
        return context


class CustomerDetailView(CapabilityRequiredMixin, TemplateView):
    """The customer 360 page: profile, consents, segments and one merged timeline."""

    template_name = "customers/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        try:
            customer = selectors.customer_get(kwargs["pk"])
        except Customer.DoesNotExist:
            raise Http404 from None
        context.update(
            customer=customer,
            timeline=customer_timeline(customer, limit=100),
            show_contacts=user_can(self.request.user, Capability.CUSTOMERS_VIEW_CONTACTS),
            consent_form=ConsentForm(),
        )
        return context


class CustomerFormView(CapabilityRequiredMixin, FormView):
    template_name = "customers/form.html"
    form_class = CustomerForm
    capability = Capability.CUSTOMERS_CHANGE

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.object = get_object_or_404(Customer, pk=kwargs["pk"]) if "pk" in kwargs else None
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "object": self.object}

    def form_valid(self, form: CustomerForm) -> HttpResponse:
        customer = form.save(commit=False)
        services.customer_save(customer=customer, actor=self.request.user, source="form")
        form.save_m2m()
        messages.success(self.request, _("Saved."))
        return HttpResponseRedirect(reverse("customers:detail", args=[customer.pk]))


class ConsentChangeView(CapabilityRequiredMixin, FormView):
    form_class = ConsentForm
    capability = Capability.CUSTOMERS_CHANGE
    http_method_names = ["post"]

    def form_valid(self, form: ConsentForm) -> HttpResponse:
        customer = get_object_or_404(Customer, pk=self.kwargs["pk"])
        services.consent_set(
            customer=customer,
            channel=form.cleaned_data["channel"],
            status=form.cleaned_data["status"],
            source=form.cleaned_data["source"]
            or _("changed by %(user)s") % {"user": self.request.user.display_name},  # type: ignore[union-attr]
            actor=self.request.user,
        )
        messages.success(self.request, _("Consent saved."))
        return HttpResponseRedirect(reverse("customers:detail", args=[customer.pk]))

    def form_invalid(self, form: ConsentForm) -> HttpResponse:
        messages.error(self.request, _("The consent was not saved: check the fields."))
        return HttpResponseRedirect(reverse("customers:detail", args=[self.kwargs["pk"]]))
