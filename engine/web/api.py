# SPDX-License-Identifier: MIT
"""The JSON API: policies, one facility, a batch (JSONL streamed), a diff and a draft check.

Errors are the CLI's diagnostics as JSON (`{"diagnostics": [{code, message, message_ja, file, line,
column}]}`) with status 422; a request body is read as the CLI reads a file, so a facts body that
is not valid gets the same code and a line and column in the body. The OpenAPI document is
engine.web.openapi.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from engine.base.diagnostics import Location, YokoError, diag
from engine.evaluation.facts import load_facts_file
from engine.web import service
from engine.base.dates import era_year as era
from engine.present.resolved import policy_json
from engine.evaluation.batch import RowEvaluator, identity_mapping
from engine.evaluation.tables import read_rows
from engine.web.openapi import document


class JSON(JSONResponse):
    """JSON with Japanese kept as it is and dates as ISO text."""

    def render(self, content) -> bytes:
        return json.dumps(content, ensure_ascii=False, default=str, separators=(",", ":")).encode("utf-8")


def routes() -> list[Route]:
    return [
        Route("/api/policies", list_policies, methods=["GET"]),
        Route("/api/policies/{policy}/{year}", get_policy, methods=["GET"]),
        Route("/api/policies/{policy}/{year}/evaluate", evaluate, methods=["POST"]),
        Route("/api/policies/{policy}/{year}/batch", batch, methods=["POST"]),
        Route("/api/diff", diff, methods=["POST"]),
        Route("/api/check", check, methods=["POST"]),
        Route("/openapi.json", openapi, methods=["GET"]),
        Route("/api/docs", docs, methods=["GET"]),
    ]


def _ws(request: Request):
    return request.app.state.workspace


def body_text(raw: bytes, name: str) -> str:
    """A request body as UTF-8 text (a BOM allowed), or not_utf8 located in the body."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise YokoError([diag("not_utf8", Location(name, 1, 1), byte=f"0x{raw[e.start]:02x}")]) from None


def _flag(request: Request, name: str) -> bool:
    v = request.query_params.get(name, "false").strip().lower()
    if v in ("1", "true", "yes"):
        return True
    if v in ("", "0", "false", "no"):
        return False
    raise YokoError([diag("usage", key="diag.usage.web_bool", name=name, got=repr(v[:40]))])


async def _policy(request: Request, rev: str | None = None):
    """The policy the path names: at once when it is loaded and unchanged, else loaded in a worker thread."""
    p = request.path_params
    if rev is None:
        policy = _ws(request).loaded(p["policy"], p["year"])
        if policy is not None:
            return policy
    return await run_in_threadpool(_ws(request).load, p["policy"], p["year"], rev)


# --------------------------------------------------------------------------- endpoints

async def list_policies(request: Request):
    """Every policy version in the folder, with its title and fiscal year in both calendars."""
    out = []
    for v in _ws(request).versions():
        item = {"id": v.id, "fiscal_year": v.fiscal_year, "era": era(v.fiscal_year),
                "file": service.path_label(v.path, _ws(request).folder)}
        try:
            policy = await run_in_threadpool(_ws(request).load, v.id, v.fiscal_year)
            item["title"] = policy.title
            item["jurisdiction"] = (policy.meta.get("jurisdiction") or {}).get("name")
            item["results"] = list(policy.results)
        except YokoError as e:
            item["diagnostics"] = [d.to_json() for d in e.diagnostics]
        out.append(item)
    return JSON({"policies": out})


async def get_policy(request: Request):
    """The resolved policy: facts, parameters, rules (with where each came from) and results."""
    policy = await _policy(request)
    out = policy_json(policy)
    out["facts"] = {n: {**item, "spec": _spec(policy.facts[n].spec)} for n, item in out["facts"].items()}
    return JSON(out)


def _spec(spec: dict) -> dict:
    return {k: spec[k] for k in ("type", "values", "value_labels", "items", "fields", "min", "max") if k in spec}


async def evaluate(request: Request):
    """One facility: the body is its facts as JSON (or YAML); `?trace=true` adds the trace."""
    trace = _flag(request, "trace")
    policy = await _policy(request)
    text = body_text(await request.body(), "body")

    def run():
        ev = service.evaluate(policy, load_facts_file("body", policy, text=text))
        out = ev.to_json(trace=trace)
        out["conclusion"] = service.conclusion(policy, ev)
        return out
    if len(text) <= INLINE_BYTES and not trace and text.lstrip().startswith("{"):
        return JSON(run())  # a small JSON facility takes about a millisecond: less than a thread hop
    return JSON(await run_in_threadpool(run))


