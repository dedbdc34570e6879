# SPDX-License-Identifier: MIT
"""`yoko new-year ID YEAR [--from ID/YEAR]`: a year's policy drafted as an `extends:`, to fill in.

Without --from the draft extends the latest earlier policy of the id; with it, any policy (another
prefecture's). The drafting itself is engine/review/new_year.py; this module finds the base,
refuses to overwrite, writes the files and lists what is left to fill in.
"""
from __future__ import annotations

from pathlib import Path

from engine.base.words import say


def add_parser(sub):
    p = sub.add_parser("new-year")
    p.add_argument("policy", metavar="ID")
    p.add_argument("year", metavar="YEAR")
    p.add_argument("--from", dest="base", metavar="ID/YEAR")
    p.add_argument("--out", metavar="PATH")
    return p


def run(args, out, err) -> int:
    from engine.base.diagnostics import YokoError, diag
    from engine.policy.cache import load_policy_cached
    from engine.review.new_year import Draft, carry_tests
    from engine.review.policy_tests import tests_path_for
    from engine.policy.registry import entries, parse_year
    year = parse_year(args.year)
    mine = sorted((e for e in entries() if e.id == args.policy), key=lambda e: e.fiscal_year)
    if any(e.fiscal_year == year for e in mine):
        have = next(e for e in mine if e.fiscal_year == year)
        raise YokoError([diag("policy_exists", policy=args.policy, year=year, path=have.path)])
    base_entry = _base_entry(args, mine, year)
    base = load_policy_cached(base_entry.path)
    if args.out:
        target = Path(args.out)
    elif base_entry.id == args.policy:
        target = Path(base_entry.path).with_name(f"{year}.yaml")
    else:
        target = Path(base_entry.path).parent.parent / args.policy / f"{year}.yaml"
    tests_target = tests_path_for(target)
    for path in (target, tests_target):
        if path.exists():
            raise YokoError([diag("file_exists", path=path)])
    draft = Draft(base, year, target, args.policy)
    target.parent.mkdir(parents=True, exist_ok=True)
    write(draft.document(), target)
    out.write(say("commands.new_year.wrote", args.lang, path=target, policy=base.id, year=base.fiscal_year) + "\n")
    base_tests = tests_path_for(base_entry.path)
    if base_tests.exists():
        write(carry_tests(base_tests, tests_target, base, year), tests_target)
        out.write(say("commands.new_year.wrote_tests", args.lang, path=tests_target, year=base.fiscal_year) + "\n")
    out.write(next_steps(target, base_entry.path, args.lang))
    return 0


def _base_entry(args, mine, year: int):
    """The registry entry to draft from: --from ID/YEAR, else the latest of the id before `year`."""
    from engine.base.diagnostics import YokoError, diag, suggest
    from engine.policy.registry import entries, find, parse_year
    if args.base:
        pid, _, y = args.base.partition("/")
        if not y:
            raise YokoError([diag("usage", key="diag.usage.from", got=args.base)])
        return find(pid, parse_year(y))
    earlier = [e for e in mine if e.fiscal_year < year]
    if not earlier:
        ids = sorted({e.id for e in entries()})
        key = "diag.unknown_policy.before" if mine else "diag.unknown_policy"
        raise YokoError([diag("unknown_policy", key=key, policy=args.policy, year=year,
                              suggestion=suggest(args.policy, ids))])
    return earlier[-1]


def write(doc, path: Path) -> None:
    from engine.review.policy_tests import round_trip_yaml
    with path.open("w", encoding="utf-8") as f:
        round_trip_yaml().dump(doc, f)


def next_steps(target: Path, base_path: str, lang: str) -> str:
    """The TODO values left in the draft, and what to run next."""
    from engine.base.diagnostics import Sink
    from engine.policy.load import load_document
    from engine.policy.todo import todo_markers
    doc, root, _ = load_document(str(target))
    sink = Sink()
    todo_markers(doc, root, str(target), sink)
    lines = [say("commands.new_year.to_fill_in", lang)] + [f"  {d.location}: {d.message if lang == 'en' else d.message_ja}" for d in sink.items]
    return "\n".join(lines) + "\n" + say("commands.new_year.then", lang, p=target, old=base_path) + "\n"
