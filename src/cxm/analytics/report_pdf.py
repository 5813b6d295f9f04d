"""The weekly report as a PDF (fpdf2). Persian and Arabic are shaped with HarfBuzz and laid
out right to left in Vazirmatn; without the font (npm not run) a core font is used and
letters it cannot show become “?”, with a warning in the log.

Call under `translation.override(report.language)`: headings are translated, dates are
Jalali for Persian, digits Persian for fa and Arabic-Indic for ar.
"""

import datetime as dt
import logging
from pathlib import Path

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from fpdf import FPDF

from cxm.analytics.reports import WeeklyReport
from cxm.common.i18n import is_rtl
from cxm.core import metrics
from cxm.core.jalali import format_jalali
from cxm.core.text import localize_digits

logger = logging.getLogger(__name__)

FONT_FAMILY = "Vazirmatn"
_DIGITS = {"fa": "persian", "ar": "arabic"}
_METRIC_NAMES = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}
_UNITS = {"nps": "", "csat": "%", "ces": ""}
_DECIMALS = {"nps": 0, "csat": 1, "ces": 2}


def font_paths() -> tuple[Path, Path]:
    """Vazirmatn regular and bold from node_modules (where the static vendor files are)."""
    folder = Path(settings.NODE_MODULES) / "vazirmatn" / "fonts" / "ttf"
    return folder / "Vazirmatn-Regular.ttf", folder / "Vazirmatn-Bold.ttf"


def format_day(day: dt.date, language: str) -> str:
    text = format_jalali(day) if language == "fa" else formats.date_format(day, "SHORT_DATE_FORMAT")
    return localize_digits(text, _DIGITS.get(language, "latin"))


def format_value(value: float | None, language: str, decimals: int = 1, sign: bool = False) -> str:
    if value is None:
        return "–"
    text = f"{value:+.{decimals}f}" if sign else f"{value:.{decimals}f}"
    return localize_digits(text, _DIGITS.get(language, "latin"))


