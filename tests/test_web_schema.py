# SPDX-License-Identifier: MIT
"""Property-based API test: schemathesis generates requests from /openapi.json; no answer is a 5xx.

Bounded and derandomised so that CI is repeatable and fast; the policies folder is the repository's.
"""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from engine.web.app import create_app
from web_util import ROOT

schemathesis.serializer.alias("application/x-ndjson", "text/plain")  # a JSONL body is text
APP = create_app(ROOT / "policies")
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_no_generated_request_makes_the_api_fail_with_a_server_error(case):
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error])
