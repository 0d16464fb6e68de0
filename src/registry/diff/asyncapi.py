"""Breaking-change detection between two AsyncAPI 3.0 documents.

Servers, channels and operations are matched by their ids, messages by their key in the channel.
Direction comes from the operation: a message the provider *sends* is read by consumers, so it is
judged like an OpenAPI response (removing or loosening a guarantee breaks them); a message it
*receives* is written by others, so it is judged like a request (narrowing breaks senders). JSON
Schema headers and payloads go through the OpenAPI engine's direction-aware schema comparison
(``registry.diff.schema``) and get ``asyncapi-message-header-*`` / ``asyncapi-message-payload-*``
ids; Avro payloads go through the Avro checker: for ``send`` the old consumers (readers) must read
the new writer (FORWARD), for ``receive`` the new provider must read the old senders (BACKWARD).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from registry.diff.refs import Resolver
from registry.diff.result import DiffResult
from registry.diff.rules import Direction
from registry.diff.schema import SchemaComparator, escape
from registry.loading import JSON, Document, DocumentError, load_document
from registry.model import Change, Level

ERROR, WARNING, INFO = Level.ERROR, Level.WARNING, Level.INFO

# id -> (level when the provider sends, level when it receives, what it means). Rules as data;
# docs/compatibility.md documents each one with an example.
RULES: dict[str, tuple[Level, Level, str]] = {
    "asyncapi-server-removed": (ERROR, ERROR, "A server was removed."),
    "asyncapi-server-added": (INFO, INFO, "A server was added."),
    "asyncapi-server-protocol-changed": (ERROR, ERROR, "A server's protocol changed."),
    "asyncapi-server-protocol-version-changed": (WARNING, WARNING, "protocolVersion changed."),
    "asyncapi-server-host-changed": (WARNING, WARNING, "A server's host changed."),
    "asyncapi-server-pathname-changed": (WARNING, WARNING, "A server's pathname changed."),
    "asyncapi-security-added-to-unsecured": (
        ERROR,
        ERROR,
        "A server or operation without security now requires a security scheme.",
    ),
    "asyncapi-security-scheme-removed": (
        ERROR,
        ERROR,
        "A security scheme is no longer accepted (the listed schemes are alternatives).",
    ),
    "asyncapi-security-scheme-added": (INFO, INFO, "One more security scheme is accepted."),
    "asyncapi-channel-removed": (ERROR, ERROR, "A channel was removed."),
    "asyncapi-channel-added": (INFO, INFO, "A channel was added."),
    "asyncapi-channel-address-changed": (ERROR, ERROR, "A channel's address changed."),
    "asyncapi-channel-server-removed": (ERROR, ERROR, "A channel is no longer on a server."),
    "asyncapi-operation-removed": (ERROR, ERROR, "An operation was removed."),
    "asyncapi-operation-added": (INFO, INFO, "An operation was added."),
    "asyncapi-operation-action-changed": (ERROR, ERROR, "send became receive or the reverse."),
    "asyncapi-operation-channel-changed": (ERROR, ERROR, "An operation moved to another channel."),
    "asyncapi-operation-message-removed": (
        WARNING,
        ERROR,
        "An operation no longer carries a message (senders of it break on receive).",
    ),
    "asyncapi-operation-message-added": (
        WARNING,
        INFO,
        "An operation carries a new message (consumers may meet an unknown type on send).",
    ),
    "asyncapi-message-content-type-changed": (ERROR, ERROR, "A message's contentType changed."),
    "asyncapi-message-payload-format-changed": (ERROR, ERROR, "The payload schemaFormat changed."),
    "asyncapi-message-payload-incompatible": (
        ERROR,
        ERROR,
        "An Avro payload no longer resolves (send: FORWARD, receive: BACKWARD).",
    ),
    "asyncapi-message-payload-changed": (INFO, INFO, "An Avro payload changed compatibly."),
}
_AVRO = "application/vnd.apache.avro"
# Words that name the OpenAPI side of a schema rule id; dropped when re-scoping it to a message.
_OPENAPI_WORDS = frozenset({"request", "response", "body", "mediatype"})


@dataclass(frozen=True)
class _Side:
    doc: Document
    resolver: Resolver
    file: Path | None

    def section(self, name: str) -> dict[str, JSON]:
        value = self.doc.get(name)
        return value if isinstance(value, dict) else {}

    def resolve(self, node: JSON, pointer: str) -> tuple[dict[str, JSON], str, Path | None]:
        """Follow ``$ref``s, returning the node, the pointer it was found at, and its file."""
        file = self.file
        for _ in range(64):
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                break
            ref = str(node["$ref"])
            node, file = self.resolver.follow(ref, file)
            pointer = ref if ref.startswith("#") else pointer
        return (node if isinstance(node, dict) else {}), pointer, file


_DECLARES_ASYNCAPI = re.compile(r'^asyncapi\s*:|"asyncapi"\s*:\s*"\d', re.MULTILINE)


def declares_asyncapi(path: str | Path) -> bool:
    """Whether a contract file is an AsyncAPI document (a cheap look at its text, no parsing)."""
    try:
        head = Path(path).read_text(encoding="utf-8", errors="replace")[:65536]
    except OSError:
        return False  # the OpenAPI path reports the unreadable file
    return bool(_DECLARES_ASYNCAPI.search(head))


def diff_asyncapi_result(base: str | Path, revision: str | Path) -> DiffResult:
    """:func:`diff_asyncapi` as the :class:`DiffResult` ``registry diff`` reports."""
    return DiffResult(diff_asyncapi(base, revision))


def diff_asyncapi(base: Document | str | Path, revision: Document | str | Path) -> list[Change]:
    """Every change between two AsyncAPI 3.0 documents (paths or loaded mappings), judged."""
    old, new = _side(base, "base"), _side(revision, "revision")
    return sorted(_AsyncApiDiff(old, new).run(), key=lambda c: (-c.level.rank, c.location, c.id))


def _side(source: Document | str | Path, name: str) -> _Side:
    if isinstance(source, (str, Path)):
        doc, file = load_document(source), Path(source).resolve()
    else:
        doc, file = source, None
    version = doc.get("asyncapi")
    if not (isinstance(version, str) and version.startswith("3.")):
        raise DocumentError(f"{file or name}: not an AsyncAPI 3.x document (no 'asyncapi: 3.x')")
    return _Side(doc, Resolver(doc, file), file)


def _change(rule: str, location: str, message: str, *, operation: str | None = None,
            receive: bool = False) -> Change:  # fmt: skip
    send_level, receive_level, _ = RULES[rule]
    level = receive_level if receive else send_level
    return Change(rule, level, operation, location, message)


class _AsyncApiDiff:
    def __init__(self, old: _Side, new: _Side) -> None:
        self.old, self.new = old, new
        self.schemas = SchemaComparator(old.resolver, new.resolver)

    def run(self) -> Iterator[Change]:
        yield from self.servers()
        yield from self.channels()
        yield from self.operations()

    def servers(self) -> Iterator[Change]:
        before, after = self.old.section("servers"), self.new.section("servers")
        for sid in before.keys() - after.keys():
            yield _change(
                "asyncapi-server-removed", f"#/servers/{escape(sid)}", f"server {sid} removed"
            )
        for sid in after.keys() - before.keys():
            yield _change(
                "asyncapi-server-added", f"#/servers/{escape(sid)}", f"server {sid} added"
            )
        for sid in before.keys() & after.keys():
            b, _, _ = self.old.resolve(before[sid], f"#/servers/{escape(sid)}")
            a, _, _ = self.new.resolve(after[sid], f"#/servers/{escape(sid)}")
            for key, rule in (
                ("protocol", "asyncapi-server-protocol-changed"),
                ("protocolVersion", "asyncapi-server-protocol-version-changed"),
                ("host", "asyncapi-server-host-changed"),
                ("pathname", "asyncapi-server-pathname-changed"),
            ):
                if b.get(key) != a.get(key):
                    where = f"#/servers/{escape(sid)}/{key}"
                    text = f"server {sid}: {key} {b.get(key)!r} -> {a.get(key)!r}"
                    yield _change(rule, where, text)
            yield from _security(b, a, f"#/servers/{escape(sid)}", f"server {sid}")

    def channels(self) -> Iterator[Change]:
        before, after = self.old.section("channels"), self.new.section("channels")
        for cid in sorted(before.keys() - after.keys()):
            b, _, _ = self.old.resolve(before[cid], "")
            text = f"channel {cid} ({b.get('address', cid)}) removed"
            yield _change("asyncapi-channel-removed", f"#/channels/{escape(cid)}", text)
        for cid in sorted(after.keys() - before.keys()):
            yield _change("asyncapi-channel-added", f"#/channels/{escape(cid)}", f"channel {cid}")
        for cid in sorted(before.keys() & after.keys()):
            where = f"#/channels/{escape(cid)}"
            b, _, _ = self.old.resolve(before[cid], where)
            a, _, _ = self.new.resolve(after[cid], where)
            if b.get("address", cid) != a.get("address", cid):
                text = f"channel {cid}: address {b.get('address')!r} -> {a.get('address')!r}"
                yield _change("asyncapi-channel-address-changed", f"{where}/address", text)
            b_servers, a_servers = _ref_names(b.get("servers")), _ref_names(a.get("servers"))
            # No list means every server; only an explicit list can drop one.
            if b_servers is not None:
                lost = set(self.new.section("servers")) if a_servers is None else a_servers
                for name in sorted(b_servers - lost):
                    text = f"channel {cid} is no longer available on server {name}"
                    yield _change("asyncapi-channel-server-removed", f"{where}/servers", text)

    def operations(self) -> Iterator[Change]:
        before, after = self.old.section("operations"), self.new.section("operations")
        for oid in sorted(before.keys() - after.keys()):
            b, _, _ = self.old.resolve(before[oid], "")
            yield _change(
                "asyncapi-operation-removed",
                f"#/operations/{escape(oid)}",
                f"operation {oid} ({b.get('action')}) removed",
                operation=self.label(self.old, b),
                receive=b.get("action") == "receive",
            )
        for oid in sorted(after.keys() - before.keys()):
            a, _, _ = self.new.resolve(after[oid], "")
            yield _change("asyncapi-operation-added", f"#/operations/{escape(oid)}",
                          f"operation {oid}", operation=self.label(self.new, a))  # fmt: skip
        for oid in sorted(before.keys() & after.keys()):
            yield from self.operation(oid, before[oid], after[oid])

    def label(self, side: _Side, op: dict[str, JSON]) -> str:
        channel, _, _ = side.resolve(op.get("channel"), "")
        return f"{str(op.get('action', '?')).upper()} {channel.get('address', '?')}"

    def operation(self, oid: str, raw_old: JSON, raw_new: JSON) -> Iterator[Change]:
        where = f"#/operations/{escape(oid)}"
        b, _, _ = self.old.resolve(raw_old, where)
        a, _, _ = self.new.resolve(raw_new, where)
        name = self.label(self.new, a)
        receive = a.get("action") == "receive"
        if b.get("action") != a.get("action"):
            text = f"operation {oid}: action {b.get('action')!r} -> {a.get('action')!r}"
            yield _change("asyncapi-operation-action-changed", f"{where}/action", text,
                          operation=name, receive=receive)  # fmt: skip
            return
        b_channel, a_channel = _ref_of(b.get("channel")), _ref_of(a.get("channel"))
        if b_channel != a_channel:
            text = f"operation {oid}: channel {b_channel} -> {a_channel}"
            yield _change("asyncapi-operation-channel-changed", f"{where}/channel", text,
                          operation=name, receive=receive)  # fmt: skip
            return
        for change in _security(b, a, where, f"operation {oid}"):
            yield Change(change.id, change.level, name, change.location, change.message)
        old_msgs, new_msgs = self.messages(self.old, b), self.messages(self.new, a)
        for key in sorted(old_msgs.keys() - new_msgs.keys()):
            yield _change("asyncapi-operation-message-removed", f"{where}/messages",
                          f"operation {oid} no longer carries message {key}",
                          operation=name, receive=receive)  # fmt: skip
        for key in sorted(new_msgs.keys() - old_msgs.keys()):
            yield _change("asyncapi-operation-message-added", f"{where}/messages",
                          f"operation {oid} now carries message {key}",
                          operation=name, receive=receive)  # fmt: skip
        for key in sorted(old_msgs.keys() & new_msgs.keys()):
            yield from _MessageDiff(self, name, receive, key).run(old_msgs[key], new_msgs[key])

    def messages(self, side: _Side, op: dict[str, JSON]) -> dict[str, tuple[JSON, str]]:
        """The operation's messages by key, each with the pointer it is declared at."""
        listed = op.get("messages")
        if isinstance(listed, list):
            refs = [m for m in listed if isinstance(m, dict)]
            return {_last(_ref_of(m) or "?"): (m, _ref_of(m) or "") for m in refs}
        channel, pointer, _ = side.resolve(op.get("channel"), "")
        declared = channel.get("messages")
        if not isinstance(declared, dict):
            return {}
        return {k: (v, f"{pointer}/messages/{escape(k)}") for k, v in declared.items()}


