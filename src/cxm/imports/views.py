"""Import pages: upload → column mapping → dry run (with progress) → commit → report;
and the CSV/XLSX exports of the error report and of the customer list."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from cxm.accounts.permissions import CapabilityRequiredMixin, user_can
from cxm.accounts.roles import Capability
from cxm.common.exceptions import ApplicationError
from cxm.common.pagination import CappedPaginator
from cxm.customers import selectors as customer_selectors
from cxm.customers.forms import CustomerFilterForm
from cxm.imports import exports, selectors, services
from cxm.imports.forms import CommitForm, MappingForm, UploadForm
from cxm.imports.models import ImportJob, ImportMode, ImportStatus
from cxm.imports.registry import Importer, get_importer


class _CanImportMixin(CapabilityRequiredMixin):
    """Signed in and allowed to run at least one kind of import (403 otherwise)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            self.importers = selectors.importers_for_user(request.user)
            if not self.importers:
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ImportJobMixin(CapabilityRequiredMixin):
    """Loads `self.job` and requires the capability of its importer."""

    job: ImportJob
    importer: Importer

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            self.job = get_object_or_404(
                ImportJob.objects.select_related("created_by"), pk=kwargs["pk"]
            )
            try:
                self.importer = get_importer(self.job.kind)
            except KeyError:
                raise Http404 from None
            self.capability = self.importer.capability
        return super().dispatch(request, *args, **kwargs)

    def job_url(self) -> str:
        return reverse("imports:job", args=[self.job.pk])


class ImportListView(_CanImportMixin, ListView):
    template_name = "imports/list.html"
    paginate_by = 50
    paginator_class = CappedPaginator

    def get_queryset(self) -> Any:
        return selectors.import_job_list(user=self.request.user)


class ImportCreateView(_CanImportMixin, FormView):
    """Upload a file. The size is checked before the file is inspected."""

    template_name = "imports/new.html"
    form_class = UploadForm

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["importers"] = self.importers
        if kind := self.request.GET.get("kind"):
            kwargs["initial"] = {"kind": kind, **self.request.GET.dict()}
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from django.conf import settings

        context = super().get_context_data(**kwargs)
        context["max_bytes"] = settings.CXM_IMPORT_MAX_BYTES
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            services.check_upload_size(request.META.get("CONTENT_LENGTH"))
        except ApplicationError as exc:
            form = UploadForm(importers=self.importers)
            context = self.get_context_data(form=form, upload_error=exc.message)
            return self.render_to_response(context, status=400)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: UploadForm) -> HttpResponse:
        try:
            job = services.import_job_create(
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                created_by=self.request.user,
                options=form.options(),
            )
        except ApplicationError as exc:
            form.add_error("file", exc.message)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(
            self.request,
            _("The file was read. Check which column fills which field."),
        )
        return HttpResponseRedirect(reverse("imports:job", args=[job.pk]))

    def form_invalid(self, form: UploadForm) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ImportJobView(ImportJobMixin, TemplateView):
    """The job page: mapping form, progress, dry-run report, commit form, result."""

    template_name = "imports/job.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        job = self.job
        targets = self.importer.fields(job.options)
        context.update(
            job=job,
            importer=self.importer,
            mapping_form=kwargs.get("mapping_form")
            or MappingForm(
                targets=targets,
                headers=job.headers,
                mapping=job.mapping,
                initial={"mode": job.mode},
            ),
            commit_form=CommitForm(initial={"mode": job.mode}),
            mapped=[
                (t, job.headers[job.mapping[t.name]]) for t in targets if t.name in job.mapping
            ],
            all_or_nothing_blocked=job.mode == ImportMode.ALL_OR_NOTHING and job.invalid_rows > 0,
        )
        if job.status in (ImportStatus.VALIDATED, ImportStatus.DONE, ImportStatus.FAILED):
            paginator = CappedPaginator(selectors.import_job_errors(job=job), 50)
            context["page_obj"] = paginator.get_page(self.request.GET.get("page"))
            context["errors_page"] = context["page_obj"]
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Save the mapping and mode, then start the dry run."""
        form = MappingForm(
            request.POST,
            targets=self.importer.fields(self.job.options),
            headers=self.job.headers,
            mapping=self.job.mapping,
        )
        if form.is_valid():
            try:
                job = services.import_job_set_mapping(
                    job=self.job, mapping=form.mapping(), mode=form.cleaned_data["mode"]
                )
                services.import_job_start_dry_run(job=job)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                return HttpResponseRedirect(self.job_url())
        self.job.refresh_from_db()
        return self.render_to_response(self.get_context_data(mapping_form=form), status=400)


class ImportCommitView(ImportJobMixin, View):
    """POST: start writing the rows in the chosen mode."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = CommitForm(request.POST)
        mode = form.cleaned_data["mode"] if form.is_valid() else None
        try:
            services.import_job_start_commit(job=self.job, mode=mode)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return HttpResponseRedirect(self.job_url())


class ImportProgressView(ImportJobMixin, TemplateView):
    """The progress fragment that htmx polls every second while a task runs."""

    template_name = "imports/_progress.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = self.render_to_response({"job": self.job})
        if not self.job.is_running and request.headers.get("HX-Request"):
            response["HX-Refresh"] = "true"  # show the finished report
        return response


class ImportErrorsExportView(ImportJobMixin, View):
    """The error report as CSV or XLSX: row, column, message, value."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return exports.export_response(
            kwargs["fmt"],
            filename=f"import-{self.job.pk}-errors",
            header=exports.error_report_header(),
            rows=exports.error_report_rows(self.job),
            title=_("Errors"),
        )


class CustomerExportView(CapabilityRequiredMixin, View):
    """The customer list as CSV or XLSX, with the list page's filters.

    Contact columns only for roles that may see contact details.
    """

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        form = CustomerFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        include_contacts = user_can(request.user, Capability.CUSTOMERS_VIEW_CONTACTS)
        codes = exports.channel_codes()
        return exports.export_response(
            kwargs["fmt"],
            filename="customers",
            header=exports.customer_export_header(
                include_contacts=include_contacts, channel_codes=codes
            ),
            rows=exports.customer_export_rows(
                customer_selectors.customer_list(filters=filters),
                include_contacts=include_contacts,
                channel_codes=codes,
            ),
            title=_("Customers"),
        )
