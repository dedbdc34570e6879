# SPDX-License-Identifier: MIT
"""`yoko serve [--host 127.0.0.1] [--port 8000] [--policies DIR]`: the workbench and the JSON API."""
from __future__ import annotations

import ipaddress
import os

LOOPBACK = ("localhost",)


def add_parser(sub):  # help texts: cli.help.<command>.* in the catalogue
    p = sub.add_parser("serve")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--policies", metavar="DIR")
    p.add_argument("--max-upload-mb", type=float, default=20, metavar="MB")
    p.add_argument("--max-rows", type=int, default=100_000, metavar="N")
    p.add_argument("--lang", choices=["ja", "en"], default=None)
    return p


def exposed(host: str) -> bool:
    """Whether other machines can reach this address (anything but loopback)."""
    if host in LOOPBACK:
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def limits_of(args):
    """The workbench's own bounds on a request (not the CLI's file limits), or a usage error."""
    from engine.base.diagnostics import YokoError, diag
    from engine.web.service import Limits
    if args.max_rows < 1 or not 0 < args.max_upload_mb < float("inf") or not 0 < args.port < 65536:
        raise YokoError([diag("usage", key="diag.usage.serve_limits")])
    return Limits(upload_bytes=int(args.max_upload_mb * 1024 * 1024), rows=args.max_rows)


def run(args, out, err) -> int:
    from pathlib import Path

    import uvicorn

    from engine.base.diagnostics import YokoError, diag
    from engine.base.words import default_lang, say
    from engine.web.app import create_app, default_folder
    lang = args.lang or default_lang()
    folder = Path(args.policies) if args.policies else default_folder()
    if not folder.is_dir():
        raise YokoError([diag("usage", key="diag.usage.serve_folder", folder=folder)])
    limits = limits_of(args)
    if args.policies:  # bases named by extends: are looked for in the served folder first
        os.environ["YOKO_POLICY_PATH"] = os.pathsep.join(filter(None, [str(folder.resolve()),
                                                                      os.environ.get("YOKO_POLICY_PATH")]))
    app = create_app(folder, limits)
    if exposed(args.host):
        err.write(say("web.serve.exposed", lang, host=args.host) + "\n")
    err.write(say("web.serve.listening", lang, host=args.host, port=args.port, folder=folder) + "\n")
    err.flush()
    # one process: batch jobs live in it (a second worker would not know the first one's jobs); the
    # event loop answers small evaluations itself and hands reading, batches and reviews to threads
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False, server_header=False,
                backlog=1024, timeout_keep_alive=15)
    return 0
