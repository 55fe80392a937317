"""Terraform modules evaluated: inputs in Terraform's precedence, locals, count/for_each, dynamic blocks, module calls.

What a value depends on that nobody knows before `terraform apply` (resource and data source attributes) stays a
converter.values.Ref; where such a value decides how many resources or blocks exist, reading stops and says which
input would decide it (https://developer.hashicorp.com/terraform/language/meta-arguments/count).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError, error
from ..sources import Source
from ..values import Ref
from . import syntax
from .syntax import Attribute, Block

MAX_MODULE_DEPTH = 16
PLAN = "terraform plan -out=tfplan && terraform show -json tfplan > plan.json, then read plan.json"
CALL_ARGUMENTS = {"source", "version", "count", "for_each", "providers", "depends_on"}


@dataclass
class Files:
    """One module's declarations, from every .tf and .tf.json file of its directory."""

    directory: str
    variables: dict = field(default_factory=dict)  # name -> Block
    locals: dict = field(default_factory=dict)  # name -> Attribute
    resources: list = field(default_factory=list)  # Block (type, name)
    calls: dict = field(default_factory=dict)  # name -> Block
    outputs: dict = field(default_factory=dict)  # name -> Block
    sources: list = field(default_factory=list)  # held while the module is: their parses are kept as long (while_held)

    @classmethod
    def of(cls, sources: list[Source]) -> "Files":
        """A module from its files (the first file's directory is the module's)."""
        files = cls(os.path.dirname(sources[0].name) if sources else ".", sources=list(sources))
        for source in sources:
            body = syntax.parse(source)
            for block in body.blocks:
                files.add(block)
        return files

    def add(self, block: Block) -> None:
        if block.type == "resource" and len(block.labels) == 2:
            self.resources.append(block)
        elif block.type == "locals":
            for name, attribute in block.body.attributes.items():
                _unique(self.locals, name, attribute, "local")
        elif block.type in ("variable", "module", "output") and len(block.labels) == 1:
            table = {"variable": self.variables, "module": self.calls, "output": self.outputs}[block.type]
            _unique(table, block.labels[0], block, block.type)


def _unique(table: dict, name: str, item, kind: str) -> None:
    if name in table:
        first = table[name]
        raise InputError(error("duplicate", f"{kind} {name!r} is declared twice (first at {first.file}:{first.line})",
                               file=item.file, line=item.line or None, hint="remove one of them"))
    table[name] = item


def where(item) -> dict:
    """file/line/column of an attribute or block, for a diagnostic."""
    return {"file": item.file, "line": item.line or None, "column": getattr(item, "column", 0) or None}


@dataclass(frozen=True)
class Resource:
    """One resource instance: its address, its block, and the each/count values its body sees."""

    address: str
    type: str
    block: Block
    instance: "Instance"
    bindings: dict


