# SPDX-License-Identifier: MIT
"""The canonical layout of policy, source and tests files (`yoko fmt`), by ruamel's round trip.

What changes: the order of the keys of each kind of mapping (ORDERS, docs/language.md "Layout"),
quoting (a string is quoted only where YAML needs it, then with double quotes; also the words a
YAML 1.1 reader would take for a boolean or a number), `null` written out, flow lists wrapped at
FLOW_WIDTH columns, indentation of 2 (a block list's `-` indented 2 under its key).  What never
changes: the meaning (the data read back is equal), comments, blank lines, anchors, flow or block
style of each collection, the folds of `>` text and the lines of `|` text, long text left on one line.
"""
from __future__ import annotations

import io
import re
import unicodedata

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.emitter import Emitter
from ruamel.yaml.events import ScalarEvent, SequenceEndEvent
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from engine.policy.yamlio import PlainConverter, parse_yaml
from engine.base.diagnostics import Sink

FLOW_WIDTH = 120  # a flow list is wrapped before an item that would end past this column

_LABEL = ("ja", "en")
_CITE = ("source", "article", "heading", "occurrence", "paragraph", "item", "subitem", "point", "clause",
         "section", "page", "quote")
_TYPE = ("type", "values", "value_labels", "min", "max", "unit", "items", "fields")
_FACT = _TYPE + ("period", "display_only", "label", "description", "cite", "quote", "notes")
_PARAMETER = ("type", "value", "unit", "label", "description", "cite", "quote", "notes")
_RULE = ("type", "unit", "expr", "applies_if", "label", "description", "cite", "quote", "notes")
_NOTE = ("kind", "text", "cite", "quote")
_SECTIONS = ("facts", "parameters", "rules")

# The key order of each kind of mapping; keys not named keep their order, after the named ones.
ORDERS: dict[str, tuple[str, ...]] = {
    "policy": ("id", "jurisdiction", "fiscal_year", "extends", "title", "enacted", "applies_from", "sources",
               "implements", "drop", "cite_map", "patch", "override", "notes", "facts", "parameters", "rules",
               "conclusion", "results"),
    "conclusion": ("eligible", "amount"),
    "jurisdiction": ("code", "name"),
    "extends": ("policy", "fiscal_year"),
    "implements": ("policy", "fiscal_year", "programme"),
    "source": ("title", "number", "date", "file", "abbrev", "url"),
    "label": _LABEL,
    "cite": _CITE,
    "note": _NOTE,
    "fact": _FACT,
    "parameter": _PARAMETER,
    "rule": _RULE,
    "results": ("add", "drop"),
    "sections": _SECTIONS,
    "drop": ("sources",) + _SECTIONS,
    "cite_map": ("from", "to"),
    "source_file": ("policy", "fiscal_year", "documents"),
    "document": ("title", "number", "date", "in_force", "issuer", "addressee", "published", "url", "contact",
                 "origin", "clauses"),
    "clause": ("section", "article", "heading", "occurrence", "paragraph", "item", "subitem", "point", "clause",
               "page", "text", "clauses"),
    "tests_file": ("cases", "always"),
    "case": ("name", "note", "facts_file", "facts", "expect"),
    "property": ("name", "expr"),
}


def file_kind(path: str, doc) -> str:
    """policy, source or tests: by the file's name, else by its top-level keys."""
    if path.endswith(".source.yaml"):
        return "source_file"
    if path.endswith(".tests.yaml"):
        return "tests_file"
    if isinstance(doc, dict) and "documents" in doc and "id" not in doc:
        return "source_file"
    if isinstance(doc, dict) and "cases" in doc and "id" not in doc:
        return "tests_file"
    return "policy"


