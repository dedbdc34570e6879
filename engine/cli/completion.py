# SPDX-License-Identifier: MIT
"""`yoko completion bash|zsh`: a shell completion script for every command and option (shtab)."""
from __future__ import annotations


def add_parser(sub, lang: str):
    p = sub.add_parser("completion")
    p.add_argument("shell", choices=["bash", "zsh"])
    return p


def run(args, out, err) -> int:
    import shtab

    from engine.cli.main import build_parser
    out.write(shtab.complete(build_parser(args.lang), shell=args.shell))
    return 0
