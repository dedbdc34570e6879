# SPDX-License-Identifier: MIT
"""The OpenAPI 3.1 document of the JSON API (served at /openapi.json, shown at /api/docs)."""
from __future__ import annotations

_DIAGNOSTIC = {
    "type": "object",
    "required": ["code", "severity", "message"],
    "properties": {
        "code": {"type": "string", "description": "stable snake_case code (docs/errors.md)"},
        "severity": {"type": "string", "enum": ["error", "warning", "note"]},
        "message": {"type": "string"},
        "message_ja": {"type": "string"},
        "file": {"type": "string"}, "line": {"type": "integer"}, "column": {"type": "integer"},
        "suggestion": {"type": "string"},
    },
}
_ERRORS = {"type": "object", "required": ["diagnostics"],
           "properties": {"diagnostics": {"type": "array", "items": {"$ref": "#/components/schemas/Diagnostic"}}}}
_SIDE = {"type": "object", "required": ["policy", "year"],
         "properties": {"policy": {"type": "string", "example": "ibaraki"},
                        "year": {"oneOf": [{"type": "integer"}, {"type": "string"}], "example": 2022},
                        "rev": {"type": ["string", "null"], "description": "a git revision (HEAD~1, a tag)",
                                "example": "HEAD"}}}

_PATH_PARAMS = [
    {"name": "policy", "in": "path", "required": True, "schema": {"type": "string"}, "example": "ibaraki"},
    {"name": "year", "in": "path", "required": True, "schema": {"type": "string"},
     "description": "fiscal year: 2022, R4 or 令和4", "example": "2022"},
]


def _bad(description: str = "bad input: the CLI's diagnostics, located") -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}}}


def _ok(description: str, schema: dict | None = None, media: str = "application/json") -> dict:
    return {"description": description, "content": {media: {"schema": schema or {"type": "object"}}}}


_COMMON = {"413": _bad("the body is larger than the upload limit (file_too_large)"), "422": _bad()}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "yoko", "version": "1",
                 "description": "Subsidy guidelines (交付要項) as checked rules: policies, evaluation, batch, "
                                "review and draft checks. Errors carry the CLI's codes (docs/errors.md)."},
        "paths": {
            "/api/policies": {"get": {
                "summary": "List the policies of the folder", "operationId": "listPolicies",
                "responses": {"200": _ok("id, fiscal year (西暦 and 和暦), title of each version")}}},
            "/api/policies/{policy}/{year}": {"get": {
                "summary": "A resolved policy: facts, parameters, rules with their origins", "operationId": "getPolicy",
                "parameters": _PATH_PARAMS,
                "responses": {"200": _ok("the resolved policy"), "422": _bad()}}},
            "/api/policies/{policy}/{year}/evaluate": {"post": {
                "summary": "Evaluate one facility", "operationId": "evaluate",
                "parameters": _PATH_PARAMS + [{"name": "trace", "in": "query", "required": False,
                                               "schema": {"type": "boolean"}, "description": "add the trace"}],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"type": "object"},
                                         "example": {"emergency_tier": "secondary", "ambulance_transports": 1500}},
                    "application/yaml": {"schema": {"type": "string"}}}},
                "responses": {"200": _ok("results, unknown results, facts still needed, the 結論 and (with trace) "
                                         "the trace", {"type": "object",
                                                       "required": ["results", "unknown", "needed_facts", "conclusion"],
                                                       "properties": {"conclusion": {"type": "string",
                                                                      "enum": ["eligible", "excluded", "undecided"]}}}),
                              **_COMMON}}},
            "/api/policies/{policy}/{year}/batch": {"post": {
                "summary": "Evaluate many facilities: JSONL in, JSONL out (streamed, in input order)",
                "operationId": "batch", "parameters": _PATH_PARAMS,
                "requestBody": {"required": True, "content": {"application/x-ndjson": {"schema": {"type": "string"}}}},
                "responses": {"200": _ok("one record a line: row, id, results, unknown, needed_facts, not_applicable, or error",
                                         {"type": "string"}, "application/x-ndjson"), **_COMMON}}},
            "/api/diff": {"post": {
                "summary": "What changes between two versions (years or git revisions)", "operationId": "diff",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["old", "new"],
                    "properties": {"old": _SIDE, "new": _SIDE,
                                   "facilities": {"oneOf": [
                                       {"type": "string", "enum": ["none", "examples"],
                                        "description": "none, or the new version's example facilities"},
                                       {"type": "array", "items": {"type": "object"},
                                        "description": "your own facilities (facts objects), evaluated on both "
                                                       "sides; each is a row, as a line of a JSONL table: a bad "
                                                       "one is that row's error; at most the server's row limit"}]},
                                   "prove": {"type": "boolean", "default": False,
                                             "description": "prove with the solver (z3) that every facility gets "
                                                            "the same results, or give facilities that differ"}}}}}},
                "responses": {"200": _ok("the report of yoko diff --format json: verdict, both sides, structural "
                                         "changes, facilities grouped by cause with money deltas, proof",
                                         {"type": "object", "required": ["verdict", "old", "new", "structural"]}),
                              **_COMMON}}},
            "/api/check": {"post": {
                "summary": "Check a draft policy in memory: diagnostics, its version's tests, rule coverage",
                "operationId": "check",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["text"],
                    "properties": {"text": {"type": "string"}, "name": {"type": "string", "example": "draft.yaml"}}}}}},
                "responses": {"200": _ok("ok, diagnostics (located in the text), tests, coverage",
                                         {"type": "object", "required": ["ok", "diagnostics"]}), **_COMMON}}},
        },
        "components": {"schemas": {"Diagnostic": _DIAGNOSTIC, "Errors": _ERRORS}},
    }