def format_text(text: str, path: str) -> str:
    """The file's text in canonical layout; YAML errors raise the located diagnostics `check` gives."""
    doc = parse_yaml(text, path, comments=True)
    if not isinstance(doc, (CommentedMap, CommentedSeq)):
        return text
    meaning = _plain(doc, text, path)
    _untag_strings(doc)
    if isinstance(doc, CommentedMap):
        _SHAPES[file_kind(path, doc)](doc)
    out = _Lines()
    _yaml().dump(doc, out)
    new = out.getvalue()
    if not _same(_plain(_yaml().load(new), new, path), meaning):  # never write a file whose meaning changed
        raise RuntimeError(f"yoko fmt would change the meaning of {path}; the file is left as it is")
    return new


def _untag_strings(node) -> None:
    """`!!str text` as "text": the same string, and ruamel writes the tag back as `!!%20str` when it
    stands in a flow mapping (a round-trip bug), which would change the meaning."""
    from ruamel.yaml.comments import TaggedScalar
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString
    items = node.items() if isinstance(node, CommentedMap) else enumerate(node) if isinstance(node, CommentedSeq) else ()
    for k, v in list(items):
        if isinstance(v, TaggedScalar) and str(getattr(v.tag, "value", v.tag)) == "tag:yaml.org,2002:str":
            node[k] = DoubleQuotedScalarString(v.value)
        else:
            _untag_strings(v)


def _same(a, b) -> bool:
    """Equal data, a NaN being equal to a NaN (it is the same value written the same way)."""
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def _plain(doc, text: str, path: str):
    """The data a file holds, as yoko reads it (key order aside)."""
    return PlainConverter(path, Sink(), text).convert(doc)


# ---------------------------------------------------------------- key order, shape by shape

def _order(m, kind: str, *, root: bool = False) -> None:
    """Reorder the keys of mapping `m` as ORDERS[kind] says, keeping every comment where it was."""
    if not isinstance(m, CommentedMap) or len(m) < 2:
        return
    rank = {k: i for i, k in enumerate(ORDERS[kind])}
    keys = list(m)
    new = sorted(keys, key=lambda k: (rank.get(k, len(rank)), keys.index(k)))
    if new == keys:
        return
    before = _detach_between_comments(m, keys, head=not root)
    for k in new:
        m.move_to_end(k)
    _attach_between_comments(m, new, before)


def _each(m, fn, *args) -> None:
    if isinstance(m, dict):
        for v in m.values():
            fn(v, *args)


def _label(m) -> None:
    _order(m, "label")


def _cites(v) -> None:
    if isinstance(v, list):
        for c in v:
            _order(c, "cite")
    else:
        _order(v, "cite")


def _notes(v) -> None:
    for n in v if isinstance(v, list) else []:
        _order(n, "note")
        if isinstance(n, dict):
            _label(n.get("text"))
            _cites(n.get("cite"))


def _common(item) -> None:
    """label, description, notes and cite of a fact, parameter or rule."""
    if isinstance(item, dict):
        _label(item.get("label"))
        _label(item.get("description"))
        _notes(item.get("notes"))
        _cites(item.get("cite"))


def _type_decl(t) -> None:
    _order(t, "fact")
    if isinstance(t, dict):
        _each(t.get("value_labels"), _label)
        _type_decl(t.get("items"))
        _each(t.get("fields"), _type_decl)
        _common(t)


def _fact(f) -> None:
    _type_decl(f)


def _parameter(p) -> None:
    _order(p, "parameter")
    _common(p)


def _rule(r) -> None:
    _order(r, "rule")
    _common(r)


_ITEM = {"facts": _fact, "parameters": _parameter, "rules": _rule}


def _sections(m, *, patch: bool = False) -> None:
    _order(m, "sections")
    for section, fn in _ITEM.items():
        if isinstance(m, dict):
            _each(m.get(section), fn)


