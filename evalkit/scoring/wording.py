"""The words of the printed texts: report languages and units of measure.

One table (:data:`UNIT_WORDS`) gives every unit of measure its words in Chinese and
English; the rules' ``describe``/``explain`` (:mod:`evalkit.scoring.rules`), the grade
texts and the reports read it from here (re-exported by :mod:`evalkit.scoring.vocabulary`).
Kept apart from the vocabulary of method names so that the rules can use it without an
import cycle (the vocabulary reads the rules' names).
"""

from __future__ import annotations

__all__ = ["PERCENT_UNITS", "TEXT_LANGUAGES", "UNIT_WORDS", "unit_word"]

#: Languages of the printed rule and grade texts (``describe``/``explain`` of the rules,
#: :meth:`evalkit.scoring.framework.GradeRules.describe`).
TEXT_LANGUAGES: tuple[str, ...] = ("zh", "en")
#: Units of measure whose differences are percentage points (个百分点): a value in % less a
#: target in % is a number of percentage points, and ``pp`` values are percentage points.
PERCENT_UNITS: frozenset = frozenset({"%", "pp"})
#: The one table of units of measure in words: unit as written in the indicator catalogue
#: (:mod:`evalkit.indicators.catalogue`) or a framework's leaf ``unit`` → (Chinese after a
#: number, English singular, English plural). An empty word means the number stands alone
#: (an index has no unit). ``%`` is written after the number in both languages.
UNIT_WORDS: dict[str, tuple[str, str, str]] = {
    "%": ("%", "%", "%"),
    "pp": ("个百分点", "percentage point", "percentage points"),
    "个百分点": ("个百分点", "percentage point", "percentage points"),
    "百分点": ("个百分点", "percentage point", "percentage points"),
    "分": ("分", "point", "points"),
    "指数": ("", "", ""),
    "元/件": ("元/件", "yuan per case", "yuan per case"),
    "元": ("元", "yuan", "yuan"),
    "万元": ("万元", "ten thousand yuan", "ten thousand yuan"),
    "天": ("天", "day", "days"),
    "日": ("日", "day", "days"),
    "工作日": ("个工作日", "working day", "working days"),
    "个工作日": ("个工作日", "working day", "working days"),
    "小时": ("小时", "hour", "hours"),
    "件": ("件", "case", "cases"),
    "宗": ("宗", "case", "cases"),
    "起": ("起", "case", "cases"),
    "项": ("项", "item", "items"),
    "条": ("条", "item", "items"),
    "个": ("个", "", ""),
    "次": ("次", "occurrence", "occurrences"),
    "人": ("人", "person", "people"),
    "人次": ("人次", "person-time", "person-times"),
    "份": ("份", "document", "documents"),
    "篇": ("篇", "article", "articles"),
    "户": ("户", "household", "households"),
    "家": ("家", "organisation", "organisations"),
}


def unit_word(unit, language: str = "zh", plural: bool = True) -> str:
    """The word of ``unit`` after a number in ``language`` (``zh`` or ``en``), from
    :data:`UNIT_WORDS`; ``""`` for no unit. A unit the table lacks is written as it is in
    Chinese; in English as it is when it holds no Chinese character, else left out (the
    number stands alone — add the unit to :data:`UNIT_WORDS`)."""
    if language not in TEXT_LANGUAGES:
        raise ValueError(f"expected a language among {', '.join(TEXT_LANGUAGES)}; found {language!r}")
    unit = unit.strip() if isinstance(unit, str) else ""
    if not unit:
        return ""
    words = UNIT_WORDS.get(unit)
    if language == "zh":
        return words[0] if words else unit
    if words:
        return words[2 if plural else 1]
    return "" if any("\u3400" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in unit) else unit