class Instance:
    """One instance of a module: its input values, its locals (evaluated once, on demand), its child modules."""

    def __init__(self, files: Files, inputs: dict, prefix: str = "", depth: int = 0, root: str | None = None,
                 given: set | None = None):
        self.files, self.inputs, self.prefix, self.depth = files, inputs, prefix, depth
        self.root = root if root is not None else files.directory
        self.given = given if given is not None else set(inputs)  # variables the caller set
        self.locals: dict = {}
        self.evaluating: list = []
        self._children: dict = {}
        self._files: dict = {}

    # --- values ------------------------------------------------------------------------------------
    def variable(self, name: str, node=None) -> Any:
        """var.NAME: the caller's value, else the default, else unknown (a Ref naming the input).

        An undeclared variable is unknown too (Terraform refuses it; a snippet may declare it elsewhere).
        """
        if name in self.inputs:
            return self.inputs[name]
        return Ref(kind="variable", target=f"var.{name}")

    def local(self, name: str) -> Any:
        """local.NAME, evaluated the first time it is asked for; a ring of locals is an error naming it."""
        if name in self.locals:
            return self.locals[name]
        attribute = self.files.locals.get(name)
        if attribute is None:
            raise KeyError(f"there is no local value {name!r}")
        if name in self.evaluating:
            ring = self.evaluating[self.evaluating.index(name):] + [name]
            places = ", ".join(f"local.{n} ({_at(self.files.locals[n])})" for n in ring[:-1])
            raise InputError(error("cycle", f"local values refer to each other in a cycle: {places}",
                                   **where(attribute), hint="break the cycle"))
        self.evaluating.append(name)
        try:
            value = self.evaluate(attribute, {})
        finally:
            self.evaluating.pop()
        self.locals[name] = value
        return value

    def evaluate(self, attribute: Attribute, bindings: dict) -> Any:
        """An attribute's value in this module with these each/count/iterator values."""
        from . import bridge

        return bridge.value(attribute, Scope(self, bindings))

    # --- expansion ----------------------------------------------------------------------------------
    def call_files(self, name: str) -> Files | None:
        """The files of the module a call names (read once); None for a local source that is not there."""
        if name not in self._files:
            self._files[name] = load_call(self, self.files.calls[name])
        return self._files[name]

    def child(self, name: str) -> list:
        """(key, Instance) for each instance of a module call (key None without count/for_each)."""
        if name not in self._children:
            self._children[name] = self._call(self.files.calls[name])
        return self._children[name]

    def _call(self, block: Block) -> list:
        from .inputs import typed

        if self.depth >= MAX_MODULE_DEPTH:
            raise InputError(error("too-deep", f"modules nest more than {MAX_MODULE_DEPTH} deep", file=block.file,
                                   line=block.line))
        files = self.call_files(block.labels[0])
        if files is None:
            return []
        out = []
        for key, bindings in repetitions(self, block, f"{self.prefix}module.{block.labels[0]}"):
            inputs = {}
            for name, attribute in block.body.attributes.items():
                if name not in CALL_ARGUMENTS:
                    if name not in files.variables:
                        raise InputError(error("input", f"module {block.labels[0]!r} has no variable {name!r}",
                                               **where(attribute)))
                    inputs[name] = self.evaluate(attribute, bindings)
            inputs = typed(files, inputs)
            prefix = f"{self.prefix}module.{block.labels[0]}{_index(key)}."
            out.append((key, Instance(files, inputs, prefix, self.depth + 1, self.root)))
        return out

    def resources(self, wanted) -> list[Resource]:
        """The instances of the resources wanted(block) picks, here and in called modules, count/for_each expanded.

        Only what is wanted is expanded: a count over an unknown elsewhere does not stop the read.
        """
        found = []
        for block in self.files.resources:
            if wanted(block):
                kind, name = block.labels
                for key, bindings in repetitions(self, block, f"{self.prefix}{kind}.{name}"):
                    found.append(Resource(f"{self.prefix}{kind}.{name}{_index(key)}", kind, block, self, bindings))
        for name in self.files.calls:
            if self.depth < MAX_MODULE_DEPTH and relevant(self, name, wanted):
                for _, child in self.child(name):
                    found += child.resources(wanted)
        return found

    def output(self, name: str) -> Any:
        block = self.files.outputs.get(name)
        if block is None or "value" not in block.body.attributes:
            raise KeyError(f"the module has no output {name!r}")
        return self.evaluate(block.body.attributes["value"], {})


def relevant(instance: Instance, name: str, wanted) -> bool:
    """Whether a module call holds (in itself or deeper) a resource wanted(block) picks.

    A local source whose directory is missing holds nothing we can read (its outputs are unknown); a registry module
    that `terraform init` has not fetched is an error saying so.
    """
    files = instance.call_files(name)
    if files is None:
        return False
    if any(wanted(b) for b in files.resources):
        return True
    child = Instance(files, {}, f"{instance.prefix}module.{name}.", instance.depth + 1, instance.root)
    return instance.depth + 1 < MAX_MODULE_DEPTH and any(relevant(child, n, wanted) for n in files.calls)


def _at(item) -> str:
    return f"{item.file}:{item.line}" if item.line else item.file


def _index(key) -> str:
    if key is None:
        return ""
    return f"[{key}]" if isinstance(key, int) else f"[{json.dumps(key, ensure_ascii=False)}]"


def repetitions(instance: Instance, block: Block, address: str) -> list[tuple[Any, dict]]:
    """(key, bindings) per instance of a block with count or for_each; [(None, {})] without them."""
    attributes = block.body.attributes
    if "count" in attributes:
        count = decided(instance, attributes["count"], {}, f"count of {address}")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise InputError(error("input", f"count of {address} must be a whole number >= 0, got {count!r}",
                                   **where(attributes["count"])))
        return [(i, {"count": {"index": i}}) for i in range(count)]
    if "for_each" in attributes:
        collection = decided(instance, attributes["for_each"], {}, f"for_each of {address}")
        pairs = for_each_pairs(collection)
        if pairs is None:
            raise InputError(error("input", f"for_each of {address} must be a map or a set of strings, got "
                                   f"{_kind(collection)}", **where(attributes["for_each"]),
                                   hint="Terraform wants toset([...]) for a list"))
        return [(k, {"each": {"key": k, "value": v}}) for k, v in pairs]
    return [(None, {})]


