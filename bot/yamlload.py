"""Strict YAML loading: duplicate keys refused, line numbers kept for error messages.

PyYAML's ``safe_load`` keeps the last of two equal keys silently and turns plain scalars
such as ``no``, ``0123``, ``12:30`` and ``2018-12-18`` into booleans, numbers and dates
(YAML 1.1 resolution, pyyaml.org/wiki/PyYAMLDocumentation). :func:`load` refuses the first
and records, for every mapping, the line of each key so a validator can name it.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml


class YamlFault(Exception):
    """Raised by :func:`load`: ``str(e)`` is ``"file:line: message"``."""


class LineDict(dict):
    """A dict that remembers the 1-based line of each key (``lines``) and its own (``line``)."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Any, int] = {}


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser where built: 5x faster
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in result
        except TypeError:
            raise YamlFault(f"{loader.name}:{key_node.start_mark.line + 1}: a key must be plain text") from None
        if duplicate:
            raise YamlFault(
                f"{loader.name}:{key_node.start_mark.line + 1}: duplicate key {key!r} "
                f"(first on line {result.lines[key]})"
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load(path: Path | str, text: str | None = None) -> Any:
    """Parse one YAML document from ``path`` (or from ``text``, named ``path`` in errors).

    Mappings come back as :class:`LineDict`. Raises :class:`YamlFault` naming file and
    line for a syntax error, a duplicate key or an unreadable file.
    """
    name = str(path)
    try:
        if text is None:
            text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise YamlFault(f"{name}:0: cannot read: {e}") from None
    loader = _Loader(text)
    loader.name = name
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 0
        raise YamlFault(f"{name}:{line}: YAML syntax: {e.problem or e.context}") from None
    except yaml.YAMLError as e:
        raise YamlFault(f"{name}:0: YAML: {e}") from None
    finally:
        loader.dispose()


def type_name(value: Any) -> str:
    """How a YAML reader would call the type of ``value`` (for error messages)."""
    return {bool: "a boolean", int: "a number", float: "a number", type(None): "empty",
            list: "a list", LineDict: "a mapping", dict: "a mapping", date: "a date",
            datetime: "a date and time"}.get(type(value), type(value).__name__)
