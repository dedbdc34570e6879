# SPDX-License-Identifier: MIT
"""The workbench's pages: policies, evaluate one facility, batch, review, check a draft.

Every page works without JavaScript (forms submit, a running batch refreshes itself with a meta
refresh); static/workbench.js only adds conveniences such as adding a row without a round trip.
Words come from the catalogue (engine/base/catalogue/web.py); ?lang=en switches and a cookie keeps it.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from engine.base.diagnostics import Location, YokoError, diag
from engine.base.words import LANGS, default_lang, say
from engine.present.citations import cites_text
from engine.present.format import fmt
from engine.base.dates import era_year as era
from engine.evaluation.facts import load_facts_file
from engine.web import forms, service
from engine.review.diff_report import _CSS, render
from engine.present.render import document, to_html
from engine.web.openapi import document as openapi_document
from engine.evaluation.facts import check_facts, load_facts_file
from engine.present.memo import render_text
from engine.web.api import body_text, draft_name
from engine.lang.values import to_json

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.trim_blocks = templates.env.lstrip_blocks = True


def routes() -> list[Route]:
    return [
        Route("/", home, methods=["GET"]),
        Route("/policies/{policy}/{year}", policy_page, methods=["GET"]),
        Route("/evaluate/{policy}/{year}", evaluate_page, methods=["GET"]),
        Route("/evaluate/{policy}/{year}/upload", evaluate_upload, methods=["POST"]),
        Route("/evaluate/{policy}/{year}/facts.{kind:str}", facts_download, methods=["GET"]),
        Route("/batch", batch_page, methods=["GET", "POST"]),
        Route("/batch/{job}", batch_job, methods=["GET"]),
        Route("/batch/{job}/results.{kind:str}", batch_download, methods=["GET"]),
        Route("/review", review_page, methods=["GET", "POST"]),
        Route("/review.css", review_css, methods=["GET"]),
        Route("/check", check_page, methods=["GET", "POST"]),
        Route("/favicon.ico", no_icon, methods=["GET"]),
    ]


async def review_css(request: Request):
    """The review report's own style sheet (engine.review.diff_report), served so no style is inline."""
    # every rule scoped to the report, so the page around it keeps the workbench's own look
    body = re.sub(r"([^{}]+)\{", lambda m: ",".join(f".diff-report {sel.strip()}" for sel in m.group(1).split(","))
                  + "{", _CSS.strip())
    return Response(body, media_type="text/css", headers={"cache-control": "max-age=3600"})


async def no_icon(request: Request):
    return Response(status_code=204)


# --------------------------------------------------------------------------- rendering

def lang_of(request: Request) -> str:
    q = request.query_params.get("lang")
    if q in LANGS:
        return q
    c = request.cookies.get("yoko_lang")
    return c if c in LANGS else default_lang()


def page(request: Request, template: str, http_status: int = 200, **context) -> Response:
    lang = lang_of(request)
    other = "en" if lang == "ja" else "ja"
    context.update(request=request, lang=lang, other=other, t=lambda key, **kw: say(key, lang, **kw),
                   switch=str(request.url.include_query_params(lang=other)), fmt=fmt, era=era,
                   diag_text=lambda d: d.text(lang))
    resp = templates.TemplateResponse(request, template, context, status_code=http_status)
    if request.query_params.get("lang") in LANGS:
        resp.set_cookie("yoko_lang", lang, samesite="strict", httponly=True)
    return resp


def error_page(request: Request, diagnostics: list, status: int, detail: str | None = None) -> Response:
    return page(request, "error.html", status, diagnostics=diagnostics, code=status, detail=detail)


async def read_form(request: Request):
    """The posted form; a field larger than the upload limit is file_too_large (413), as a whole body is."""
    from starlette.exceptions import HTTPException

    from engine.web.app import BodyTooLarge
    limit = request.app.state.limits.upload_bytes
    try:
        return await request.form(max_part_size=limit)
    except HTTPException as e:
        if e.status_code == 400 and "maximum size" in str(e.detail):
            raise BodyTooLarge(limit) from None
        raise


