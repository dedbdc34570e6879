# SPDX-License-Identifier: MIT
"""The `yoko` command line: `main(argv, stdout, stderr) -> exit status`.

The language is chosen once, before parsing (`--lang`, else $YOKO_LANG, else Japanese), so that
`--help` and argparse's own messages are in it too; every command then gets it as `args.lang`.
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import json
import sys
from contextlib import contextmanager
from typing import TextIO

from engine.base.diagnostics import YokoError, render_all
from engine.base.files import clear_signals, note_signal, remove_temp_files
from engine.base.words import LANGS, WORDS, default_lang, say
from engine.cli.launch import command_of

# Each command lives in engine/cli/<name>.py with add_parser(subparsers[, lang]) and run(args, out, err).
COMMANDS = ["check", "list", "evaluate", "show", "diff", "test", "render", "new_year", "serve", "lsp", "completion", "fmt",
            "daemon"]

EXIT_OK, EXIT_INPUT, EXIT_INTERNAL = 0, 2, 70

# Example spellings a help text may show (input syntax, the same in both languages).
HELP_PARAMS = {"era": "令和4", "era_next": "令和5"}


def version() -> str:
    """yoko's version: the installed distribution's, else pyproject.toml's."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version
    try:
        return dist_version("yoko")
    except PackageNotFoundError:
        import re
        from pathlib import Path
        text = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text("utf-8")
        return re.search(r'^version = "([^"]+)"', text, re.M).group(1)


def lang_of(argv: list[str]) -> str:
    """The language asked for on the command line (--lang X or --lang=X), else default_lang()."""
    for i, a in enumerate(argv):
        if a == "--lang" and i + 1 < len(argv) and argv[i + 1] in LANGS:
            return argv[i + 1]
        if a.startswith("--lang=") and a[7:] in LANGS:
            return a[7:]
    return default_lang()


# argparse's own words (it looks each up through gettext as `argparse._`), from the catalogue
_ARGPARSE = {
    "usage: ": ("cli.usage", {}),
    "positional arguments": ("cli.positionals", {}),
    "options": ("cli.options", {}),
    "show this help message and exit": ("cli.help", {}),
    "the following arguments are required: %s": ("cli.argparse.required", {"names": "%s"}),
    "invalid choice: %(value)r (choose from %(choices)s)": ("cli.argparse.invalid_choice",
                                                             {"value": "%(value)r", "choices": "%(choices)s"}),
    "unrecognized arguments: %s": ("cli.argparse.unrecognized", {"args": "%s"}),
    "expected one argument": ("cli.argparse.one_argument", {}),
    "argument %(argument_name)s: %(message)s": ("cli.argparse.argument",
                                                 {"name": "%(argument_name)s", "message": "%(message)s"}),
    "invalid %(type)s value: %(value)r": ("cli.argparse.invalid_value", {"type": "%(type)s", "value": "%(value)r"}),
    "not allowed with argument %s": ("cli.argparse.not_allowed", {"other": "%s"}),
    "ambiguous option: %(option)s could match %(matches)s": ("cli.argparse.ambiguous",
                                                              {"option": "%(option)s", "matches": "%(matches)s"}),
}


@contextmanager
def argparse_words(lang: str):
    """While building, parsing and printing help: argparse's own words in `lang`."""
    saved = argparse._

    def translate(text: str) -> str:
        if text in _ARGPARSE:
            key, params = _ARGPARSE[text]
            return say(key, lang, **params)
        return saved(text)
    argparse._ = translate
    try:
        yield
    finally:
        argparse._ = saved


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, and prints help to main's output stream."""

    out: TextIO | None = None

    def error(self, message):
        raise _UsageError(message, self.format_usage())

    def exit(self, status=0, message=None):
        raise _Exit(status)

    def _print_message(self, message, file=None):
        if message:
            (_Parser.out or sys.stdout).write(message)


class _UsageError(Exception):
    def __init__(self, message, usage):
        super().__init__(message)
        self.usage = usage


class _Exit(Exception):
    def __init__(self, status):
        super().__init__(status)
        self.status = status


def help_text(key: str, lang: str) -> str | None:
    """A help text from the catalogue, or None when it has none."""
    return say(key, lang, **HELP_PARAMS) if key in WORDS else None


def localise(parser: argparse.ArgumentParser, command: str, lang: str) -> None:
    """Put the catalogue's help texts (cli.help.<command>.<dest>) on a command's options."""
    for action in parser._actions:
        if action.dest in ("help", "lang", "format") or action.help == argparse.SUPPRESS:
            if action.dest == "lang":
                action.help = say("cli.lang", lang)
            elif action.dest == "format" and not action.help:
                action.help = say("cli.format", lang)
            continue
        text = help_text(f"cli.help.{command}.{action.dest}", lang) or help_text(f"cli.help.{action.dest}", lang)
        if text is not None:
            action.help = text
    for group in parser._action_groups:
        if group.title == "batch":
            group.title = say("cli.help.batch", lang)


class _Commands:
    """The subparsers action, handing each command its one-line help from the catalogue."""

    def __init__(self, sub, lang: str):
        self.sub, self.lang = sub, lang

    def add_parser(self, name: str, **kwargs):
        text = help_text(f"cli.help.{name.replace('-', '_')}", self.lang) or kwargs.get("help") or ""
        kwargs.update(help=text, description=kwargs.get("description") or text)
        return self.sub.add_parser(name, **kwargs)


def add_lang(p: argparse.ArgumentParser, lang: str) -> None:
    """`--lang ja|en` on a command, defaulting to the language chosen before parsing."""
    p.add_argument("--lang", choices=list(LANGS), default=lang, help=say("cli.lang", lang))


