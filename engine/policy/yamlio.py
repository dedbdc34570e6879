# SPDX-License-Identifier: MIT
"""Reading YAML/JSON with ruamel.yaml: positions, hazards and plain data."""
from __future__ import annotations

import datetime
import json
import re
from bisect import bisect_right
from functools import lru_cache
from fractions import Fraction

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarbool import ScalarBoolean

try:  # ruamel.yaml.clib: libyaml's scanner, parser and composer in C (ruamel.yaml's `oldlibyaml` extra)
    from _ruamel_yaml import CParser
except ImportError:  # pragma: no cover - a platform without the wheel reads every file the pure way
    CParser = None

from engine.base.diagnostics import Location, Sink, YokoError, diag, remember_source
from engine.base.files import read_bytes
from engine.base.words import WORDS, Words, words
from engine.base.limits import MAX_FILE_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES

MAX_NODES = MAX_YAML_NODES  # expanded nodes (aliases count each time they are used): no billion laughs

# Tags a document may carry: the YAML core schema's own. Anything else (!!python/object, !!binary,
# !!set, !!omap, local !tags) is refused, never constructed (ruamel's round-trip loader only
# records a tag; it does not call any Python constructor for it).
CORE_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq",
                                                        "timestamp", "merge"))


def read_text(path: str, max_bytes: int = MAX_FILE_BYTES) -> str:
    """File text as UTF-8 (a BOM is allowed); a located error otherwise."""
    raw = read_bytes(path, max_bytes)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise YokoError([_diag("not_utf8", path, line, col, byte=f"0x{raw[e.start]:02x}")]) from None
    remember_source(path, text)
    return text


def _syntax_key(code: str) -> str:
    """A facts file says it is read as YAML or JSON; any other file, as YAML."""
    return "diag.facts_syntax.yaml" if code == "facts_syntax" else "diag.yaml_syntax"


def _diag(code, path, line=1, col=1, *, key=None, **params):
    return diag(code, Location(path, line, col), key=key, **params)


class Document:
    """A YAML or JSON file as yoko reads it: plain data, the round-trip tree (positions) and the text."""

    __slots__ = ("path", "text", "root", "data")

    def __init__(self, path: str, text: str, root, data):
        self.path, self.text, self.root, self.data = path, text, root, data

    def at(self, key_path, key: bool = False) -> Location:
        """Where the node at `key_path` (or its key) is; the deepest node the path reaches."""
        return location_at(self.root, list(key_path), self.path, key=key)


def read_document(path: str, text: str | None = None, *, syntax_code: str = "yaml_syntax",
                  mapping: str | None = None, refuse=None) -> Document:
    """The one reader of yoko's YAML/JSON files: policies, facts, sources, mappings, tests.

    The file (or `text` given under its name) is read as UTF-8, parsed with its hazards refused
    (`syntax_code` names a syntax error) and converted to plain data, floats keeping the decimal
    they were written as. With `mapping`, a document that is empty or not a mapping is refused
    under that code (catalogue keys diag.<code>.empty, when there is one, and
    diag.<code>.not_mapping with {got}). `refuse(root, path)` may list diagnostics about the tree
    that are reported before conversion (a policy's flow-style mistakes).
    """
    text = read_text(path) if text is None else text
    root = parse_yaml(text, path, syntax_code=syntax_code)
    if mapping is not None and not isinstance(root, dict):
        empty = f"diag.{mapping}.empty"
        key = empty if root is None and empty in WORDS else f"diag.{mapping}.not_mapping"
        raise YokoError([diag(mapping, Location(path, 1, 1), key=key, got=kind_words(root))])
    problems = refuse(root, path) if refuse is not None else None
    if problems:
        raise YokoError(problems)
    sink = Sink()
    data = PlainConverter(path, sink, text).convert(root) if root is not None else None
    sink.raise_if_errors()
    if "&" in text:
        _refuse_unused_anchors(text, path)
    return Document(path, text, root, data)


FAST_JSON_BYTES = 64 * 1024  # fewer nodes than the YAML reader's limit, whatever the text
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class _NotPlain(Exception):
    pass


