"""YAML reading that keeps line numbers, refuses duplicate keys and keeps dates as text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = ["Mapping", "Problem", "Sequence", "YamlError", "load_yaml"]

# C0 and C1 control characters other than tab and newline: YAML's escapes ("\e", "\x9b")
# can put them in a quoted string, and nothing in a seed needs them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# A lone UTF-16 surrogate ("\ud83d" in a YAML string) is half a character: SQLite cannot store it.
_SURROGATE = re.compile("[\ud800-\udfff]")
_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


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


# libyaml's parser, when PyYAML was built with it, parses the shipped seed about eight times
# faster than the pure-Python one; both give events with the same line marks.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# YAML 1.1's rules for what a plain scalar is (int, float, bool, null, timestamp), applied as
# PyYAML applies them; only their verdict is used, and _scalar decides what each becomes.
_RESOLVER = yaml.resolver.Resolver()


class _Reader:
    """Builds Mapping and Sequence values with their lines straight from the parser's events.

    PyYAML's composer makes a node per value and then each node becomes a value: composing a
    large note took five times as long as parsing it. Reading the events in one pass gives
    the same values, lines and problems for a fraction of that.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.plain: dict[str, Any] = {}  # plain scalar -> its value

    def problem(self, line: int, message: str, suggestion: str | None = None) -> None:
        self.problems.append(Problem(self.file, line, message, suggestion))

    def read(self, events: Iterator[Any]) -> Any:
        # Each open collection: [value, the key waiting for its value (or _NO_KEY), whether
        # the next value is dropped (after a bad or duplicate key), the key's line].
        stack: list[list[Any]] = []
        root: Any = None
        documents = 0
        anchors: dict[str, int] = {}  # anchor -> its line
        for event in events:
            kind = type(event)
            line = event.start_mark.line + 1
            if kind is not yaml.AliasEvent and getattr(event, "anchor", None):
                anchors[event.anchor] = line
            if kind is yaml.ScalarEvent:
                self.place(stack, self.scalar(event, line), line)
            elif kind is yaml.MappingStartEvent:
                mapping = Mapping()
                mapping.line, mapping.key_lines = line, {}
                root = root if stack else mapping
                self.place(stack, mapping, line)
                stack.append([mapping, _NO_KEY, False, 0])
            elif kind is yaml.SequenceStartEvent:
                sequence = Sequence()
                sequence.line, sequence.item_lines = line, []
                root = root if stack else sequence
                self.place(stack, sequence, line)
                stack.append([sequence, _NO_KEY, False, 0])
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                stack.pop()
            elif kind is yaml.AliasEvent:
                # An alias (*name) makes one value appear twice; nested aliases make a small
                # file expand without bound (the "billion laughs"). Seed files need neither.
                # Said at the anchor that is used again, once.
                anchor_line = anchors.pop(event.anchor, 0)
                if anchor_line:
                    self.problem(anchor_line, "a YAML anchor (&name) is used again through an alias (*name); seed "
                                 "files do not accept them", "write the mapping or list out where it is needed")
                self.place(stack, None, line)
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise yaml.composer.ComposerError(
                        "expected a single document in the stream", None, "but found another document",
                        event.start_mark)
            if not stack and kind is yaml.ScalarEvent:
                root = self.last_scalar
        return root

    def place(self, stack: list[list[Any]], value: Any, line: int) -> None:
        """Put ``value`` where it goes: a key or a value of the open mapping, an item of the open sequence."""
        self.last_scalar = value
        if not stack:
            return
        top = stack[-1]
        container = top[0]
        if isinstance(container, Sequence):
            container.append(value)
            container.item_lines.append(line)
            return
        if top[1] is _NO_KEY:  # a key
            top[3] = line
            if isinstance(value, (Mapping, Sequence)):
                # A mapping or list used as a key: its own events fill it, and it and its value are dropped.
                self.problem(line, f"a key must be a name, not a {'mapping' if isinstance(value, Mapping) else 'list'}")
                top[1] = _AFTER_COMPLEX_KEY
            elif not isinstance(value, str):
                self.problem(line, f"a key must be a name, not {value!r}")
                top[1], top[2] = None, True
            elif value in container:
                self.problem(line, f"duplicate key {value!r} (first at line {container.key_lines[value]})",
                             "remove one of them")
                top[1], top[2] = None, True
            else:
                top[1], top[2] = value, False
            return
        if top[1] is _AFTER_COMPLEX_KEY:  # the value of a dropped complex key
            top[1] = _NO_KEY
            return
        if not top[2]:
            container[top[1]] = value
            container.key_lines[top[1]] = top[3]
        top[1], top[2] = _NO_KEY, False

    def scalar(self, event: Any, line: int) -> Any:
        value = event.value
        tag = event.tag
        if not event.style and (tag is None or tag == "!"):
            # A plain scalar: keys and values repeat, so each spelling is resolved once.
            known = self.plain.get(value, _UNSEEN)
            if known is not _UNSEEN:
                return known
            result = _scalar(_RESOLVER.resolve(yaml.ScalarNode, value, event.implicit), value)
            if not (isinstance(result, str) and _UNWANTED.search(result)):
                self.plain[value] = result
                return result
        else:
            result = value if event.style else _scalar(str(tag), value)  # quoted, or a block of text: always text
        if isinstance(result, str) and _UNWANTED.search(result):
            if control := _CONTROL.search(result):
                self.problem(line, f"the text holds the control character U+{ord(control.group()):04X}, which could "
                             "drive a terminal", "remove it; write the character out in words if it matters")
            if surrogate := _SURROGATE.search(result):
                self.problem(line, f"the text holds U+{ord(surrogate.group()):04X}, half of a character (an escape "
                             "such as \\ud83d is one half of a pair): no file or database can store it",
                             "write the character itself, or escape it whole as \\U0001F600")
        return result


