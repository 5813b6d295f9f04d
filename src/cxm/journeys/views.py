"""Journey pages: the list, the journey map, and forms for journeys, stages, touchpoints
and pain points. Everybody signed in reads; changes need `journeys.change`."""

from abc import ABCMeta, abstractmethod
from typing import Any

from django.contrib import messages
from django.db.models import Model
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from cxm.accounts.permissions import CapabilityRequiredMixin, user_can
from cxm.accounts.roles import Capability
from cxm.common.exceptions import ApplicationError
from cxm.common.pagination import CappedPaginator
from cxm.journeys import selectors, services
from cxm.journeys.forms import JourneyForm, PainPointForm, StageForm, TouchpointForm
from cxm.journeys.models import Journey, PainPoint, Severity, Stage, Touchpoint


def map_url(journey_id: int, anchor: str = "") -> str:
    url = reverse("journeys:detail", args=[journey_id])
    return f"{url}#{anchor}" if anchor else url


class JourneyListView(CapabilityRequiredMixin, ListView):
    template_name = "journeys/list.html"
    paginate_by = 50
    paginator_class = CappedPaginator
    context_object_name = "journeys"

    def get_queryset(self) -> Any:
        return selectors.journey_list()


class JourneyMapView(CapabilityRequiredMixin, TemplateView):
    """The journey map: stages as columns, touchpoints as cards, pain points by heat."""

    template_name = "journeys/map.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        try:
            journey_map = selectors.journey_map(journey_id=kwargs["pk"])
        except Journey.DoesNotExist:
            raise Http404 from None
        context.update(
            map=journey_map,
            journey=journey_map.journey,
            severities=Severity.choices,
            can_edit=user_can(self.request.user, Capability.JOURNEYS_CHANGE),
        )
        return context


class _LoadPart(View):
    """Loads the edited object (`pk`) or the parent it is created in; runs after the
    capability check, so a user without it gets 403 whether or not the row exists."""

    model: type[Model]
    parent_model: type[Model] | None = None
    parent_kwarg = ""
    object: Any
    parent: Any

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.object = get_object_or_404(self.model, pk=kwargs["pk"]) if "pk" in kwargs else None
        self.parent = None
        if self.object is None and self.parent_model is not None:
            self.parent = get_object_or_404(self.parent_model, pk=kwargs[self.parent_kwarg])
        return super().dispatch(request, *args, **kwargs)


