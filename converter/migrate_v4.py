"""The provider v4 resources that replace one aws_s3_bucket's inline blocks, as HCL items for either syntax.

The new resources' bodies keep the inline block's expressions as written, never the values one evaluation gave
them (only a plain bucket's dynamic blocks inside the inline block, or a tags map from one expression, are written as
the terraform reader evaluates them). A bucket with
count or for_each gives its meta-argument to the new resources, which name it by aws_s3_bucket.x[count.index] /
[each.key] (count.index and each.* mean the same under the same meta-argument). A `dynamic` block whose content does
not use its iterator is the same content repeated length(for_each) times (0 or 1: the inline blocks take one), so the
new resource gets count = length(for_each). The v4 upgrade guide:
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/guides/version-4-upgrade#s3-bucket-refactor
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import InputError, Refusal, error
from .formats import hcl
from .formats.terraform import import_block
from .values import Ref

VERSIONING, REPLICATION = "aws_s3_bucket_versioning", "aws_s3_bucket_replication_configuration"
INDEX = {"count": "[count.index]", "for_each": "[each.key]"}


@dataclass
class Bucket:
    """One aws_s3_bucket as the syntax layer reads it, and the count/for_each it repeats by (name, text)."""

    label: str
    block: Any  # converter.terraform.syntax.Block
    repeat: tuple[str, str] | None  # ("count", "2"): the expression's text as written (HCL), or "${...}" (JSON)
    known: dict = field(default_factory=dict)  # the bucket name of each instance (key None without count/for_each)
    dynamic: dict = field(default_factory=dict)  # kind -> the for_each text of a dynamic block building it
    present: dict = field(default_factory=dict)  # kind -> whether its dynamic block makes a block, as evaluated

    @property
    def address(self) -> str:
        return f"aws_s3_bucket.{self.label}"

    def where(self, item=None) -> dict:
        item = item or self.block
        return {"file": item.file, "line": item.line or None}


class _Symbolic:
    """An evaluator scope where every name is unknown: an expression reads as itself (a Ref with its text)."""

    def lookup(self, root: str, node=None):
        return Ref(kind="expression", language="terraform", text=root)


def symbolic(attribute) -> Any:
    """An attribute's value with its references kept as written: constants evaluated, anything else a Ref."""
    from .terraform import bridge
    from .terraform.evaluate import EvaluationError, evaluate
    from .terraform.expand import literal
    from .terraform.syntax import Json

    def json_value(data):
        if isinstance(data, str) and ("${" in data or "%{" in data):
            return evaluate(bridge.json_template(data, attribute), _Symbolic())
        if isinstance(data, dict):
            return {k: json_value(v) for k, v in data.items()}
        return [json_value(v) for v in data] if isinstance(data, list) else data

    try:
        expr = attribute.expr
        return literal(json_value(expr.value) if isinstance(expr, Json) else evaluate(expr, _Symbolic()))
    except EvaluationError as exc:
        raise InputError(error("evaluation", f"{attribute.name}: {exc}", file=attribute.file,
                               line=attribute.line or None)) from None


def _data(body, path: str) -> dict:
    """A block body as the terraform reader's plain data (blocks nested, rules a list, tags key/value items)."""
    out: dict = {}
    for name, attribute in body.attributes.items():
        value = symbolic(attribute)
        if name == "tags":
            if not isinstance(value, dict):
                raise Refusal(error("not-literal", f"{path}.tags is one expression; s3repl migrates a tags map "
                                    "written out", file=attribute.file, line=attribute.line or None,
                                    hint="write the map out ({ key = value }), then run migrate again"))
            value = [{"key": k, "value": v} for k, v in value.items()]
        out[name] = value
    for block in body.blocks:
        if block.type == "dynamic":
            raise Refusal(error("dynamic", f"{path} builds {block.labels[0]} with a dynamic block, inside a "
                                "resource with count/for_each or a dynamic block; s3repl cannot migrate it",
                                file=block.file, line=block.line or None,
                                hint="write the blocks out, then run migrate again"))
        inner = _data(block.body, f"{path}.{block.type}")
        if block.type == "rules":
            out.setdefault("rules", []).append(inner)
        else:
            out[block.type] = inner
    criteria = [r.get("source_selection_criteria", {}).get("sse_kms_encrypted_objects", {}) for r in out.get("rules", [])]
    for objects in criteria:  # a bool the reader turns into Enabled/Disabled: an expression keeps that meaning
        if isinstance(objects.get("enabled"), Ref):
            text = objects["enabled"].display()
            objects["enabled"] = Ref(kind="expression", language="terraform",
                                     text=f'({text}) ? "Enabled" : "Disabled"')
    return out