INLINE_BYTES = 16 * 1024  # a JSON facility this small is evaluated on the event loop (YAML is read in a thread)


async def batch(request: Request):
    """Facilities as JSONL (one facts object a line) in; one result record a line out, streamed in order."""
    limits = request.app.state.limits
    policy = await _policy(request)
    raw = await request.body()
    lines = sum(1 for ln in raw.splitlines() if ln.strip())
    if lines > limits.rows:
        raise service.too_many_rows(limits.rows, "body")
    body_text(raw, "body")
    folder = tempfile.mkdtemp(prefix="yoko-api-")
    path = os.path.join(folder, "body.jsonl")
    with open(path, "wb") as f:
        f.write(raw)
    try:
        header, rows = read_rows(path)
        evaluator = RowEvaluator(policy, identity_mapping(policy, header, path))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise

    def stream():  # a plain generator: Starlette runs it in a worker thread, off the event loop
        try:
            for number, row in rows:
                rec = evaluator(number, row)
                if rec is not None:
                    yield json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n"
        except YokoError as e:
            yield json.dumps({"diagnostics": [d.to_json() for d in e.diagnostics]}, ensure_ascii=False) + "\n"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return StreamingResponse(stream(), media_type="application/x-ndjson")


async def _json_body(request: Request) -> dict:
    text = body_text(await request.body(), "body")
    try:
        data = json.loads(text)
    except ValueError as e:
        raise YokoError([diag("usage", Location("body", e.lineno, e.colno), key="diag.usage.web_body_json",
                              detail=e.msg)]) from None
    if not isinstance(data, dict):
        raise YokoError([diag("usage", Location("body", 1, 1), key="diag.usage.web_body")])
    return data


def _side(data: dict, key: str) -> tuple:
    side = data.get(key)
    if not isinstance(side, dict) or not isinstance(side.get("policy"), str) \
            or not isinstance(side.get("year"), (str, int)) or isinstance(side.get("year"), bool) \
            or not isinstance(side.get("rev"), (str, type(None))):
        raise YokoError([diag("usage", key="diag.usage.web_side", side=key)])
    return side["policy"], side["year"], side.get("rev") or None


async def diff(request: Request):
    """What changes between two versions (years, or git revisions), for which example facilities,
    and (prove) whether the solver proves them equal for every facility: `yoko diff --format json`."""
    data = await _json_body(request)
    old, new = _side(data, "old"), _side(data, "new")
    facilities = data.get("facilities", "none")
    prove = data.get("prove", False)
    table = None
    if isinstance(facilities, list):  # the caller's own facilities: read as a JSONL table, row by row
        table = ("facilities.jsonl", service.facilities_jsonl(body_text(await request.body(), "body")), None)
        facilities = "table"
    elif not isinstance(facilities, str) or facilities == "table":
        facilities = "?"  # refused by facility_set with the value shown
    if not isinstance(prove, bool):
        raise YokoError([diag("usage", key="diag.usage.web_bool", name="prove", got=repr(str(prove)[:40]))])
    report = await run_in_threadpool(service.review, _ws(request), old, new, facilities, prove, table,
                                     request.app.state.limits.rows)
    return JSON(report.to_json())


async def check(request: Request):
    """A draft policy checked in memory: {"ok", "diagnostics", "tests", "coverage"}; nothing is written."""
    data = await _json_body(request)
    text, name = data.get("text"), data.get("name", "draft.yaml")
    if not isinstance(text, str):
        raise YokoError([diag("usage", key="diag.usage.web_text")])
    name = draft_name(name)
    report = await run_in_threadpool(service.check_draft, text, name, _ws(request))
    return JSON(report.to_json())


def draft_name(name) -> str:
    """A file name for a draft's locations: a plain *.yaml name, never a path."""
    if not isinstance(name, str) or not name or len(name) > 80 or "/" in name or "\\" in name \
            or name.startswith(".") or not name.endswith((".yaml", ".yml")) or "@" in name:
        raise YokoError([diag("usage", key="diag.usage.web_name", got=repr(str(name)[:80]))])
    return name


async def openapi(request: Request):
    return JSON(document())


async def docs(request: Request):
    from engine.web.pages import api_docs
    return api_docs(request)