def plain_json(text: str) -> dict | None:
    """A small JSON object with unique keys and no NaN, read as the YAML reader would read it (a
    decimal keeps its exact value, as ExactFloat); None for anything else. The json module reads
    one in well under a millisecond where the YAML reader, which keeps every line and column, takes
    tens; a caller that finds a problem in what it read reads the text again with read_document to
    say where. Nesting needs no bound here: a value nested deeper than its fact's declaration is a
    bad fact, read again as YAML."""
    if len(text) > FAST_JSON_BYTES or not text.lstrip().startswith("{") or _SURROGATE_ESCAPE.search(text):
        return None  # (an escaped surrogate may be a lone one: the YAML reader refuses that, located)

    def pairs(items):
        out = dict(items)
        if len(out) != len(items):
            raise _NotPlain  # a repeated key: the YAML reader names it
        return out

    def number(s: str):
        value, exact = float(s), Fraction(s)
        if value in (float("inf"), float("-inf")):
            raise _NotPlain
        return ExactFloat(value, exact.numerator if exact.denominator == 1 else exact)

    def constant(s: str):
        raise _NotPlain  # NaN, Infinity: not JSON, and the YAML reader says so

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_float=number, parse_constant=constant)
    except (ValueError, _NotPlain, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def kind_words(v) -> Words | str:
    """What a document or value is, in words."""
    if isinstance(v, bool):
        return words("type.bool")
    for t, key in ((list, "type.list_any"), (dict, "diag.policy_schema.mapping"), (str, "type.text"),
                   (int, "type.int"), (float, "type.number")):
        if isinstance(v, t):
            return words(key)
    return type(v).__name__


class _TooManyNodes(Exception):
    def __init__(self, mark):
        self.mark = mark


class _CountingComposer(Composer):
    """ruamel's composer, stopping once a document has more than MAX_NODES nodes.

    Reading YAML costs tens of microseconds a node; a file just under the size limit that is one
    long flow list would otherwise be read for minutes before the converter counted its values.
    """

    def compose_node(self, parent, index):
        self._count = getattr(self, "_count", 0) + 1
        if self._count > MAX_NODES:
            raise _TooManyNodes(self.parser.peek_event().start_mark)
        return super().compose_node(parent, index)


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.allow_duplicate_keys = False
    y.Composer = _CountingComposer
    return y


if CParser is not None:
    class _CLoader(CParser, RoundTripConstructor, VersionedResolver):
        """ruamel's round-trip constructor and YAML 1.2 resolver over libyaml's C parser: the same
        tree with the same positions, without comments, 5-7x faster to read. ruamel.yaml's YAML
        class would pair the C parser only with its safe (plain, positionless) constructor."""

        def __init__(self, text: str):
            CParser.__init__(self, text)
            self._parser = self._composer = self
            RoundTripConstructor.__init__(self, loader=self)
            self.allow_duplicate_keys = False
            self.comment_handling = None
            VersionedResolver.__init__(self, version=None, loadumper=self)

        # What ruamel's property finds for this loader, as a constant: it looks for a scanner's
        # %YAML version (the C parser has none, and a text with a directive is not read here) through
        # two AttributeErrors, about a fifth of reading a policy.
        processing_version = VersionedResolver(version=None).processing_version


# an anchor (&name) or alias (*name) as YAML 1.2 reads it: at the start of a node, up to a space or
# a flow indicator (_NAMED, _ANCHOR)
_NODE_START = r"(?:^|(?<=[\s\[{,]))"
_NODE_NAME = r"([^\s,\[\]{}]+)"
FAST_YAML_CHARS = 256 * 1024  # (a larger file is read the pure way, which stops at MAX_NODES)
_DIRECTIVE = re.compile(r"^%", re.M)
_UNSURE_CHARS = re.compile("[\t\ufeff\x85\u2028\u2029]")
_NAMED = re.compile(_NODE_START + r"[&*]" + _NODE_NAME)  # what YAML 1.2 reads as an anchor's or alias's name
_LIBYAML_NAME = re.compile(r"[A-Za-z0-9_-]+")
# a ! where YAML reads a tag: at the start of a node (an expression's `a != b` is inside one)
_TAG = re.compile(r"(?:^[ ]*|[:?\-][ ]+|[\[{,][ ]*|&\S+[ ]+)!", re.M)
FAST_YAML_BRACKETS = 5_000  # libyaml's composer recurses in C: flow nesting is bounded before it runs


def _fast_yaml(text: str):
    """The round-trip tree read by the C parser, or None where only the pure reader is sure to
    read it as yoko always has. The C parser is libyaml, a YAML 1.1 parser under ruamel's 1.2
    resolver, so a text goes the pure way when it has a %directive (the version would be lost),
    a tab (ruamel refuses tabs libyaml accepts), a BOM inside it (columns are counted otherwise),
    a line break other than CR and LF (lines are counted otherwise), a tag (yoko refuses all but
    the core ones, and libyaml reads a malformed one otherwise), an anchor or alias whose name is not ASCII letters, digits, - and _ (libyaml ends a name at
    the first other character, YAML 1.2 does not), more nesting than the C stack is sure to take,
    or when libyaml refuses it (the pure reader then says where). Both refuse the same characters.
    One difference is kept: an empty value (`key:` and nothing) is placed just after its colon,
    where the pure reader places it at the next token, often lines below."""
    if (CParser is None or len(text) > FAST_YAML_CHARS or _UNSURE_CHARS.search(text) or _DIRECTIVE.search(text)
            or text.count("[") + text.count("{") > FAST_YAML_BRACKETS
            or ("!" in text and _TAG.search(text))
            or (("&" in text or "*" in text) and any(not _LIBYAML_NAME.fullmatch(n) for n in _NAMED.findall(text)))):
        return None
    try:
        loader = _CLoader(text)
        try:
            return (loader.get_single_data(),)
        finally:
            loader.dispose()
    except Exception:  # a YAML error, a duplicate key, a recursive alias: read again the pure way
        return None


def parse_yaml(text: str, path: str, *, syntax_code: str = "yaml_syntax", comments: bool = False):
    """The round-trip document (keeps positions; comments too with `comments`, for a file that is
    written back); YAML errors become diagnostics."""
    fast = None if comments else _fast_yaml(text)
    try:
        doc = fast[0] if fast is not None else _yaml().load(text)
        if "&" in text and "*" in text:
            _refuse_recursive_aliases(text, path)
        return doc
    except _TooManyNodes as e:
        raise YokoError([_mark_diag("yaml_too_large", path, e.mark, limit=f"{MAX_NODES:,}")]) from None
    except DuplicateKeyError as e:
        mark = e.problem_mark
        key = _dup_key_name(e)
        raise YokoError([_mark_diag("duplicate_key", path, mark, key="diag.duplicate_key" if key else "diag.duplicate_key.unnamed",
                                          name=key)]) from None
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        hint = unquoted_text(text, path, mark) if syntax_code == "yaml_syntax" else None
        if hint:
            raise YokoError([hint]) from None
        what = yaml_problem(e.problem or e.context)
        tab = "\t" in (text.splitlines()[mark.line] if mark and mark.line < len(text.splitlines()) else "")
        raise YokoError([_mark_diag(syntax_code, path, mark, key="diag.yaml_syntax.tab" if tab else _syntax_key(syntax_code),
                                    problem=what)]) from None
    except YAMLError as e:
        raise YokoError([_diag(syntax_code, path, key=_syntax_key(syntax_code),
                               problem=yaml_problem(str(e).splitlines()[0] if str(e) else None))]) from None
    except (AttributeError, TypeError, KeyError):
        # ruamel fails inside its constructors on a merge key that names its own mapping
        # (`a: &m {<<: *m}`): find the alias and say where it is
        _refuse_recursive_aliases(text, path)
        raise YokoError([_diag(syntax_code, path, key="diag.yaml_syntax.merge")]) from None
    except RecursionError:
        raise YokoError([_diag("yaml_too_deep", path, *_deepest(text), limit=MAX_YAML_DEPTH)]) from None
    except ValueError as e:  # raised by ruamel's constructors, which carry no position
        if "integer string conversion" in str(e):  # Python refuses integers of more than 4,300 digits
            m = re.search(r"\d{4000,}", text)
            line, col = _line_col(text, m.start()) if m else (1, 1)
            raise YokoError([_diag("number_too_large", path, line, col, key="diag.number_too_large.yaml")]) from None
        bad = _bad_date(text)
        if bad:
            raise YokoError([_diag(syntax_code, path, *bad[1], key="diag.yaml_syntax.date", text=bad[0])]) from None
        raise YokoError([_diag(syntax_code, path, key="diag.yaml_syntax.value", detail=str(e))]) from None


# A value YAML misreads unless quoted: it starts with an indicator ([ { * ! % @ ` & or a quote
# followed by more text), or it holds ": " (a key inside the value), or inside { } or [ ] an entry
# holds ": " too.  Staff write such labels (「対象: 2次救急」「[注] 対象外」); the hint is to quote.
_KEY_VALUE = re.compile(r"^(?P<lead>\s*(?:-\s+)?)(?P<key>[^\s#:{}\[\],'\"][^:#{}\[\]]*?):\s+(?P<value>\S.*?)\s*$")
_INDICATOR = "[{*!%@`&"
_CLOSED_THEN_TEXT = re.compile(r"^[\[{][^\]}]*[\]}]\s*[^\s#,\]}]")  # [注] 対象外: brackets, then more text


def unquoted_text(text: str, path: str, mark):
    """The yaml_unquoted_text diagnostic when the line of a YAML error is text that needs quotes, else None."""
    if mark is None:
        return None
    lines = text.splitlines()
    for n in (mark.line, mark.line - 1):  # ruamel may point at the start of the next line
        if not 0 <= n < len(lines):
            continue
        found = _unquoted_on(lines[n], mark.column if n == mark.line else len(lines[n]))
        if found:
            col, key, value = found
            return diag("yaml_unquoted_text", Location(path, n + 1, col + 1), text=value,
                        quoted=f"{key}: {_quote(value)}")
    return None


def _unquoted_on(line: str, column: int):
    """(column, key, text) of the entry of `line` that YAML misreads, or None."""
    m = _KEY_VALUE.match(line)
    if not m:
        return None
    value = m.group("value")
    if value[0] in "{[" and value[-1] in "}]":  # a flow mapping or list: the entry at the error
        return _flow_entry(line, m.start("value"), column)
    if value[0] in "{[" and not _CLOSED_THEN_TEXT.match(value):  # an unclosed or multi-line flow collection
        return None
    if ": " in value or value[0] in _INDICATOR or (value[0] in "\"'" and not value.endswith(value[0])):
        return m.start("value"), m.group("key").strip(), value
    return None


def _flow_entry(line: str, start: int, column: int):
    """The `key: text` entry of a one-line flow collection around `column` whose text holds ': '."""
    column = min(max(column, start + 1), len(line) - 1)
    left = max(line.rfind(",", start, column), line.rfind("{", start, column), line.rfind("[", start, column))
    right = min((i for i in (line.find(",", column), line.find("}", column), line.find("]", column)) if i >= 0),
                default=len(line))
    entry = line[left + 1:right]
    key, sep, value = entry.strip().partition(": ")
    value = value.strip()
    if not sep or not value or (": " not in value and value[0] not in _INDICATOR):
        return None
    return left + 1 + (len(entry) - len(entry.lstrip())) + len(key) + 2, key, value


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def flow_mistakes(root, path: str) -> list:
    """Entries of a { } mapping that YAML read as keys without a value: text cut at a comma, or
    a note written in braces (`note: {これは注記}`); each a yaml_unquoted_text at the entry."""
    out, stack, seen = [], [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:  # an alias: walked once
            continue
        seen.add(id(node))
        if isinstance(node, CommentedMap):
            flow = bool(node.fa.flow_style())
            for k, v in node.items():
                if flow and v is None and isinstance(k, str) and (not k.isascii() or " " in k.strip()):
                    loc = key_location(node, k, path) or Location(path, 1, 1)
                    out.append(diag("yaml_unquoted_text", loc, key="diag.yaml_unquoted_text.flow", text=k))
                stack.append(v)
        elif isinstance(node, CommentedSeq):
            stack.extend(node)
    return out


def _bad_date(text: str):
    """The first unquoted YYYY-MM-DD that is not a calendar date, and its (line, column)."""
    for m in re.finditer(r"(?<![\w\"'-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w-])", text):
        try:
            datetime.date(*map(int, m.groups()))
        except ValueError:
            return m.group(), _line_col(text, m.start())
    return None


def _refuse_recursive_aliases(text: str, path: str) -> None:
    """An alias inside the node it refers to (`a: &a [*a]`) is loaded by ruamel as null: refuse it instead."""
    from ruamel.yaml.nodes import MappingNode, SequenceNode
    root = _yaml().compose(text)
    done: set[int] = set()
    stack = [(root, False)] if root is not None else []
    open_: set[int] = set()
    while stack:
        node, leaving = stack.pop()
        if leaving:
            open_.discard(id(node))
            done.add(id(node))
            continue
        if id(node) in open_:
            m = node.start_mark
            raise YokoError([_diag("yaml_recursive_alias", path, m.line + 1, m.column + 1)])
        if id(node) in done or not isinstance(node, (MappingNode, SequenceNode)):
            continue
        open_.add(id(node))
        stack.append((node, True))
        children = [c for kv in node.value for c in kv] if isinstance(node, MappingNode) else node.value
        stack.extend((c, False) for c in children)


_ANCHOR = re.compile(_NODE_START + "&" + _NODE_NAME)


def _refuse_unused_anchors(text: str, path: str) -> None:
    """A value starting with & (`ja: &注意 対象外`) is read as an anchor named 注意 and the rest of
    the text: the & word is lost without a word. An anchor that no alias (*name) uses is refused
    with the hint to quote the text. Only when a name written after & is never written after *
    are the YAML events read to be sure (a & inside text or a comment is not an anchor)."""
    names = set(_ANCHOR.findall(text))
    if not names or all(f"*{n}" in text for n in names):
        return
    from ruamel.yaml.events import AliasEvent
    anchors, used = {}, set()
    for event in _yaml().parse(text):
        if isinstance(event, AliasEvent):
            used.add(event.anchor)
        elif getattr(event, "anchor", None) and event.anchor not in anchors:
            anchors[event.anchor] = event.start_mark
    unused = [(name, mark) for name, mark in anchors.items() if name not in used]
    if not unused:
        return
    lines = text.splitlines()
    out = []
    for name, mark in unused:
        line = lines[mark.line] if mark.line < len(lines) else ""
        found = _unquoted_on(line, mark.column)
        value = found[2] if found else line[mark.column:].split(" #")[0].strip()
        quoted = f"{found[1]}: {_quote(value)}" if found else _quote(value)
        out.append(_diag("yaml_unquoted_text", path, mark.line + 1, mark.column + 1, key="diag.yaml_unquoted_text.anchor",
                         text=value, anchor=name, quoted=quoted))
    raise YokoError(out)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _deepest(text: str) -> tuple[int, int]:
    """Where flow brackets first nest beyond MAX_YAML_DEPTH (a rough pointer for a too-deep file)."""
    depth = 0
    for i, ch in enumerate(text):
        depth += 1 if ch in "[{" else -1 if ch in "]}" else 0
        if depth > MAX_YAML_DEPTH:
            return _line_col(text, i)
    return 1, 1


def _dup_key_name(e) -> str:
    m = re.search(r'found duplicate key "(.*?)"', str(e))
    return f'"{m.group(1)}"' if m else ""


def _mark_diag(code, path, mark, *, key=None, **params):
    if mark is None:
        return diag(code, Location(path, 1, 1), key=key, **params)
    return diag(code, Location(path, mark.line + 1, mark.column + 1), key=key, **params)


# ruamel's own wording of the common YAML mistakes, in words (anything else is quoted as ruamel says it)
_PROBLEMS = {
    "mapping values are not allowed here": "yaml.mapping_values",
    "could not find expected ':'": "yaml.expected_colon",
    "found character '\\t' that cannot start any token": "yaml.tab_token",
    "found undefined alias": "yaml.undefined_alias",
    "expected <block end>, but found '-'": "yaml.block_end_dash",
    "found unexpected end of stream": "yaml.end_of_stream",
    "did not find expected key": "yaml.expected_key",
    "did not find expected '-' indicator": "yaml.expected_dash",
    "found unknown escape character": "yaml.escape",
}


def yaml_problem(problem: str | None):
    """ruamel's problem text as words where it is a common one, else as it is."""
    if not problem:
        return words("diag.yaml.invalid")
    problem = problem.strip()
    key = _PROBLEMS.get(problem) or next((k for p, k in _PROBLEMS.items() if problem.startswith(p)), None)
    return words(f"diag.{key}") if key else problem


class ExactFloat(float):
    """A YAML float that remembers the exact decimal it was written as (`exact`, a Fraction or int)."""

    exact: Fraction | int

    def __new__(cls, value: float, exact):
        obj = super().__new__(cls, value)
        obj.exact = exact
        return obj

    def __reduce__(self):  # copied or pickled with its exact decimal (float's own would drop it)
        return (ExactFloat, (float(self), self.exact))


_FLOAT_TEXT = re.compile(r"[-+]?(?:\.[0-9_]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?")


class PlainConverter:
    """ruamel nodes -> JSON-like data; refuses tags, counts nodes and depth, keeps dates as date.

    With the document `text`, a float keeps the exact decimal it was written as (ExactFloat), so
    that 0.1000000000000000055511 is not silently read as the float nearest to it.
    """

    def __init__(self, path: str, sink: Sink, text: str | None = None):
        self.path = path
        self.sink = sink
        self.count = 0
        self.lines = text.splitlines() if text is not None else None

    def convert(self, node, where=None, depth=0):
        self.count += 1
        loc = where or Location(self.path, 1, 1)
        if self.count > MAX_NODES:
            raise YokoError([diag("yaml_too_large", loc, limit=f"{MAX_NODES:,}")])
        if depth > MAX_YAML_DEPTH:
            raise YokoError([diag("yaml_too_deep", loc, limit=MAX_YAML_DEPTH)])
        refused = _refused_tag(node)
        if refused:
            self.sink.say("yaml_tag", loc, tag=refused)
            return None
        if isinstance(node, dict):
            out = {}
            for k, v in node.items():
                key = str(k) if not isinstance(k, str) else k
                if _has_surrogate(key):
                    self._surrogate(key_location(node, k, self.path) or loc)
                out[key] = self.convert(v, self._loc(node, k), depth + 1)
            return out
        if isinstance(node, list):
            return [self.convert(v, self._loc(node, i), depth + 1) for i, v in enumerate(node)]
        if isinstance(node, str) and _has_surrogate(node):
            self._surrogate(loc)
            return None
        if isinstance(node, bool) or node is None or isinstance(node, (int, str)):
            return _plain_scalar(node)
        if isinstance(node, float):
            return self._float(node, where)
        if isinstance(node, datetime.datetime):
            return node
        if isinstance(node, datetime.date):
            return datetime.date(node.year, node.month, node.day)
        if hasattr(node, "value"):  # TaggedScalar: no tag, or the core !!str
            text = str(node.value)
            if _has_surrogate(text):
                self._surrogate(loc)
                return None
            return text
        return str(node)

    def _surrogate(self, loc: Location) -> None:
        self.sink.items.append(diag("lone_surrogate", loc))

    def _loc(self, parent, key):
        return value_location(parent, key, self.path)

    def _float(self, node: float, where: Location | None) -> float:
        """The float, with its exact written decimal when the source text shows it."""
        value = float(node)
        if self.lines is None or where is None or not (1 <= where.line <= len(self.lines)) or value != value \
                or value in (float("inf"), float("-inf")):
            return value
        m = _FLOAT_TEXT.match(self.lines[where.line - 1], where.column - 1)
        if not m:
            return value
        try:
            exact = Fraction(m.group().replace("_", ""))
        except (ValueError, ZeroDivisionError):
            return value
        if float(exact) != value:  # not the token we think it is: keep the float's own reading
            return value
        return ExactFloat(value, exact.numerator if exact.denominator == 1 else exact)


def _has_surrogate(text: str) -> bool:
    """A lone surrogate ("\\udfff" escaped in YAML or JSON): not a character, cannot be written out."""
    return not text.isascii() and any("\ud800" <= ch <= "\udfff" for ch in text)


def _refused_tag(node) -> str | None:
    """The tag of a node that is not plain YAML data, as written, or None."""
    from ruamel.yaml.comments import CommentedOrderedMap, CommentedSet, TaggedScalar
    tag = getattr(node, "tag", None)
    value = getattr(tag, "value", None) if tag is not None else None
    if value and str(value) not in CORE_TAGS:
        return str(value).replace("tag:yaml.org,2002:", "!!")
    if isinstance(node, TaggedScalar):  # a core tag ruamel keeps as written (!!str 12): its plain value
        return None
    if isinstance(node, (bytes, bytearray)):
        return "!!binary"
    if isinstance(node, CommentedSet):
        return "!!set"
    if isinstance(node, CommentedOrderedMap):
        return "!!omap"
    if not isinstance(node, (dict, list, str, int, float, bool, datetime.date)) and node is not None:
        return type(node).__name__
    return None


def _plain_scalar(v):
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, ScalarBoolean):  # a boolean with an anchor (`&x false`): ruamel's is an int
        return bool(v)
    if isinstance(v, int):
        return int(v)
    return str(v)


def value_location(parent, key, path: str) -> Location | None:
    """Where the value under `key` (or index) of a ruamel mapping/sequence starts."""
    try:
        if isinstance(parent, CommentedMap):
            line, col = parent.lc.value(key)
        elif isinstance(parent, CommentedSeq):
            line, col = parent.lc.item(key)
        else:
            return None
    except (KeyError, IndexError, TypeError, AttributeError):
        return None
    return Location(path, line + 1, col + 1)


def key_location(parent, key, path: str) -> Location | None:
    try:
        if isinstance(parent, CommentedMap):
            line, col = parent.lc.key(key)
            return Location(path, line + 1, col + 1)
    except (KeyError, TypeError, AttributeError):
        pass
    return value_location(parent, key, path)


def node_at(root, path) -> tuple[object, object]:
    """(parent, key) of the node reached by following `path` from the root."""
    parent, key = None, None
    node = root
    for step in path:
        if isinstance(node, dict) and step in node:
            parent, key, node = node, step, node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            parent, key, node = node, step, node[step]
        else:
            break
    return parent, key


def location_at(root, path, file: str, *, key: bool = False) -> Location:
    parent, k = node_at(root, path)
    if parent is None:
        return Location(file, 1, 1)
    loc = (key_location if key else value_location)(parent, k, file)
    return loc or Location(file, 1, 1)


def positions_of(root) -> dict:
    """Every node's position by key path: {path: (key (line, col) or None, value (line, col) or None)}.

    The same answers `location_at` gives from the tree, kept without the tree (see inherit.Src).
    """
    table: dict = {}
    stack = [((), root)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, dict):
            steps = list(node.keys())
        elif isinstance(node, list):
            steps = range(len(node))
        else:
            continue
        for k in steps:
            path = (*where, k)
            if path in table:
                continue
            kl, vl = key_location(node, k, ""), value_location(node, k, "")
            table[path] = ((kl.line, kl.column) if kl else None, (vl.line, vl.column) if vl else None)
            stack.append((path, node[k]))
    return table


def positions_at(table: dict, where: tuple, file: str, *, key: bool = False) -> Location:
    """`location_at` over a table from `positions_of`: the deepest node the path reaches."""
    for n in range(len(where), 0, -1):
        hit = table.get(where[:n])
        if hit is not None:
            line_col = hit[0] if key else hit[1]
            return Location(file, *line_col) if line_col else Location(file, 1, 1)
    return Location(file, 1, 1)


@lru_cache(maxsize=4)
def _line_starts(text: str) -> tuple[int, ...]:
    """The offset each line of `text` starts at (one text holds every expression of a file)."""
    starts = [0]
    for ln in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(ln))
    return tuple(starts)