def written_config(bucket: Bucket, root):
    """The replication configuration of a bucket's inline block, its expressions as written (not evaluated)."""
    from .formats import terraform
    from .terraform.module import Resource

    body = inline(bucket, "replication_configuration")
    data = {"replication_configuration": _data(body, f"{bucket.address}.replication_configuration")}
    config = terraform._config(Resource(bucket.address, "aws_s3_bucket", bucket.block, root, {}), data, None)
    reference = Ref(kind="expression", language="terraform", text=_bucket_id(bucket))
    return config.model_copy(update={"bucket": reference})


def versioning(bucket: Bucket, provider: str | None) -> tuple:
    """aws_s3_bucket_versioning for a v3 versioning block (enabled and mfa_delete, literal)."""
    block = inline(bucket, "versioning")
    values = {}
    for key in ("enabled", "mfa_delete"):
        attribute = block.attributes.get(key)
        value = symbolic(attribute) if attribute is not None else False
        if not isinstance(value, bool):
            shown = value.display() if isinstance(value, Ref) else json.dumps(value)
            raise Refusal(error("not-literal", f"{bucket.address} versioning.{key} is {shown}; s3repl migrates "
                                "only true or false", **bucket.where(attribute),
                                hint="write aws_s3_bucket_versioning by hand"))
        values[key] = value
    if not values["enabled"]:
        # S3 cannot return a bucket to unversioned: false means Suspended or never enabled, and only the bucket knows.
        raise Refusal(error("versioning-disabled", f"{bucket.address} has versioning enabled = false: Suspended or "
                            "Disabled in aws_s3_bucket_versioning depends on the bucket's history",
                            **bucket.where(),
                            hint="remove the block if versioning was never enabled, or set enabled = true"))
    settings = [("status", "Enabled")] + ([("mfa_delete", "Enabled")] if values["mfa_delete"] else [])
    body = _head(bucket, provider, "versioning") + [("bucket", hcl.Expr(_bucket_id(bucket))),
                                      ("versioning_configuration", hcl.Block(settings))]
    return "resource", hcl.Block(body, (VERSIONING, bucket.label), spaced=True)


def replication(bucket: Bucket, config, provider: str | None, depends: str | None, declared: set):
    """(item, writer): aws_s3_bucket_replication_configuration for a configuration, by the terraform writer."""
    from .formats.terraform import Writer, resource

    writer = Writer([config], lambda diagnostic: None)
    _, body = resource(writer, config)
    body = [item for item in body if item[0] != "provider"]  # the bucket's own, put first below
    head = _head(bucket, provider, "replication_configuration") + ([("depends_on", hcl.Expr(depends))] if depends else [])
    item = ("resource", hcl.Block(head + body, (REPLICATION, bucket.label), spaced=True))
    hcl.render([item], writer.expression)  # rendering finds the variables the references need
    # A variable s3repl wrote to stand for a reference reads back as that reference and is written as the same
    # variable again; any other new variable would be a reference the module does not declare.
    if set(writer.variables) - declared:
        raise Refusal(error("internal", f"{REPLICATION}.{bucket.label} needs "
                            f"{', '.join(set(writer.variables) - declared)}"))
    return item, writer


def inline(bucket: Bucket, kind: str):
    """The body of a bucket's inline block of one kind: the block's, or its dynamic block's content."""
    if kind not in bucket.dynamic:
        return bucket.block.body.named(kind)[0].body
    [block] = [b for b in bucket.block.body.named("dynamic") if b.labels[:1] == (kind,)]
    return block.body.named("content")[0].body


def dynamic_for_each(bucket: Bucket, kind: str, text) -> str:
    """The for_each text of a dynamic inline block s3repl can migrate; refuses (saying why) the others."""
    from .terraform.evaluate import text_of
    from .terraform.syntax import Json

    blocks = [b for b in bucket.block.body.named("dynamic") if b.labels[:1] == (kind,)]
    where = bucket.where(blocks[0])
    if bucket.repeat or bucket.block.body.named(kind) or len(blocks) > 1:
        why = f"and uses {bucket.repeat[0]}" if bucket.repeat else "more than once"
        raise Refusal(error("dynamic", f"{bucket.address} builds {kind} with a dynamic block {why}; s3repl cannot "
                            "migrate it", **where, hint="write the block out, then run migrate again"))
    attributes = blocks[0].body.attributes
    iterator = text(attributes["iterator"]) if "iterator" in attributes else kind
    contents = blocks[0].body.named("content")
    if "for_each" not in attributes or len(contents) != 1:
        raise InputError(error("input", f'dynamic "{kind}" needs for_each and one content block', **where))

    def texts(body):
        for attribute in body.attributes.values():
            expr = attribute.expr
            yield json.dumps(expr.value) if isinstance(expr, Json) else text_of(expr)
        for inner in body.blocks:
            yield from texts(inner.body)

    if any(re.search(rf"(?<![\w.]){re.escape(iterator)}\s*\.", t) for t in texts(contents[0].body)):
        # Its value differs per element of for_each: v4 has no block to repeat, and the upgrade guide's mapping
        # (tags into and, enabled into status) depends on values only apply knows.
        raise Refusal(error("dynamic", f"{bucket.address} builds {kind} with a dynamic block whose content uses "
                            f"{iterator}.*; s3repl cannot migrate it exactly", **where,
                            hint="write the block out, or write the v4 resource by hand (s3repl convert DIR --to "
                            "terraform --var ... writes it for given values)"))
    return text(attributes["for_each"])


