# SPDX-License-Identifier: MIT
"""`yoko lsp`: the language server for editors, over stdin/stdout (docs/editor.md)."""
from __future__ import annotations


def add_parser(sub):  # help texts: cli.help.<command>.* in the catalogue
    p = sub.add_parser("lsp")
    p.add_argument("--lang", choices=["ja", "en"], default=None)
    return p


def run(args, out, err) -> int:
    from engine.base.words import default_lang
    from engine.lsp.server import build
    build(args.lang or default_lang()).start_io()
    return 0
