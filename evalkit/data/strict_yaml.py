"""Strict reading of the configuration files (framework, rubric, schemes, indicator settings).

Every YAML configuration file evalkit reads goes through :func:`read_yaml`, which is
PyYAML's safe loader with four refusals added, each a one-line error naming the file and,
where YAML gives one, the line:

* **duplicate keys** — YAML says a mapping's keys are unique, yet PyYAML keeps the last of
  two ``target:`` lines without a word; here the second one is an error that names both
  lines. (Keys merged in with ``<<: *anchor`` may be overridden: that is what merging is for.)
* **documents over** :data:`MAX_YAML_BYTES` (1 MiB: a framework in practice is some 10 KB, and
  PyYAML builds about a quarter of a megabyte a second, so a larger file would only be
  slow) — refused from the file size, before anything is read;
* **alias expansion** over :data:`MAX_YAML_NODES` nodes — anchors and aliases (``&a`` /
  ``*a``) are allowed, but the composer counts every node as if each alias were written out,
  so a "billion laughs" document of a few hundred bytes is refused as soon as its count
  passes the limit, in milliseconds; an alias inside its own anchor is refused too;
* **nesting deeper than** :data:`MAX_YAML_DEPTH` levels.

Mappings come back as :class:`YamlMapping`, a ``dict`` that remembers the line of each key,
so that later checks (unknown keys, a target off the indicator's scale) can say where:
:func:`line_of`. :func:`did_you_mean` gives the "did you mean …" hint for an unknown key
(:mod:`difflib`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, SequenceNode

from ..errors import EvalkitError

__all__ = ["MAX_YAML_BYTES", "MAX_YAML_NODES", "MAX_YAML_DEPTH", "YamlMapping", "read_yaml", "read_yaml_bytes", "parse_yaml",
           "line_of", "did_you_mean", "where"]

#: Largest configuration file read (bytes).
MAX_YAML_BYTES = 1024 * 1024
#: Most nodes (values, keys, lists, mappings) a document may hold once every alias is
#: expanded: more than a document of :data:`MAX_YAML_BYTES` can spell out without aliases.
MAX_YAML_NODES = 500_000
#: Deepest nesting of sequences and mappings.
MAX_YAML_DEPTH = 64

_MERGE_TAG = "tag:yaml.org,2002:merge"
_MB = f"{MAX_YAML_BYTES / 2 ** 20:g}"


class YamlMapping(dict):
    """A mapping read from YAML: a plain ``dict`` that also knows the line (1-based) it
    starts on (``line``) and the line of each of its keys (``key_lines``)."""

    line: int | None = None
    key_lines: dict = {}


class _Refused(yaml.YAMLError):
    """A document the strict loader will not build (duplicate key, limits)."""

    def __init__(self, message: str, mark=None):
        super().__init__(message)
        self.problem = message
        self.problem_mark = mark


class _StrictLoader(yaml.SafeLoader):
    """Safe loader that counts nodes with aliases expanded, bounds nesting and refuses
    duplicate keys."""

    def __init__(self, stream):
        super().__init__(stream)
        self._expanded: dict[int, int] = {}
        self._total = 0
        self._depth = 0

    # --- composer: sizes and depth ------------------------------------------------------
    def compose_node(self, parent, index):
        if self.check_event(AliasEvent):
            event = self.peek_event()
            node = super().compose_node(parent, index)
            size = self._expanded.get(id(node))
            if size is None:
                raise _Refused(f"expected no alias inside its own anchor; found *{event.anchor} within "
                               f"&{event.anchor}", event.start_mark)
            self._count(size, event.start_mark)
            return node
        mark = self.peek_event().start_mark
        self._depth += 1
        if self._depth > MAX_YAML_DEPTH:
            raise _Refused(f"expected at most {MAX_YAML_DEPTH} levels of nesting; found more", mark)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if isinstance(node, SequenceNode):
            size = 1 + sum(self._expanded[id(child)] for child in node.value)
        elif isinstance(node, MappingNode):
            size = 1 + sum(self._expanded[id(k)] + self._expanded[id(v)] for k, v in node.value)
        else:
            size = 1
        self._expanded[id(node)] = size
        # its children were counted as they were composed (an alias by its expanded size):
        # count the node itself, so that the total is the expanded size of the document
        self._count(1, mark)
        return node

    def _count(self, n: int, mark) -> None:
        self._total += n
        if self._total > MAX_YAML_NODES:
            raise _Refused(f"expected at most {MAX_YAML_NODES:,} values once aliases are expanded; "
                           "found more (aliases that repeat aliases multiply)", mark)

    # --- constructor: duplicate keys and key lines -----------------------------------------
    def construct_mapping(self, node, deep=False):
        if isinstance(node, MappingNode):
            seen: dict = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG:
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:
                    continue  # an unhashable key: the base constructor says so
                line = key_node.start_mark.line + 1
                if first is not None:
                    raise _Refused(f"expected each key once in a mapping; found {key!r} again "
                                   f"(first on line {first})", key_node.start_mark)
                seen[key] = line
        return super().construct_mapping(node, deep=deep)

    def construct_marked_map(self, node):
        data = YamlMapping()
        yield data
        value = self.construct_mapping(node)
        data.update(value)
        data.line = node.start_mark.line + 1
        lines = {}
        for key_node, _ in node.value:  # after flattening: merged keys first, own keys last
            try:
                lines[self.construct_object(key_node, deep=True)] = key_node.start_mark.line + 1
            except TypeError:
                pass
        data.key_lines = lines


_StrictLoader.add_constructor("tag:yaml.org,2002:map", _StrictLoader.construct_marked_map)


def _location(source: str, mark) -> str:
    if mark is None:
        return source
    return f"{source}, line {mark.line + 1}, column {mark.column + 1}"


def parse_yaml(text: str | bytes, source: str, error: type[EvalkitError] = EvalkitError) -> Any:
    """The YAML document in ``text`` (``bytes`` are read as UTF-8, with or without BOM; see
    the module docstring for what is refused).

    Raises ``error`` (an :class:`~evalkit.errors.EvalkitError` subclass) with a message that
    starts with ``source`` and the line and column when YAML gives them.
    """
    if isinstance(text, bytes):
        _check_size(len(text), source, error)
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise error(f"{source}: expected UTF-8 text; found another encoding") from None
    else:
        _check_size(len(text.encode("utf-8")), source, error)
    loader = _StrictLoader(text)
    try:
        return loader.get_single_data()
    except _Refused as exc:
        raise error(f"{_location(source, exc.problem_mark)}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(f"{_location(source, mark)}: expected valid YAML; found {problem}") from None
    except (ValueError, OverflowError, RecursionError) as exc:  # e.g. an integer of 10 000 digits
        raise error(f"{source}: expected valid YAML; found a value YAML cannot build ({exc})") from None
    finally:
        loader.dispose()


def _check_size(size: int, source: str, error: type[EvalkitError]) -> None:
    if size > MAX_YAML_BYTES:
        found = "more" if size == MAX_YAML_BYTES + 1 else f"{size / 2 ** 20:.1f} MB"
        raise error(f"{source}: expected a configuration file of at most {_MB} MB; found {found}")


def read_yaml_bytes(path: str | Path, error: type[EvalkitError] = EvalkitError,
                    source: str | None = None) -> bytes:
    """The bytes of the configuration file ``path``, refused from its size (before reading)
    when over :data:`MAX_YAML_BYTES`; for callers that also hash them."""
    path = Path(path)
    source = str(path) if source is None else source
    try:
        _check_size(path.stat().st_size, source, error)
        with open(path, "rb") as fh:
            raw = fh.read(MAX_YAML_BYTES + 1)  # a file that grows (or a device) is still bounded
    except OSError as exc:
        raise error(f"{source}: cannot read the file ({exc.strerror or exc})") from None
    _check_size(len(raw), source, error)
    return raw


def read_yaml(path: str | Path, error: type[EvalkitError] = EvalkitError, source: str | None = None) -> Any:
    """Read the YAML file ``path`` (UTF-8, with or without BOM) strictly.

    ``source`` names the file in messages (default: ``path`` as given). A file over
    :data:`MAX_YAML_BYTES` is refused from its size, without being read.
    """
    source = str(path) if source is None else source
    return parse_yaml(read_yaml_bytes(path, error, source), source, error)


def line_of(mapping: Any, key: Any = None) -> int | None:
    """The line (1-based) of ``key`` in a mapping read by :func:`read_yaml`, or of the
    mapping itself when ``key`` is None; None when not known (a plain dict)."""
    if not isinstance(mapping, YamlMapping):
        return None
    if key is None:
        return mapping.line
    return mapping.key_lines.get(key, mapping.line)


def where(source: str, mapping: Any = None, key: Any = None) -> str:
    """``source`` followed by ``, line N`` when :func:`line_of` knows the line."""
    line = line_of(mapping, key)
    return source if line is None else f"{source}, line {line}"


def did_you_mean(word: Any, choices: Iterable[Any]) -> str:
    """`` (did you mean 'x'?)`` for the choice closest to ``word``, or ``""`` when none is
    close (:func:`difflib.get_close_matches`, cutoff 0.6)."""
    names = [str(c) for c in choices]
    close = difflib.get_close_matches(str(word), names, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
