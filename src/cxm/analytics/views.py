"""Pages of the dashboard: KPIs with filters and saved views, goals, per-survey results
and the exports. Every signed-in role reads; goals need `goals.change` to change."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from cxm.accounts.permissions import user_can
from cxm.accounts.roles import Capability
from cxm.analytics import exports, selectors, services
from cxm.analytics.charts import dashboard_chart_data, loop_chart_data, survey_chart_data
from cxm.analytics.forms import GoalForm, SavedViewForm
from cxm.analytics.models import KpiGoal, SavedView
from cxm.common.crud import CatalogueFormView, CatalogueListView
from cxm.common.i18n import is_rtl
from cxm.common.pagination import CappedPaginator
from cxm.imports.exports import export_response, workbook_response
from cxm.surveys.models import QuestionType, Survey


def breakdown_labels() -> dict[str, str]:
    return {
        "channel": _("Channel"),
        "touchpoint": _("Touchpoint"),
        "stage": _("Journey stage"),
        "team": _("Team"),
        "segment": _("Segment"),
        "language": _("Language"),
    }


class DashboardView(LoginRequiredMixin, TemplateView):
    """NPS, CSAT, CES, response rate, distribution, trend, breakdowns, comments, goals."""

    template_name = "analytics/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filters = selectors.parse_filters(self.request.GET)
        options = selectors.filter_options()
        board = selectors.dashboard(filters, options)
        user: Any = self.request.user
        labels = breakdown_labels()
        context.update(
            filters=filters,
            options=options,
            board=board,
            breakdowns=[(name, labels[name], rows) for name, rows in board.breakdowns.items()],
            comments=selectors.newest_comments(filters),
            can_see_contacts=user_can(user, Capability.CUSTOMERS_VIEW_CONTACTS),
            goals=selectors.goals_progress(filters),
            can_change_goals=user_can(user, Capability.GOALS_CHANGE),
            saved_views=selectors.saved_views_for(user),
            query=urlencode(filters.as_query()),
            chart_data=dashboard_chart_data(board, labels, rtl=is_rtl()),
        )
        context.update(self.close_the_loop(filters, board))
        context["chart_data"]["loop"] = loop_chart_data(context["loop"], context["referrals"])
        return context

    @staticmethod
    def close_the_loop(filters: Any, board: Any) -> dict[str, Any]:
        """Detractor follow-up, post-resolution surveys and referrals (at most six queries,
        plus a SET on PostgreSQL; the detractors are counted from the NPS distribution
        already loaded)."""
        from cxm.cases import loop_metrics
        from cxm.referrals import selectors as referral_selectors

        nps = board.distributions.get("nps", {})
        detractors = sum(n for score, n in nps.items() if score <= loop_metrics.DETRACTOR_MAX)
        return {
            "loop": loop_metrics.detractor_loop(filters, detractors=detractors),
            "followup": loop_metrics.followup_surveys(filters),
            "referrals": referral_selectors.referral_figures(filters.start, filters.end, filters),
        }


class DashboardExportView(LoginRequiredMixin, View):
    """The breakdown tables under the current filters as CSV or XLSX (`?format=`)."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        filters = selectors.parse_filters(request.GET)
        board = selectors.dashboard(filters, selectors.filter_options())
        fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
        rows = list(exports.breakdown_rows(board, breakdown_labels()))
        name = f"dashboard-{filters.start.isoformat()}-{filters.end.isoformat()}"
        return export_response(
            fmt, filename=name, header=exports.breakdown_header(), rows=rows, title=_("Dashboard")
        )


class SavedViewCreateView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        form = SavedViewForm(request.POST)
        if form.is_valid() and form.cleaned_data["name"].strip():
            try:
                services.saved_view_create(
                    owner=request.user,
                    name=form.cleaned_data["name"],
                    query=form.cleaned_data["query"],
                    shared=form.cleaned_data["shared"],
                )
                messages.success(request, _("The view was saved."))
            except ValidationError:
                messages.error(request, _("The view could not be saved."))
        else:
            messages.error(request, _("Give the view a name."))
        query = form.data.get("query", "")
        return HttpResponseRedirect(reverse("analytics:dashboard") + (f"?{query}" if query else ""))


class SavedViewDeleteView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        view = get_object_or_404(SavedView, pk=pk, owner=request.user)
        services.saved_view_delete(view=view)
        messages.success(request, _("Deleted."))
        return HttpResponseRedirect(reverse("analytics:dashboard"))


class GoalListView(CatalogueListView):
    title = gettext_lazy("KPI goals")
    columns = [
        ("get_kpi_display", gettext_lazy("KPI")),
        ("target", gettext_lazy("Target")),
        ("survey", gettext_lazy("Survey")),
        ("unit", gettext_lazy("Unit")),
        ("team", gettext_lazy("Team")),
        ("owner.display_name", gettext_lazy("Owner")),
        ("deadline", gettext_lazy("Deadline")),
    ]
    create_url_name = "analytics:goal-create"
    edit_url_name = "analytics:goal-edit"
    edit_capability = Capability.GOALS_CHANGE

    def get_queryset(self) -> Any:
        return KpiGoal.objects.select_related("survey", "unit", "team", "owner")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from cxm.common.i18n import format_date, format_number

        context = super().get_context_data(**kwargs)
        for row in context["rows"]:  # dates and numbers in the user's calendar and digits
            row["cells"][1] = format_number(row["cells"][1])
            row["cells"][6] = format_date(row["cells"][6])
        return context


