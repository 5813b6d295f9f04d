"""Forms of the import pages: upload, column mapping, commit."""

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cxm.common.forms import CxmForm
from cxm.imports.models import ImportMode
from cxm.imports.registry import Importer, TargetField


class UploadForm(CxmForm):
    kind = forms.ChoiceField(label=_("What to import"))
    file = forms.FileField(
        label=_("File"),
        allow_empty_file=True,  # the service says clearly why an empty file is refused
        help_text=_(
            "CSV (UTF-8, UTF-8 with BOM, Windows-1256 or UTF-16) or Excel XLSX; the "
            "first row names the columns."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx"}),
    )

    def __init__(self, *args: Any, importers: Mapping[str, Importer], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.importers = importers
        kind_field: Any = self.fields["kind"]
        kind_field.choices = [(k, i.label) for k, i in importers.items()]
        if len(importers) == 1:
            self.fields["kind"].widget = forms.HiddenInput()
            self.fields["kind"].initial = next(iter(importers))
        # Upload options of every importer (e.g. the survey of a response import); only
        # those of the chosen kind are required and used.
        for importer in importers.values():
            for option in importer.option_fields():
                if option.name in self.fields:
                    continue
                help_text = option.help_text or _("Only for: %(kind)s.") % {"kind": importer.label}
                self.fields[option.name] = forms.ChoiceField(
                    label=str(option.label),
                    choices=[("", "—"), *option.choices()],
                    required=False,
                    help_text=str(help_text),
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        importer = self.importers.get(data.get("kind") or "")
        for option in importer.option_fields() if importer else ():
            if option.required and not data.get(option.name):
                self.add_error(option.name, _("Choose one for this kind of import."))
        return data

    def options(self) -> dict[str, Any]:
        """The chosen kind's upload options, raw (the importer validates them)."""
        importer = self.importers[self.cleaned_data["kind"]]
        return {o.name: self.cleaned_data.get(o.name) for o in importer.option_fields()}


NOT_IMPORTED = ""


class MappingForm(CxmForm):
    """One select per target field (`map_<field>`), listing the file's columns."""

    mode = forms.ChoiceField(
        label=_("When some rows are bad"), choices=ImportMode.choices, widget=forms.RadioSelect
    )

    def __init__(
        self,
        *args: Any,
        targets: Sequence[TargetField],
        headers: Sequence[str],
        mapping: Mapping[str, int],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.targets = list(targets)
        choices = [(NOT_IMPORTED, _("— not imported —"))] + [
            (str(i), header or _("(column %(n)d)") % {"n": i + 1})
            for i, header in enumerate(headers)
        ]
        for target in self.targets:
            index = mapping.get(target.name)
            self.fields[f"map_{target.name}"] = forms.ChoiceField(
                label=str(target.label),
                choices=choices,
                required=False,
                initial="" if index is None else str(index),
                help_text=str(target.help_text),
            )

    def rows(self) -> list[tuple[TargetField, forms.BoundField]]:
        return [(t, self[f"map_{t.name}"]) for t in self.targets]

    def mapping(self) -> dict[str, int | None]:
        result: dict[str, int | None] = {}
        for target in self.targets:
            value = self.cleaned_data.get(f"map_{target.name}")
            result[target.name] = int(value) if value not in (None, "") else None
        return result


class CommitForm(CxmForm):
    mode = forms.ChoiceField(
        label=_("When some rows are bad"), choices=ImportMode.choices, widget=forms.RadioSelect
    )
