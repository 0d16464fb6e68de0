"""OWASP API Security (2019) checks, with the ids of Spectral's owasp ruleset.

The resource limits (API4) apply to what callers send — parameters and request bodies, followed
through ``$ref`` into components — since that is where unbounded input costs the server.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from registry.lint_rules.index import DocumentIndex
from registry.lint_rules.oas import server_urls
from registry.lint_rules.rule import Hit, Rule
from registry.lint_rules.sites import Obj, SchemaSite, child, schema_types
from registry.model import Level

_ID_NAME = re.compile(r"^(id|.*(_id|Id|-id))$")
_CREDENTIAL_NAME = re.compile(
    r"client_?secret|token|access_?token|refresh_?token|id_?token|password|secret|api-?key",
    re.IGNORECASE,
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# Formats whose values have a bounded length.
_BOUNDED_FORMATS = frozenset({"date", "date-time", "time", "uuid", "ipv4", "ipv6"})
_CHAR_CLASS = re.compile(r"\[(?:\\.|[^\]\\])*\]")
_ESCAPE = re.compile(r"\\.")
_UNBOUNDED = re.compile(r"[*+]|\{\d*,\}")


def _security_schemes(index: DocumentIndex) -> Iterator[tuple[str, Obj]]:
    components = index.doc.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    if isinstance(schemes, dict):
        for name, scheme in schemes.items():
            pointer = child("/components/securitySchemes", name)
            resolved = index.resolve(pointer, scheme)
            if resolved is not None:
                yield pointer, resolved[1]


def _http_scheme(scheme: Obj) -> str:
    value = scheme.get("scheme")
    return value.lower() if scheme.get("type") == "http" and isinstance(value, str) else ""


def _no_http_basic(index: DocumentIndex) -> Iterator[Hit]:
    for pointer, scheme in _security_schemes(index):
        if _http_scheme(scheme) == "basic":
            yield Hit(pointer, None, "security scheme uses HTTP Basic; use OAuth2")


def _insecure_schemes(index: DocumentIndex) -> Iterator[Hit]:
    for pointer, scheme in _security_schemes(index):
        if _http_scheme(scheme) in ("negotiate", "oauth"):
            yield Hit(pointer, None, f"HTTP scheme '{scheme['scheme']}' is outdated or insecure")


def _no_api_keys_in_url(index: DocumentIndex) -> Iterator[Hit]:
    for pointer, scheme in _security_schemes(index):
        if scheme.get("type") == "apiKey" and scheme.get("in") in ("query", "path"):
            yield Hit(pointer, None, f"API key is passed in the URL ({scheme['in']})")


def _all_parameters(index: DocumentIndex) -> Iterator[tuple[str, Obj, str | None]]:
    """Each parameter object once, where it is defined, with the first operation using it."""
    seen: set[str] = set()
    for op in index.operations:
        for param in op.parameters:
            if param.target not in seen:
                seen.add(param.target)
                yield param.target, param.node, op.label
    components = index.doc.get("components")
    params = components.get("parameters") if isinstance(components, dict) else None
    if isinstance(params, dict):
        for name, defined in params.items():
            pointer = child("/components/parameters", name)
            if pointer not in seen and isinstance(defined, dict):
                yield pointer, defined, None


def _no_credentials_in_url(index: DocumentIndex) -> Iterator[Hit]:
    for pointer, param, label in _all_parameters(index):
        name = param.get("name")
        in_url = param.get("in") in ("query", "path")
        if in_url and isinstance(name, str) and _CREDENTIAL_NAME.search(name):
            yield Hit(pointer, label, f"parameter '{name}' carries a credential in the URL")


def _no_numeric_ids(index: DocumentIndex) -> Iterator[Hit]:
    for pointer, param, label in _all_parameters(index):
        name = param.get("name")
        if param.get("in") != "path" or not isinstance(name, str) or not _ID_NAME.match(name):
            continue
        schema = index.resolve(child(pointer, "schema"), param.get("schema"))
        if schema is not None and "integer" in schema_types(schema[1]):
            yield Hit(pointer, label, f"path parameter '{name}' is a guessable integer id")


def _retry_after(index: DocumentIndex) -> Iterator[Hit]:
    for op in index.operations:
        response = op.responses.get("429")
        if response is None:
            continue
        headers = response.node.get("headers")
        names = {str(n).lower() for n in headers} if isinstance(headers, dict) else set()
        if "retry-after" not in names:
            yield Hit(response.pointer, op.label, "response 429 has no Retry-After header")


def _https_servers(index: DocumentIndex) -> Iterator[Hit]:
    for pointer, url in server_urls(index):
        # A relative URL is served from wherever the document is, which the gateway serves on TLS.
        if _SCHEME.match(url) and not url.lower().startswith("https:"):
            yield Hit(pointer, None, f"server URL {url} does not use https")


def _request_sites(index: DocumentIndex, kind: str) -> Iterator[tuple[SchemaSite, str]]:
    reached = index.request_schemas
    for site in index.schemas:
        label = reached.get(site.pointer)
        if label is not None and kind in schema_types(site.node):
            yield site, label


def _sender(site: SchemaSite, label: str) -> str | None:
    """Findings on inline request schemas name their operation; shared ones, the first user."""
    return site.operation or label


def bounded_pattern(pattern: str) -> bool:
    """Whether a regex only matches strings of bounded length: anchored, no * + or {n,}."""
    if not (pattern.startswith("^") and pattern.endswith("$") and not pattern.endswith("\\$")):
        return False
    bare = _CHAR_CLASS.sub("x", _ESCAPE.sub("x", pattern))
    return not _UNBOUNDED.search(bare)


def _string_bounded(schema: Obj) -> bool:
    if "maxLength" in schema or "enum" in schema or "const" in schema:
        return True
    if schema.get("format") in _BOUNDED_FORMATS:
        return True
    pattern = schema.get("pattern")
    return isinstance(pattern, str) and bounded_pattern(pattern)


def _string_limit(index: DocumentIndex) -> Iterator[Hit]:
    for site, label in _request_sites(index, "string"):
        if not _string_bounded(site.node):
            yield Hit(
                site.pointer,
                _sender(site, label),
                "string in requests has no maxLength, enum, const, or bounded format or pattern",
            )


def _array_limit(index: DocumentIndex) -> Iterator[Hit]:
    for site, label in _request_sites(index, "array"):
        if "maxItems" not in site.node:
            yield Hit(site.pointer, _sender(site, label), "array in requests has no maxItems")


def _integer_limit(index: DocumentIndex) -> Iterator[Hit]:
    for site, label in _request_sites(index, "integer"):
        node = site.node
        if "enum" in node or "const" in node:
            continue
        missing = [
            bound
            for bound, exclusive in (
                ("minimum", "exclusiveMinimum"),
                ("maximum", "exclusiveMaximum"),
            )
            if bound not in node and not _numeric(node.get(exclusive))
        ]
        if missing:
            yield Hit(
                site.pointer,
                _sender(site, label),
                f"integer in requests has no {' and no '.join(missing)}",
            )


def _numeric(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


ERROR = Level.ERROR

RULES: tuple[Rule, ...] = (
    Rule("owasp:api1:2019-no-numeric-ids", ERROR,
         "Path ids are not guessable integers.", _no_numeric_ids),
    Rule("owasp:api2:2019-no-http-basic", ERROR, "No HTTP Basic security scheme.", _no_http_basic),
    Rule("owasp:api2:2019-auth-insecure-schemes", ERROR,
         "No outdated HTTP auth schemes (negotiate, oauth 1).", _insecure_schemes),
    Rule("owasp:api2:2019-no-api-keys-in-url", ERROR,
         "API keys are not passed in the query or path.", _no_api_keys_in_url),
    Rule("owasp:api2:2019-no-credentials-in-url", ERROR,
         "Query and path parameters carry no secrets, tokens or passwords.",
         _no_credentials_in_url),
    Rule("owasp:api4:2019-rate-limit-retry-after", ERROR,
         "429 responses define a Retry-After header.", _retry_after),
    Rule("owasp:api4:2019-string-limit", ERROR,
         "Request strings are bounded: maxLength, enum, const, or a bounded format or pattern.",
         _string_limit),
    Rule("owasp:api4:2019-array-limit", ERROR, "Request arrays define maxItems.", _array_limit),
    Rule("owasp:api4:2019-integer-limit", ERROR,
         "Request integers define a minimum and a maximum.", _integer_limit),
    Rule("owasp:api7:2019-security-hosts-https-oas3", ERROR,
         "Absolute server URLs use https.", _https_servers),
)  # fmt: skip
