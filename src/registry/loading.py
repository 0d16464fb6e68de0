"""Reading contract documents and resolving their cross-file ``$ref``s."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import TypeAlias
from urllib.parse import unquote

import yaml

JSON: TypeAlias = "bool | int | float | str | list[JSON] | dict[str, JSON] | None"
Document: TypeAlias = dict[str, JSON]


class DocumentError(ValueError):
    """A contract document cannot be read, parsed or resolved."""


# libyaml's parser is ~6x faster than the pure-Python one on big contracts; fall back without it.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeBase):  # type: ignore[valid-type,misc]
    """Safe loader that keeps dates and times as strings, as JSON would."""


# YAML 1.1 turns 2026-11-26 into a date; contracts mean the JSON string. The class attribute is
# shared with yaml's own loaders, so the table is copied before it is changed.
_Loader.yaml_implicit_resolvers = {
    first: list(resolvers) for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}
for _first, _resolvers in list(_Loader.yaml_implicit_resolvers.items()):
    _Loader.yaml_implicit_resolvers[_first] = [
        (tag, regexp) for tag, regexp in _resolvers if tag != "tag:yaml.org,2002:timestamp"
    ]


# Nodes a document may expand to once its YAML aliases are followed. Real contracts stay far below
# (the 4 MB Stripe document has under a million); "billion laughs" documents go far above, and
# every engine walks documents as trees.
MAX_EXPANDED_NODES = 2_000_000
_NODE_START = b" \t\r\n[{,:-"
_NAME_END = re.compile(rb"[\s\[\]{},]")


def _aliased_anchor(raw: bytes) -> bool:
    """Whether the text has a YAML anchor (``&name`` where a node starts) that is also aliased.

    A scan for ``&`` rather than a regular expression: 4 MB contracts are checked in
    milliseconds, and an ``&`` inside prose (``A &amp; B``) costs only a substring search.
    """
    start = raw.find(b"&")
    while start != -1:
        if start == 0 or raw[start - 1 : start] in _NODE_START:
            end = _NAME_END.search(raw, start + 1)
            name = raw[start + 1 : end.start() if end else len(raw)]
            if name and b"*" + name in raw:
                return True
        start = raw.find(b"&", start + 1)
    return False


def _expanded_size(document: JSON, limit: int) -> int:
    """Nodes in ``document`` counting every alias use, stopping once past ``limit``."""
    count = 0
    stack: list[JSON] = [document]
    while stack and count <= limit:
        node = stack.pop()
        count += 1
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return count


def parse_text(text: str, *, source: str = "<text>") -> JSON:
    """Parse a YAML or JSON document (JSON is YAML, but json is faster for big files).

    A YAML document whose aliases expand past ``MAX_EXPANDED_NODES`` is refused.
    """
    stripped = text.lstrip()
    try:
        if stripped.startswith(("{", "[")):
            parsed: JSON = json.loads(text)
            return parsed
        loaded: JSON = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise DocumentError(f"{source}: not valid YAML or JSON: {exc}") from exc
    if (
        "&" in text
        and _aliased_anchor(text.encode("utf-8", "surrogatepass"))
        and _expanded_size(loaded, MAX_EXPANDED_NODES) > MAX_EXPANDED_NODES
    ):
        raise DocumentError(
            f"{source}: its YAML aliases expand to more than {MAX_EXPANDED_NODES:,} nodes; "
            "refusing to read it"
        )
    return loaded


def load_file(path: str | Path) -> JSON:
    """Read and parse one YAML or JSON file."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise DocumentError(f"{file}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{file}: not UTF-8 text") from exc
    return parse_text(text, source=str(file))


def load_document(path: str | Path) -> Document:
    """Read a file that must hold a mapping at its top level."""
    doc = load_file(path)
    if not isinstance(doc, dict):
        raise DocumentError(f"{path}: the top level is not a mapping")
    return doc


def resolve_pointer(doc: JSON, pointer: str, *, source: str = "<document>") -> JSON:
    """Follow a JSON pointer (RFC 6901, optionally URI-encoded) inside ``doc``."""
    if pointer in ("", "/"):
        return doc
    node = doc
    for raw in unquote(pointer).lstrip("/").split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise DocumentError(f"{source}: $ref pointer #{pointer} does not exist")
    return node