class GoalFormView(CatalogueFormView):
    model = KpiGoal
    form_class = GoalForm
    title = gettext_lazy("KPI goal")
    success_url_name = "analytics:goal-list"
    capability = Capability.GOALS_CHANGE

    def save(self, form: Any) -> Any:
        goal = form.save(commit=False)
        if goal.owner_id is None:
            goal.owner = self.request.user
        return services.goal_save(goal=goal)


# ---------------------------------------------------------------------- survey results


class _SurveyResultsMixin(LoginRequiredMixin):
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.survey = get_object_or_404(Survey, pk=kwargs["pk"])
        self.filters = selectors.parse_filters(request.GET)
        return super().dispatch(request, *args, **kwargs)

    def common(self) -> dict[str, Any]:
        params = self.filters.as_query()
        params.pop("survey", None)
        return {
            "survey": self.survey,
            "filters": self.filters,
            "query": urlencode(params),
            "can_see_contacts": user_can(self.request.user, Capability.CUSTOMERS_VIEW_CONTACTS),
        }


class SurveyResultsView(_SurveyResultsMixin, TemplateView):
    """Each question's distribution and KPI, response rate, pages, a cross-tab."""

    template_name = "analytics/survey_results.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        language = get_language() or self.survey.default_language
        options = selectors.filter_options()
        results = selectors.survey_results(self.survey, self.filters, language)
        questions = [q for q in selectors.survey_questions(self.survey) if q.type != "text"]
        tabulable = [q for q in questions if q.type != QuestionType.HIDDEN]
        dimensions = selectors.crosstab_dimensions(self.survey)
        picked = self.request.GET.get("xq", "")
        picked_id, _dot, matrix_row = picked.partition(".")  # a matrix row: "<id>.<row>"
        picked_question = next((q for q in tabulable if str(q.pk) == picked_id), None)
        dimension = self.request.GET.get("xby", "")
        table = None
        if picked_question is not None and dimension in dict(dimensions):
            table = selectors.crosstab(
                self.survey,
                picked_question,
                dimension,
                self.filters,
                options,
                language,
                matrix_row=matrix_row,
            )
        context.update(
            self.common(),
            options=options,
            results=results,
            tabulable=selectors.crosstab_questions(tabulable, language),
            dimensions=dimensions,
            picked=picked,
            picked_question=picked_question,
            picked_dimension=dimension,
            crosstab=table,
            comments=selectors.with_scores(
                list(
                    selectors.text_answers(selectors.replace(self.filters, survey=self.survey.pk))[
                        : selectors.COMMENTS_SHOWN
                    ]
                )
            ),
            chart_data=survey_chart_data(results, rtl=is_rtl()),
        )
        return context


class SurveyCommentsView(_SurveyResultsMixin, TemplateView):
    """All open-text answers of the survey, paginated."""

    template_name = "analytics/survey_comments.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        answers = selectors.text_answers(selectors.replace(self.filters, survey=self.survey.pk))
        page = CappedPaginator(answers, 25).get_page(self.request.GET.get("page"))
        context.update(
            self.common(), page_obj=page, comments=selectors.with_scores(list(page.object_list))
        )
        return context


class SurveyResponsesView(_SurveyResultsMixin, TemplateView):
    """Response-level view: each response with its answers, paginated."""

    template_name = "analytics/survey_responses.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = CappedPaginator(selectors.survey_responses(self.survey, self.filters), 25).get_page(
            self.request.GET.get("page")
        )
        context.update(self.common(), page_obj=page)
        return context


class SurveyExportView(_SurveyResultsMixin, View):
    """Responses as CSV (`?part=codebook` for the codebook) or XLSX with a codebook sheet."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        language = get_language() or self.survey.default_language
        questions = selectors.survey_questions(self.survey)
        fmt = request.GET.get("format", "csv")
        if fmt not in ("csv", "xlsx"):
            raise Http404
        name = f"survey-{self.survey.pk}-responses"
        if fmt == "xlsx":
            return workbook_response(
                filename=f"{name}.xlsx",
                sheets=[
                    (
                        _("Responses"),
                        exports.responses_header(questions),
                        exports.responses_rows(self.survey, self.filters, questions),
                    ),
                    (
                        _("Codebook"),
                        exports.codebook_header(),
                        exports.codebook_rows(questions, language),
                    ),
                ],
            )
        if request.GET.get("part") == "codebook":
            return export_response(
                "csv",
                filename=f"survey-{self.survey.pk}-codebook",
                header=exports.codebook_header(),
                rows=exports.codebook_rows(questions, language),
            )
        return export_response(
            "csv",
            filename=name,
            header=exports.responses_header(questions),
            rows=exports.responses_rows(self.survey, self.filters, questions),
        )
