"""Where a member of a JSON or YAML text is: one composed node graph per text, shared by every finding."""

from __future__ import annotations

from functools import lru_cache

from .errors import InputError, error

_FAILED = object()  # the text does not compose


@lru_cache(maxsize=2)
def _composed(text: str):
    """The YAML node graph of a text, composed once for every finding that asks where it is (was once per finding)."""
    import yaml

    try:
        return yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError):
        return _FAILED


def locate(text: str, pointer: tuple) -> tuple[int, int] | None:
    """Line and column (1-based) of a member in a JSON or YAML text; None when it cannot be found."""
    _, mark = _node_at(text, pointer)
    return (mark.line + 1, mark.column + 1) if mark else None


def plain_scalar(text: str, pointer: tuple) -> str | None:
    """The source text of an unquoted YAML scalar (017, 1.50, yes), or None when the member is not one."""
    import yaml

    node, _ = _node_at(text, pointer, exact=True)
    return node.value if isinstance(node, yaml.ScalarNode) and not node.style and node.tag != "!" else None


def _node_at(text: str, pointer: tuple, exact: bool = False):
    """The node of a member and where it starts (its key's mark in a mapping); with exact, (None, None) when the
    member is missing instead of its closest enclosing node."""
    import yaml

    node = _composed(text)
    if node is _FAILED:
        return None, None
    mark = node.start_mark if node is not None else None
    for part in pointer:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == part), None)
            if match is None:
                return (None, None) if exact else (node, mark)
            mark, node = match[0].start_mark, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            mark = node.start_mark
        elif isinstance(part, str) and part.startswith("Fn::") and node.tag == f"!{part[4:]}":
            continue  # a CloudFormation short-form tag (!If [...]) holds the arguments the long form keys by name
        else:
            return (None, None) if exact else (node, mark)
    return node, mark


def with_locations(exc: InputError, text: str, name: str, locator=locate) -> InputError:
    """The error with file, line and column added to every diagnostic that has a pointer."""
    out = []
    for diag in exc.diagnostics:
        where = locator(text, diag.pointer) if diag.pointer is not None else None
        out.append(diag.at(file=name, line=where[0], column=where[1]) if where else diag.at(file=name))
    return InputError(sorted(out, key=lambda d: (d.line or 0, d.column or 0)))


def duplicate(text: str, name: str, key) -> InputError:
    """A repeated key, refused with both places (a parser keeps the last silently; S3 XML refuses repeats too)."""
    import yaml

    stack = [_composed(text)]  # JSON is YAML here: the node graph has every key with its position
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen = {}
            for key_node, value in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(key):
                    if key_node.value in seen:
                        return duplicate_at(name, key_node.value, seen[key_node.value], key_node.start_mark)
                    seen[key_node.value] = key_node.start_mark
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return InputError(error("duplicate", f"the key {key!r} appears more than once in a mapping", file=name,
                            hint="keep one"))


def duplicate_at(name: str, key, first, second) -> InputError:
    """The error for a key repeated at the YAML mark second, first seen at the mark first."""
    return InputError(error("duplicate", f"the key {key!r} appears again (first at line {first.line + 1}, "
                            f"column {first.column + 1})", file=name, line=second.line + 1, column=second.column + 1,
                            hint="keep one: a parser would silently keep the last"))