def for_each_pairs(collection) -> list | None:
    """(key, value) pairs of a for_each: a map by key, a set of strings by value; None for anything else."""
    from . import bridge

    if isinstance(collection, dict):
        return sorted(collection.items())
    if bridge.is_set(collection):
        return [(v, v) for v in bridge.ordered(collection)]
    return None


def _kind(value) -> str:
    return {dict: "a map", list: "a list", str: "a string", bool: "a bool", type(None): "null"}.get(type(value), "a value")


def decided(instance: Instance, attribute: Attribute, bindings: dict, what: str) -> Any:
    """A value that decides what exists (count, for_each, a condition): unknown is an error naming the way out."""
    from . import bridge

    value = instance.evaluate(attribute, bindings)
    # What decides is the value itself, a set's members, a map's keys: elements may stay unknown.
    if isinstance(value, Ref) or (bridge.is_set(value) and bridge.unknown(value)):
        missing = sorted(unset_inputs(instance, attribute.expr))
        inputs = (" Pass " + " ".join(f"--var var.{n}=..." for n in missing) + " (or a --var-file)") if missing else ""
        raise InputError(error("undecidable", f"the {what} cannot be decided statically: {bridge.text(attribute)} "
                               f"depends on {'inputs not given' if missing else 'values known only after apply'}."
                               f"{inputs}", **where(attribute),
                               hint=f"or let Terraform evaluate it: {PLAN}"))
    return value


def unset_inputs(instance: Instance, expr, seen: set | None = None) -> set:
    """The variables without a value that an expression uses, through locals too."""
    from . import bridge

    seen = seen if seen is not None else set()
    out = set()
    for root, name in bridge.references(expr):
        if root == "var" and name not in instance.inputs:
            out.add(name)
        elif root == "local" and name in instance.files.locals and name not in seen:
            seen.add(name)
            out |= unset_inputs(instance, instance.files.locals[name].expr, seen)
    return out


class Scope:
    """What names mean where an expression is evaluated: this module instance and the each/count/iterator values."""

    def __init__(self, instance: Instance, bindings: dict):
        self.instance, self.bindings = instance, bindings


def load_call(instance: Instance, block: Block) -> Files | None:
    """The files of a module call: a local source, or what `terraform init` fetched into .terraform/modules."""
    name = block.labels[0]
    source_attribute = block.body.attributes.get("source")
    source = instance.evaluate(source_attribute, {}) if source_attribute else None
    if not isinstance(source, str):
        raise InputError(error("input", f"module {name!r} needs a literal source", file=block.file, line=block.line))
    if source.startswith(("./", "../")) or source in (".", ".."):
        directory = os.path.normpath(os.path.join(instance.files.directory, source))
        if not os.path.isdir(directory):
            return None
    else:
        directory = _fetched(instance, name, source, block)
    return read_directory(directory, block)


def _fetched(instance: Instance, name: str, source: str, block: Block) -> str:
    """Where `terraform init` put a registry or git module (.terraform/modules/modules.json, keyed by call path)."""
    key = ".".join(part.split("[")[0] for part in (instance.prefix + f"module.{name}").split("module.") if part)
    key = key.replace("..", ".").strip(".")
    manifest = os.path.join(instance.root, ".terraform", "modules", "modules.json")
    try:
        with open(manifest, encoding="utf-8") as handle:
            modules = json.load(handle).get("Modules", [])
    except (OSError, ValueError, AttributeError):
        modules = []
    for entry in modules if isinstance(modules, list) else []:
        if isinstance(entry, dict) and entry.get("Key") == key and isinstance(entry.get("Dir"), str):
            return os.path.normpath(os.path.join(instance.root, entry["Dir"]))
    raise InputError(error("module-not-fetched", f"module {name!r} comes from {source!r}, which is not fetched",
                           file=block.file, line=block.line,
                           hint=f"run `terraform init` in {instance.root} (s3repl reads .terraform/modules), or {PLAN}"))


def read_directory(directory: str, block: Block | None = None) -> Files:
    """A module directory's .tf and .tf.json files."""
    from ..sources import load

    try:
        names = sorted(n for n in os.listdir(directory) if n.endswith((".tf", ".tf.json")))
    except OSError as exc:
        raise InputError(error("module", f"cannot read the module directory {directory}: {exc.strerror}",
                               file=block.file if block else None, line=block.line if block else None)) from None
    sources = [s for n in names for s in load(os.path.join(directory, n))]
    files = Files.of(sources)
    files.directory = directory
    return files


def root(sources: list[Source], context) -> Instance:
    """The root module instance of a directory's files, its variables set from the context."""
    from .inputs import root_inputs

    files = Files.of(sources)
    values, given = root_inputs(files, context)
    return Instance(files, values, given=given)