class _PartFormView(CapabilityRequiredMixin, _LoadPart, FormView, metaclass=ABCMeta):
    """Create (parent in the URL) or edit (`pk`) one part of a journey, or delete it.

    Subclasses name the model, parent model and the service calls.
    """

    template_name = "common/form.html"
    capability = Capability.JOURNEYS_CHANGE
    title: Any = ""

    def get_form_kwargs(self) -> dict[str, Any]:
        # The form validates a copy: ModelForm writes into its instance while cleaning, and
        # the update services compare against the saved values.
        copy = None
        if self.object is not None:
            copy = self.model._default_manager.get(pk=self.object.pk)
        return {**super().get_form_kwargs(), "instance": copy}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.title,
            object=self.object,
            can_delete=self.object is not None,
            back_url=self.back_url(),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "delete" in request.POST and self.object is not None:
            target = self.after_delete_url()
            self.delete(self.object)
            messages.success(request, _("Deleted."))
            return HttpResponseRedirect(target)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        data = form.cleaned_data
        try:
            instance = self.create(data) if self.object is None else self.update(data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return HttpResponseRedirect(self.success_url_for(instance))

    @abstractmethod
    def back_url(self) -> str:
        """Supplied by each part's view."""

    def after_delete_url(self) -> str:
        return self.back_url()

    @abstractmethod
    def success_url_for(self, instance: Any) -> str:
        """Supplied by each part's view."""

    @abstractmethod
    def create(self, data: dict[str, Any]) -> Any:
        """Supplied by each part's view."""

    @abstractmethod
    def update(self, data: dict[str, Any]) -> Any:
        """Supplied by each part's view."""

    @abstractmethod
    def delete(self, instance: Any) -> None:
        """Supplied by each part's view."""


class JourneyFormView(_PartFormView):
    model = Journey
    form_class = JourneyForm
    title = gettext_lazy("Journey")

    def back_url(self) -> str:
        return map_url(self.object.pk) if self.object else reverse("journeys:list")

    def after_delete_url(self) -> str:
        return reverse("journeys:list")

    def success_url_for(self, instance: Journey) -> str:
        return map_url(instance.pk)

    def create(self, data: dict[str, Any]) -> Journey:
        return services.journey_create(**data)

    def update(self, data: dict[str, Any]) -> Journey:
        return services.journey_update(journey=self.object, data=data)

    def delete(self, instance: Journey) -> None:
        services.journey_delete(journey=instance)


class StageFormView(_PartFormView):
    model = Stage
    parent_model = Journey
    parent_kwarg = "journey_pk"
    form_class = StageForm
    title = gettext_lazy("Stage")

    def journey_id(self) -> int:
        return self.object.journey_id if self.object else self.parent.pk

    def back_url(self) -> str:
        return map_url(self.journey_id())

    def success_url_for(self, instance: Stage) -> str:
        return map_url(instance.journey_id, f"stage-{instance.pk}")

    def create(self, data: dict[str, Any]) -> Stage:
        return services.stage_create(journey=self.parent, **data)

    def update(self, data: dict[str, Any]) -> Stage:
        return services.stage_update(stage=self.object, data=data)

    def delete(self, instance: Stage) -> None:
        services.stage_delete(stage=instance)


class TouchpointFormView(_PartFormView):
    model = Touchpoint
    parent_model = Stage
    parent_kwarg = "stage_pk"
    form_class = TouchpointForm
    title = gettext_lazy("Touchpoint")

    def stage(self) -> Stage:
        return self.object.stage if self.object else self.parent

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["journey"] = self.stage().journey
        if self.object is None:
            kwargs["initial"] = {**kwargs.get("initial", {}), "stage": self.parent}
        return kwargs

    def back_url(self) -> str:
        return map_url(self.stage().journey_id)

    def success_url_for(self, instance: Touchpoint) -> str:
        return map_url(self.stage().journey_id, f"touchpoint-{instance.pk}")

    def create(self, data: dict[str, Any]) -> Touchpoint:
        return services.touchpoint_create(**data)

    def update(self, data: dict[str, Any]) -> Touchpoint:
        return services.touchpoint_update(touchpoint=self.object, data=data)

    def delete(self, instance: Touchpoint) -> None:
        services.touchpoint_delete(touchpoint=instance)


class PainPointFormView(_PartFormView):
    model = PainPoint
    parent_model = Touchpoint
    parent_kwarg = "touchpoint_pk"
    form_class = PainPointForm
    title = gettext_lazy("Pain point")

    def touchpoint(self) -> Touchpoint:
        return self.object.touchpoint if self.object else self.parent

    def back_url(self) -> str:
        return map_url(self.touchpoint().stage.journey_id, f"touchpoint-{self.touchpoint().pk}")

    def success_url_for(self, instance: PainPoint) -> str:
        return self.back_url()

    def create(self, data: dict[str, Any]) -> PainPoint:
        return services.pain_point_create(touchpoint=self.parent, **data)

    def update(self, data: dict[str, Any]) -> PainPoint:
        return services.pain_point_update(pain_point=self.object, data=data)

    def delete(self, instance: PainPoint) -> None:
        services.pain_point_delete(pain_point=instance)


class _MoveView(CapabilityRequiredMixin, View, metaclass=ABCMeta):
    """POST `direction=up|down`: one place earlier or later, back to the map."""

    capability = Capability.JOURNEYS_CHANGE
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        direction = request.POST.get("direction", "")
        if direction not in ("up", "down"):
            messages.error(request, _("Move up or down."))
        return self.move(pk, direction)

    @abstractmethod
    def move(self, pk: int, direction: str) -> HttpResponse:
        """Move the part one place in `direction` and answer with the map."""


class StageMoveView(_MoveView):
    def move(self, pk: int, direction: str) -> HttpResponse:
        stage = get_object_or_404(Stage, pk=pk)
        if direction in ("up", "down"):
            services.stage_move(stage=stage, direction=direction)  # type: ignore[arg-type]
        return HttpResponseRedirect(map_url(stage.journey_id, f"stage-{stage.pk}"))


class TouchpointMoveView(_MoveView):
    def move(self, pk: int, direction: str) -> HttpResponse:
        touchpoint = get_object_or_404(Touchpoint.objects.select_related("stage"), pk=pk)
        if direction in ("up", "down"):
            services.touchpoint_move(touchpoint=touchpoint, direction=direction)  # type: ignore[arg-type]
        return HttpResponseRedirect(
            map_url(touchpoint.stage.journey_id, f"touchpoint-{touchpoint.pk}")
        )
