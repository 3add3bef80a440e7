"""Rectification follow-up (整改跟踪): a report's improvement priorities as items with an
action, an owner, a due date and a status, their dated notes, and the effect check a year
later.

* :mod:`.status` — the statuses and the one table of allowed transitions; overdue judged
  from the due date at an as-of date.
* :mod:`.items` — items made from a year's results (idempotent), changes applied all or
  nothing, filters.
* :mod:`.effect` — each item's indicator in the next year against its baseline.
* :mod:`.workbook` — the workbook a unit is given and returns.

Pure functions over DataFrames (columns of the data contract's ``rectification_items`` and
``rectification_notes``); reading and writing the data directory or the efficiency
database is :mod:`evalkit.cli_rectify`'s. See docs/rectification.md.
"""