_UNSEEN = object()
_NO_KEY = object()
_AFTER_COMPLEX_KEY = object()


def _scalar(tag: str, value: str) -> Any:
    tag = tag.rsplit(":", 1)[-1]
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


# -- the plain subset, read line by line -----------------------------------------------------------
#
# Seed files and researchers' notes are block mappings and lists of keys, plain or quoted
# one-line values, one-line [lists] and {mappings}, and folded or literal texts (>- and |)
# in their plain form. Read line by line, a 50,000-claim note takes a fifth of the time
# libyaml's events and _Reader take. Anything else (anchors, tags, escapes, text quoted
# across lines, nested flows, tabs, a duplicate key, odd characters) makes the fast reader
# give up, and the file is read again the full way, which also finds and words every
# problem: the fast reader never reports one. tests/unit/test_yaml_plain.py holds the two
# readers to the same values and lines.

class _GiveUp(Exception):
    """The fast reader met something outside the plain subset."""


# Characters the fast reader leaves to libyaml: controls, tab and CR, half characters, the
# line and paragraph separators, a byte-order mark and the two non-characters.
_NOT_PLAIN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\ufeff\ufffe\uffff]")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_ITEM_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*:(?: |\Z)")
# A plain value may not start with these (they begin other kinds of YAML, or are reserved).
_NOT_PLAIN_START = frozenset("[]{},#&*!|>'\"%@`")
_IMPLICIT = (True, False)
# A plain value starting with any other character is text: YAML's rules for numbers, dates,
# booleans and null are each keyed by the first character they accept.
_SPECIAL_START = frozenset("[]{},#&*!|>'\"%@`-?:" + "".join(
    first for first in yaml.resolver.Resolver.yaml_implicit_resolvers if first))


def _is_item(content: str) -> bool:
    """Whether a line's content (its indentation taken off) is an item of a block list: ``-`` alone or ``- ...``."""
    return content[0] == "-" and (len(content) == 1 or content[1] == " ")


