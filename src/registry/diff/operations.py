"""Comparing one operation present in both documents: lifecycle, parameters, bodies, responses."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from registry.diff.media import pair_media_types
from registry.diff.policy import DeprecationPolicy, sunset_of
from registry.diff.refs import Resolver
from registry.diff.rules import RULES, Direction
from registry.diff.schema import SchemaComparator, Scope, escape
from registry.loading import JSON
from registry.model import Change, Level

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
STABILITY = ("draft", "alpha", "beta", "stable")
# Operations at these levels may change or disappear without notice (oasdiff's convention).
UNSTABLE = ("draft", "alpha")
TEMPLATE = re.compile(r"\{[^}/]*\}")


def as_dict(node: JSON) -> dict[str, JSON]:
    """``node`` if it is a mapping, else an empty one."""
    return node if isinstance(node, dict) else {}


def as_list(node: JSON) -> list[JSON]:
    """``node`` if it is a list, else an empty one."""
    return node if isinstance(node, list) else []


@dataclass
class Context:
    """What every operation comparison shares: resolvers, the schema comparator, the verdicts."""

    base: Resolver
    revision: Resolver
    schemas: SchemaComparator
    policy: DeprecationPolicy
    base_security: JSON
    revision_security: JSON
    changes: list[Change] = field(default_factory=list)

    @property
    def today(self) -> date:
        """The date sunsets are judged against."""
        return self.policy.today


@dataclass(frozen=True)
class _Param:
    node: dict[str, JSON]
    raw: JSON
    file: Path | None
    at_path_level: bool


def security_changes(old: list[JSON], new: list[JSON]) -> Iterator[tuple[str, str]]:
    """(rule-id suffix, message) for two lists of security requirements."""

    def index(reqs: list[JSON]) -> dict[frozenset[str], dict[str, JSON]]:
        return {frozenset(as_dict(req)): as_dict(req) for req in reqs}

    before, after = index(old), index(new)
    for key in before.keys() - after.keys():
        yield "security-removed", f"security requirement {' + '.join(sorted(key)) or '{}'} removed"
    for key in after.keys() - before.keys():
        yield "security-added", f"security requirement {' + '.join(sorted(key)) or '{}'} added"
    for key in before.keys() & after.keys():
        for scheme in sorted(key):
            old_scopes = {s for s in as_list(before[key][scheme]) if isinstance(s, str)}
            new_scopes = {s for s in as_list(after[key][scheme]) if isinstance(s, str)}
            for scope in sorted(new_scopes - old_scopes):
                yield "security-scope-added", f"scope {scope} added to {scheme}"
            for scope in sorted(old_scopes - new_scopes):
                yield "security-scope-removed", f"scope {scope} removed from {scheme}"


_MEDIA_VERBS = {"renamed": "changed", "generalized": "generalized", "specialized": "specialized"}
# The deprecation policy's verdicts on a new deprecation, as rule ids.
_OPERATION_DEPRECATION = {
    "plain": "endpoint-deprecated",
    "with-sunset": "endpoint-deprecated-with-sunset",
    "sunset-missing": "api-deprecated-sunset-missing",
    "sunset-invalid": "api-deprecated-sunset-parse",
    "sunset-too-small": "api-sunset-date-too-small",
}
_PARAMETER_DEPRECATION = {
    "plain": "request-parameter-deprecated",
    "with-sunset": "request-parameter-deprecated",
    "sunset-missing": "request-parameter-deprecated-sunset-missing",
    "sunset-invalid": "request-parameter-sunset-parse",
    "sunset-too-small": "request-parameter-sunset-date-too-small",
}


class OperationDiff:
    """The comparison of one operation present in both documents."""

    def __init__(
        self,
        context: Context,
        method: str,
        *,
        path: str,
        item: dict[str, JSON],
        op: dict[str, JSON],
        file: Path | None,
        rev_path: str,
        rev_item: dict[str, JSON],
        rev_op: dict[str, JSON],
        rev_file: Path | None,
        webhook: str | None = None,
        place: tuple[str, str] | None = None,
    ) -> None:
        self.context = context
        # A webhook is a request the API sends: its request is judged like a response and the
        # receiver's answers like requests.
        self.webhook = webhook
        self.inbound = Direction.RESPONSE if webhook is not None else Direction.REQUEST
        self.outbound = Direction.REQUEST if webhook is not None else Direction.RESPONSE
        self.method = method
        self.path, self.item, self.op, self.file = path, item, op, file
        self.rev_path, self.rev_item, self.rev_op, self.rev_file = (
            rev_path,
            rev_item,
            rev_op,
            rev_file,
        )
        if place is not None:  # a callback: reported under its operation, located inside it
            self.name, self.location = place
        elif webhook is not None:
            self.name = f"{method.upper()} {webhook}"
            self.location = f"#/webhooks/{escape(webhook)}/{method}"
        else:
            self.name = f"{method.upper()} {rev_path}"
            self.location = f"#/paths/{escape(rev_path)}/{method}"
        self.changes: list[Change] = []

    def run(self) -> None:
        """Compare the two versions of the operation and record the changes in the context."""
        self.collect()
        self.context.changes.extend(self.changes)

    def collect(self) -> None:
        """Compare the two versions of the operation into ``self.changes``."""
        self._lifecycle()
        self._identity()
        self._parameters()
        self._request_body()
        self._responses()
        self._security()
        self._callbacks()
        if self.op.get("x-stability-level") in UNSTABLE:
            # Draft and alpha operations promise nothing: keep the record, drop the verdict.
            self.changes = [c for c in self.changes if c.level is Level.INFO or "stability" in c.id]

    def _callbacks(self) -> None:
        """Callbacks are requests the API sends, compared like webhooks, operation by operation."""
        old, new = as_dict(self.op.get("callbacks")), as_dict(self.rev_op.get("callbacks"))
        for name in sorted(old.keys() | new.keys()):
            where = f"{self.location}/callbacks/{escape(name)}"
            if name not in new or name not in old:
                verb = "removed" if name not in new else "added"
                self._add(f"callback-{verb}", where, f"callback {name} {verb}")
                continue
            b_cb, _ = self.context.base.deref(old[name], self.file)
            r_cb, _ = self.context.revision.deref(new[name], self.rev_file)
            before, after = as_dict(b_cb), as_dict(r_cb)
            for expression in sorted(before.keys() | after.keys()):
                self._callback_item(
                    name, expression, before, after, f"{where}/{escape(expression)}"
                )

    def _callback_item(
        self,
        name: str,
        expression: str,
        before: dict[str, JSON],
        after: dict[str, JSON],
        where: str,
    ) -> None:
        item, file = self.context.base.deref(before.get(expression), self.file)
        rev_item, rev_file = self.context.revision.deref(after.get(expression), self.rev_file)
        item, rev_item = as_dict(item), as_dict(rev_item)
        for method in METHODS:
            op, rev_op = item.get(method), rev_item.get(method)
            label = f"callback {name} {method.upper()} {expression}"
            if isinstance(op, dict) and not isinstance(rev_op, dict):
                self._add("callback-removed", f"{where}/{method}", f"{label} removed")
            elif isinstance(rev_op, dict) and not isinstance(op, dict):
                self._add("callback-added", f"{where}/{method}", f"{label} added")
            elif isinstance(op, dict) and isinstance(rev_op, dict):
                inner = OperationDiff(
                    self.context,
                    method,
                    path=expression,
                    item=item,
                    op=op,
                    file=file,
                    rev_path=expression,
                    rev_item=rev_item,
                    rev_op=rev_op,
                    rev_file=rev_file,
                    webhook=label,
                    place=(self.name, f"{where}/{method}"),
                )
                inner.collect()
                self.changes.extend(inner.changes)

    def _add(self, rule_id: str, location: str, message: str) -> None:
        rule = RULES[rule_id]
        self.changes.append(Change(rule.id, rule.level, self.name, location, message))

    def _schema(
        self,
        old: JSON,
        new: JSON,
        files: tuple[Path | None, Path | None],
        *,
        direction: Direction,
        scope: Scope,
        location: str,
        subject: str,
    ) -> None:
        self.changes.extend(
            self.context.schemas.compare(
                old,
                new,
                direction=direction,
                location=location,
                operation=self.name,
                subject=subject,
                scope=scope,
                base_file=files[0],
                revision_file=files[1],
            )
        )

    # -- lifecycle and identity ------------------------------------------------------------

    def _lifecycle(self) -> None:
        old_level, new_level = (
            self.op.get("x-stability-level"),
            self.rev_op.get("x-stability-level"),
        )
        where = f"{self.location}/x-stability-level"
        if new_level is not None and new_level not in STABILITY:
            self._add(
                "api-invalid-stability-level",
                where,
                f"x-stability-level {new_level!r} is not one of {', '.join(STABILITY)}",
            )
        elif old_level in STABILITY and new_level in STABILITY and old_level != new_level:
            verb = (
                "decreased"
                if STABILITY.index(str(new_level)) < STABILITY.index(str(old_level))
                else "increased"
            )
            self._add(
                f"api-stability-{verb}",
                where,
                f"x-stability-level {verb} from {old_level} to {new_level}",
            )
        was, now = self.op.get("deprecated") is True, self.rev_op.get("deprecated") is True
        sunset, new_sunset = sunset_of(self.op), sunset_of(self.rev_op)
        where = f"{self.location}/x-sunset"
        if now and isinstance(new_sunset, str):
            self._add(
                "api-deprecated-sunset-parse", where, f"x-sunset {new_sunset!r} is not a date"
            )
        elif now and not was:
            if new_level is not None and new_level not in STABILITY:
                return  # api-invalid-stability-level already says what is wrong
            for verdict, detail in self.context.policy.new_deprecation(self.rev_op, new_level):
                rule_id = _OPERATION_DEPRECATION[verdict]
                self._add(rule_id, f"{self.location}/deprecated", f"operation {detail}")
        elif was and not now:
            self._add(
                "endpoint-reactivated",
                f"{self.location}/deprecated",
                "operation no longer deprecated",
            )
        elif was and now and isinstance(sunset, date):
            if new_sunset is None:
                self._add(
                    "sunset-deleted",
                    where,
                    f"x-sunset {sunset} removed from a deprecated operation",
                )
            elif isinstance(new_sunset, date) and self.context.policy.sunset_moved_too_early(
                sunset, new_sunset, new_level
            ):
                self._add(
                    "api-sunset-date-changed-too-small",
                    where,
                    f"x-sunset moved earlier from {sunset} to {new_sunset}",
                )

    def _identity(self) -> None:
        old_id, new_id = self.op.get("operationId"), self.rev_op.get("operationId")
        where = f"{self.location}/operationId"
        if old_id is not None and old_id != new_id:
            text = (
                f"operationId {old_id} removed"
                if new_id is None
                else f"operationId changed from {old_id} to {new_id}"
            )
            self._add("api-operation-id-removed", where, text)
        elif old_id is None and new_id is not None:
            self._add("api-operation-id-added", where, f"operationId {new_id} added")
        old_tags = {t for t in as_list(self.op.get("tags")) if isinstance(t, str)}
        new_tags = {t for t in as_list(self.rev_op.get("tags")) if isinstance(t, str)}
        for tag in sorted(old_tags - new_tags):
            self._add("api-tag-removed", f"{self.location}/tags", f"tag {tag} removed")
        for tag in sorted(new_tags - old_tags):
            self._add("api-tag-added", f"{self.location}/tags", f"tag {tag} added")

    def _security(self) -> None:
        old, new = self.op.get("security"), self.rev_op.get("security")
        if old is None and new is None:
            return  # both follow the document's security, compared once at the top level
        old = old if old is not None else self.context.base_security
        new = new if new is not None else self.context.revision_security
        for rule_id, message in security_changes(as_list(old), as_list(new)):
            self._add(f"api-{rule_id}", f"{self.location}/security", message)

    # -- parameters ------------------------------------------------------------------------

    def _params(
        self,
        resolver: Resolver,
        path: str,
        item: dict[str, JSON],
        op: dict[str, JSON],
        file: Path | None,
    ) -> dict[tuple[str, str], _Param]:
        """Effective parameters by (in, name); path parameters keyed by position in the path."""
        slots = [m.group(0)[1:-1] for m in TEMPLATE.finditer(path)]
        found: dict[tuple[str, str], _Param] = {}
        for raw_list, at_path in ((item.get("parameters"), True), (op.get("parameters"), False)):
            for raw in as_list(raw_list):
                node, pfile = resolver.deref(raw, file)
                if not isinstance(node, dict):
                    continue
                where, name = str(node.get("in")), str(node.get("name"))
                if where == "path" and name in slots:
                    name = f"#{slots.index(name)}"
                elif where == "header":
                    name = name.lower()
                found[(where, name)] = _Param(node, raw, pfile, at_path)
        return found

    def _parameters(self) -> None:
        old = self._params(self.context.base, self.path, self.item, self.op, self.file)
        new = self._params(
            self.context.revision, self.rev_path, self.rev_item, self.rev_op, self.rev_file
        )
        for key, param in new.items():
            if key not in old:
                self._added_param(param)
        for key, param in old.items():
            if key not in new:
                self._removed_param(param)
            else:
                self._changed_param(param, new[key])

    def _param_location(self, param: _Param) -> str:
        node = param.node
        return f"{self.location}/parameters/{node.get('in')}/{escape(str(node.get('name')))}"

    @staticmethod
    def _label(param: _Param) -> str:
        return f"{param.node.get('in')} parameter '{param.node.get('name')}'"

    def _added_param(self, param: _Param) -> None:
        node, location = param.node, self._param_location(param)
        if self.webhook is not None:
            self._add("response-header-added", location, f"{self._label(param)} added")
            return
        if node.get("in") == "path":
            rule_id = "new-request-path-parameter"
        elif node.get("required") is True:
            rule_id = (
                "new-required-request-default-parameter-to-existing-path"
                if param.at_path_level
                else "new-required-request-parameter"
            )
        else:
            rule_id = (
                "new-optional-request-default-parameter-to-existing-path"
                if param.at_path_level
                else "new-optional-request-parameter"
            )
        required = "required" if node.get("required") is True else "optional"
        self._add(rule_id, location, f"{self._label(param)} added ({required})")

    def _removed_param(self, param: _Param) -> None:
        node, location = param.node, self._param_location(param)
        label = self._label(param)
        if self.webhook is not None:  # receivers may rely on what the API used to send
            kind = "required" if node.get("required") is True else "optional"
            self._add(f"{kind}-response-header-removed", location, f"{kind} {label} removed")
            return
        if node.get("deprecated") is not True:
            self._add("request-parameter-removed", location, f"{label} removed")
            return
        sunset = sunset_of(node)
        if isinstance(sunset, str):
            self._add(
                "request-parameter-sunset-parse",
                location,
                f"deprecated {label} removed; x-sunset {sunset!r} is not a date",
            )
        elif sunset is not None and sunset > self.context.today:
            self._add(
                "request-parameter-removed-before-sunset",
                location,
                f"deprecated {label} removed before its sunset {sunset}",
            )
        else:
            self._add(
                "request-parameter-removed-with-deprecation",
                location,
                f"deprecated {label} removed",
            )

    def _changed_param(self, old: _Param, new: _Param) -> None:
        b, r = old.node, new.node
        location, label = self._param_location(new), self._label(new)
        if self.webhook is not None:
            if b.get("required") is True and r.get("required") is not True:
                self._add("response-header-became-optional", location, f"{label} became optional")
        elif b.get("required") is not True and r.get("required") is True:
            self._add("request-parameter-became-required", location, f"{label} became required")
        elif b.get("required") is True and r.get("required") is not True and r.get("in") != "path":
            self._add("request-parameter-became-optional", location, f"{label} became optional")
        was, now = b.get("deprecated") is True, r.get("deprecated") is True
        level = self.rev_op.get("x-stability-level")
        if now and not was:
            for verdict, detail in self.context.policy.new_deprecation(r, level):
                self._add(_PARAMETER_DEPRECATION[verdict], location, f"{label} {detail}")
        elif was and not now:
            self._add("request-parameter-reactivated", location, f"{label} no longer deprecated")
        elif was and now:
            sunset, new_sunset = sunset_of(b), sunset_of(r)
            if isinstance(sunset, date) and new_sunset is None:
                self._add(
                    "request-parameter-sunset-deleted",
                    location,
                    f"x-sunset of deprecated {label} removed",
                )
            elif (
                isinstance(sunset, date)
                and isinstance(new_sunset, date)
                and self.context.policy.sunset_moved_too_early(sunset, new_sunset, level)
            ):
                self._add(
                    "request-parameter-sunset-date-changed-too-small",
                    location,
                    f"x-sunset of {label} moved earlier from {sunset} to {new_sunset}",
                )
        if self.webhook is None and _serialization(b) != _serialization(r):
            (old_style, old_explode), (new_style, new_explode) = (
                _serialization(b),
                _serialization(r),
            )
            self._add(
                "request-parameter-style-changed",
                location,
                f"{label} serialization changed from style={old_style}, explode={old_explode} "
                f"to style={new_style}, explode={new_explode}",
            )
        old_schema, _ = _param_schema(b)
        new_schema, new_where = _param_schema(r)
        if old_schema is not None and new_schema is not None:
            self._schema(
                old_schema,
                new_schema,
                (old.file, new.file),
                direction=self.inbound,
                scope="header"
                if self.webhook is not None or b.get("in") == "header"
                else "parameter",
                location=f"{location}/{new_where}",
                subject=label,
            )

    # -- request body ----------------------------------------------------------------------

    def _request_body(self) -> None:
        raw_old, raw_new = self.op.get("requestBody"), self.rev_op.get("requestBody")
        location = f"{self.location}/requestBody"
        if raw_old is None and raw_new is None:
            return
        if raw_old is None:
            node = as_dict(self.context.revision.deref(raw_new, self.rev_file)[0])
            if node.get("required") is True:
                self._add("request-body-added-required", location, "required request body added")
            else:
                self._add("request-body-added-optional", location, "optional request body added")
            return
        if raw_new is None:
            self._add("request-body-removed", location, "request body removed")
            return
        b_node, bfile = self.context.base.deref(raw_old, self.file)
        r_node, rfile = self.context.revision.deref(raw_new, self.rev_file)
        b, r = as_dict(b_node), as_dict(r_node)
        if b.get("required") is not True and r.get("required") is True:
            self._add(
                "request-body-became-required",
                f"{location}/required",
                "request body became required",
            )
        elif b.get("required") is True and r.get("required") is not True:
            self._add(
                "request-body-became-optional",
                f"{location}/required",
                "request body became optional",
            )
        old_content, new_content = as_dict(b.get("content")), as_dict(r.get("content"))
        media_types = pair_media_types(old_content, new_content)
        for media in media_types.added:
            self._add(
                "request-body-media-type-added",
                f"{location}/content/{escape(media)}",
                f"request media type {media} added",
            )
        for media in media_types.removed:
            self._add(
                "request-body-media-type-removed",
                f"{location}/content/{escape(media)}",
                f"request media type {media} removed",
            )
        for old_media, media, relation in media_types.pairs:
            where = f"{location}/content/{escape(media)}"
            if relation == "specialized":  # the revision accepts only part of what it did
                self._add(
                    "request-body-media-type-removed",
                    where,
                    f"request media type {old_media} narrowed to {media}",
                )
            self._media_schema(
                as_dict(old_content[old_media]).get("schema"),
                as_dict(new_content[media]).get("schema"),
                (bfile, rfile),
                side="request",
                location=f"{where}/schema",
                named=f"request media type {media}",
                subject=f"request body ({media})",
            )

    def _media_schema(
        self,
        old_schema: JSON,
        new_schema: JSON,
        files: tuple[Path | None, Path | None],
        *,
        side: str,
        location: str,
        named: str,
        subject: str,
    ) -> None:
        """The schema of one paired media type: added, removed, or compared (``side`` is
        ``request`` or ``response``, which picks the rule ids and the direction)."""
        if old_schema is None and new_schema is not None:
            self._add(f"{side}-body-media-type-schema-added", location, f"schema added to {named}")
        elif old_schema is not None and new_schema is None:
            self._add(
                f"{side}-body-media-type-schema-removed", location, f"schema removed from {named}"
            )
        elif old_schema is not None:
            self._schema(
                old_schema,
                new_schema,
                files,
                direction=self.inbound if side == "request" else self.outbound,
                scope="body",
                location=location,
                subject=subject,
            )

    # -- responses -------------------------------------------------------------------------

    def _responses(self) -> None:
        # Status codes as text: YAML reads an unquoted ``200:`` as a number, JSON never does.
        old = {str(k): v for k, v in as_dict(self.op.get("responses")).items()}
        new = {str(k): v for k, v in as_dict(self.rev_op.get("responses")).items()}
        location = f"{self.location}/responses"
        for status in old.keys() - new.keys():
            kind = "success" if str(status).startswith("2") else "non-success"
            self._add(
                f"response-{kind}-status-removed",
                f"{location}/{status}",
                f"response {status} removed",
            )
        for status in new.keys() - old.keys():
            kind = "success" if str(status).startswith("2") else "non-success"
            self._add(
                f"response-{kind}-status-added", f"{location}/{status}", f"response {status} added"
            )
        for status in old.keys() & new.keys():
            b_node, bfile = self.context.base.deref(old[status], self.file)
            r_node, rfile = self.context.revision.deref(new[status], self.rev_file)
            self._response(
                str(status),
                as_dict(b_node),
                bfile,
                r=as_dict(r_node),
                rfile=rfile,
                location=f"{location}/{status}",
            )

    def _response(
        self,
        status: str,
        b: dict[str, JSON],
        bfile: Path | None,
        *,
        r: dict[str, JSON],
        rfile: Path | None,
        location: str,
    ) -> None:
        old_content, new_content = as_dict(b.get("content")), as_dict(r.get("content"))
        media_types = pair_media_types(old_content, new_content)
        for media in media_types.removed:
            self._add(
                "response-media-type-removed",
                f"{location}/content/{escape(media)}",
                f"response {status} media type {media} removed",
            )
        for media in media_types.added:
            self._add(
                "response-media-type-added",
                f"{location}/content/{escape(media)}",
                f"response {status} media type {media} added",
            )
        for old_media, media, relation in media_types.pairs:
            where = f"{location}/content/{escape(media)}/schema"
            if relation != "same":
                self._add(
                    f"response-media-type-name-{_MEDIA_VERBS[relation]}",
                    f"{location}/content/{escape(media)}",
                    f"response {status} media type {old_media} {relation} to {media}",
                )
            self._media_schema(
                as_dict(old_content[old_media]).get("schema"),
                as_dict(new_content[media]).get("schema"),
                (bfile, rfile),
                side="response",
                location=where,
                named=f"response {status} {media}",
                subject=f"response {status} ({media})",
            )
        self._headers(status, b, bfile, r=r, rfile=rfile, location=location)

    def _headers(
        self,
        status: str,
        b: dict[str, JSON],
        bfile: Path | None,
        *,
        r: dict[str, JSON],
        rfile: Path | None,
        location: str,
    ) -> None:
        old = {k.lower(): (k, v) for k, v in as_dict(b.get("headers")).items()}
        new = {k.lower(): (k, v) for k, v in as_dict(r.get("headers")).items()}
        for key in old.keys() - new.keys():
            name, raw = old[key]
            node = as_dict(self.context.base.deref(raw, bfile)[0])
            where = f"{location}/headers/{escape(name)}"
            if node.get("required") is True:
                self._add(
                    "required-response-header-removed",
                    where,
                    f"required response {status} header {name} removed",
                )
            else:
                self._add(
                    "optional-response-header-removed",
                    where,
                    f"optional response {status} header {name} removed",
                )
        for key in new.keys() - old.keys():
            name = new[key][0]
            self._add(
                "response-header-added",
                f"{location}/headers/{escape(name)}",
                f"response {status} header {name} added",
            )
        for key in old.keys() & new.keys():
            name = new[key][0]
            b_node, hb_file = self.context.base.deref(old[key][1], bfile)
            r_node, hr_file = self.context.revision.deref(new[key][1], rfile)
            bh, rh = as_dict(b_node), as_dict(r_node)
            where = f"{location}/headers/{escape(name)}"
            if bh.get("required") is True and rh.get("required") is not True:
                self._add(
                    "response-header-became-optional",
                    where,
                    f"response {status} header {name} became optional",
                )
            old_schema, _ = _param_schema(bh)
            new_schema, new_where = _param_schema(rh)
            if old_schema is not None and new_schema is not None:
                self._schema(
                    old_schema,
                    new_schema,
                    (hb_file, hr_file),
                    direction=self.outbound,
                    scope="header",
                    location=f"{where}/{new_where}",
                    subject=f"response {status} header '{name}'",
                )


def _serialization(node: dict[str, JSON]) -> tuple[str, bool]:
    """A parameter's effective ``style`` and ``explode``, defaults filled in (OpenAPI 3.x)."""
    default = "form" if node.get("in") in ("query", "cookie") else "simple"
    style = node.get("style")
    style = style if isinstance(style, str) else default
    explode = node.get("explode")
    return style, explode if isinstance(explode, bool) else style == "form"


def _param_schema(node: dict[str, JSON]) -> tuple[JSON, str]:
    """A parameter's or header's schema, from ``schema`` or its single ``content`` entry."""
    if "schema" in node:
        return node["schema"], "schema"
    for media, entry in as_dict(node.get("content")).items():
        return as_dict(entry).get("schema"), f"content/{escape(media)}/schema"
    return None, "schema"
