"""Packaging helper: ship notebooks/, templates/ and data_samples/ inside the wheel.

They live at the top of the repository (where users and the design card expect them) and
are mapped into the package as ``evalkit/_shipped/...`` so that an installed evalkit finds
them; see ``evalkit/resources.py``. Everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

SHIPPED = {"notebooks": "notebooks", "templates": "templates", "data_samples": "data_samples"}

setup(
    packages=find_packages(include=["evalkit", "evalkit.*"]) + [f"evalkit._shipped.{k}" for k in SHIPPED],
    package_dir={f"evalkit._shipped.{k}": v for k, v in SHIPPED.items()},
    package_data={"evalkit.schemas": ["*.json"], "evalkit.portal": ["assets/*"], **{f"evalkit._shipped.{k}": ["**/*"] for k in SHIPPED}},
)