def _ws(request: Request):
    return request.app.state.workspace


async def _load(request: Request, policy_id: str, year, rev: str | None = None):
    return await run_in_threadpool(_ws(request).load, policy_id, year, rev)


def _versions(request: Request) -> list[dict]:
    out = []
    for v in _ws(request).versions():
        item = {"id": v.id, "year": v.fiscal_year, "era": era(v.fiscal_year), "title": None, "jurisdiction": None}
        try:
            p = _ws(request).load(v.id, v.fiscal_year)
            item["title"] = p.title
            item["jurisdiction"] = (p.meta.get("jurisdiction") or {}).get("name")
        except YokoError as e:
            item["diagnostics"] = e.diagnostics
        out.append(item)
    return out


# --------------------------------------------------------------------------- policies

async def home(request: Request):
    versions = await run_in_threadpool(_versions, request)
    groups: dict[str, list] = {}
    for v in versions:
        groups.setdefault(v["id"], []).append(v)
    return page(request, "home.html", groups=groups)


def _rule_rows(policy, lang: str) -> list[dict]:
    rows = []
    for name, rule in policy.rules.items():
        spec = rule.spec
        cites = spec.get("cite")
        cites = cites if isinstance(cites, list) else [cites] if cites else []
        rows.append({"name": name, "label": (spec.get("label") or {}).get(lang) or name,
                     "public": name in policy.results, "cite": cites_text(cites, policy.meta, lang),
                     "articles": {c.get("article") for c in cites if isinstance(c, dict)},
                     "expr": rule.text.strip(), "notes": [((n.get("text") or {}).get(lang) or "", n.get("kind"))
                                                          for n in spec.get("notes") or []],
                     "clauses": [c for c in (service.source_clause(policy, x) for x in cites) if c],
                     "where": f"{Path(rule.location.file).name}:{rule.location.line}"})
    return rows


def _matches(row: dict, q: str, article: int | None) -> bool:
    if article is not None and article not in row["articles"]:
        return False
    if q:
        hay = " ".join([row["name"], row["label"], row["cite"], row["expr"], *[n for n, _ in row["notes"]],
                        *row["clauses"]]).lower()
        return all(w in hay for w in q.lower().split())
    return True


