import pytest

from cxm.textanalytics import engine
from cxm.textanalytics.tests import fakes


@pytest.fixture(autouse=True)
def _fake_pipeline(settings):
    """The tiny fake pipeline, masker and model loader (see fakes.py)."""
    settings.CXM_TEXT_PIPELINE = "cxm.textanalytics.tests.fakes.analyze"
    settings.CXM_TEXT_REDACTOR = "cxm.textanalytics.tests.fakes.redact"
    settings.CXM_TEXT_MODEL_LOADER = "cxm.textanalytics.tests.fakes.load_model"
    engine.forget_loaded_model()
    fakes.calls.clear()
    yield
    engine.forget_loaded_model()