class _FastReader:
    def __init__(self, text: str) -> None:
        if _NOT_PLAIN.search(text):
            raise _GiveUp
        lines: list[tuple[int, str, int]] = []  # (indentation, content, line number)
        self.raw = text.split("\n")
        for number, raw in enumerate(self.raw, 1):
            content = raw.lstrip(" ")
            if not content or content[0] == "#":
                continue
            if raw.startswith(("---", "...", "%")):
                raise _GiveUp
            lines.append((len(raw) - len(content), content.rstrip(" "), number))
        self.lines = lines
        self.at = 0
        self.plain: dict[str, Any] = {}
        self.names: dict[str, str] = {}
        self.block_end = 0

    def read(self) -> Any:
        if not self.lines or self.lines[0][0] != 0:
            raise _GiveUp
        root = self.block(0)
        if self.at != len(self.lines):
            raise _GiveUp
        return root

    def block(self, indent: int) -> Any:
        if _is_item(self.lines[self.at][1]):
            return self.sequence(indent)
        return self.mapping(indent)

    def mapping(self, indent: int) -> Mapping:
        lines, names, value_of = self.lines, self.names, self.value
        count = len(lines)
        mapping = Mapping()
        key_lines: dict[str, int] = {}
        mapping.line, mapping.key_lines = lines[self.at][2], key_lines
        at = self.at
        while at < count:
            column, content, number = lines[at]
            if column != indent:
                if column < indent:
                    break
                raise _GiveUp
            key, colon, rest = content.partition(": ")
            if not colon:
                if content[-1] != ":":
                    raise _GiveUp
                key, rest = content[:-1], ""
            name = names.get(key)
            if name is None:
                name = names[key] = self.key(key)
            if name in key_lines:
                raise _GiveUp  # a duplicate key: the full way words the problem
            at += 1
            if rest:
                rest = rest.lstrip(" ")
            value: Any
            if rest and (rest[0] == ">" or rest[0] == "|"):
                value = self.block_text(rest, number, indent)
                while at < count and lines[at][2] <= self.block_end:
                    at += 1
            elif rest and rest[0] != "#":
                value = value_of(rest, number)
            elif at < count and lines[at][0] > indent:
                self.at = at
                value = self.block(lines[at][0])
                at = self.at
            elif at < count and lines[at][0] == indent and _is_item(lines[at][1]):
                self.at = at
                value = self.sequence(indent)  # a list written at its key's indentation
                at = self.at
            else:
                value = None
            mapping[name] = value
            key_lines[name] = number
        self.at = at
        return mapping

    def block_text(self, header: str, number: int, indent: int) -> str:
        """A block of text (``>``, ``>-``, ``|`` or ``|-``) whose key is on line ``number``.

        Only the plain form: every line at one indentation, deeper than the key's, with no blank
        line between them and no space at their end. Folded, the lines are joined by spaces;
        literal, by line breaks; without ``-``, one line break ends the text. ``block_end`` is
        left at the number of its last line.
        """
        if header not in (">", ">-", "|", "|-"):
            raise _GiveUp  # an indentation indicator, keep (+), or a comment after it
        raw, at = self.raw, number  # raw[at] is the line after the key's (numbers count from 1)
        body: list[str] = []
        depth = 0
        while at < len(raw):
            line = raw[at]
            stripped = line.lstrip(" ")
            if not line and body:  # blank: allowed only after the last line of the block
                at += 1
                continue
            if not stripped:
                raise _GiveUp  # a blank line before the text, or a line of spaces (text to YAML)
            column = len(line) - len(stripped)
            if column <= indent:
                break
            if not body:
                depth = column
            elif column != depth or at > number + len(body):
                raise _GiveUp  # a deeper line, or a blank line between two of the block's
            if line[-1] == " ":
                raise _GiveUp
            body.append(stripped)
            at += 1
        if not body or number + len(body) == len(raw):
            raise _GiveUp  # no text, or its last line ends the file without a line break
        self.block_end = number + len(body)
        text = (" " if header[0] == ">" else "\n").join(body)
        return text if header[-1] == "-" else text + "\n"

    def key(self, text: str) -> str:
        if not _KEY.match(text):
            raise _GiveUp
        name = self.resolve(text)
        if not isinstance(name, str):
            raise _GiveUp
        return name

    def sequence(self, indent: int) -> Sequence:
        lines = self.lines
        sequence = Sequence()
        sequence.line, sequence.item_lines = lines[self.at][2], []
        while self.at < len(lines):
            column, content, number = lines[self.at]
            if column < indent:
                break
            if column > indent:
                raise _GiveUp
            if not _is_item(content):
                break  # a key of the mapping this list is the value of
            rest = content[1:].lstrip(" ")
            if not rest or rest[0] == "#" or rest[0] == "-":
                raise _GiveUp  # an empty item, or a list in a list
            if _ITEM_KEY.match(rest):  # a mapping that starts on the item's line
                lines[self.at] = (column + len(content) - len(rest), rest, number)
                item = self.mapping(column + len(content) - len(rest))
            else:
                item = self.value(rest, number)
                self.at += 1
            sequence.append(item)
            sequence.item_lines.append(number)
        return sequence

    def value(self, text: str, number: int) -> Any:
        """A value written on line ``number`` after a key or a dash."""
        if text[0] not in _SPECIAL_START and ": " not in text and " #" not in text and text[-1] != ":":
            return text  # plain text that no YAML rule reads as anything else
        if text.isdigit() and text[0] != "0" and len(text) < 19 and text.isascii():
            return int(text)  # a paragraph, a sentence, a grade: YAML's decimal int
        first = text[0]
        if first == "[" or first == "{":
            close = text.find("]" if first == "[" else "}")
            if close < 0 or not self.after(text, close + 1):
                raise _GiveUp
            if first == "[":
                sequence = Sequence(value for _, value in self.flow(text[1:close], False))
                sequence.line, sequence.item_lines = number, [number] * len(sequence)
                return sequence
            mapping = Mapping()
            mapping.line, mapping.key_lines = number, {}
            for key, value in self.flow(text[1:close], True):
                if key in mapping:
                    raise _GiveUp
                mapping[key] = value
                mapping.key_lines[key] = number
            return mapping
        if first in "'\"":
            value, end = self.quoted(text, 0)
            if not self.after(text, end):
                raise _GiveUp
            return value
        cut = text.find(" #")
        if cut >= 0:
            text = text[:cut].rstrip(" ")
        return self.plain_value(text)

    def plain_value(self, text: str) -> Any:
        first = text[0]
        if first in _NOT_PLAIN_START or (first in "-?:" and (len(text) == 1 or text[1] == " ")):
            raise _GiveUp
        if ": " in text or text[-1] == ":":
            raise _GiveUp
        return self.resolve(text)

    def resolve(self, text: str) -> Any:
        known = self.plain.get(text, _UNSEEN)
        if known is _UNSEEN:
            known = self.plain[text] = _scalar(_RESOLVER.resolve(yaml.ScalarNode, text, _IMPLICIT), text)
        return known

    @staticmethod
    def quoted(text: str, start: int) -> tuple[str, int]:
        """The quoted text that starts at ``start``, and where it ends; one line, no escapes."""
        quote = text[start]
        if quote == '"':
            end = text.find('"', start + 1)
            if end < 0 or "\\" in text[start:end]:
                raise _GiveUp
            return text[start + 1:end], end + 1
        search = start + 1
        while True:
            end = text.find("'", search)
            if end < 0:
                raise _GiveUp
            if text[end + 1:end + 2] != "'":
                return text[start + 1:end].replace("''", "'"), end + 1
            search = end + 2

    @staticmethod
    def after(text: str, end: int) -> bool:
        """Whether nothing but a comment follows ``end``."""
        rest = text[end:]
        return not rest or (rest[0] == " " and rest.lstrip(" ")[0] == "#")

    def flow(self, text: str, keyed: bool) -> list[tuple[str, Any]]:
        """The items of a one-line [list] or {mapping}, without its brackets: (key, value) pairs.

        The key is "" in a list.
        """
        if any(mark in text for mark in "[]{}#"):
            raise _GiveUp
        if not text.strip(" "):
            return []
        items: list[tuple[str, Any]] = []
        at, length, key = 0, len(text), ""
        while True:
            while at < length and text[at] == " ":
                at += 1
            if keyed:
                colon = text.find(": ", at)
                if colon < 0:
                    raise _GiveUp
                key = self.key(text[at:colon])
                at = colon + 2
                while at < length and text[at] == " ":
                    at += 1
            if at < length and text[at] in "'\"":
                item, at = self.quoted(text, at)
                while at < length and text[at] == " ":
                    at += 1
            else:
                comma = text.find(",", at)
                end = length if comma < 0 else comma
                token = text[at:end].strip(" ")
                # In a flow, a ? always asks for a key and a : always gives a value.
                if not token or token[0] == "?" or ":" in token or "'" in token or '"' in token:
                    raise _GiveUp
                item, at = self.plain_value(token), end
            items.append((key, item))
            if at >= length:
                return items
            if text[at] != ",":
                raise _GiveUp
            at += 1
            while at < length and text[at] == " ":
                at += 1
            if at >= length:
                raise _GiveUp  # a trailing comma


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
    fast = read_plain(text)
    return fast if fast is not _FULL_WAY else read_text(text, name)