def build_parser(lang: str | None = None, only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or with `only` a command's own options built for that one command.

    Building every command imports every command module and localises every option: about a
    quarter of a warm one-facility run. The others are still listed (a stub with their one-line
    help), so usage, `--help` and "invalid choice" read the same either way.
    """
    lang = lang or default_lang()
    if only not in [c.replace("_", "-") for c in COMMANDS]:
        only = None
    with argparse_words(lang):
        parser = _Parser(prog="yoko", description=say("cli.description", lang))
        parser.add_argument("--version", action="store_true", help=say("cli.version", lang))
        add_lang(parser, lang)
        sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser,
                                    title=say("cli.commands", lang))
        for name in COMMANDS:
            if only is not None and name.replace("_", "-") != only:
                _Commands(sub, lang).add_parser(name.replace("_", "-"))
                continue
            try:
                mod = importlib.import_module(f"engine.cli.{name}")
            except ModuleNotFoundError as e:
                if e.name and e.name.endswith(f"cli.{name}"):
                    continue
                raise
            takes_lang = len(inspect.signature(mod.add_parser).parameters) > 1
            p = mod.add_parser(_Commands(sub, lang), lang) if takes_lang else mod.add_parser(_Commands(sub, lang))
            if not any(a.dest == "lang" for a in p._actions):
                add_lang(p, lang)
            for a in p._actions:
                if a.dest == "lang" and a.default is not None:  # None: the command decides (serve: per request)
                    a.default = lang
            localise(p, name, lang)
            p.set_defaults(run=mod.run)
    return parser


def main(argv: list[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout or _escaping(sys.stdout)
    err = stderr or _escaping(sys.stderr)
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = lang_of(argv)
    parser = build_parser(lang, only=command_of(argv))
    _Parser.out = out
    try:
        with argparse_words(lang):
            args = parser.parse_args(argv)
    except _UsageError as e:
        err.write(e.usage + say("cli.error", lang, prog="yoko", message=e) + "\n")
        return EXIT_INPUT
    except _Exit as e:
        return e.status
    finally:
        _Parser.out = None
    if args.version:
        out.write(f"yoko {version()}\n")
        return EXIT_OK
    if not getattr(args, "run", None):
        with argparse_words(lang):
            out.write(parser.format_help())
        return EXIT_INPUT
    restore = _on_signals()
    try:
        return args.run(args, out, err)
    except Signalled as e:  # writers discard their temp files on the way out; any left are removed here
        remove_temp_files()
        err.write(say("robust.interrupted_by", args.lang, signal=e.name) + "\n")
        return _exit_now(128 + e.signum, out, err, real=stdout is None)
    except YokoError as e:
        report(e.diagnostics, args, err)
        return EXIT_INPUT
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        remove_temp_files()
        err.write(say("robust.interrupted_by", args.lang, signal="SIGINT") + "\n")
        return _exit_now(130, out, err, real=stdout is None)
    except (MemoryError, RecursionError, UnicodeError) as e:
        # what an input can still provoke past every limit: a stable code, never a traceback
        report([_resource_diag(e)], args, err)
        return EXIT_INPUT
    except Exception as e:  # noqa: BLE001 - the one place a bug becomes a message, not a traceback
        err.write(f"internal_error: {type(e).__name__}: {e}\n{say('cli.internal_error', args.lang)}\n")
        return EXIT_INTERNAL
    finally:
        restore()


def report(diags, args, err: TextIO) -> None:
    """Diagnostics to stderr, as text (file:line:col: code: message) or JSON."""
    if getattr(args, "format", None) == "json":
        err.write(json.dumps({"diagnostics": [d.to_json() for d in diags]}, ensure_ascii=False, indent=2) + "\n")
    else:
        err.write(render_all(diags, lang=getattr(args, "lang", None) or default_lang()) + "\n")


def _resource_diag(e: BaseException):
    from engine.base.diagnostics import diag
    if isinstance(e, MemoryError):
        return diag("out_of_memory")
    if isinstance(e, RecursionError):
        return diag("too_deeply_nested")
    return diag("bad_text", detail=type(e).__name__)


def _escaping(stream):
    """A standard stream that writes what its encoding cannot hold as escapes (\\udfff), not an error.
    (Under the C locale without UTF-8 mode Python makes stdout ASCII with surrogateescape, which
    fails on any Japanese word just as strict does.)"""
    try:
        if getattr(stream, "errors", None) in ("strict", "surrogateescape"):
            stream.reconfigure(errors="backslashreplace")
    except (AttributeError, ValueError, OSError):
        pass
    return stream


class Signalled(BaseException):
    """SIGTERM or SIGHUP arrived: unwinds like KeyboardInterrupt, so that writers discard their temp files."""

    def __init__(self, signum: int):
        import signal
        super().__init__(signum)
        self.signum = signum
        self.name = signal.Signals(signum).name


def _on_signals():
    """Turn SIGTERM/SIGHUP into Signalled for this run (main thread only); gives back a restorer."""
    import signal
    import threading
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    saved = {}

    def raise_it(signum, frame):
        e = KeyboardInterrupt() if signum == signal.SIGINT else Signalled(signum)
        note_signal(e)  # raised again by the writers if some code swallows it
        raise e
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            saved[sig] = signal.signal(sig, raise_it)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # (not where Ctrl-C is ignored)
        saved[signal.SIGINT] = signal.signal(signal.SIGINT, raise_it)
    clear_signals()

    def restore():
        for sig, handler in saved.items():
            signal.signal(sig, handler)
        clear_signals()
    return restore


def _exit_now(code: int, out, err, real: bool) -> int:
    """The exit status; as the real command, leave at once so no library prints at shutdown."""
    if real:
        import os
        for s in (out, err):
            try:
                s.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)
    return code
