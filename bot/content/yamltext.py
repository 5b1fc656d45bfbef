"""The text layers of loading: find files, read them, parse YAML with precise errors."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.content.problems import Collector


def read_texts(root: Path, patterns: list[str]) -> dict[str, str]:
    """Relative file name -> text, for every file matching the glob patterns under root."""
    texts: dict[str, str] = {}
    for pattern in patterns:
        for path in sorted(root.glob(pattern)):
            texts[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
    return texts


_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present


class _Loader(_Base):  # type: ignore[valid-type,misc]  # a base chosen at import time
    """Safe YAML that leaves dates as text, so a bad date is reported against its field, reads
    yes, no, on and off as the words they are (only true and false are booleans), and refuses a
    key given twice in one mapping (plain YAML silently keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is given twice in one mapping", key_node.start_mark
                )
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


_BOOL = "tag:yaml.org,2002:bool"
_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag not in (_BOOL, "tag:yaml.org,2002:timestamp")]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def parse_yaml(name: str, text: str, problems: Collector) -> Any:
    """Parse one file; a syntax error becomes a problem naming the line and column."""
    try:
        return yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown place"
        problems.add(
            name,
            "",
            "",
            f"YAML error at {where}: {exc.problem}",
            "fix the indentation, quoting or repeated key",
        )
    except yaml.YAMLError as exc:
        problems.add(name, "", "", f"YAML error: {exc}", "fix the file's YAML")
    return None
