"""Reading the served OpenAPI document in tests: references resolved, parameters by name, declared media types."""

from __future__ import annotations

FEATURES = "cadastre_cantho"  # the published collection of the API tests
RECORDS = "datasets"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def resolve(doc: dict, node: dict) -> dict:
    """A node with its local $ref followed (the document must be self-contained)."""
    while isinstance(node, dict) and "$ref" in node:
        target = node["$ref"]
        assert target.startswith("#/"), f"remote reference {target}"
        node = doc
        for part in target[2:].split("/"):
            node = node[part]
    return node


def operation(doc: dict, path: str, method: str = "get") -> dict:
    """One operation of the document (KeyError when undeclared)."""
    return doc["paths"][path][method]


def parameters(doc: dict, path: str, method: str = "get") -> dict[str, dict]:
    """The operation's parameters by name, resolved, schemas resolved too."""
    out = {}
    for p in operation(doc, path, method).get("parameters", []):
        p = dict(resolve(doc, p))
        p["schema"] = resolve(doc, p.get("schema", {}))
        out[p["name"]] = p
    return out


def media_types(doc: dict, path: str, status: str = "200", method: str = "get") -> set[str]:
    """Media types declared for one response of an operation."""
    return set(resolve(doc, operation(doc, path, method)["responses"][status]).get("content", {}))


def enum(param: dict) -> list:
    """A parameter's allowed values (for arrays, those of its items)."""
    schema = param["schema"]
    if schema.get("type") == "array":
        return schema["items"]["enum"]
    return schema["enum"]


def refs(node) -> list[str]:
    """Every $ref in a document."""
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [r for v in node.values() for r in refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in refs(v)]
    return []