class _Bundler:
    """Pulls components from other files into one document, rewriting refs to local ones."""

    def __init__(self, root: Path, doc: Document) -> None:
        self.root = root.resolve()
        self.doc = doc
        self.files: dict[Path, JSON] = {self.root: doc}
        # (file, pointer) -> local ref already assigned, so shared components are copied once.
        self.assigned: dict[tuple[Path, str], str] = {}
        # Components brought in from other files, merged into the result at the end.
        self.extra: dict[str, dict[str, JSON]] = {}

    def file(self, path: Path) -> JSON:
        if path not in self.files:
            self.files[path] = load_file(path)
        return self.files[path]

    def rewrite(self, node: JSON, base: Path) -> JSON:
        if isinstance(node, list):
            return [self.rewrite(item, base) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            return self.rewrite_ref(node, ref, base)
        return {key: self.rewrite(value, base) for key, value in node.items()}

    def rewrite_ref(self, node: dict[str, JSON], ref: str, base: Path) -> JSON:
        target_part, _, pointer = ref.partition("#")
        target = (base.parent / unquote(target_part)).resolve() if target_part else base
        if target == self.root:
            return {**node, "$ref": f"#{pointer}"} if target_part else node
        key = (target, pointer)
        if key in self.assigned:
            return {**node, "$ref": self.assigned[key]}
        value = resolve_pointer(self.file(target), pointer, source=str(target))
        parts = pointer.lstrip("/").split("/")
        if len(parts) == 3 and parts[0] == "components":
            local = self.place(parts[1], parts[2], target, key)
            self.assigned[key] = local
            section = self.components(parts[1])
            section[local.rsplit("/", 1)[1]] = self.rewrite(copy.deepcopy(value), target)
            return {**node, "$ref": local}
        # A ref to a whole file or a non-component node is inlined where it stands.
        return self.rewrite(copy.deepcopy(value), target)

    def adopt_aliases(self) -> None:
        """Replace own components that only point at another file's component by its body.

        ``securitySchemes: {oauth2: {$ref: common.yaml#/...}}`` must keep the name ``oauth2``,
        which security requirements use.
        """
        own = self.doc.get("components")
        if not isinstance(own, dict):
            return
        for kind, entries in own.items():
            if not isinstance(entries, dict):
                continue
            for name, value in entries.items():
                if not (isinstance(value, dict) and set(value) == {"$ref"}):
                    continue
                ref = value["$ref"]
                if not isinstance(ref, str) or ref.startswith("#"):
                    continue
                target_part, _, pointer = ref.partition("#")
                target = (self.root.parent / unquote(target_part)).resolve()
                self.assigned[(target, pointer)] = f"#/components/{kind}/{name}"
                body = resolve_pointer(self.file(target), pointer, source=str(target))
                entries[name] = self.rewrite(copy.deepcopy(body), target)

    def components(self, kind: str) -> dict[str, JSON]:
        return self.extra.setdefault(kind, {})

    def place(self, kind: str, name: str, target: Path, key: tuple[Path, str]) -> str:
        own = self.doc.get("components")
        existing = own.get(kind) if isinstance(own, dict) else None
        section = self.components(kind)
        candidate, n = name, 1
        while candidate in section or (isinstance(existing, dict) and candidate in existing):
            n += 1
            candidate = f"{name}{n}"
        section[candidate] = {}  # reserve the name while its body is being rewritten
        return f"#/components/{kind}/{candidate}"


def bundle(path: str | Path) -> Document:
    """Load ``path`` and bring every external ``$ref`` into it, so it stands alone.

    Referenced components keep their names under the document's own ``components`` (suffixed on a
    clash); other external targets are inlined.
    """
    root = Path(path)
    doc = load_document(root)
    bundler = _Bundler(root, doc)
    bundler.adopt_aliases()
    rewritten = bundler.rewrite(doc, bundler.root)
    assert isinstance(rewritten, dict)
    if bundler.extra:
        merged = rewritten.setdefault("components", {})
        if not isinstance(merged, dict):
            raise DocumentError(f"{path}: 'components' is not a mapping")
        for kind, entries in bundler.extra.items():
            section = merged.setdefault(kind, {})
            if not isinstance(section, dict):
                raise DocumentError(f"{path}: 'components.{kind}' is not a mapping")
            for name, value in entries.items():
                section.setdefault(name, value)
    return rewritten
