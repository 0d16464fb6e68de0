"""Walks two OpenAPI 3.0/3.1 documents side by side and reports what changed for callers."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from registry.diff.operations import (
    METHODS,
    TEMPLATE,
    UNSTABLE,
    Context,
    OperationDiff,
    as_dict,
    as_list,
    security_changes,
)
from registry.diff.policy import DeprecationPolicy, sunset_of
from registry.diff.refs import Resolver
from registry.diff.rules import RULES
from registry.diff.schema import SchemaComparator, escape
from registry.diff.unchanged import UnchangedRefs
from registry.loading import JSON, Document
from registry.model import Change


def _version(text: JSON) -> tuple[int, ...] | None:
    parts = re.findall(r"\d+", str(text)) if isinstance(text, str | int | float) else []
    return tuple(int(p) for p in parts[:3]) if parts else None


class OpenApiDiff:
    """One comparison of a base and a revision document."""

    def __init__(
        self,
        base: Document,
        revision: Document,
        *,
        base_path: Path | None = None,
        revision_path: Path | None = None,
        today: date | None = None,
        policy: DeprecationPolicy | None = None,
    ) -> None:
        self.base = Resolver(base, base_path)
        self.revision = Resolver(revision, revision_path)
        self.base_doc = base
        self.revision_doc = revision
        self.policy = policy or DeprecationPolicy(today or date.today())
        self.today = self.policy.today
        self.context = Context(
            base=self.base,
            revision=self.revision,
            schemas=SchemaComparator(
                self.base, self.revision, UnchangedRefs(base, revision), policy=self.policy
            ),
            policy=self.policy,
            base_security=base.get("security"),
            revision_security=revision.get("security"),
        )
        # Operation comparisons add to the same list.
        self.changes = self.context.changes

    def run(self) -> list[Change]:
        """Compare everything and return the changes in a stable order."""
        self._info()
        self._paths()
        self._global_security()
        self._security_schemes()
        self._webhooks()
        self._component_schemas()
        return sorted(set(self.changes), key=_order)

    # -- reporting -------------------------------------------------------------------------

    def _add(self, rule_id: str, operation: str | None, location: str, message: str) -> None:
        rule = RULES[rule_id]
        self.changes.append(Change(rule.id, rule.level, operation, location, message))

    # -- document level --------------------------------------------------------------------

    def _info(self) -> None:
        old = _version(as_dict(self.base_doc.get("info")).get("version"))
        new = _version(as_dict(self.revision_doc.get("info")).get("version"))
        if old and new and new < old:
            before, after = ".".join(map(str, old)), ".".join(map(str, new))
            text = f"info.version decreased from {before} to {after}"
            self._add("api-version-decreased", None, "#/info/version", text)

    def _paths(self) -> None:
        old = {TEMPLATE.sub("{}", p): p for p in as_dict(self.base_doc.get("paths"))}
        new = {TEMPLATE.sub("{}", p): p for p in as_dict(self.revision_doc.get("paths"))}
        base_paths = as_dict(self.base_doc.get("paths"))
        rev_paths = as_dict(self.revision_doc.get("paths"))
        for key, path in old.items():
            item, file = self.base.deref(base_paths[path], None)
            if key not in new:
                self._removed_path(path, as_dict(item))
                continue
            rev_path = new[key]
            rev_item, rev_file = self.revision.deref(rev_paths[rev_path], None)
            self._path_item(
                path,
                as_dict(item),
                file,
                rev_path=rev_path,
                rev_item=as_dict(rev_item),
                rev_file=rev_file,
            )
        for key, path in new.items():
            if key not in old:
                item = as_dict(self.revision.deref(rev_paths[path], None)[0])
                for method in METHODS:
                    if isinstance(item.get(method), dict):
                        self._add(
                            "endpoint-added",
                            f"{method.upper()} {path}",
                            f"#/paths/{escape(path)}/{method}",
                            "operation added",
                        )

    def _removed_path(self, path: str, item: dict[str, JSON]) -> None:
        for method in METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                self._removed_operation(path, method, op, path_removed=True)

    def _removed_operation(
        self, path: str, method: str, op: dict[str, JSON], *, path_removed: bool
    ) -> None:
        if op.get("x-stability-level") in UNSTABLE:
            return
        stem = "api-path-removed" if path_removed else "api-removed"
        name = f"{method.upper()} {path}"
        location = f"#/paths/{escape(path)}" + ("" if path_removed else f"/{method}")
        noun = "path" if path_removed else "operation"
        what = f"{noun} removed"
        if op.get("deprecated") is not True:
            self._add(f"{stem}-without-deprecation", name, location, f"{what} without deprecation")
            return
        sunset = sunset_of(op)
        if isinstance(sunset, str):
            rule_id = "api-path-sunset-parse" if path_removed else "api-deprecated-sunset-parse"
            self._add(rule_id, name, location, f"{what}; its x-sunset {sunset!r} is not a date")
        elif sunset is not None and sunset > self.today:
            self._add(f"{stem}-before-sunset", name, location, f"{what} before its sunset {sunset}")
        else:
            self._add(f"{stem}-with-deprecation", name, location, f"deprecated {noun} removed")

    def _path_item(
        self,
        path: str,
        item: dict[str, JSON],
        file: Path | None,
        *,
        rev_path: str,
        rev_item: dict[str, JSON],
        rev_file: Path | None,
    ) -> None:
        for method in METHODS:
            op, rev_op = item.get(method), rev_item.get(method)
            if isinstance(op, dict) and not isinstance(rev_op, dict):
                self._removed_operation(path, method, op, path_removed=False)
            elif isinstance(rev_op, dict) and not isinstance(op, dict):
                name = f"{method.upper()} {rev_path}"
                location = f"#/paths/{escape(rev_path)}/{method}"
                self._add("endpoint-added", name, location, "operation added")
            elif isinstance(op, dict) and isinstance(rev_op, dict):
                pair = OperationDiff(
                    self.context,
                    method,
                    path=path,
                    item=item,
                    op=op,
                    file=file,
                    rev_path=rev_path,
                    rev_item=rev_item,
                    rev_op=rev_op,
                    rev_file=rev_file,
                )
                pair.run()

    def _global_security(self) -> None:
        old, new = self.base_doc.get("security"), self.revision_doc.get("security")
        if old is None and new is None:
            return
        for rule_id, message in security_changes(as_list(old), as_list(new)):
            self._add(f"api-global-{rule_id}", None, "#/security", message)

    def _security_schemes(self) -> None:
        old = as_dict(as_dict(self.base_doc.get("components")).get("securitySchemes"))
        new = as_dict(as_dict(self.revision_doc.get("components")).get("securitySchemes"))
        for name in old.keys() - new.keys():
            self._add(
                "api-security-component-removed",
                None,
                f"#/components/securitySchemes/{escape(name)}",
                f"security scheme {name} removed",
            )
        for name in new.keys() - old.keys():
            self._add(
                "api-security-component-added",
                None,
                f"#/components/securitySchemes/{escape(name)}",
                f"security scheme {name} added",
            )
        for name in old.keys() & new.keys():
            b = as_dict(self.base.deref(old[name], None)[0])
            r = as_dict(self.revision.deref(new[name], None)[0])
            location = f"#/components/securitySchemes/{escape(name)}"
            if b.get("type") != r.get("type"):
                text = (
                    f"security scheme {name} type changed from {b.get('type')} to {r.get('type')}"
                )
                self._add("api-security-component-type-changed", None, location, text)
                continue
            self._oauth_flows(name, location, as_dict(b.get("flows")), as_dict(r.get("flows")))

    def _oauth_flows(
        self, name: str, location: str, old: dict[str, JSON], new: dict[str, JSON]
    ) -> None:
        for flow in old.keys() & new.keys():
            b, r = as_dict(old[flow]), as_dict(new[flow])
            where = f"{location}/flows/{flow}"
            for key, rule_id in (
                ("authorizationUrl", "api-security-component-oauth-url-changed"),
                ("tokenUrl", "api-security-component-oauth-token-url-changed"),
            ):
                if b.get(key) != r.get(key):
                    text = f"{name} {flow} {key} changed from {b.get(key)} to {r.get(key)}"
                    self._add(rule_id, None, f"{where}/{key}", text)
            old_scopes, new_scopes = as_dict(b.get("scopes")), as_dict(r.get("scopes"))
            for scope in sorted(new_scopes.keys() - old_scopes.keys()):
                self._add(
                    "api-security-component-oauth-scope-added",
                    None,
                    f"{where}/scopes",
                    f"{name} {flow} scope {scope} added",
                )
            for scope in sorted(old_scopes.keys() - new_scopes.keys()):
                self._add(
                    "api-security-component-oauth-scope-removed",
                    None,
                    f"{where}/scopes",
                    f"{name} {flow} scope {scope} removed",
                )

    def _webhooks(self) -> None:
        old = as_dict(self.base_doc.get("webhooks"))
        new = as_dict(self.revision_doc.get("webhooks"))
        for name in old.keys() - new.keys():
            self._add(
                "webhook-removed", None, f"#/webhooks/{escape(name)}", f"webhook {name} removed"
            )
        for name in new.keys() - old.keys():
            self._add("webhook-added", None, f"#/webhooks/{escape(name)}", f"webhook {name} added")
        for name in sorted(old.keys() & new.keys()):
            self._webhook(name, old[name], new[name])

    def _webhook(self, name: str, old: JSON, new: JSON) -> None:
        """Compare one webhook present in both documents, operation by operation."""
        item, file = self.base.deref(old, None)
        rev_item, rev_file = self.revision.deref(new, None)
        item, rev_item = as_dict(item), as_dict(rev_item)
        for method in METHODS:
            op, rev_op = item.get(method), rev_item.get(method)
            operation = f"{method.upper()} {name}"
            location = f"#/webhooks/{escape(name)}/{method}"
            if isinstance(op, dict) and not isinstance(rev_op, dict):
                self._add("webhook-removed", operation, location, f"webhook {operation} removed")
            elif isinstance(rev_op, dict) and not isinstance(op, dict):
                self._add("webhook-added", operation, location, f"webhook {operation} added")
            elif isinstance(op, dict) and isinstance(rev_op, dict):
                OperationDiff(
                    self.context,
                    method,
                    path=name,
                    item=item,
                    op=op,
                    file=file,
                    rev_path=name,
                    rev_item=rev_item,
                    rev_op=rev_op,
                    rev_file=rev_file,
                    webhook=name,
                ).run()

    def _component_schemas(self) -> None:
        old = as_dict(as_dict(self.base_doc.get("components")).get("schemas"))
        new = as_dict(as_dict(self.revision_doc.get("components")).get("schemas"))
        for name in old.keys() - new.keys():
            self._add(
                "api-schema-removed",
                None,
                f"#/components/schemas/{escape(name)}",
                f"schema {name} removed",
            )


def _order(change: Change) -> tuple[str, str, str, str]:
    return (change.operation or "", change.location, change.id, change.message)