def _head(bucket: Bucket, provider: str | None, kind: str) -> list:
    """The meta-arguments the new resources take from the bucket: count/for_each, provider."""
    head = [(bucket.repeat[0], hcl.Expr(bucket.repeat[1]))] if bucket.repeat else []
    if kind in bucket.dynamic:  # the dynamic block makes length(for_each) blocks: 0 or 1
        head = [("count", hcl.Expr(f"length({bucket.dynamic[kind]})"))]
    return head + ([("provider", hcl.Expr(provider))] if provider else [])


def _bucket_id(bucket: Bucket) -> str:
    return f"{bucket.address}{INDEX[bucket.repeat[0]] if bucket.repeat else ''}.id"


def present(bucket: Bucket, kind: str, root) -> bool:
    """Whether a dynamic inline block makes a block with the module's values (decides its import block)."""
    from .terraform.module import decided

    [block] = [b for b in bucket.block.body.named("dynamic") if b.labels[:1] == (kind,)]
    try:
        return len(decided(root, block.body.attributes["for_each"], {}, f'{bucket.address} dynamic "{kind}"')) > 0
    except InputError as exc:
        raise Refusal([d.at(**bucket.where()) for d in exc.diagnostics]) from None


def names(bucket: Bucket, root) -> dict:
    """The bucket name of each instance (None for a bucket without count/for_each), for the import ids."""
    from .terraform import expand
    from .terraform.module import Scope

    found = {}
    try:
        instances = [r for r in root.resources(lambda b: b.labels == bucket.block.labels) if r.instance is root]
    except InputError as exc:
        raise Refusal([d.at(**bucket.where()) for d in exc.diagnostics]) from None
    for resource in instances:
        attribute = bucket.block.body.attributes.get("bucket")
        name = expand.field(attribute, Scope(root, resource.bindings), not resource.bindings) if attribute else None
        if not isinstance(name, str) or not name:
            shown = name.display() if isinstance(name, Ref) else "no name"
            raise Refusal(error("import-id", f"{resource.address} has no literal bucket name for the import id "
                                f"({shown})", **bucket.where(),
                                hint="give each instance a name known before apply (a literal, or built from count.index, "
                                "each.* and variable defaults), or run migrate without --import"))
        binding = resource.bindings.get("count", resource.bindings.get("each", {}))
        found[binding.get("index", binding.get("key"))] = name
    return found


def _own(kind: str) -> str:
    """The inline block a new resource comes from."""
    return "versioning" if kind == VERSIONING else "replication_configuration"


def import_keys(bucket: Bucket, kind: str) -> list | dict:
    """What an import block's for_each goes over: names by index (count), by key (for_each); [] when none exist."""
    if _own(kind) in bucket.dynamic:  # count = length(for_each): instance [0] when the block exists
        return [bucket.known[None]] if bucket.present.get(_own(kind)) else []
    if bucket.repeat[0] == "count":  # a list: each.key is the index count wants
        return [bucket.known[i] for i in sorted(bucket.known)]
    return dict(bucket.known)


def imports(bucket: Bucket, kinds: list[str], imported: set) -> list:
    """import blocks (Terraform 1.5+; for_each in them 1.7+): https://developer.hashicorp.com/terraform/language/import"""
    out = []
    for kind in kinds:
        if f"{kind}.{bucket.label}" in imported:
            continue
        if bucket.repeat is None and _own(kind) not in bucket.dynamic:
            out.append(import_block(f"{kind}.{bucket.label}", bucket.known[None]))
            continue
        keys = import_keys(bucket, kind)
        if not keys:  # nothing exists to adopt
            continue
        if isinstance(keys, list):
            keys = hcl.Expr("[" + ", ".join(f'"{hcl.escape(name)}"' for name in keys) + "]")
        body = [("for_each", keys), ("to", hcl.Expr(f"{kind}.{bucket.label}[each.key]")), ("id", hcl.Expr("each.value"))]
        out.append(("import", hcl.Block(body, spaced=True)))
    return out
