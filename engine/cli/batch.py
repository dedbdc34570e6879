# SPDX-License-Identifier: MIT
"""`yoko evaluate --batch FILE ...`: the command around engine.evaluation.batch — arguments checked,
rows written, a progress bar on a terminal, the stderr line and the summary (text or JSON)."""
from __future__ import annotations

import json

from engine.base.diagnostics import YokoError, diag, suggest
from engine.base.words import say


def run_command(args, policy, out, err, xlsx_sheet=None) -> int:
    """Exit 0 when every row was good, 1 when some are error rows, 70 when a bug in yoko stopped a
    row (its error row is internal_error; the others are evaluated and written all the same)."""
    from engine.evaluation.batch import check_columns, identity_mapping, load_mapping, output_columns, run_batch
    from engine.evaluation.tables import TableWriter, read_rows
    _check_args(args, policy)
    mapping = load_mapping(args.map, policy) if args.map else None
    header, rows = read_rows(args.batch, args.sheet)
    if mapping is None:
        mapping = identity_mapping(policy, header, args.batch)
    else:
        check_columns(mapping, header, args.batch)
    emit_to = None if args.summary and args.out is None else args.out  # a summary alone: rows are not printed
    writer = bar = None
    focus = list(args.count) if args.summary else []
    try:
        writer = TableWriter(emit_to, output_columns(policy), out, encoding=getattr(args, "encoding", None)
                             or "utf-8-sig", xlsx_sheet=xlsx_sheet) if (emit_to or not args.summary) else None
        bar = Progress.on(err, args.batch, args.lang)
        summary = run_batch(policy, mapping, rows, writer.write if writer else (lambda rec: None),
                            jobs=args.jobs, focus=focus, progress=bar)
        data = summary.to_json(policy)
        if writer:
            writer.add_summary(data)
    except BaseException:
        if writer:
            writer.discard()
        raise
    finally:
        if bar:
            bar.done()
    if writer:
        try:
            writer.close()
        except BaseException:
            writer.discard()
            raise
    err.write(_line(summary, header, args) + "\n")
    if args.summary:
        if args.format == "json":
            out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        else:
            from engine.present.summary import summary_text
            out.write(summary_text(data, policy, args.lang))
    if summary.error_codes.get("internal_error"):
        from engine.cli.main import EXIT_INTERNAL
        return EXIT_INTERNAL  # every other row was written; a bug in yoko must not pass as a bad row
    return 1 if summary.errors else 0


def _check_args(args, policy) -> None:
    if not args.batch:
        raise YokoError([diag("usage", key="diag.usage.facts_or_batch")])
    if args.facts is not None:
        raise YokoError([diag("usage", key="diag.usage.facts_and_batch")])
    if args.jobs < 1:
        raise YokoError([diag("usage", key="diag.usage.jobs", got=args.jobs)])
    unknown = [r for r in args.count if r not in policy.rules]
    if unknown:
        raise YokoError([diag("usage", key="diag.usage.count", rule=unknown[0], policy=policy.id,
                              suggestion=suggest(unknown[0], policy.rules))])


def _line(summary, header, args) -> str:
    """The one line on stderr: rows evaluated and in error, left out, the encoding read, where written."""
    lang = args.lang
    line = say("commands.batch.line", lang, n=summary.evaluated + summary.errors, evaluated=summary.evaluated,
               errors=summary.errors)
    if summary.skipped:
        line += say("commands.batch.line_skipped", lang, n=summary.skipped)
    encoding = getattr(header, "encoding", "utf-8")
    if encoding not in ("utf-8", None):
        line += say("commands.batch.line_encoding", lang, encoding=encoding)
    if args.out:
        line += say("commands.batch.line_out", lang, out=args.out)
    return line


class Progress:
    """A progress bar on a terminal (stderr): rows done of about how many, the rate and the time left
    (tqdm); only the rate when the number of rows is not known beforehand."""

    @classmethod
    def on(cls, stream, path: str, lang: str) -> "Progress | None":
        """A bar on `stream` when it is a terminal, else None (nothing is drawn into a pipe or a file)."""
        if not _isatty(stream):
            return None
        from engine.evaluation.tables import estimate_rows
        return cls(stream, estimate_rows(path), lang)

    def __init__(self, stream, total: int | None, lang: str):
        from tqdm import tqdm
        fmt = "commands.batch.bar" if total else "commands.batch.bar_no_total"
        self.bar = tqdm(total=total, file=stream, desc=say("commands.batch.progress", lang),
                        unit=say("commands.batch.progress_unit", lang), bar_format=say(fmt, lang),
                        mininterval=0.1, leave=False, dynamic_ncols=True)

    def __call__(self, n: int) -> None:
        """`n` rows read so far."""
        if self.bar.total is not None and n > self.bar.total:
            self.bar.total = n  # the estimate counted line breaks; a table can hold more rows
        self.bar.update(n - self.bar.n)

    def done(self) -> None:
        self.bar.close()


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
