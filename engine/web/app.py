# SPDX-License-Identifier: MIT
"""The workbench as an ASGI application: `create_app(policies_folder)`, served by `yoko serve`.

Pages (engine.web.pages) and the JSON API (engine.web.api) share one set of guards: a body larger
than the upload limit is refused with 413 before it is read whole, every response carries security
headers (a CSP that allows no inline script, nosniff, no framing), and a YokoError from the engine is
the client's mistake — 422 with the CLI's codes and messages, located — never a 500.
"""
from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from engine.base.diagnostics import YokoError
from engine.web.jobs import Jobs
from engine.web.service import Limits, too_large
from engine.web.workspace import Workspace
from engine.policy.registry import REPO_POLICIES
from engine.web import api, pages

HERE = Path(__file__).resolve().parent

SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
     b"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]

MULTIPART_SLACK = 64 * 1024  # boundaries and other fields around an upload of the full size


class BodyTooLarge(Exception):
    def __init__(self, limit: int):
        self.limit = limit


class Guard:
    """ASGI middleware: security headers on every response; request bodies bounded while they arrive."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit + MULTIPART_SLACK

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        try:
            declared = int(headers.get(b"content-length", b"0") or 0)
        except ValueError:
            declared = 0
        limit, seen = self.limit, 0

        async def bounded():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit - MULTIPART_SLACK)
            return message

        async def with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in SECURITY_HEADERS
                                                                         if h[0] not in names]
            await send(message)

        if declared > limit:
            return await self.app(scope, _refuse(limit - MULTIPART_SLACK), with_headers)
        await self.app(scope, bounded, with_headers)


def _refuse(limit: int):
    async def receive():
        raise BodyTooLarge(limit)
    return receive


def default_folder() -> Path:
    """./policies when the working folder has one, else the policies shipped with yoko."""
    here = Path.cwd() / "policies"
    return here if here.is_dir() else REPO_POLICIES


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def create_app(policies: str | Path | None = None, limits: Limits | None = None) -> Starlette:
    """The workbench over one policies folder."""
    limits = limits or Limits()
    routes = api.routes() + pages.routes() + [Mount("/static", StaticFiles(directory=HERE / "static"), name="static")]

    async def yoko_error(request: Request, exc: YokoError):
        if wants_json(request):
            return JSONResponse({"diagnostics": [d.to_json() for d in exc.diagnostics]}, status_code=422)
        return pages.error_page(request, exc.diagnostics, 422)

    async def body_too_large(request: Request, exc: BodyTooLarge):
        err = too_large(exc.limit, "request")
        if wants_json(request):
            return JSONResponse({"diagnostics": [d.to_json() for d in err.diagnostics]}, status_code=413)
        return pages.error_page(request, err.diagnostics, 413)

    async def http_error(request: Request, exc: HTTPException):
        if wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return pages.error_page(request, [], exc.status_code, exc.detail)

    app = Starlette(routes=routes, exception_handlers={YokoError: yoko_error, BodyTooLarge: body_too_large,
                                                       HTTPException: http_error})
    app.state.workspace = Workspace(policies or default_folder())
    app.state.limits = limits
    app.state.jobs = Jobs(limits.rows)
    app.add_middleware(Guard, limit=limits.upload_bytes)
    return app
