"""Results: the computation of one evaluation year (:func:`compute_results`), its history and
rank intervals, the analysis reports show, and the saved :class:`Results` container."""

from .store import Results, load_results, save_results

__all__ = ["Results", "compute_results", "load_results", "save_results"]


def __getattr__(name: str):
    # compute_results pulls in the whole scoring stack; readers of saved results do not need it
    if name == "compute_results":
        from .compute import compute_results

        return compute_results
    raise AttributeError(f"module 'evalkit.results' has no attribute {name!r}")