def _policy(doc) -> None:
    _order(doc, "policy", root=True)
    _order(doc.get("jurisdiction"), "jurisdiction")
    if isinstance(doc.get("jurisdiction"), dict):
        _label(doc["jurisdiction"].get("name"))
    _label(doc.get("title"))
    _order(doc.get("extends"), "extends")
    _order(doc.get("implements"), "implements")
    for s in (doc.get("sources") or {}).values() if isinstance(doc.get("sources"), dict) else ():
        _order(s, "source")
        if isinstance(s, dict):
            _label(s.get("title"))
            _label(s.get("abbrev"))
    _order(doc.get("drop"), "drop")
    for m in doc.get("cite_map") or [] if isinstance(doc.get("cite_map"), list) else []:
        _order(m, "cite_map")
        if isinstance(m, dict):
            _order(m.get("from"), "cite")
            _order(m.get("to"), "cite")
    _sections(doc.get("patch"), patch=True)
    _sections(doc.get("override"))
    _notes(doc.get("notes"))
    for section, fn in _ITEM.items():
        _each(doc.get(section), fn)
    _order(doc.get("results"), "results")


def _clauses(v) -> None:
    for c in v if isinstance(v, list) else []:
        _order(c, "clause")
        if isinstance(c, dict):
            _clauses(c.get("clauses"))


def _source_file(doc) -> None:
    _order(doc, "source_file", root=True)
    for d in (doc.get("documents") or {}).values() if isinstance(doc.get("documents"), dict) else ():
        _order(d, "document")
        if isinstance(d, dict):
            _label(d.get("published"))
            _clauses(d.get("clauses"))


def _tests_file(doc) -> None:
    _order(doc, "tests_file", root=True)
    for c in doc.get("cases") or [] if isinstance(doc.get("cases"), list) else []:
        _order(c, "case")
    for p in doc.get("always") or [] if isinstance(doc.get("always"), list) else []:
        _order(p, "property")


_SHAPES = {"policy": _policy, "source_file": _source_file, "tests_file": _tests_file}


# ---------------------------------------------------------------- comments between keys
#
# ruamel keeps the own-line comments and blank lines that come before a key as the tail of the
# comment after the PREVIOUS key's value (the deepest last node of it).  Reordering keys would
# carry them away from the key they introduce; so they are taken off before, and put back after,
# on whatever key now comes before the key they introduce.

def _tail_holder(m, key):
    """(comment list, index) where the comment after m[key]'s value is kept, or None."""
    v = m[key]
    if isinstance(v, CommentedMap) and len(v) and not _flow(v):
        return _tail_holder(v, list(v)[-1])
    if isinstance(v, CommentedSeq) and len(v) and not _flow(v):
        last = len(v) - 1
        if isinstance(v[last], (CommentedMap, CommentedSeq)) and len(v[last]) and not _flow(v[last]):
            return _tail_holder(v, last)
        return v.ca.items.setdefault(last, [None, None, None, None]), 0
    return m.ca.items.setdefault(key, [None, None, None, None]), 2


def _flow(c) -> bool:
    return bool(getattr(c, "fa", None) and c.fa.flow_style())


def _split_tail(value: str) -> tuple[str, str]:
    """A comment token's text: (the end-of-line part, the own lines after it)."""
    nl = value.find("\n")
    return (value, "") if nl < 0 else (value[: nl + 1], value[nl + 1:])


def _detach_between_comments(m, keys, *, head: bool = True) -> dict:
    """{key: own-line comment text before it}, taken off the mapping (its head and the keys' tails).

    The head of a file (the comments before its first key) stays the head: `head=False`.
    """
    before = {}
    pre = m.ca.comment[1] if head and m.ca.comment and len(m.ca.comment) > 1 and m.ca.comment[1] else None
    if pre:
        before[keys[0]] = "".join(t.value if t.value.endswith("\n") else t.value + "\n" for t in pre)
        m.ca.comment[1] = []
    for prev, key in zip(keys, keys[1:]):
        slot, i = _tail_holder(m, prev)
        tok = slot[i]
        if tok is None:
            continue
        head, tail = _split_tail(tok.value)
        if tail:
            before[key] = tail
            tok.value = head
    return before


