"""Checks a request and its answer against a service's published API description.

The fakes of intervals.icu (OpenAPI 3) and Strava (Swagger 2) pass every request
they receive and every answer they give through `ApiSpec`, so a client that sends
a parameter the API does not have, a wrong type, a missing required field or a
body of the wrong shape fails its test, and so does a fake that answers outside
the description. The descriptions are the trimmed copies in tests/data/sync/.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

DATA = Path(__file__).parent / "data" / "sync"


@dataclass
class Call:
    method: str
    path: str
    query: list[tuple[str, str]]
    content_type: str
    json_body: Any = None
    form: dict[str, Any] = field(default_factory=dict)
    """Multipart or urlencoded fields: text values, or bytes for a file part."""


class ApiSpec:
    def __init__(self, name: str) -> None:
        self.doc: dict[str, Any] = json.loads((DATA / name).read_text())
        self.swagger = "swagger" in self.doc
        base = self.doc.get("basePath", "") if self.swagger else ""
        self._routes: list[tuple[re.Pattern[str], str, dict[str, Any]]] = []
        for template, item in self.doc["paths"].items():
            pattern = re.escape(base + template)
            pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]*)", pattern)
            self._routes.append((re.compile(f"^{pattern}$"), template, item))

    def _schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        extra = (
            {"definitions": self.doc.get("definitions", {})}
            if self.swagger
            else {"components": self.doc.get("components", {})}
        )
        return {**schema, **extra}

    def operation(self, method: str, path: str) -> tuple[dict[str, Any], dict[str, str]]:
        for pattern, _template, item in self._routes:
            m = pattern.match(path)
            if m and method.lower() in item:
                return item[method.lower()], m.groupdict()
        raise AssertionError(f"{method} {path}: no such operation in {self.doc['info']['title']}")

    def check_request(self, call: Call) -> dict[str, Any]:
        """The operation the call is; AssertionError naming every way it breaks the API."""
        op, path_params = self.operation(call.method, call.path)
        problems: list[str] = []
        params = op.get("parameters", [])
        given: dict[str, dict[str, Any]] = {
            "path": path_params,
            "query": dict(call.query),
            "formData": call.form,
        }
        names = {p["name"] for p in params}
        for name, _ in call.query:
            if name not in names:
                problems.append(f"query parameter {name!r} is not in the API")
        if self.swagger:
            problems += [f"form field {n!r} is not in the API" for n in call.form if n not in names]
        for p in params:
            where = p["in"]
            if where == "body":
                problems += self._validate(call.json_body, p["schema"], "body")
                continue
            value = given.get(where, {}).get(p["name"])
            if value is None:
                if p.get("required"):
                    problems.append(f"required {where} parameter {p['name']!r} missing")
                continue
            problems += _typed(p["name"], value, p.get("schema", p))
        problems += self._check_body(op, call)
        if problems:
            raise AssertionError(f"{call.method} {call.path}: " + "; ".join(problems))
        return op

    def _check_body(self, op: dict[str, Any], call: Call) -> list[str]:
        body = op.get("requestBody")
        if body is None:
            return []
        content = body.get("content", {})
        if call.content_type.startswith("multipart/form-data"):
            if "multipart/form-data" not in content:
                return ["multipart body where the API takes none"]
            # intervals.icu describes the form's fields under its JSON schema.
            schema = content.get("application/json", {}).get("schema", {})
            return [
                f"form field {f!r} missing"
                for f in schema.get("required", [])
                if f not in call.form
            ]
        if "application/json" in content:
            if call.json_body is None and body.get("required"):
                return ["required JSON body missing"]
            return self._validate(call.json_body, content["application/json"]["schema"], "body")
        return []

    def _validate(self, value: Any, schema: dict[str, Any], what: str) -> list[str]:
        try:
            jsonschema.validate(value, self._schema(schema))
        except jsonschema.ValidationError as exc:
            return [f"{what}: {exc.message} at {list(exc.absolute_path)}"]
        return []

    def check_response(self, op: dict[str, Any], status: int, body: Any) -> None:
        """An answer the API describes: its schema for the status (2xx, or `default`)."""
        responses = op["responses"]
        answer = responses.get(str(status))
        if answer is None and 200 <= status < 300:
            answer = next((r for code, r in responses.items() if code.startswith("2")), None)
        if answer is None:
            answer = responses.get("default")
        if answer is None:
            return  # the description says nothing of this status (an error page)
        if self.swagger:
            schema = answer.get("schema")
        else:
            media: list[dict[str, Any]] = list(answer.get("content", {}).values())
            schema = media[0].get("schema") if media else None
        if schema is not None:
            problems = self._validate(body, schema, f"answer {status}")
            assert not problems, f"{op['operationId']}: {problems}"


def _typed(name: str, value: Any, schema: dict[str, Any]) -> list[str]:
    kind = schema.get("type", "string")
    if kind == "file":
        return [] if isinstance(value, bytes) else [f"{name!r}: expected a file part"]
    text = value.decode() if isinstance(value, bytes) else str(value)
    items = text.split(",") if kind == "array" else [text]
    item_schema = schema.get("items", {}) if kind == "array" else schema
    item_kind = item_schema.get("type", "string")
    problems = []
    for item in items:
        if item_kind == "integer" and not re.fullmatch(r"-?\d+", item):
            problems.append(f"{name!r}: expected an integer, got {item!r}")
        if item_kind == "boolean" and item not in ("true", "false"):
            problems.append(f"{name!r}: expected true or false, got {item!r}")
        if "enum" in item_schema and item not in item_schema["enum"]:
            problems.append(f"{name!r}: {item!r} is not one of the API's values")
    return problems
