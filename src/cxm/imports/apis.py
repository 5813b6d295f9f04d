"""REST API of imports: upload, mapping, dry run, commit, status and the error report.

Every endpoint needs the capability of the job's importer (`customers.import` for
customers), for reading as well as writing: a job holds the file's personal data.
"""

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cxm.common.pagination import DefaultPagination
from cxm.imports import selectors, services
from cxm.imports.models import ImportJob, ImportMode, ImportRowError

DEFAULT_KIND = "customers"


class ImportJobOutputSerializer(serializers.ModelSerializer):
    counts = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "original_name",
            "size",
            "file_format",
            "encoding",
            "delimiter",
            "headers",
            "mapping",
            "options",
            "mode",
            "status",
            "counts",
            "progress",
            "message",
            "created_at",
            "validated_at",
            "finished_at",
        ]

    def get_counts(self, job: ImportJob) -> dict[str, int]:
        return {
            "total": job.total_rows,
            "valid": job.valid_rows,
            "invalid": job.invalid_rows,
            "created": job.created_count,
            "updated": job.updated_count,
            "unchanged": job.unchanged_count,
        }

    def get_progress(self, job: ImportJob) -> dict[str, Any]:
        return {
            "rows_processed": job.rows_processed,
            "percent": job.progress_percent,
            "running": job.is_running,
        }


class ImportRowErrorOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportRowError
        fields = ["row_number", "column", "field", "code", "message", "value"]


class _ImportApi(APIView):
    """Resolves the importer (from the job, or the `kind` of a new one) and asks
    RolePermission for its capability through `read_capability`/`write_capability`."""

    _job: ImportJob | None = None

    def get_job(self) -> ImportJob:
        if self._job is None:
            self._job = get_object_or_404(ImportJob, pk=self.kwargs["pk"])
        return self._job

    def import_kind(self) -> str:
        if "pk" in self.kwargs:
            return self.get_job().kind
        return str(self.request.query_params.get("kind") or DEFAULT_KIND)

    @property
    def write_capability(self) -> str:
        return services.importer_for(self.import_kind()).capability

    @property
    def read_capability(self) -> str:
        return self.write_capability


class ImportJobListCreateApi(_ImportApi):
    """GET: the jobs of `?kind=` (default customers). POST (multipart): `kind`, `file`,
    and the importer's upload options (`survey` for `kind=responses`)."""

    parser_classes = [MultiPartParser, FormParser]

    def import_kind(self) -> str:
        if self.request.method == "POST":
            data: Any = self.request.data
            return str(data.get("kind") or DEFAULT_KIND)
        return super().import_kind()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Refuse an oversized upload by its Content-Length, before parsing the body.
        if request.method == "POST" and request.user.is_authenticated:
            services.check_upload_size(request.META.get("CONTENT_LENGTH"))
        super().initial(request, *args, **kwargs)

    @extend_schema(responses=ImportJobOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        jobs = selectors.import_job_list(user=request.user, kind=self.import_kind())
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(jobs, request, view=self)
        return paginator.get_paginated_response(ImportJobOutputSerializer(page, many=True).data)

    @extend_schema(
        request=inline_serializer(
            "ImportJobCreateInput",
            {
                "kind": serializers.CharField(default=DEFAULT_KIND),
                "file": serializers.FileField(),
                "survey": serializers.IntegerField(
                    required=False, help_text="For kind=responses: the survey answered."
                ),
            },
        ),
        responses={201: ImportJobOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise serializers.ValidationError({"file": [_("Send the file as multipart “file”.")]})
        kind = self.import_kind()
        data: Any = request.data
        options = {o.name: data.get(o.name) for o in services.importer_for(kind).option_fields()}
        job = services.import_job_create(
            kind=kind, upload=upload, created_by=request.user, options=options
        )
        return Response(ImportJobOutputSerializer(job).data, status=status.HTTP_201_CREATED)


class ImportJobDetailApi(_ImportApi):
    """The job's status, counts and progress (poll it while `progress.running`)."""

    @extend_schema(responses=ImportJobOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(ImportJobOutputSerializer(self.get_job()).data)


class ImportJobMappingApi(_ImportApi):
    """Set the column mapping (field → column position or header name) and the mode."""

    parser_classes = [JSONParser]

    class MappingInputSerializer(serializers.Serializer):
        mapping = serializers.DictField(child=serializers.JSONField(allow_null=True))
        mode = serializers.ChoiceField(choices=ImportMode.choices, required=False)

    @extend_schema(request=MappingInputSerializer, responses=ImportJobOutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = self.MappingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mapping = data.validated_data["mapping"]
        for name, value in mapping.items():
            if value is not None and not isinstance(value, int | str):
                raise serializers.ValidationError(
                    {"mapping": {name: [_("Give a column position or a header name.")]}}
                )
        job = services.import_job_set_mapping(
            job=self.get_job(), mapping=mapping, mode=data.validated_data.get("mode")
        )
        return Response(ImportJobOutputSerializer(job).data)

    put = post


class ImportJobDryRunApi(_ImportApi):
    """Start the dry run (202); poll the job for its status and counts."""

    @extend_schema(request=None, responses={202: ImportJobOutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        job = services.import_job_start_dry_run(job=self.get_job())
        return Response(ImportJobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ImportJobCommitApi(_ImportApi):
    """Start writing the rows (202), optionally choosing the mode."""

    class CommitInputSerializer(serializers.Serializer):
        mode = serializers.ChoiceField(choices=ImportMode.choices, required=False)

    @extend_schema(request=CommitInputSerializer, responses={202: ImportJobOutputSerializer})
    def post(self, request: Request, pk: int) -> Response:
        data = self.CommitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = services.import_job_start_commit(
            job=self.get_job(), mode=data.validated_data.get("mode")
        )
        return Response(ImportJobOutputSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ImportJobErrorsApi(_ImportApi, ListAPIView):
    """Every problem of the dry run (or commit), in row order, paginated."""

    serializer_class = ImportRowErrorOutputSerializer
    pagination_class = DefaultPagination
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        return selectors.import_job_errors(job=self.get_job())
