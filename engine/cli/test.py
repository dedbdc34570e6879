# SPDX-License-Identifier: MIT
"""`yoko test [POLICY...]`: run the cases in each policy's `.tests.yaml`, optionally with rule coverage."""
from __future__ import annotations

from pathlib import Path

from engine.base.words import say


def add_parser(sub):
    p = sub.add_parser("test")
    p.add_argument("paths", nargs="*", metavar="POLICY")
    p.add_argument("--update", action="store_true")
    p.add_argument("--coverage", action="store_true")
    p.add_argument("--fail-under", type=float, metavar="PERCENT")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--junit-xml", metavar="FILE")
    return p


def targets(paths: list[str]) -> list[tuple[str, Path]]:
    """(policy file, tests file) pairs, in order, without repeats."""
    from engine.cli.check import policy_paths
    from engine.review.policy_tests import SUFFIX, policy_path_for, tests_path_for
    files: list[str] = []
    for p in paths or [""]:
        if p and p.endswith(SUFFIX):
            files.append(str(policy_path_for(p)))
        else:
            files.extend(policy_paths([p] if p else []))
    out, seen = [], set()
    for f in files:
        key = Path(f).resolve()
        if key not in seen:
            seen.add(key)
            out.append((f, tests_path_for(f)))
    return out


def run(args, out, err) -> int:
    from engine.review.coverage import measure, render_report
    from engine.base.diagnostics import YokoError, render_all
    from engine.policy.cache import load_policy_cached
    from engine.review.policy_tests import load_suite, report, run_suite, suite_json, update_expectations
    text = args.format == "text"
    if not text:  # JSON on stdout: the words meant for a person are not mixed into it
        import io
        out, json_out = io.StringIO(), out
    suites: list[dict] = []
    want_cov = args.coverage or args.fail_under is not None
    pairs = targets(args.paths)
    if not pairs:
        err.write(say("commands.test.none_found", args.lang) + "\n")
        return 2
    failed = broken = 0
    covered = total = 0
    for policy_path, tests_path in pairs:
        if not Path(policy_path).is_file():
            from engine.base.diagnostics import diag
            err.write(render_all([diag("file_unreadable", key="diag.file_unreadable.no_policy", path=policy_path)],
                                 lang=args.lang) + "\n")
            broken += 1
            continue
        if not tests_path.exists():
            out.write(say("commands.test.no_tests", args.lang, policy=policy_path, tests=tests_path) + "\n")
            if want_cov:  # a policy without cases covers none of its rules: it counts against --fail-under
                try:
                    cov = measure(load_policy_cached(policy_path), [])
                except YokoError as e:
                    err.write(render_all(e.diagnostics, lang=args.lang) + "\n")
                    broken += 1
                    continue
                total += cov.total
            continue
        try:
            policy = load_policy_cached(policy_path)
            suite = run_suite(load_suite(str(tests_path), policy))
        except YokoError as e:
            err.write(render_all(e.diagnostics, lang=args.lang) + "\n")
            broken += 1
            continue
        if args.update:
            n = update_expectations(suite)
            out.write(say("commands.test.updated" if n != 1 else "commands.test.updated_one", args.lang, tests=tests_path, n=n) + "\n")
            suite = run_suite(load_suite(str(tests_path), policy))
        out.write(report(suite, args.lang))
        suites.append(suite_json(suite))
        failed += suite.count("fail")
        broken += suite.count("error")
        if want_cov:
            cov = measure(policy, [o.env for o in suite.outcomes if o.env is not None])
            out.write("\n" + render_report(cov, args.lang))
            covered += cov.covered
            total += cov.total
            suites[-1]["coverage"] = {"covered": cov.covered, "total": cov.total}
    if args.junit_xml:
        _write_junit(args.junit_xml, suites, args.lang)
    if not text:
        import json
        json_out.write(json.dumps({"suites": suites, "failed": failed, "broken": broken}, ensure_ascii=False,
                                  indent=2, default=str) + "\n")
    if want_cov and total and len(pairs) > 1:
        out.write("\n" + say("commands.test.total_coverage", args.lang, covered=covered, total=total,
                              percent=f"{100 * covered / total:.1f}") + "\n")
    if broken:
        return 2
    if failed:
        return 1
    if args.fail_under is not None and (not total or 100 * covered / total < args.fail_under):
        if not total:
            err.write(say("commands.test.no_rule_covered", args.lang, limit=f"{args.fail_under:g}") + "\n")
            return 1
        err.write(say("commands.test.below", args.lang, percent=f"{100 * covered / total:.1f}",
                      limit=f"{args.fail_under:g}") + "\n")
        return 1
    return 0


def _write_junit(path: str, suites: list[dict], lang: str) -> None:
    """The JUnit XML report, written whole or not at all."""
    from engine.evaluation.tables import AtomicFile
    from engine.review.policy_tests import junit_xml
    f = AtomicFile(path, encoding="utf-8")
    try:
        f.f.write(junit_xml(suites, lang))
    except BaseException:
        f.discard()
        raise
    f.commit()