class ExprLocator:
    """Maps offsets inside an expression string back to line:column in the YAML file."""

    def __init__(self, file: str, text: str, start: Location | None, value: str):
        self.file = file
        self.points: list[tuple[int, int]] = []
        if start is None:
            return
        self._starts = starts = _line_starts(text)
        base = starts[start.line - 1] + start.column - 1 if start.line - 1 < len(starts) else 0
        p = base
        if p < len(text) and text[p] in "|>":
            nl = text.find("\n", p)
            p = nl + 1 if nl >= 0 else len(text)
        elif p < len(text) and text[p] in "\"'":
            p += 1
        self.points = self._align(text, p, value)
        del self._starts  # the line starts of the whole file: only needed to align, never kept (or pickled)

    def _align(self, text: str, p: int, value: str) -> list[tuple[int, int]]:
        out = []
        n = len(text)
        for ch in value:
            q = p
            while q < n and text[q] != ch and (text[q] in " \t\r\n\\'\"" ):
                q += 1
            if q < n and text[q] == ch:
                p = q
            out.append(self._line_col(min(p, n - 1) if n else 0))
            p += 1
        out.append(self._line_col(min(p, n - 1) if n else 0) if value else self._line_col(max(p - 1, 0)))
        return out

    def _line_col(self, offset: int) -> tuple[int, int]:
        i = bisect_right(self._starts, offset) - 1
        return i + 1, offset - self._starts[i] + 1

    def __call__(self, offset: int) -> Location | None:
        if not self.points:
            return None
        offset = max(0, min(offset, len(self.points) - 1))
        line, col = self.points[offset]
        return Location(self.file, line, col)