def _article(text: str) -> int | None:
    s = re.sub(r"[^\d]", "", text.translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    return int(s) if s and len(s) <= 4 else None


async def policy_page(request: Request):
    lang = lang_of(request)
    policy = await _load(request, request.path_params["policy"], request.path_params["year"])
    q = request.query_params.get("q", "").strip()[:200]
    article = _article(request.query_params.get("article", "")[:20])
    rows = [r for r in _rule_rows(policy, lang) if _matches(r, q, article)]
    doc = to_html(document(policy, lang))
    body = doc.split("<body>", 1)[1].rsplit("</body>", 1)[0] if "<body>" in doc else ""
    return page(request, "policy.html", policy=policy, rows=rows, q=q, article=article or "",
                document=body, searched=bool(q or article))


# --------------------------------------------------------------------------- evaluate

async def evaluate_page(request: Request):
    lang = lang_of(request)
    policy = await _load(request, request.path_params["policy"], request.path_params["year"])
    params = request.query_params
    action = params.get("action", "")
    add = action.removeprefix("add:") if action.startswith("add:") else None
    remove = None
    m = re.fullmatch(r"remove:([a-z_][a-z0-9_]*):(\d{1,3})", action)
    if m:
        remove = (m.group(1), int(m.group(2)))
    context = {"policy": policy, "fields": forms.widgets(policy, params, lang, add, remove),
               "permalink": str(request.url), "query": str(request.url.query), "result": None,
               "problems": [], "examples": [p.stem for p in _ws(request).examples(policy)]}
    example = params.get("example")
    if example:
        return await _example(request, policy, example)
    if params.get("run") and not action:
        try:
            facts = _checked(policy, params)
            ev = await run_in_threadpool(service.evaluate, policy, facts)
            context["result"] = _result(policy, ev, lang)
        except YokoError as e:
            context["problems"] = e.diagnostics
            return page(request, "evaluate.html", 422, **context)
    return page(request, "evaluate.html", **context)


def _checked(policy, params):
    return check_facts(forms.read(policy, params), policy, forms.locate)


async def _example(request: Request, policy, stem: str):
    files = {p.stem: p for p in _ws(request).examples(policy)}
    if stem not in files:
        raise YokoError([diag("file_unreadable", key="diag.file_unreadable.no_example", name=stem[:60])])
    facts = load_facts_file(str(files[stem]), policy)
    return _redirect_to_form(request, policy, facts)


def _redirect_to_form(request: Request, policy, facts) -> Response:
    from urllib.parse import urlencode
    params = forms.params_of(policy, facts) + [("run", "1")]
    url = request.url_for("evaluate_page", policy=policy.id, year=str(policy.fiscal_year)).path
    return RedirectResponse(f"{url}?{urlencode(params)}", status_code=303)


def _result(policy, ev, lang: str) -> dict:
    def label(name):
        for table in (policy.rules, policy.facts):
            if name in table:
                return (table[name].spec.get("label") or {}).get(lang) or name
        return name

    def shown(name):
        spec = policy.rules[name].spec if name in policy.rules else policy.facts[name].spec
        return fmt(ev.env.get(name), lang, spec.get("unit"), spec.get("value_labels"))

    def cite(name):
        return cites_text(policy.rules[name].spec.get("cite"), policy.meta, lang)

    key = service.conclusion(policy, ev)
    head = service.eligibility_rule(policy)
    reasons = []
    for part in (ev.trace_entry(head)["because"] if head else []):
        ref = part.get("rule")
        reasons.append({"text": label(ref) if ref else " ".join(part["expr"].split()),
                        "value": fmt(part["value"], lang), "mark": _mark(part["value"]),
                        "cite": cite(ref) if ref else ""})
    amounts = []
    for name in service.amounts(policy):
        entry = ev.trace_entry(name)
        amounts.append({"name": name, "label": label(name), "value": shown(name), "cite": cite(name),
                        "expr": " ".join(re.sub(r"#[^\n]*", "", entry["expr"]).split()),
                        "reads": [(label(n), shown(n) if (n in policy.rules or n in policy.facts)
                                   else fmt(v, lang)) for n, v in entry["reads"].items()]})
    return {
        "conclusion": key, "reasons": reasons, "amounts": amounts,
        "deadlines": [{"label": label(n), "value": shown(n), "cite": cite(n)} for n in service.deadlines(policy, ev)],
        "results": [{"name": n, "label": label(n), "value": shown(n), "cite": cite(n)} for n in policy.results],
        "needed": [{"name": f, "label": label(f), "id": forms.field_id([f]),
                    "for": [label(r) for r in policy.results if f in ev.needed_for(r)]} for f in ev.needed_facts],
        "memo": render_text(ev, lang),
        "notes": [d.text(lang) for d in getattr(ev.facts, "notes", None) or ()],
    }


def _mark(v) -> str:
    return {True: "✓", False: "✗", None: "?"}.get(v, "•") if isinstance(v, bool) or v is None else "•"


async def evaluate_upload(request: Request):
    policy = await _load(request, request.path_params["policy"], request.path_params["year"])
    form = await read_form(request)
    upload = form.get("facts")
    if upload is None or isinstance(upload, str):
        raise YokoError([diag("facts_syntax", Location("upload", 1, 1), key="diag.facts_syntax.empty")])
    name = Path(upload.filename or "facts.yaml").name[:80] or "facts.yaml"
    text = body_text(await upload.read(), name)
    facts = load_facts_file(name, policy, text=text)
    return _redirect_to_form(request, policy, facts)


async def facts_download(request: Request):
    kind = request.path_params["kind"]
    if kind not in ("yaml", "json"):
        raise YokoError([diag("usage", key="diag.usage.web_download", got=f"facts.{kind[:20]}")])
    policy = await _load(request, request.path_params["policy"], request.path_params["year"])
    data = {k: to_json(v) for k, v in _checked(policy, request.query_params).items()}
    if kind == "json":
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        import io

        from ruamel.yaml import YAML
        y = YAML(typ="safe", pure=True)
        y.allow_unicode, y.default_flow_style = True, False
        buf = io.StringIO()
        y.dump(data, buf)
        text = buf.getvalue()
    filename = f"{policy.id}-{policy.fiscal_year}-facts.{kind}"
    return Response(text, media_type="application/json" if kind == "json" else "application/yaml",
                    headers={"content-disposition": f'attachment; filename="{filename}"'})


# --------------------------------------------------------------------------- batch

async def batch_page(request: Request):
    ws = _ws(request)
    params = request.query_params
    context = {"versions": await run_in_threadpool(_versions, request), "mappings": [], "problems": []}
    choice = params.get("policy", "")
    if request.method == "POST":
        form = await read_form(request)
        choice = str(form.get("policy") or "")
        pid, _, year = choice.partition("/")
        policy = await _load(request, pid, year or "0")
        table = form.get("table")
        if table is None or isinstance(table, str) or not table.filename:
            raise YokoError([diag("batch_read", Location("upload", 1, 1), key="diag.batch_read.no_upload")])
        mapping = await _mapping(form, ws, policy)
        job = request.app.state.jobs.start(policy, Path(table.filename).name, await table.read(), mapping)
        return RedirectResponse(request.url_for("batch_job", job=job.id).path, status_code=303)
    if choice:
        pid, _, year = choice.partition("/")
        policy = await _load(request, pid, year or "0")
        context["mappings"] = [p.name for p in ws.mappings(policy)]
    context["choice"] = choice
    return page(request, "batch.html", **context)


async def _mapping(form, ws, policy):
    upload = form.get("mapping_file")
    if upload is not None and not isinstance(upload, str) and upload.filename:
        return (upload.filename, await upload.read())
    return service.mapping_named(ws, policy, str(form.get("mapping") or ""))


def _job(request: Request):
    job = request.app.state.jobs.get(request.path_params["job"])
    if job is None:
        from starlette.exceptions import HTTPException
        raise HTTPException(404, say("web.batch.no_such_job", lang_of(request)))
    return job


async def batch_job(request: Request):
    job = _job(request)
    status = job.status  # read once: the run's thread may finish while the page is drawn
    chart = _chart(job, lang_of(request)) if status == "done" else None
    return page(request, "batch_job.html", job=job, status=status, chart=chart)


async def batch_download(request: Request):
    from starlette.responses import FileResponse
    job = _job(request)
    kind = request.path_params["kind"]
    if kind not in ("xlsx", "csv") or job.status != "done":
        from starlette.exceptions import HTTPException
        raise HTTPException(404)
    path = await run_in_threadpool(job.output, kind, lang_of(request))
    media = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if kind == "xlsx"
             else "text/csv; charset=utf-8")
    return FileResponse(path, media_type=media,
                        filename=f"{job.policy.id}-{job.policy.fiscal_year}-results.{kind}")


