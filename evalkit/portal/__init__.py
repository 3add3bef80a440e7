"""The district portal (``evalkit portal``): one static, offline site over every year of a
reports folder — league tables per peer group (sortable, filterable, searchable), a page per
unit over the years, the district's trend, warnings and overdue rectifications, and two
units side by side, in Chinese and English.

It is built only from the reports' JSON payloads (``docs/report-payload.md``), so it shows
the numbers the reports show: :mod:`.build` reads them into a site model (pure functions),
:mod:`.pages` writes the HTML (data as escaped JSON, read by the shipped script
``assets/portal.js``), :mod:`.site` writes the site atomically and :mod:`.messages` holds its
words. The portal sits above the reports in the layers: it reads what they wrote and never
the scoring or the data.
"""

from __future__ import annotations

from evalkit.portal.site import PortalResult, build_portal, refresh_portal

__all__ = ["PortalResult", "build_portal", "refresh_portal"]
