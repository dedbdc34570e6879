# SPDX-License-Identifier: MIT
"""The `yoko` command line: `main(argv, stdout, stderr) -> exit status`."""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from typing import TextIO

from engine.base.diagnostics import YokoError, render_all

# Each command lives in engine/cli/<name>.py with add_parser(subparsers) and run(args, out, err).
COMMANDS = ["check", "list", "evaluate", "show", "diff", "test", "render", "new_year", "serve", "lsp"]

EXIT_OK, EXIT_INPUT, EXIT_INTERNAL = 0, 2, 70


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so usage errors go through our streams."""

    def error(self, message):
        raise _UsageError(message, self.format_usage())


class _UsageError(Exception):
    def __init__(self, message, usage):
        super().__init__(message)
        self.usage = usage


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="yoko", description="yoko: a rule engine for yearly subsidy guidelines (交付要項)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        try:
            mod = importlib.import_module(f"engine.cli.{name}")
        except ModuleNotFoundError as e:
            if e.name and e.name.endswith(f"cli.{name}"):
                continue
            raise
        p = mod.add_parser(sub)
        p.set_defaults(run=mod.run)
    return parser


def main(argv: list[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout or _escaping(sys.stdout)
    err = stderr or _escaping(sys.stderr)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except _UsageError as e:
        err.write(e.usage + f"yoko: error: {e}\n")
        return EXIT_INPUT
    if not getattr(args, "run", None):
        parser.print_help(out)
        return EXIT_INPUT
    try:
        return args.run(args, out, err)
    except YokoError as e:
        report(e.diagnostics, args, err)
        return EXIT_INPUT
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        err.write("interrupted\n")
        return 130
    except (MemoryError, RecursionError, UnicodeError) as e:
        # what an input can still provoke past every limit: a stable code, never a traceback
        report([_resource_diag(e)], args, err)
        return EXIT_INPUT
    except Exception as e:  # noqa: BLE001 - the one place a bug becomes a message, not a traceback
        err.write(f"internal_error: {type(e).__name__}: {e}\n"
                  "this is a bug in yoko; please report it with the command you ran\n")
        return EXIT_INTERNAL


def report(diags, args, err: TextIO) -> None:
    """Diagnostics to stderr, as text (file:line:col: code: message) or JSON."""
    if getattr(args, "format", None) == "json":
        err.write(json.dumps({"diagnostics": [d.to_json() for d in diags]}, ensure_ascii=False, indent=2) + "\n")
    else:
        err.write(render_all(diags, lang=getattr(args, "lang", "en") or "en") + "\n")


def _resource_diag(e: BaseException):
    from engine.base.diagnostics import diag
    if isinstance(e, MemoryError):
        return diag("out_of_memory")
    if isinstance(e, RecursionError):
        return diag("too_deeply_nested")
    return diag("bad_text", detail=type(e).__name__)


def _escaping(stream):
    """A standard stream that writes what its encoding cannot hold as escapes (\\udfff), not an error."""
    try:
        if getattr(stream, "errors", None) == "strict":
            stream.reconfigure(errors="backslashreplace")
    except (AttributeError, ValueError, OSError):
        pass
    return stream
