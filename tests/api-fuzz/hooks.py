"""Schemathesis hooks for the customer-area API: one extra check.

The OpenAPI document states every rule a schema can express; the rules it
cannot (a check digit, the tax code agreeing with the data, a municipality that
existed...) are named in each property's `x-server-checks`. So a schema-valid
request refused with 422 must name only fields that carry `x-server-checks`:
any other refused field is a rule the document should state and does not.
"""

import json
import os
import urllib.request

import schemathesis

_DOC = None


def _document():
    global _DOC
    if _DOC is None:
        with urllib.request.urlopen(os.environ["API_FUZZ_OPENAPI_URL"]) as answer:
            _DOC = json.load(answer)
    return _DOC


def _schema_with_server_checks(case):
    """The request body's schema (components resolved) of this operation."""
    doc = _document()
    operation = doc["paths"][case.operation.path][case.method.lower()]
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        schema = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return schema


@schemathesis.check
def refusals_are_beyond_the_schema(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    if response.status_code != 422:
        return None
    properties = _schema_with_server_checks(case).get("properties", {})
    try:
        fields = [f["field"] for f in response.json()["error"].get("fields", [])]
    except (ValueError, KeyError, TypeError):
        raise AssertionError(f"a 422 without the error document: {response.text[:300]}")
    unstated = [f for f in fields if "x-server-checks" not in properties.get(f, {})]
    if unstated or not fields:
        raise AssertionError(
            "a schema-valid request was refused for a rule the OpenAPI document does not state: "
            f"fields {unstated or '(none named)'}; answer: {response.text[:500]}"
        )
    return None
