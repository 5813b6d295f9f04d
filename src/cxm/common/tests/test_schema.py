from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_openapi_schema_is_valid_without_warnings(tmp_path):
    """drf-spectacular validates the schema against the OpenAPI spec; warnings fail too."""
    target = tmp_path / "schema.yml"
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(target), stderr=StringIO()
    )
    text = target.read_text()
    for path in (
        "/api/v1/customers/bulk-upsert/",
        "/api/v1/journeys/",
        "/api/v1/imports/",
        "/api/v1/units/",
    ):
        assert path in text