class NotFinite(ValueError):
    """A YAML/JSON number that is nan or infinite (it has no exact value)."""

    def __init__(self, value: float):
        super().__init__(f"{value} is not a finite number")
        self.value = value


def to_fraction(v):
    """A YAML/JSON number as an exact value (floats through their shortest decimal text)."""
    if isinstance(v, bool):
        raise TypeError("boolean")
    if isinstance(v, int):
        return v
    if isinstance(v, ExactFloat):
        return v.exact
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            raise NotFinite(v)
        q = Fraction(repr(v))
        return q.numerator if q.denominator == 1 else q
    raise TypeError(type(v).__name__)


_RATIO = re.compile(r"\s*([-+]?\d+)\s*/\s*(\d+)\s*")
_PERCENT = re.compile(r"\s*([-+]?\d+(?:\.\d+)?)\s*%\s*")
_NUMBERISH = re.compile(r"[\s\d０-９.,，、/／%％割分厘円千万+\-]*\d[\s\d０-９.,，、/／%％割分厘円千万+\-]*")


class SpellingError(ValueError):
    """A text meant as a number that is not written in a spelling yoko reads exactly."""


def read_ratio(text: str):
    """`9/10` and `90%` as exact numbers (Fraction, or int when whole); None for a text that is neither.

    A text that looks like a number but is spelt otherwise (９／１０, 9割, 1,000円) raises SpellingError."""
    m = _RATIO.fullmatch(text)
    if m:
        if int(m.group(2)) == 0:
            raise SpellingError(text)
        q = Fraction(int(m.group(1)), int(m.group(2)))
        return q.numerator if q.denominator == 1 else q
    m = _PERCENT.fullmatch(text)
    if m:
        q = Fraction(m.group(1)) / 100
        return q.numerator if q.denominator == 1 else q
    if _NUMBERISH.fullmatch(text):
        raise SpellingError(text)
    return None