class _MessageDiff:
    def __init__(self, parent: _AsyncApiDiff, operation: str, receive: bool, key: str) -> None:
        self.parent, self.operation, self.receive, self.key = parent, operation, receive, key
        self.direction = Direction.REQUEST if receive else Direction.RESPONSE

    def run(self, old: tuple[JSON, str], new: tuple[JSON, str]) -> Iterator[Change]:
        b, _, bfile = self.parent.old.resolve(old[0], old[1])
        a, where, afile = self.parent.new.resolve(new[0], new[1])
        b_type, a_type = b.get("contentType"), a.get("contentType")
        if b_type != a_type:
            yield self.change("asyncapi-message-content-type-changed", f"{where}/contentType",
                              f"contentType {b_type!r} -> {a_type!r}")  # fmt: skip
        yield from self.schema(b.get("headers"), a.get("headers"), f"{where}/headers", "header",
                               (bfile, afile))  # fmt: skip
        yield from self.payload(b.get("payload"), a.get("payload"), f"{where}/payload",
                                (bfile, afile))  # fmt: skip

    def change(self, rule: str, location: str, text: str) -> Change:
        return _change(rule, location, f"message {self.key}: {text}", operation=self.operation,
                       receive=self.receive)  # fmt: skip

    def schema(self, old: JSON, new: JSON, where: str, part: str,
               files: tuple[Path | None, Path | None]) -> Iterator[Change]:  # fmt: skip
        """JSON Schema headers or payload, through the OpenAPI engine's comparison."""
        found = self.parent.schemas.compare(
            {} if old is None else old,
            {} if new is None else new,
            direction=self.direction,
            location=where,
            operation=self.operation,
            subject=f"message {self.key} {part}s" if part == "header" else f"message {self.key}",
            base_file=files[0],
            revision_file=files[1],
        )
        for change in found:
            words = [w for w in change.id.split("-") if w not in _OPENAPI_WORDS]
            rule = f"asyncapi-message-{part}-{'-'.join(words)}"
            yield Change(rule, change.level, change.operation, change.location, change.message)

    def payload(self, old: JSON, new: JSON, where: str,
                files: tuple[Path | None, Path | None]) -> Iterator[Change]:  # fmt: skip
        b_format, b_schema = _payload(old)
        a_format, a_schema = _payload(new)
        b_avro, a_avro = b_format.startswith(_AVRO), a_format.startswith(_AVRO)
        if b_avro != a_avro:
            yield self.change("asyncapi-message-payload-format-changed", f"{where}/schemaFormat",
                              f"schemaFormat {b_format!r} -> {a_format!r}")  # fmt: skip
            return
        if not b_avro:
            yield from self.schema(b_schema, a_schema, where, "payload", files)
            return
        old_avro = _avro(self.parent.old, b_schema, files[0])
        new_avro = _avro(self.parent.new, a_schema, files[1])
        # send: consumers on the old schema read the new one; receive: the reverse.
        reader, writer = (new_avro, old_avro) if self.receive else (old_avro, new_avro)
        # Imported here: an OpenAPI diff never needs the Avro checker, so the CLI skips loading it.
        from registry.compat.avro import check_avro
        from registry.compat.avro_schema import parse_avro

        issues = check_avro(parse_avro(reader), parse_avro(writer))
        mode = "BACKWARD" if self.receive else "FORWARD"
        who = "the provider's new schema reading old senders' data" if self.receive else (
            "consumers on the old schema reading the new one"
        )  # fmt: skip
        for issue in issues:
            yield self.change(
                "asyncapi-message-payload-incompatible",
                f"{where}{issue.path}",
                f"Avro payload not {mode} compatible ({who}): {issue.message}",
            )
        if not issues and _canonical(old_avro) != _canonical(new_avro):
            yield self.change("asyncapi-message-payload-changed", where,
                              f"Avro payload changed, {mode} compatible")  # fmt: skip