def _chart(job, lang: str) -> dict:
    """Counts by outcome and by ground, and the distribution of the amount, as bars for an SVG."""
    policy = job.policy
    outcome: dict[str, int] = {}
    grounds: dict[str, int] = {}
    amounts = []
    word = {True: say("web.conclusion.eligible", lang), False: say("web.conclusion.excluded", lang),
            None: say("web.conclusion.undecided", lang)}
    for rec in job.records:
        if "error" in rec:
            k = say("web.batch.error_rows", lang)
        else:
            res = rec["results"]
            k = word[res.get("eligible")] if "eligible" in res else word[None]
            basis = res.get("basis")
            if basis is not None:
                for g in basis if isinstance(basis, list) else [basis]:
                    grounds[str(g)] = grounds.get(str(g), 0) + 1
            a = res.get("grant_amount")
            if isinstance(a, int):
                amounts.append(a)
        outcome[k] = outcome.get(k, 0) + 1
    return {"outcome": _bars(outcome), "grounds": _bars(grounds), "amounts": _bars(_histogram(amounts, lang)),
            "total": len(job.records), "policy": policy}


def _histogram(values: list[int], lang: str, bins: int = 6) -> dict[str, int]:
    if not values:
        return {}
    lo, hi = min(values), max(values)
    step = max(1, -(-(hi - lo + 1) // bins))
    out: dict[str, int] = {}
    for i in range(bins):
        a = lo + i * step
        if a > hi:
            break
        out[f"{fmt(a, lang, 'yen')} –"] = sum(1 for v in values if a <= v < a + step)
    return out


def _bars(counts: dict[str, int]) -> list[dict]:
    top = max(counts.values(), default=0) or 1
    return [{"label": k, "n": n, "width": round(300 * n / top), "y": 26 * i}
            for i, (k, n) in enumerate(counts.items())]


# --------------------------------------------------------------------------- review

async def review_page(request: Request):
    ws = _ws(request)
    limits = request.app.state.limits
    table = None
    if request.method == "POST":
        form = await read_form(request)
        p = {k: v for k, v in form.items() if isinstance(v, str)}
        upload = form.get("table")
        if upload is not None and not isinstance(upload, str) and upload.filename:
            table = (upload.filename, await upload.read(), p.get("mapping") or None)
    else:
        p = dict(request.query_params)
    solver = service.solver_available()
    context = {"versions": await run_in_threadpool(_versions, request), "git": ws.is_git(),
               "revisions": ws.revisions(), "report": None, "form": p, "solver": solver,
               "mappings": sorted({m.name for v in ws.versions() for m in ws.mappings(v)})}
    if p.get("old") and p.get("new"):
        prove = p.get("prove", "") in ("1", "on")
        report = await run_in_threadpool(service.review, ws, _side(p, "old"), _side(p, "new"),
                                         p.get("facilities", "none"), prove, table, limits.rows)
        context["report"] = _review(report, lang_of(request))
    return page(request, "review.html", **context)


def _side(p, key: str) -> tuple:
    pid, _, year = p.get(key, "").partition("/")
    return pid, year or "0", (p.get(f"{key}_rev") or "").strip() or None


def _review(report, lang: str) -> dict:
    """The report as `yoko diff --format html` draws it (verdict, groups by cause with their money,
    rules side by side, the proof), headings moved one level down to sit under the page's own."""
    doc = render(report, "html", lang)
    body = doc.split("<body>", 1)[1].rsplit("</body>", 1)[0]
    body = re.sub(r"<(/?)h([1-5])>", lambda m: f"<{m.group(1)}h{int(m.group(2)) + 1}>", body)
    return {"html": body, "kind": report.verdict["kind"], "proof": report.proof,
            "json": json.dumps(report.to_json(), ensure_ascii=False, indent=2, default=str)}


# --------------------------------------------------------------------------- check a draft

async def check_page(request: Request):
    context = {"text": "", "report": None, "name": "draft.yaml"}
    if request.method == "POST":
        form = await read_form(request)
        upload = form.get("file")
        if upload is not None and not isinstance(upload, str) and upload.filename:
            name = draft_name(Path(upload.filename).name)
            text = body_text(await upload.read(), name)
        else:
            name, text = "draft.yaml", str(form.get("text") or "")
        report = await run_in_threadpool(service.check_draft, text, name, _ws(request))
        context.update(text=text, name=name, report=report, lines=_numbered(text, report.diagnostics))
    return page(request, "check.html", **context)


def _numbered(text: str, diagnostics: list) -> list[dict]:
    marked: dict[int, list] = {}
    for d in diagnostics:
        if d.location is not None:
            marked.setdefault(d.location.line, []).append(d)
    return [{"n": i, "text": line, "diags": marked.get(i, [])} for i, line in enumerate(text.splitlines() or [""], 1)]


# --------------------------------------------------------------------------- API docs

def api_docs(request: Request) -> Response:
    doc = openapi_document()
    ops = [{"method": m.upper(), "path": path, **op} for path, item in doc["paths"].items() for m, op in item.items()]
    return page(request, "api_docs.html", ops=ops, info=doc["info"])