# A value that starts with a quote, after a key or a dash: what follows the quote.
_OPENING_QUOTE = re.compile(r"""(?:^\s*-\s+|:\s+)(["'])(.*)$""")


def _unclosed_quote(lines: list[str], upto: int) -> int | None:
    """The nearest line at or above ``upto`` (numbered from 1) whose value opens a quote it does not close.

    Only a hint for a syntax error's message: a quoted text may run on over lines in YAML,
    but a quote left open is the usual reason the parser fails some lines further down.
    """
    for number in range(upto, max(0, upto - 200), -1):
        found = _OPENING_QUOTE.search(lines[number - 1])
        if found is None:
            continue
        quote, rest = found.groups()
        # A double quote closes unless a backslash escapes it (an even run of them is escaped backslashes).
        closed = re.search(r'(?:^|[^\\])(?:\\\\)*"', rest) if quote == '"' else "'" in rest.replace("''", "")
        if not closed:
            return number
    return None


#: How deep [ and { may nest. libyaml's time grows with the square of the depth (a 200 KB
#: file of nested brackets took 31 s), and no note needs more than a few levels.
MAX_FLOW_DEPTH = 100
_BRACKETS = re.compile(r"[\[\]{}]")


def _too_deep(text: str) -> int | None:
    """The line where ``[`` and ``{`` first nest deeper than ``MAX_FLOW_DEPTH``, or None.

    Brackets inside quoted text count too: a hundred of them open in a row is no note.
    """
    if text.count("[") + text.count("{") <= MAX_FLOW_DEPTH:
        return None
    depth = 0
    for found in _BRACKETS.finditer(text):
        if found.group() in "[{":
            depth += 1
            if depth > MAX_FLOW_DEPTH:
                return text.count("\n", 0, found.start()) + 1
        elif depth:
            depth -= 1
    return None


