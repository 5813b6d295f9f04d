"""The translation catalogues are complete for all four languages and up to date."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.LOCALE_PATHS[0])
LANGUAGES = [code for code, _name in settings.LANGUAGES]


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_fully_translated(language):
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    assert len(po) > 100
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{language}: untranslated {untranslated[:10]}"
    assert not fuzzy, f"{language}: fuzzy {fuzzy[:10]}"


@pytest.mark.parametrize("language", ["fa", "ar", "hu"])
def test_placeholders_are_kept(language):
    import re

    pattern = re.compile(r"%\(\w+\)[sd]|\{\{ ?\w+ ?\}\}")
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    for entry in po.translated_entries():
        translations = [entry.msgstr] if entry.msgstr else list(entry.msgstr_plural.values())
        wanted = set(pattern.findall(entry.msgid))
        for text in translations:
            assert set(pattern.findall(text)) >= wanted, (language, entry.msgid, text)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_every_source_string_is_in_the_catalogues(tmp_path):
    """Extract the strings again into a copy: nothing may be missing from the catalogues."""
    source = Path(settings.PACKAGE_DIR)
    copy = tmp_path / "cxm"
    shutil.copytree(
        source,
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "*.mo", "tests", "migrations", "static"),
    )
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "fa", "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
    )
    fresh = {e.msgid for e in polib.pofile(str(copy / "locale/fa/LC_MESSAGES/django.po"))}
    ours = {e.msgid for e in polib.pofile(str(LOCALE / "fa/LC_MESSAGES/django.po"))}
    missing = sorted(fresh - ours)
    assert not missing, f"run `make messages` and translate: {missing[:10]}"