class _Writer:
    """Lines, tables and a bar chart in reading order (right to left for fa/ar)."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.rtl = is_rtl(language)
        self.pdf = FPDF(format="A4")
        self.pdf.set_margins(15, 15, 15)
        self.pdf.set_auto_page_break(True, margin=15)
        regular, bold = font_paths()
        self.unicode = regular.is_file() and bold.is_file()
        if self.unicode:
            self.pdf.add_font(FONT_FAMILY, "", str(regular))
            self.pdf.add_font(FONT_FAMILY, "B", str(bold))
            self.family = FONT_FAMILY
            self.pdf.set_text_shaping(
                use_shaping_engine=True, direction="rtl" if self.rtl else "ltr"
            )
        else:
            logger.warning(
                "The Vazirmatn font is missing (%s; run npm ci): the report uses Helvetica "
                "and cannot show Persian or Arabic letters.",
                regular,
            )
            self.family = "helvetica"
        self.pdf.add_page()
        self.align = "R" if self.rtl else "L"

    def text(self, value: str) -> str:
        if self.unicode:
            return value
        return value.encode("latin-1", "replace").decode("latin-1")

    def line(self, value: str, *, size: float = 10, bold: bool = False, height: float = 6) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.multi_cell(
            0, height, self.text(value), align=self.align, new_x="LMARGIN", new_y="NEXT"
        )

    def gap(self, height: float = 3) -> None:
        self.pdf.ln(height)

    def table(self, header: list[str], rows: list[list[str]], widths: list[float]) -> None:
        if self.rtl:
            header, widths = header[::-1], widths[::-1]
            rows = [row[::-1] for row in rows]
        self.pdf.set_font(self.family, "B", 9)
        self.pdf.set_fill_color(230, 236, 245)
        for cell, width in zip(header, widths, strict=True):
            self.pdf.cell(width, 7, self.text(cell), border=1, align="C", fill=True)
        self.pdf.ln()
        self.pdf.set_font(self.family, "", 9)
        for row in rows:
            for cell, width in zip(row, widths, strict=True):
                self.pdf.cell(width, 7, self.text(cell), border=1, align="C")
            self.pdf.ln()

    def bar_chart(
        self, labels: list[str], values: list[float | None], *, height: float = 50
    ) -> None:
        """Bars from a zero line, values −100…100 (NPS); an empty week shows no bar."""
        pdf = self.pdf
        if self.rtl:
            labels, values = labels[::-1], values[::-1]
        left = pdf.l_margin
        width = pdf.w - pdf.l_margin - pdf.r_margin
        if pdf.get_y() + height + 12 > pdf.h - pdf.b_margin:
            pdf.add_page()
        top = pdf.get_y()
        zero = top + height / 2
        pdf.set_draw_color(120, 120, 120)
        pdf.rect(left, top, width, height)
        pdf.line(left, zero, left + width, zero)
        slot = width / max(len(values), 1)
        pdf.set_font(self.family, "", 7)
        for i, (label, value) in enumerate(zip(labels, values, strict=True)):
            x = left + i * slot + slot * 0.2
            if value is not None:
                bar = (height / 2 - 2) * max(-100.0, min(100.0, value)) / 100
                pdf.set_fill_color(46, 125, 50) if value >= 0 else pdf.set_fill_color(198, 40, 40)
                pdf.rect(x, zero - max(bar, 0), slot * 0.6, abs(bar), style="F")
                pdf.set_xy(left + i * slot, zero - bar - 4 if value >= 0 else zero - bar)
                pdf.cell(slot, 4, self.text(format_value(value, self.language, 0)), align="C")
            pdf.set_xy(left + i * slot, top + height + 1)
            pdf.cell(slot, 4, self.text(label), align="C")
        pdf.set_xy(left, top + height + 7)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def _kpi_rows(report: WeeklyReport) -> tuple[list[list[str]], list[str]]:
    lang = report.language
    rows, warnings = [], []
    for line in report.kpis:
        decimals = _DECIMALS[line.metric]
        name = _METRIC_NAMES[line.metric]

        def shown(result: metrics.MetricResult | None) -> str:
            if result is None or result.value is None:
                return "–"
            return format_value(result.value, lang, decimals) + _UNITS[line.metric]  # noqa: B023

        current = line.current
        interval = (
            f"{format_value(current.ci_low, lang, decimals)} … "
            f"{format_value(current.ci_high, lang, decimals)}"
            if current is not None and current.ci_low is not None
            else "–"
        )
        if line.difference is not None and line.difference.value is not None:
            change = format_value(line.difference.value, lang, decimals, sign=True)
            significant = _("yes") if line.difference.significant else _("no")
        else:
            change, significant = "–", "–"
        n = format_value(current.n if current else 0, lang, 0)
        rows.append([name, shown(current), interval, n, shown(line.previous), change, significant])
        if current is not None and current.n < metrics.MIN_N:
            warnings.append(
                _(
                    "%(metric)s: fewer than %(min)s answers (%(n)s): read the interval, "
                    "not the value or the change."
                )
                % {"metric": name, "min": format_value(metrics.MIN_N, lang, 0), "n": n}
            )
        elif line.difference is not None and line.difference.low_n:
            warnings.append(
                _(
                    "%(metric)s: the week before has fewer than %(min)s answers: the change "
                    "is not reliable."
                )
                % {"metric": name, "min": format_value(metrics.MIN_N, lang, 0)}
            )
    return rows, warnings


def render_report(report: WeeklyReport) -> bytes:
    """The report's PDF bytes."""
    lang = report.language
    w = _Writer(lang)
    w.line(_("Customer experience: weekly report"), size=16, bold=True, height=9)
    w.line(report.schedule_name, size=11)
    w.line(
        _("Week %(start)s to %(end)s, compared with the week before")
        % {"start": format_day(report.start, lang), "end": format_day(report.end, lang)}
    )
    for _name, label in report.filter_labels:
        w.line(_("Filter: %(value)s") % {"value": label}, size=9)
    w.gap()

    w.line(_("Key figures"), size=12, bold=True)
    rows, warnings = _kpi_rows(report)
    w.table(
        [
            _("KPI"),
            _("This week"),
            _("%(level)s%% interval") % {"level": 95},
            "n",
            _("Week before"),
            _("Change"),
            _("Significant"),
        ],
        rows,
        [20, 24, 36, 16, 26, 24, 24],
    )
    for warning in warnings:
        w.line("⚠ " + warning if w.unicode else warning, size=8)
    w.line(
        _("Responses: %(n)s (week before: %(previous)s). New comments: %(comments)s.")
        % {
            "n": format_value(report.responses, lang, 0),
            "previous": format_value(report.previous_responses, lang, 0),
            "comments": format_value(report.new_comments, lang, 0),
        }
    )
    w.gap()

    if report.goals:
        w.line(_("Goals"), size=12, bold=True)
        goal_rows = []
        for progress in report.goals:
            goal = progress.goal
            status = _("met") if progress.met else _("not met") if progress.met is not None else "–"
            goal_rows.append(
                [
                    str(goal.get_kpi_display()),
                    str(goal.survey or goal.team or goal.unit or _("All")),
                    format_value(float(goal.target), lang, 1),
                    format_value(progress.value, lang, 1),
                    format_value(progress.gap, lang, 1, sign=True),
                    status,
                ]
            )
        w.table(
            [_("KPI"), _("Scope"), _("Target"), _("This week"), _("Gap"), _("Status")],
            goal_rows,
            [34, 40, 24, 26, 24, 22],
        )
        w.gap()

    w.line(_("By channel"), size=12, bold=True)
    channel_rows = [
        [
            channel.label,
            format_value(channel.responses, lang, 0),
            *(
                format_value(channel.figures[m].value, lang, _DECIMALS[m])
                if m in channel.figures
                else "–"
                for m in ("nps", "csat", "ces")
            ),
        ]
        for channel in report.channels
    ]
    if channel_rows:
        w.table(
            [_("Channel"), _("Responses"), "NPS", "CSAT %", "CES"],
            channel_rows,
            [60, 30, 30, 30, 30],
        )
    else:
        w.line(_("No answers this week."), size=9)
    w.gap()

    w.line(_("NPS, last eight weeks"), size=12, bold=True)
    w.gap(2)
    w.bar_chart([format_day(p.start, lang) for p in report.trend], [p.nps for p in report.trend])
    return w.output()