#: What ``read_plain`` returns for a text outside the plain subset.
_FULL_WAY = object()


def read_plain(text: str) -> Any:
    """``text`` read by the fast reader, or ``_FULL_WAY`` when it is not in the plain subset."""
    try:
        return _FastReader(text).read()
    except (_GiveUp, IndexError, RecursionError):
        return _FULL_WAY


def read_text(text: str, name: str) -> Any:
    """``text`` read the full way, through libyaml's events.

    Raises:
        YamlError: for a syntax error, a duplicate key, or an unwanted character.
    """
    too_deep = _too_deep(text)
    if too_deep is not None:
        raise YamlError([Problem(name, too_deep, f"values are nested more than {MAX_FLOW_DEPTH} deep here ([ and {{ "
                                 "inside each other): notes need a few levels at most",
                                 "write the value out flat, as a list of texts or a mapping of keys to texts")])
    reader = _Reader(name)
    try:
        value = reader.read(yaml.parse(text, Loader=_LOADER))
    except yaml.reader.ReaderError as error:
        # A character YAML does not accept: said at its line, as a problem of the text is.
        line = text.count("\n", 0, error.position) + 1 if isinstance(error.position, int) else None
        code = error.character if isinstance(error.character, int) else ord(str(error.character or "?")[:1] or "?")
        raise YamlError([Problem(name, line, f"the text holds U+{code:04X}, which YAML does not accept in a file "
                                 f"({error.reason})", "remove it; write the character out in words if it matters")]
                        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        unclosed = bool(error.context and "quoted scalar" in error.context and error.problem
                        and "end of stream" in error.problem)
        if error.context_mark and unclosed:
            mark = error.context_mark  # an unclosed quote: where it opens, not where the file ends
        line = mark.line + 1 if mark else None
        message = " ".join(filter(None, [error.context, error.problem]))
        suggestion = "check the indentation and quoting on this line and the one before"
        lines = text.split("\n")
        if line is not None and 0 < line <= len(lines):
            message += f", at: {lines[line - 1].strip()[:60]!r}"
            opened = _unclosed_quote(lines, line)
            if unclosed:
                suggestion = "close the quote that opens on this line: the file ends before its closing quote"
            elif error.problem and "escape" in error.problem:
                suggestion = ("write the character itself, or escape it whole as \\U0001F600 (an escape such as "
                              "\\ud83d is half of a character)")
            elif opened is not None and opened < line - 1:
                suggestion = (f"a quote opens on line {opened} and does not close on it, so YAML read on past it: "
                              f"check line {opened} first")
        raise YamlError([Problem(name, line, f"YAML syntax: {message}", suggestion)]) from None
    except yaml.YAMLError as error:
        raise YamlError([Problem(name, None, f"YAML syntax: {error}")]) from None
    if reader.problems:
        raise YamlError(reader.problems)
    return value
