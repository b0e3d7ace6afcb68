"""The OpenAPI 3 document, generated from the endpoints declared with ``core.api.endpoint``."""
from __future__ import annotations

import re
from typing import Any

from flask import Flask, current_app
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from app.core.api import API_PREFIX, MAX_ID, MAX_PAGE, MAX_PER_PAGE, EndpointMeta, api_blueprint

bp = api_blueprint("openapi", __name__)

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        }
    },
}
_CONVERTER = re.compile(r"<(?:(?P<conv>[a-z]+):)?(?P<name>\w+)>")


def _path_and_params(rule: str) -> tuple[str, list[dict[str, Any]]]:
    params = []
    for match in _CONVERTER.finditer(rule):
        schema = ({"type": "integer", "minimum": 0, "maximum": MAX_ID} if match["conv"] == "int"
                  else {"type": "string"})
        params.append({"name": match["name"], "in": "path", "required": True, "schema": schema})
    return _CONVERTER.sub(lambda m: "{" + m["name"] + "}", rule), params


def build_document(app: Flask) -> dict[str, Any]:
    operations: list[tuple[str, str, EndpointMeta]] = []
    models: set[type[BaseModel]] = set()
    for rule in app.url_map.iter_rules():
        meta = getattr(app.view_functions.get(rule.endpoint), "api_meta", None)
        if meta is None:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operations.append((rule.rule, method.lower(), meta))
        if meta.body:
            models.add(meta.body)
        models.update(m for m in meta.responses.values() if isinstance(m, type))

    ordered = sorted(models, key=lambda m: m.__name__)
    refs, definitions = models_json_schema([(m, "validation") for m in ordered],
                                           ref_template="#/components/schemas/{model}")
    schemas: dict[str, Any] = dict(definitions.get("$defs", {}))
    schemas["Error"] = ERROR_SCHEMA

    def ref(model: type[BaseModel]) -> dict[str, Any]:
        return refs[(model, "validation")]

    paths: dict[str, dict[str, Any]] = {}
    for rule, method, meta in sorted(operations, key=lambda o: (o[0], o[1])):
        path, params = _path_and_params(rule)
        params += [{"name": n, "in": "query", "required": False, "schema": {"type": "string"},
                    "description": d} for n, d in meta.query.items()]
        if meta.paginated:
            params += [
                {"name": "page", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}},
                {"name": "per_page", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}},
            ]
        operation: dict[str, Any] = {"summary": meta.summary, "operationId": f"{method}_{path}",
                                     "parameters": params, "responses": {}}
        if meta.auth == "required":
            operation["security"] = [{"bearer": []}]
        elif meta.auth == "optional":
            operation["security"] = [{}, {"bearer": []}]
        if meta.body is not None:
            operation["requestBody"] = {"required": False,
                                        "content": {"application/json": {"schema": ref(meta.body)}}}
        elif meta.raw_body:
            operation["requestBody"] = {"required": True, "content": {meta.raw_body: {"schema": {
                "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}}}}
        for status, model in meta.responses.items():
            answer: dict[str, Any] = {"description": str(status)}
            if isinstance(model, type):
                answer["content"] = {"application/json": {"schema": ref(model)}}
            elif isinstance(model, str):
                answer["content"] = {model: {"schema": {"type": "string"}}}
            operation["responses"][str(status)] = answer
        # 401 everywhere: even a public read refuses a token that is sent but not valid.
        error_codes = set(meta.errors) | {400, 401}
        if meta.body is not None or meta.raw_body:
            error_codes.add(413)
        if meta.body is not None or meta.paginated or meta.query:
            error_codes.add(422)  # a page number or a filter can be refused as much as a body
        for status in sorted(error_codes):
            operation["responses"][str(status)] = {
                "description": str(status),
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        paths.setdefault(API_PREFIX + path[len(API_PREFIX):], {})[method] = operation

    return {
        "openapi": "3.1.0",
        "info": {"title": "Salus API", "version": "1.0.0",
                 "description": "Health-innovation challenges and the public health project portfolio."},
        "servers": [{"url": current_app.config["BASE_URL"].rstrip("/")}],
        "paths": paths,
        "components": {"schemas": schemas,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }


@bp.get("/openapi.json")
def openapi_document():
    return build_document(current_app)
