"""The pinned OpenAPI description of MAX's Bot API, and validation against it.

``tests/data/max/openapi-0.0.32-2026-07-01.json`` (see the README there) is loaded once.
Requests and responses of the API's paths are checked with openapi-core; objects outside the
API's paths (a pushed update, the upload endpoint's answer) with openapi-schema-validator
against a component schema.

Where the library alone does not check what the document says, this module adds:

* Polymorphic bases (``AttachmentRequest``, ``Attachment``, ``Button``, ``Update``) name their
  subtypes with a ``discriminator``; the subtypes extend the base with ``allOf``.
  openapi-schema-validator does not follow such a discriminator (it validates the base only),
  so an attachment of an unknown type, or a callback button without ``payload``, would pass.
  ``_polymorphic_errors`` looks the subtype up in the mapping (an unknown value is an error)
  and validates the object against it.
* Undeclared error statuses: most operations declare only 200/401/500, yet MAX answers 400,
  403, 404, 429 ... too.  A response whose status the operation does not declare is checked
  against ``components/schemas/Error`` (the shape the document's introduction gives for every
  error).
* The security scheme says ``access_token`` in the query, the examples use the
  ``Authorization`` header; the fake checks the token itself and validates the request as if
  the token had come in the query.
* The document does not pass openapi-spec-validator (``GET /chats`` has no ``responses``;
  discriminator mappings in ``Update`` are objects, not strings), so it is loaded without
  spec validation.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

JSON = dict[str, Any]

SCHEMA_FILE = (
    Path(__file__).resolve().parents[1] / "data" / "max" / "openapi-0.0.32-2026-07-01.json"
)
# The document's server: requests are validated as if they had been made to it.
SERVER_URL = "https://platform-api2.max.ru"
_URI = "urn:max-bot-api"


class SchemaViolation(AssertionError):
    """A response (or an update) of the fake that the pinned document rejects: a bug in the
    fake, never the bot's fault."""


@cache
def document() -> JSON:
    data: JSON = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return data


@cache
def _api() -> OpenAPI:
    return OpenAPI.from_dict(document(), config=Config(spec_validator_cls=None))


@cache
def _registry() -> Registry[Any]:
    resource: Resource[Any] = Resource.from_contents(document(), default_specification=DRAFT4)
    registry: Registry[Any] = Registry().with_resource(_URI, resource)
    return registry


def _component_validator(name: str, *, write: bool) -> Any:
    cls = OAS30WriteValidator if write else OAS30ReadValidator
    return cls({"$ref": f"{_URI}#/components/schemas/{name}"}, registry=_registry())


def component_errors(instance: Any, name: str, *, write: bool = False) -> list[str]:
    """What is wrong with ``instance`` as ``components/schemas/{name}`` (empty: nothing)."""
    errors = [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in _component_validator(name, write=write).iter_errors(instance)
    ]
    return errors + _polymorphic_errors(instance, name, write=write)


# --------------------------------------------------------------------------- discriminators

_DISCRIMINATED = {
    "AttachmentRequest": "type",
    "Attachment": "type",
    "Button": "type",
    "Update": "update_type",
}


def _mapping(base: str) -> dict[str, str]:
    raw = document()["components"]["schemas"][base]["discriminator"]["mapping"]
    result: dict[str, str] = {}
    for key, target in raw.items():
        ref = target["$ref"] if isinstance(target, dict) else target  # Update's are objects
        result[key] = str(ref).rsplit("/", 1)[-1]
    return result


def _subtype_errors(instance: Any, base: str, where: str, *, write: bool) -> list[str]:
    if not isinstance(instance, dict):
        return []  # the base schema's own check reports it
    prop = _DISCRIMINATED[base]
    value = instance.get(prop)
    target = _mapping(base).get(str(value))
    if target is None:
        return [f"{where}: {prop} {value!r} is none of {base}'s {sorted(_mapping(base))}"]
    return [
        f"{where}/{'/'.join(map(str, e.absolute_path))}: {e.message} ({target})"
        for e in _component_validator(target, write=write).iter_errors(instance)
    ]


def _attachments_errors(attachments: Any, base: str, where: str, *, write: bool) -> list[str]:
    errors: list[str] = []
    if not isinstance(attachments, list):
        return errors
    for i, attachment in enumerate(attachments):
        here = f"{where}/attachments/{i}"
        errors += _subtype_errors(attachment, base, here, write=write)
        if isinstance(attachment, dict) and attachment.get("type") == "inline_keyboard":
            rows = (attachment.get("payload") or {}).get("buttons")
            for r, row in enumerate(rows if isinstance(rows, list) else []):
                for c, button in enumerate(row if isinstance(row, list) else []):
                    errors += _subtype_errors(
                        button, "Button", f"{here}/payload/buttons/{r}/{c}", write=write
                    )
    return errors


def _message_errors(message: Any, where: str) -> list[str]:
    if not isinstance(message, dict) or not isinstance(message.get("body"), dict):
        return []
    return _attachments_errors(
        message["body"].get("attachments"), "Attachment", f"{where}/body", write=False
    )