def _security(
    old: dict[str, JSON], new: dict[str, JSON], where: str, what: str
) -> Iterator[Change]:
    """``security`` lists alternatives: dropping one breaks its users, requiring one where none
    was needed breaks everybody, offering one more is harmless."""
    before, after = _scheme_names(old.get("security")), _scheme_names(new.get("security"))
    if not before and after:
        text = f"{what} now requires security: {', '.join(sorted(after))}"
        yield _change("asyncapi-security-added-to-unsecured", f"{where}/security", text)
        return
    for name in sorted(before - after):
        text = f"{what} no longer accepts security scheme {name}"
        yield _change("asyncapi-security-scheme-removed", f"{where}/security", text)
    for name in sorted(after - before) if before else ():
        text = f"{what} also accepts security scheme {name}"
        yield _change("asyncapi-security-scheme-added", f"{where}/security", text)


def _scheme_names(node: JSON) -> set[str]:
    if not isinstance(node, list):
        return set()
    names = set()
    for item in node:
        ref = _ref_of(item)
        if ref:
            names.add(_last(ref))
        elif isinstance(item, dict):
            names.add(str(item.get("type", "?")))
    return names


def _payload(node: JSON) -> tuple[str, JSON]:
    """(schemaFormat, schema) of a payload: a Multi Format Schema Object or a plain schema."""
    if isinstance(node, dict) and "schemaFormat" in node and "schema" in node:
        return str(node["schemaFormat"]), node["schema"]
    return "application/vnd.aai.asyncapi+json", node


def _avro(side: _Side, node: JSON, file: Path | None) -> JSON:
    """An Avro schema, following a ``$ref`` to an ``.avsc`` file or into the document."""
    for _ in range(64):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            return node
        node, file = side.resolver.follow(str(node["$ref"]), file)
    raise DocumentError("Avro payload: $ref chain too long")


def _canonical(node: JSON) -> str:
    return json.dumps(node, sort_keys=True, separators=(",", ":"))


def _ref_of(node: JSON) -> str | None:
    return str(node["$ref"]) if isinstance(node, dict) and "$ref" in node else None


def _last(ref: str) -> str:
    return ref.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")


def _ref_names(node: JSON) -> set[str] | None:
    if not isinstance(node, list):
        return None
    return {_last(r) for r in (_ref_of(n) for n in node) if r}
