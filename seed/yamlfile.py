"""YAML reading that keeps line numbers, refuses duplicate keys and keeps dates as text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["Mapping", "Problem", "Sequence", "YamlError", "load_yaml"]

# C0 and C1 control characters other than tab and newline: YAML's escapes ("\e", "\x9b")
# can put them in a quoted string, and nothing in a seed needs them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# A lone UTF-16 surrogate ("\ud83d" in a YAML string) is half a character: SQLite cannot store it.
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in an input file: where, what, and what to do about it."""

    file: str
    line: int | None
    message: str
    suggestion: str | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.severity}: {self.message}"
        return f"{text} ({self.suggestion})" if self.suggestion else text


class YamlError(Exception):
    """A file that is not valid YAML; carries the problems found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


class Mapping(dict[str, Any]):
    """A YAML mapping that remembers its line and the line of each key (1-based)."""

    line: int
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """The line of ``key``, or of the mapping itself when the key is absent."""
        return self.key_lines.get(key, self.line)


class Sequence(list[Any]):
    """A YAML sequence that remembers its line and the line of each item (1-based)."""

    line: int
    item_lines: list[int]


# libyaml's parser, when PyYAML was built with it, composes the shipped seed about eight times
# faster than the pure-Python one; both give nodes with the same line marks.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class _Converter:
    file: str
    problems: list[Problem] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)

    def convert(self, node: yaml.Node) -> Any:
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            # An alias (*name) makes one node appear twice; nested aliases make a small file
            # expand without bound (the "billion laughs"). Seed files need neither.
            if id(node) in self.seen:
                self.problems.append(Problem(
                    self.file, node.start_mark.line + 1,
                    "a YAML anchor (&name) is used again through an alias (*name); seed files do not accept them",
                    "write the mapping or list out where it is needed"))
                return None
            self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            mapping = Mapping()
            mapping.line = node.start_mark.line + 1
            mapping.key_lines = {}
            for key_node, value_node in node.value:
                key = self.convert(key_node)
                line = key_node.start_mark.line + 1
                if not isinstance(key, str):
                    self.problems.append(Problem(self.file, line, f"a key must be a name, not {key!r}"))
                    continue
                if key in mapping:
                    self.problems.append(
                        Problem(self.file, line, f"duplicate key {key!r} (first at line {mapping.key_lines[key]})",
                                "remove one of them")
                    )
                    continue
                mapping[key] = self.convert(value_node)
                mapping.key_lines[key] = line
            return mapping
        if isinstance(node, yaml.SequenceNode):
            sequence = Sequence(self.convert(item) for item in node.value)
            sequence.line = node.start_mark.line + 1
            sequence.item_lines = [item.start_mark.line + 1 for item in node.value]
            return sequence
        value = self._scalar(node)
        if isinstance(value, str) and (control := _CONTROL.search(value)):
            self.problems.append(Problem(
                self.file, node.start_mark.line + 1,
                f"the text holds the control character U+{ord(control.group()):04X}, which could drive a terminal",
                "remove it; write the character out in words if it matters"))
        if isinstance(value, str) and (surrogate := _SURROGATE.search(value)):
            self.problems.append(Problem(
                self.file, node.start_mark.line + 1,
                f"the text holds U+{ord(surrogate.group()):04X}, half of a character (an escape such as \\ud83d is "
                "one half of a pair): no file or database can store it",
                "write the character itself, or escape it whole as \\U0001F600"))
        return value

    @staticmethod
    def _scalar(node: yaml.Node) -> Any:
        value = node.value
        if getattr(node, "style", None):  # quoted: always text
            return value
        tag = node.tag.rsplit(":", 1)[-1]
        if tag == "null":
            return None
        if tag == "bool" and value.lower() in ("true", "false"):
            # Only true/false: YAML 1.1's yes/no/on/off would turn "NO" (Norway) into False.
            return value.lower() == "true"
        if tag == "int":
            try:
                return int(value.replace("_", ""))
            except ValueError:
                return value
        if tag == "float":
            try:
                return float(value)
            except ValueError:
                return value
        return value  # timestamps stay text: dates are EDTF strings here


def load_yaml(path: Path, display_name: str | None = None) -> Any:
    """Read ``path`` as YAML with line numbers.

    Raises:
        YamlError: for a syntax error, a duplicate key, or text that is not UTF-8.
    """
    name = display_name or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise YamlError([Problem(name, None, f"not UTF-8 text ({error.reason} at byte {error.start})",
                                 "save the file as UTF-8")]) from None
    if "\x00" in text:
        nul_line = text.count("\n", 0, text.index("\x00")) + 1
        raise YamlError([Problem(name, nul_line, "the file contains a NUL byte", "remove it; seed files are text")])
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        message = " ".join(filter(None, [error.context, error.problem]))
        if line is not None and 0 < line <= len(text.split("\n")):
            message += f", at: {text.split(chr(10))[line - 1].strip()[:60]!r}"
        raise YamlError([Problem(name, line, f"YAML syntax: {message}",
                                 "check the indentation and quoting on this line and the one before")]) from None
    except yaml.YAMLError as error:
        raise YamlError([Problem(name, None, f"YAML syntax: {error}")]) from None
    if node is None:
        return None
    converter = _Converter(name)
    value = converter.convert(node)
    if converter.problems:
        raise YamlError(converter.problems)
    return value