def _polymorphic_errors(instance: Any, name: str, *, write: bool) -> list[str]:
    """Subtype checks the validator leaves out, for the schemas the fake sends or receives."""
    if not isinstance(instance, dict):
        return []
    if name == "NewMessageBody":
        return _attachments_errors(
            instance.get("attachments"), "AttachmentRequest", "(root)", write=True
        )
    if name == "CallbackAnswer":
        return _polymorphic_errors(instance.get("message"), "NewMessageBody", write=True)
    if name == "SendMessageResult":
        return _message_errors(instance.get("message"), "message")
    if name == "Message":
        return _message_errors(instance, "(root)")
    if name == "Update":
        errors = _subtype_errors(instance, "Update", "(root)", write=write)
        return errors + _message_errors(instance.get("message"), "message")
    if name == "UpdateList":
        errors = []
        for i, update in enumerate(instance.get("updates") or []):
            errors += [
                f"updates/{i}/{e}" for e in _polymorphic_errors(update, "Update", write=False)
            ]
        return errors
    return []


# --------------------------------------------------------------------------- API calls


def _schema_name(ref_holder: Any) -> str | None:
    """The component schema name of a JSON response/body declaration, if it is a $ref."""
    doc = document()
    if isinstance(ref_holder, dict) and "$ref" in ref_holder:
        parts = str(ref_holder["$ref"]).lstrip("#/").split("/")
        target: Any = doc
        for part in parts:
            target = target[part]
        if parts[1] == "schemas":
            return parts[-1]
        ref_holder = target
    schema = ref_holder.get("content", {}).get("application/json", {}).get("schema", {})
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    return str(ref).rsplit("/", 1)[-1] if ref else None


def _mock_request(
    method: str,
    path_pattern: str,
    path: str,
    query: list[tuple[str, str]],
    path_args: dict[str, str],
    token: str,
    body: bytes | None,
) -> MockRequest:
    from werkzeug.datastructures import ImmutableMultiDict

    args = ImmutableMultiDict([*query, ("access_token", token)])
    return MockRequest(
        SERVER_URL,
        method.lower(),
        path,
        path_pattern=path_pattern,
        args=args,
        view_args=path_args,
        data=body,
        content_type="application/json",
    )


def request_errors(
    method: str,
    path_pattern: str,
    path: str,
    query: list[tuple[str, str]],
    path_args: dict[str, str],
    token: str,
    body: bytes | None,
    parsed_body: Any,
) -> list[str]:
    """What is wrong with a request to an API path (empty: it conforms)."""
    request = _mock_request(method, path_pattern, path, query, path_args, token, body)
    result = _api().unmarshal_request(request)
    errors = [_describe(error) for error in result.errors]
    operation = document()["paths"][path_pattern][method.lower()]
    body_schema = _schema_name(operation.get("requestBody", {}))
    if not errors and body_schema is not None:
        errors += _polymorphic_errors(parsed_body, body_schema, write=True)
    return errors


def _describe(error: BaseException) -> str:
    parts = [f"{type(error).__name__}: {error}"]
    cause: BaseException | None = error.__cause__
    while cause is not None:
        parts.append(str(cause))
        cause = cause.__cause__
    inner = getattr(error, "schema_errors", None) or getattr(
        error.__cause__, "schema_errors", None
    )
    for schema_error in inner or []:
        where = "/".join(map(str, getattr(schema_error, "absolute_path", [])))
        parts.append(f"{where or '(root)'}: {getattr(schema_error, 'message', schema_error)}")
    return "; ".join(parts)


def check_response(
    method: str,
    path_pattern: str,
    path: str,
    path_args: dict[str, str],
    status: int,
    body: JSON,
) -> None:
    """Raise SchemaViolation unless the response conforms to the document."""
    operation = document()["paths"][path_pattern][method.lower()]
    declared = operation.get("responses", {})
    if str(status) not in declared and "default" not in declared:
        errors = component_errors(body, "Error")
    else:
        request = _mock_request(method, path_pattern, path, [], path_args, "t", None)
        response = MockResponse(
            json.dumps(body).encode(), status_code=status, content_type="application/json"
        )
        result = _api().unmarshal_response(request, response)
        errors = [_describe(error) for error in result.errors]
        name = _schema_name(declared.get(str(status), {}))
        if not errors and name is not None:
            errors += _polymorphic_errors(body, name, write=False)
    if errors:
        raise SchemaViolation(
            f"fakemax answered {method} {path} {status} with a body the schema rejects: "
            f"{errors}\n{json.dumps(body, ensure_ascii=False)[:2000]}"
        )


def check_component(instance: Any, name: str) -> None:
    """Raise SchemaViolation unless ``instance`` is a valid ``components/schemas/{name}``."""
    errors = component_errors(instance, name)
    if errors:
        raise SchemaViolation(
            f"fakemax made a {name} the schema rejects: {errors}\n"
            f"{json.dumps(instance, ensure_ascii=False)[:2000]}"
        )
