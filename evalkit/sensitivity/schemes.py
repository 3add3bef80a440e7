"""Weighting schemes for the lab: the framework's points and its alternatives, and the scheme file.

A *scheme* gives every leaf of the framework a relative weight. The kinds:

* ``framework`` (aliases ``expert``, ``points``): the framework's own points (分值), per
  unit — the nominal scheme;
* ``equal``: every leaf that applies to a unit the same weight
  (:func:`evalkit.weights.equal_weights`);
* ``entropy``: entropy weights (熵权法) of the indicator values, min-max normalised with
  their directions (:func:`evalkit.weights.entropy_weights` of
  :func:`evalkit.scoring.normalise.min_max`);
* ``critic``: CRITIC weights of the indicator values with their directions
  (:func:`evalkit.weights.critic_weights`);
* ``{ahp: {<parent>: {criteria: [...], matrix: [[...]]}, ...}}``: AHP priorities
  (:func:`evalkit.weights.ahp_weights`, eigenvector) of the children of each parent named
  (``top`` for the top-level nodes); a parent without a matrix shares its weight among its
  children in proportion to their points. A leaf's weight is the product of the local
  priorities on its path;
* ``{weights: {<node>: w, ...}}``: weights given by hand, for leaves or for whole nodes (a
  node's weight is shared among its leaves in proportion to their points); every leaf must
  be covered exactly once.

Conventions for the data-driven schemes (entropy, CRITIC): computed once over all units of
the year from the observed indicator values; a value missing (no data, or a leaf that does
not apply) is replaced by the leaf's mean over the units that have one; a leaf whose value
is the same for every unit (no contrast) gets weight 0 and is left out of the computation,
since neither method is defined for it.

A scheme other than ``framework`` gives one weight per leaf, the same for every unit the
leaf applies to (so peer-group-specific points are not kept).

The scheme file (YAML) lists named schemes::

    schemes:
      expert: framework
      equal: equal
      entropy: entropy
      critic: critic
      ahp:
        ahp:
          top: {criteria: [EFF, PUB, SAT], matrix: [[1, 2, 3], [1/2, 1, 2], [1/3, 1/2, 1]]}

Fractions such as ``1/3`` may be written as strings or bare words.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from ..data.strict_yaml import did_you_mean, read_yaml, where
from ..errors import SensitivityError

__all__ = ["SCHEME_KINDS", "load_schemes", "scheme_base", "scheme_weights", "check_scheme"]

#: Named kinds of scheme (see the module docstring).
SCHEME_KINDS = ("framework", "equal", "entropy", "critic", "ahp", "weights")
_ALIASES = {"expert": "framework", "points": "framework", "framework": "framework"}


_NAMED = ("framework", "equal", "entropy", "critic")
_MAPPED = ("ahp", "weights")


def _kind(spec) -> str:
    if isinstance(spec, str):
        kind = _ALIASES.get(spec, spec)
        if kind not in _NAMED:
            raise SensitivityError(f"unknown weighting scheme {spec!r}{did_you_mean(spec, [*_NAMED, *_ALIASES])}; "
                                   "use one of framework (expert), equal, entropy, critic, or a mapping "
                                   "{ahp: …} / {weights: …}")
        return kind
    if isinstance(spec, Mapping):
        keys = list(spec.keys())
        if len(keys) != 1 or keys[0] not in _MAPPED:
            odd = next((k for k in keys if k not in _MAPPED), None)
            hint = did_you_mean(odd, _MAPPED) if odd is not None else ""
            raise SensitivityError(f"a scheme given as a mapping must have exactly one key, 'ahp' or 'weights'; "
                                   f"got {keys!r}{hint}")
        return keys[0]
    if isinstance(spec, (pd.Series, np.ndarray, list, tuple)):
        return "vector"
    raise SensitivityError(f"cannot read a weighting scheme from {type(spec).__name__}")


def check_scheme(spec) -> str:
    """The kind of scheme ``spec`` is; raises :class:`SensitivityError` if it is none."""
    return _kind(spec)


def _number(value, where: str) -> float:
    if isinstance(value, bool):
        raise SensitivityError(f"{where}: expected a number; got {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(Fraction(value.strip()))
        except (ValueError, ZeroDivisionError):
            pass
    raise SensitivityError(f"{where}: expected a number or a fraction such as 1/3; got {value!r}")


def _leaf_reference(model) -> np.ndarray:
    return model.reference_weights()


def _node_reference(model, code: str, ref: np.ndarray) -> float:
    return float(ref[model.leaves_under(code)].sum())


def _children(model, parent: str) -> tuple[str, ...]:
    fw = model.framework
    if parent in ("top", "root"):
        return tuple(fw.roots)
    if parent not in fw.nodes:
        raise SensitivityError(f"AHP: unknown parent node {parent!r}")
    node = fw.nodes[parent]
    if node.is_leaf:
        raise SensitivityError(f"AHP: {parent!r} is a leaf; give matrices for nodes with children (or 'top')")
    return node.children


def _ahp_leaf_weights(model, doc) -> np.ndarray:
    from ..weights import ahp_weights

    if not isinstance(doc, Mapping) or not doc:
        raise SensitivityError("an AHP scheme needs a mapping {parent node or 'top': "
                               "{criteria: [...], matrix: [[...]]}}")
    ref = _leaf_reference(model)
    local: dict[str, float] = {}
    for parent, entry in doc.items():
        parent = str(parent)
        kids = _children(model, parent)
        if not isinstance(entry, Mapping) or "criteria" not in entry or "matrix" not in entry:
            raise SensitivityError(f"AHP {parent}: expected {{criteria: [...], matrix: [[...]]}}")
        criteria = [str(c) for c in entry["criteria"]]
        if sorted(criteria) != sorted(kids) or len(set(criteria)) != len(criteria):
            raise SensitivityError(f"AHP {parent}: the criteria must be the children of {parent}, each once: "
                                   f"{list(kids)}; got {criteria}")
        rows = entry["matrix"]
        try:
            matrix = np.array([[_number(v, f"AHP {parent}, matrix") for v in row] for row in rows], dtype=float)
        except TypeError:
            raise SensitivityError(f"AHP {parent}: the matrix must be a list of rows") from None
        if matrix.shape != (len(criteria), len(criteria)):
            raise SensitivityError(f"AHP {parent}: the matrix must be {len(criteria)}×{len(criteria)} "
                                   f"(one row and column per criterion); got {matrix.shape}")
        try:
            res = ahp_weights(pd.DataFrame(matrix, index=criteria, columns=criteria))
        except ValueError as exc:
            raise SensitivityError(f"AHP {parent}: {exc}") from None
        for c, w in res.weights.items():
            local[str(c)] = float(w)
    fw = model.framework

    def share(code: str, siblings: tuple[str, ...]) -> float:
        if code in local:
            return local[code]
        total = sum(_node_reference(model, s, ref) for s in siblings)
        return _node_reference(model, code, ref) / total if total > 0 else 1.0 / len(siblings)

    out = np.zeros(model.n_leaves)
    for j, code in enumerate(model.leaves):
        w = 1.0
        node = fw.nodes[code]
        while True:
            siblings = fw.nodes[node.parent].children if node.parent else fw.roots
            w *= share(node.code, siblings)
            if node.parent is None:
                break
            node = fw.nodes[node.parent]
        out[j] = w
    return out


def _manual_leaf_weights(model, doc) -> np.ndarray:
    if not isinstance(doc, Mapping) or not doc:
        raise SensitivityError("a 'weights' scheme needs a mapping {node code: weight}")
    ref = _leaf_reference(model)
    out = np.zeros(model.n_leaves)
    covered = np.zeros(model.n_leaves, dtype=int)
    for code, raw in doc.items():
        w = _number(raw, f"weights, {code}")
        if w < 0:
            raise SensitivityError(f"weights, {code}: weights must be ≥ 0; got {w}")
        leaves = model.leaves_under(str(code))
        covered[leaves] += 1
        r = ref[leaves]
        out[leaves] = w * (r / r.sum() if r.sum() > 0 else np.full(leaves.size, 1.0 / leaves.size))
    if (covered != 1).any():
        bad0 = [model.leaves[j] for j in np.flatnonzero(covered == 0)]
        bad2 = [model.leaves[j] for j in np.flatnonzero(covered > 1)]
        raise SensitivityError("a 'weights' scheme must cover every leaf exactly once (by itself or one "
                               f"ancestor); not covered: {bad0}, covered twice: {bad2}")
    return out


def _objective_matrix(model) -> tuple[np.ndarray, np.ndarray]:
    """Indicator values with missing cells filled by the leaf mean, and which leaves vary."""
    x = np.where(model.applicable, model.values, np.nan)
    with np.errstate(invalid="ignore"):
        have = ~np.all(np.isnan(x), axis=0)
        means = np.where(have, np.nanmean(np.where(have[None, :], x, 0.0), axis=0), 0.0)
    filled = np.where(np.isnan(x), means[None, :], x)
    varies = filled.max(axis=0) > filled.min(axis=0)
    return filled, varies


def _objective_leaf_weights(model, kind: str) -> np.ndarray:
    from ..scoring.normalise import min_max
    from ..weights import critic_weights, entropy_weights

    filled, varies = _objective_matrix(model)
    if varies.sum() < 1:
        raise SensitivityError(f"{kind} weights: no leaf's values differ between units")
    x = filled[:, varies]
    d = model.directions[varies]
    try:
        if kind == "entropy":
            w = np.asarray(entropy_weights(min_max(x, d)), dtype=float)
        else:
            w = np.asarray(critic_weights(x, d), dtype=float) if x.shape[1] > 1 else np.ones(1)
    except ValueError as exc:
        raise SensitivityError(f"{kind} weights: {exc}") from None
    out = np.zeros(model.n_leaves)
    out[varies] = w
    return out


def scheme_weights(model, spec) -> np.ndarray:
    """Relative leaf weights (summing to 1) of a scheme, in the order of ``model.leaves``.

    For ``framework`` these are :meth:`~evalkit.scoring.model.ScoringModel.reference_weights`
    (each unit's points over its maximum, averaged over units).
    """
    kind = _kind(spec)
    if kind == "framework":
        w = _leaf_reference(model)
    elif kind == "equal":
        w = np.ones(model.n_leaves)
    elif kind in ("entropy", "critic"):
        w = _objective_leaf_weights(model, kind)
    elif kind == "ahp":
        w = _ahp_leaf_weights(model, spec["ahp"])
    elif kind == "weights":
        w = _manual_leaf_weights(model, spec["weights"])
    else:  # a vector
        if isinstance(spec, pd.Series):
            unknown = [c for c in spec.index if c not in model.leaves]
            missing = [c for c in model.leaves if c not in spec.index]
            if unknown or missing:
                raise SensitivityError(f"scheme weights must name the leaves exactly; missing {missing}, "
                                       f"unknown {unknown}")
            w = spec.reindex(list(model.leaves)).to_numpy(dtype=float)
        else:
            w = np.asarray(spec, dtype=float).ravel()
            if w.size != model.n_leaves:
                raise SensitivityError(f"got {w.size} scheme weights for {model.n_leaves} leaves")
    w = np.asarray(w, dtype=float)
    if not np.all(np.isfinite(w)) or w.min() < 0 or w.sum() <= 0:
        raise SensitivityError("scheme weights must be finite, non-negative and not all zero")
    return w / w.sum()


def scheme_base(model, spec) -> np.ndarray | None:
    """The base weights (units × leaves) :meth:`ScoringModel.run` takes for a scheme: None
    for the framework's points, else the scheme's leaf weight wherever the leaf applies."""
    if _kind(spec) == "framework":
        return None
    w = scheme_weights(model, spec)
    base = np.where(model.applicable, w[None, :], 0.0)
    base.setflags(write=False)
    return base


def load_schemes(path: str | Path) -> dict[str, object]:
    """Read a scheme file: YAML with a ``schemes`` mapping (name → scheme, see the module
    docstring). Checks the form of every entry; weights are computed later, against a
    model (:func:`scheme_weights`)."""
    path = Path(path)
    if not path.is_file():
        raise SensitivityError(f"scheme file not found: {path}")
    doc = read_yaml(path, SensitivityError, path.name)  # strict: duplicate keys, size and alias limits
    if isinstance(doc, Mapping):
        for key in doc:
            if key != "schemes":
                raise SensitivityError(f"{where(path.name, doc, key)}: expected a top-level 'schemes' mapping of name "
                                       f"→ scheme and no other key; found {key!r}{did_you_mean(key, ['schemes'])}")
    schemes = doc.get("schemes") if isinstance(doc, Mapping) else None
    if not isinstance(schemes, Mapping) or not schemes:
        raise SensitivityError(f"{path.name}: expected a top-level 'schemes' mapping of name → scheme")
    out: dict[str, object] = {}
    for name, spec in schemes.items():
        at = where(f"{path.name}, scheme {name!r}", schemes, name)  # "schemes.yaml, scheme 'x', line 3"
        try:
            kind = _kind(spec)
        except SensitivityError as exc:
            raise SensitivityError(f"{at}: {exc}") from None
        if kind == "ahp" and isinstance(spec["ahp"], Mapping):
            for parent, entry in spec["ahp"].items():
                if isinstance(entry, Mapping):
                    for key in entry:
                        if key not in ("criteria", "matrix"):
                            raise SensitivityError(
                                f"{where(f'{path.name}, scheme {name!r}, AHP {parent}', entry, key)}: expected the "
                                f"keys criteria and matrix; found {key!r}{did_you_mean(key, ['criteria', 'matrix'])}")
        out[str(name)] = spec
    return out