def _attach_between_comments(m, keys, before: dict) -> None:
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken
    if before.get(keys[0]):
        col = _key_column(m, keys)
        lines = before.pop(keys[0]).splitlines()
        tokens = [CommentToken(line.strip() + "\n", CommentMark(col if line.strip() else 0)) for line in lines]
        if m.ca.comment is None:
            m.ca.comment = [None, tokens]
        else:
            m.ca.comment[1:2] = [tokens]
    for prev, key in zip(keys, keys[1:]):
        text = before.pop(key, "")
        if not text:
            continue
        slot, i = _tail_holder(m, prev)
        if slot[i] is None:
            slot[i] = CommentToken("\n" + text, CommentMark(0), None)
        else:
            slot[i].value = (slot[i].value if slot[i].value.endswith("\n") else slot[i].value + "\n") + text


def _key_column(m, keys) -> int:
    try:
        return min(m.lc.key(k)[1] for k in keys)
    except (KeyError, TypeError, AttributeError):
        return 0


# ---------------------------------------------------------------- the dumper

# Plain words a YAML 1.1 reader (many editors and tools) takes for a boolean, null or number.
_YAML11 = re.compile(r"(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|~"
                     r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"
                     r"|[-+]?0[0-7_]+|[-+]?0b[01_]+|[-+]?0x[0-9a-fA-F_]+|[-+]?[0-9][0-9_]*\.?[0-9_]*(?:[eE][-+]?[0-9]+)?)")


class _Representer(RoundTripRepresenter):
    def represent_none(self, data):
        return self.represent_scalar("tag:yaml.org,2002:null", "null")

    def represent_str(self, data):
        if type(data) is str and _YAML11.fullmatch(data):
            return self.represent_scalar("tag:yaml.org,2002:str", str(data), style='"')
        return super().represent_str(data)


_Representer.add_representer(type(None), _Representer.represent_none)
_Representer.add_representer(str, _Representer.represent_str)


class _Emitter(Emitter):
    """ruamel's emitter: double quotes when quoting, no wrapping but of flow lists (at FLOW_WIDTH)."""

    def choose_scalar_style(self):
        style = super().choose_scalar_style()
        return '"' if style == "'" else style

    def _wrap_before(self) -> bool:
        """Whether the next item of a flow list would end past FLOW_WIDTH (in display columns)."""
        if not isinstance(self.event, ScalarEvent):
            return False
        shown = getattr(self.stream, "line_width", self.column)
        return shown + _width(self.event.value) + 3 > FLOW_WIDTH and self.column > self.indent + 1

    def expect_flow_sequence(self, force_flow_indent=False) -> None:
        super().expect_flow_sequence(force_flow_indent)
        self.indent = self.column  # a wrapped line starts under the first item

    def expect_first_flow_sequence_item(self) -> None:
        if isinstance(self.event, SequenceEndEvent):
            return super().expect_first_flow_sequence_item()
        self.states.append(self.expect_flow_sequence_item)
        self.expect_node(sequence=True)

    def expect_flow_sequence_item(self) -> None:
        if isinstance(self.event, SequenceEndEvent):
            return super().expect_flow_sequence_item()
        self.write_indicator(self.flow_seq_separator, False)
        if self._wrap_before():
            self.write_indent()
        self.states.append(self.expect_flow_sequence_item)
        self.expect_node(sequence=True)


class _Lines(io.StringIO):
    """The output, knowing how wide (in display columns) its last line is so far."""

    line_width = 0

    def write(self, s: str) -> int:
        nl = s.rfind("\n")
        self.line_width = _width(s[nl + 1:]) if nl >= 0 else self.line_width + _width(s)
        return super().write(s)


def _width(s: str) -> int:
    """Display columns: a wide (CJK) character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.Representer = _Representer
    y.Emitter = _Emitter
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 1_000_000  # long text stays on its line; flow lists wrap at FLOW_WIDTH (_Emitter)
    y.allow_unicode = True
    return y
