"""Terraform HCL: aws_s3_bucket_replication_configuration (provider v4+) and the v3 inline block, read and written."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from .. import grammar
from ..errors import InputError, Refusal, error
from ..model import Around, ReplicationConfig
from ..source_map import recalled, remember
from ..sources import Source
from ..values import Ref, Value
from . import hcl, literal_bucket, unique_name
from .detection import terraform as detect  # noqa: F401 - formats.detect uses the table, not this module
from .terraform_provider import NORMALIZATIONS, normalizations_at_work, provider_view  # noqa: F401 - re-exported

NAME = "terraform"
MULTI = True
NEEDS_LITERALS = False
GRAMMAR = grammar.load(NAME)
RESOURCE = GRAMMAR.raw["resource"]
MAPS, LISTS, META = set(GRAMMAR.raw["maps"]), set(GRAMMAR.raw["lists"]), set(GRAMMAR.raw["meta_arguments"])
STAND_IN = "s3repl reference: "  # a variable description that records which reference the variable stands for


# --- reading ---------------------------------------------------------------------------------------

def _parser():
    """python-hcl2's Lark grammar (LALR, no transformer): see converter.terraform.syntax."""
    from ..terraform import syntax

    return syntax.parser()


def parse(source: Source):
    """The body of a .tf or .tf.json file: attributes and blocks with their places; shared, never changed."""
    from ..terraform import syntax

    return syntax.parse(source)


def read(source: Source, context=None) -> list[ReplicationConfig]:
    """The replication configurations of one Terraform file (a module of one file)."""
    return read_module([source], context)


def _wanted(block) -> bool:
    """The resources that hold replication: the v4 resource, and aws_s3_bucket with a v3 inline block."""
    kind = block.labels[0]
    if kind == RESOURCE:
        return True
    return kind == "aws_s3_bucket" and any(b.type == "replication_configuration" or (
        b.type == "dynamic" and b.labels[:1] == ("replication_configuration",)) for b in block.body.blocks)


def read_module(sources: list[Source], context=None) -> list[ReplicationConfig]:
    """The replication configurations of a module (the *.tf and *.tf.json files of a directory), evaluated.

    context: a converter.context.ReadContext (--var, --var-file, the environment for TF_VAR_name).
    """
    from ..context import EMPTY
    from ..terraform import expand, module

    root = module.root(sources, context or EMPTY)
    configs, problems = [], []
    for resource in root.resources(_wanted):
        try:
            data, positions = expand.plain(resource)
            if resource.type == "aws_s3_bucket" and "replication_configuration" not in data:
                continue  # a dynamic block with nothing to repeat
            config = _config(resource, data, _evaluated(root, resource))
            configs.append(config)
            remember(config, positions)  # where each field is written, for the locator
        except InputError as exc:
            problems += [d.at(file=resource.block.file, line=resource.block.line) for d in exc.diagnostics]
    if problems:
        raise InputError(problems)
    if not configs:
        names = ", ".join(s.name for s in sources)
        raise Refusal(error("no-replication", f"no {RESOURCE} resource and no aws_s3_bucket with a "
                            "replication_configuration block", file=names))
    return configs


def _config(resource, data: dict, evaluated: str | None) -> ReplicationConfig:
    from ..terraform import expand

    address, v3 = resource.address, resource.type == "aws_s3_bucket"
    pointer = (address,)
    data = data if v3 else {k: v for k, v in data.items() if k != "bucket"}
    if v3:
        block = data.get("replication_configuration")
        data = _from_v3(block, pointer + ("replication_configuration",))
        name = expand.bucket_name(resource.instance, address.removeprefix(resource.instance.prefix))
        bucket = Ref(kind="resource", target=address, attribute="id", resource_type="aws_s3_bucket",
                     default=name if resource.instance.prefix == "" and not resource.bindings else None)
        bucket = name if isinstance(name, str) and bucket.default is None else bucket
        pointer += ("replication_configuration",)
    else:
        if "bucket" not in resource.block.body.attributes:
            raise InputError(error("missing-member", "missing required argument 'bucket'", path=address))
        bucket = expand.field(resource.block.body.attributes["bucket"], _scope(resource),
                              resource.instance.prefix == "" and not resource.bindings)
        if not isinstance(bucket, (str, Ref)):  # model_copy below does not validate: a list would reach the writers
            raise InputError(error("input", f"expected a string, got {type(bucket).__name__}", path=f"{address}.bucket",
                                   pointer=pointer + ("bucket",)))
    data = _literal_enums(data, ReplicationConfig)
    config = grammar.to_model(data, ReplicationConfig, GRAMMAR, hook=_passthrough, pointer=pointer)
    if v3:  # the inline block has its own normalizations
        from .terraform_legacy import provider_view as view
    else:
        view = provider_view
    return view(config).model_copy(update={"bucket": bucket, "origin": address, "evaluated": evaluated,
                                           "around": _around(resource.block.body, v3)})


def _around(body, v3: bool) -> tuple | None:
    """Meta-arguments around the resource (issue 16); for a v3 bucket only its provider concerns the replication."""
    from ..terraform.syntax import meta_argument, meta_block

    out = []
    for name in ("provider",) if v3 else ("provider", "depends_on", "lifecycle"):
        if name in body.attributes:
            value = meta_argument(body.attributes[name].expr, name)
        elif body.named(name):
            value = [meta_block(block.body) for block in body.named(name)]
        else:
            continue
        out.append(Around(language="terraform", name=name, value=json.dumps(value)))
    return tuple(out) or None


def _scope(resource):
    from ..terraform.module import Scope

    return Scope(resource.instance, resource.bindings)


def _literal_enums(data: Any, cls) -> Any:
    """Enum and number fields take a reference's known value: `status = var.s` with s = "Enabled" is "Enabled"."""
    if not isinstance(data, dict) or cls is None:
        return data
    shape, kinds = GRAMMAR.shapes.get(cls.__name__, {}), grammar.kinds(cls)
    out = {}
    for key, value in data.items():
        what, target = kinds.get(shape.get(key), (None, None))
        if what in ("enum", "int") and isinstance(value, Ref) and isinstance(value.default, str):
            value = value.default
        elif what == "model":
            value = _literal_enums(value, target)
        elif what == "list" and isinstance(value, list):
            value = [_literal_enums(v, target) for v in value]
        out[key] = value
    return out


def _passthrough(raw: Any, pointer: tuple) -> Value:
    if isinstance(raw, Ref):
        return raw
    raise InputError(error("input", f"expected a string, got {type(raw).__name__} {raw!r}", path=grammar.render(pointer),
                           pointer=pointer))


def _evaluated(root, resource) -> str | None:
    """What static evaluation expanded for a resource (None when it is read as written), for losses()."""
    why = []
    if resource.instance.prefix:
        why.append(f"the module call {resource.instance.prefix.rstrip('.')}")
    if resource.bindings:
        why.append("count" if "count" in resource.block.body.attributes else "for_each")
    if any(b.type == "dynamic" for b in _all_blocks(resource.block.body)):
        why.append("dynamic blocks")
    if not why:
        return None
    inputs = ", ".join(f"var.{n}" for n in sorted(root.given))
    return "Terraform: " + ", ".join(why) + (f" with the inputs given for {inputs}" if inputs else "")


def _all_blocks(body):
    for block in body.blocks:
        yield block
        yield from _all_blocks(block.body)


def _from_v3(block: dict | None, pointer: tuple) -> dict:
    """The v3 inline block in the v4 resource's shape, with provider v3's own defaults applied."""
    if not isinstance(block, dict):
        raise InputError(error("input", "replication_configuration must be a block", path=grammar.render(pointer)))
    out = {k: v for k, v in block.items() if k != "rules"}
    out["rule"] = [_rule_from_v3(r) for r in block.get("rules", [])]
    return out


def _rule_from_v3(rule: dict) -> dict:
    rule = dict(rule)
    status = rule.pop("delete_marker_replication_status", None)
    if "filter" in rule:  # V2: the provider sends Priority, and DeleteMarkerReplication Disabled when not Enabled
        flt = dict(rule["filter"])
        tags, prefix = flt.pop("tags", None), flt.pop("prefix", "")
        rule["filter"] = {**flt, **({"and": {"prefix": prefix, "tags": tags}} if tags else {"prefix": prefix})}
        rule.setdefault("priority", 0)
        rule["delete_marker_replication"] = {"status": status or "Disabled"}
    # A V1 rule: the provider sends no DeleteMarkerReplication, whatever delete_marker_replication_status says.
    destination = dict(rule.get("destination") or {})
    if "account_id" in destination:
        destination["account"] = destination.pop("account_id")
    if "replica_kms_key_id" in destination:
        destination["encryption_configuration"] = {"replica_kms_key_id": destination.pop("replica_kms_key_id")}
    for name, inner in (("replication_time", "time"), ("metrics", "event_threshold")):
        if isinstance(destination.get(name), dict):  # the schema's defaults: status Enabled, minutes 15
            flat = {"status": "Enabled", "minutes": 15, **destination[name]}
            if "minutes" in flat:
                flat[inner] = {"minutes": flat.pop("minutes")}
            destination[name] = flat
    if "destination" in rule:
        rule["destination"] = destination
    criteria = rule.get("source_selection_criteria")
    if isinstance(criteria, dict) and isinstance(criteria.get("sse_kms_encrypted_objects"), dict):
        enabled = criteria["sse_kms_encrypted_objects"].get("enabled")
        status_text = {True: "Enabled", False: "Disabled"}.get(enabled, enabled)
        rule["source_selection_criteria"] = {**criteria, "sse_kms_encrypted_objects": {"status": status_text}}
    return rule


# --- writing ---------------------------------------------------------------------------------------

TOKEN_VARIABLE = "replication_token"


def losses(config: ReplicationConfig, options) -> list:
    """map_losses, and what the v4 resource's provider would not send: a second filter member, an empty and."""
    from ..lossy import Loss

    found = map_losses(config, options)
    if isinstance(config.token, str):  # the provider marks token sensitive: a literal in code would leak it
        found.append(Loss(("token",), "the object-lock token is sensitive and is not written as a literal; it becomes "
                          f"the variable {TOKEN_VARIABLE} (pass its value with TF_VAR_{TOKEN_VARIABLE})",
                          Ref(kind="variable", target=f"var.{TOKEN_VARIABLE}")))
    for index, rule in enumerate(config.rules):
        flt, here = rule.filter, ("rules", index, "filter")
        if flt is None:
            continue
        present = [name for name in ("tag", "and_", "prefix") if getattr(flt, name) is not None]  # the provider's choice
        found += [Loss(here + (extra,), f"the provider sends only the filter's {present[0].rstrip('_')}, "
                       f"not its {extra.rstrip('_')} too") for extra in present[1:]]
        if present[:1] == ["and_"] and not flt.and_.tags and flt.and_.prefix in (None, ""):
            found.append(Loss(here + ("and_",), "an and without tags and prefix reaches the provider as no block "
                              "(sent as Prefix \"\"); write the prefix instead"))
    return found


def map_losses(config: ReplicationConfig, options) -> list:
    """Tags in `and` become a map: a key given twice cannot be held; HCL turns strings into Unicode NFC; the provider
    sends no priority on a rule without filter."""
    from ..lossy import Loss, leaves

    # https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md#template-literals normalizes literals to NFC.
    found = [Loss(loc, "Terraform normalizes strings to Unicode NFC, and this one would change",
                  unicodedata.normalize("NFC", value))
             for loc, value in leaves(config) if isinstance(value, str) and not unicodedata.is_normalized("NFC", value)]
    if config.evaluated and config.evaluated.startswith("Terraform: "):  # CloudFormation's: converter/lossy.py
        found.append(Loss(("evaluated",), f"{config.origin or 'the configuration'} was read by evaluating "
                          f"{config.evaluated.removeprefix('Terraform: ')}; it is written as literal, expanded resources"))
    for index, rule in enumerate(config.rules):
        tags = rule.filter.and_.tags if rule.filter and rule.filter.and_ and rule.filter.and_.tags else ()
        seen = set()
        for position, tag in enumerate(tags):
            key = tag.key if isinstance(tag.key, str) else tag.key.display()
            if key in seen:
                found.append(Loss(("rules", index, "filter", "and_", "tags", position),
                                  f"the tag key {key!r} appears twice, and Terraform's tags map holds it once"))
            seen.add(key)
        if rule.filter is None and rule.priority is not None:
            found.append(Loss(("rules", index, "priority"), "the provider sends no priority on a rule without filter (V1)"))
    return found


def snake(name: str) -> str:
    """A Terraform identifier from any name: ReplicationRole -> replication_role."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    out = re.sub(r"[^A-Za-z0-9_]+", "_", words).strip("_").lower()
    return out if out[:1].isalpha() or out[:1] == "_" else f"r_{out}"


class Writer:
    """Turns configurations into HCL blocks; keeps the variables and data sources it needs."""

    def __init__(self, configs: list[ReplicationConfig], warn):
        self.configs, self.warn = configs, warn
        self.variables: dict[str, dict] = {}
        self.locals: dict[str, Value] = {}
        self.data: set[str] = set()
        self.names: set[str] = set()
        self.table = grammar.references()

    def unique(self, wanted: str) -> str:
        return unique_name(wanted, self.names, "_")

    def resource_name(self, config: ReplicationConfig) -> str:
        origin, bucket = config.origin or "", config.bucket
        if origin and "://" not in origin:  # an address or logical ID; s3://BUCKET (a live read) names the bucket
            wanted = snake(origin.rsplit(".", 1)[-1])
        elif isinstance(bucket, str):
            wanted = snake(bucket)
        else:
            wanted = "this"
        return self.unique(wanted or "this")

    def expression(self, ref: Ref) -> str:
        """Terraform expression text for a reference, translated from CloudFormation where a mapping exists."""
        if ref.kind in ("variable", "local") or (ref.kind == "resource" and not (ref.resource_type or "").startswith("AWS::")):
            if ref.kind == "variable":
                self.variable(ref.target.split(".", 1)[1], ref)
            if ref.kind == "local" and ref.default is not None:
                self.locals.setdefault(ref.target.split(".", 1)[1], ref.default)
            if ref.kind == "resource" and ref.target.startswith("data."):
                self.data.add(ref.target)
            return ref.display()
        if ref.kind == "expression" and ref.language == "terraform":
            return ref.text or ""
        if ref.kind == "pseudo" and ref.target in self.table["pseudo_parameters"]:
            text = self.table["pseudo_parameters"][ref.target]
            self.data.add(text.rsplit(".", 1)[0])
            return text
        if ref.kind == "parameter":
            name = snake(ref.target)
            self.variable(name, ref)
            return f"var.{name}"
        # Anything else, a template's resource included, is not written beside: a variable stands for it, so that
        # the output validates on its own (its description records the reference, for the way back).
        return f"var.{self.stand_in(ref)}"

    def variable(self, name: str, ref: Ref, description: str | None = None) -> None:
        spec: dict = {"type": hcl.Expr("string")}
        if description:
            spec["description"] = description
        if isinstance(ref.default, str):
            spec["default"] = ref.default
        self.variables.setdefault(name, spec)
        self.names.add(name)

    def stand_in(self, ref: Ref) -> str:
        """A variable standing for a reference Terraform cannot write; its description records which."""
        stored = STAND_IN + ref.model_dump_json(exclude_none=True)
        for name, spec in self.variables.items():
            if spec.get("description") == stored:
                return name
        if ref.kind == "expression":
            wanted = "expression"
        elif ref.kind == "resource":  # ReplicationRole.Arn -> replication_role_arn; a bucket's Ref is its name
            wanted = f"{snake(ref.target.rsplit('.', 1)[-1])}_{snake(ref.attribute or 'name')}"
        else:
            wanted = snake(ref.target or "value")
        name = self.unique(wanted)
        self.variable(name, ref, stored)
        if ref.kind == "expression":
            self.warn(error("stand-in", f"the expression {ref.display()} cannot be written in Terraform; "
                            f"variable {name} stands for it", severity="warning"))
        return name

    def body(self, data: dict) -> list:
        """HCL items for grammar data: nested dicts become blocks, rule lists repeated blocks, tags a map."""
        items = []
        for key, value in data.items():
            if key in MAPS and isinstance(value, list):
                items.append((key, {self.key(t["key"]): t["value"] for t in value}))
            elif isinstance(value, list):
                items += [(key, hcl.Block(self.body(v), spaced=True)) for v in value]
            elif isinstance(value, dict):
                items.append((key, hcl.Block(self.body(value))))
            else:
                items.append((key, value))
        return items

    def key(self, key: Value) -> str | hcl.Expr:
        """A map key: a literal, or a reference in parentheses, which HCL reads as an expression (a quoted
        "(var.x)" was the literal text: https://developer.hashicorp.com/terraform/language/expressions/types#maps)."""
        return key if isinstance(key, str) else hcl.Expr(f"({self.expression(key)})")

    def rule_data(self, config: ReplicationConfig) -> dict:
        data = grammar.from_model(config, GRAMMAR, hook=lambda ref, where: ref)
        for rule in data.get("rule", []):
            if rule.get("filter") in ({}, {"prefix": ""}):
                rule["filter"] = {}  # filter {} is what the provider documents for "everything"; it sends both as Filter {}
            and_ = (rule.get("filter") or {}).get("and")
            if isinstance(and_, dict) and and_.get("prefix") == "" and and_.get("tags"):
                del and_["prefix"]  # not sent (filter-choice): written, reading it back would not give it
            if rule.get("source_selection_criteria") == {}:
                del rule["source_selection_criteria"]  # not sent, and written it would show as a change in every plan
        if "token" in data:
            data["token"] = self.secret(data["token"])
        return data

    def secret(self, token: Value) -> Value:
        """The object-lock token's variable, declared sensitive: the provider marks token sensitive, and a literal
        in code would leak it (losses() turns a literal into var.replication_token;
        https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_replication_configuration#token)."""
        if isinstance(token, Ref) and token.kind == "variable":
            name = token.target.split(".", 1)[1]
            self.variables[name] = {"type": hcl.Expr("string"), "sensitive": True}
            self.names.add(name)
        return token

    def preamble(self) -> list[str]:
        """HCL lines for the locals, variables and data sources the written resources refer to."""
        lines = hcl.render([("locals", hcl.Block(list(self.locals.items())))], self.expression) if self.locals else []
        items = [("variable", hcl.Block(list(spec.items()), (name,), spaced=True)) for name, spec in self.variables.items()]
        for address in sorted(self.data):
            kind, label = address.split(".")[1:3]
            items.append(("data", hcl.Block([], (kind, label), spaced=True)))
        variables = hcl.render(items, self.expression)  # after locals: their values may name variables
        return variables + ([""] if variables and lines else []) + lines

    def preamble_json(self) -> dict:
        """The same in Terraform's JSON syntax."""
        out = to_json([("locals", hcl.Block(list(self.locals.items())))], self.expression) if self.locals else {}
        items = [("variable", hcl.Block(list(spec.items()), (name,))) for name, spec in self.variables.items()]
        items += [("data", hcl.Block([], tuple(address.split(".")[1:3]))) for address in sorted(self.data)]
        return {**to_json(items, self.expression), **out}


def resource(writer: Writer, config: ReplicationConfig) -> tuple[str, list]:
    """The name and body of one v4 replication resource."""
    if config.bucket is None:
        raise Refusal(error("needs-bucket", f"{RESOURCE} names its source bucket, and the input has none",
                            hint="pass --bucket NAME"))
    name = writer.resource_name(config)
    head, tail = around_items(config, ("provider", "depends_on")), around_items(config, ("lifecycle",))
    return name, [*head, ("bucket", config.bucket), *writer.body(writer.rule_data(config)), *tail]


def around_items(config: ReplicationConfig, names: tuple) -> list:
    """HCL items for the Terraform meta-arguments read with the configuration (a lifecycle block, expressions)."""
    found = {item.name: json.loads(item.value) for item in config.around or () if item.language == "terraform"}
    return _meta_body({name: found[name] for name in names if name in found})


def _meta_body(data: dict) -> list:
    items = []
    for key, value in data.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):  # blocks
            items += [(key, hcl.Block(_meta_body(v))) for v in value]
        else:
            items.append((key, value if isinstance(value, bool) else hcl.Expr(_meta_expression(value))))
    return items


def _meta_expression(value: Any) -> str:
    """HCL text for a value read by syntax.meta_argument: expressions and quoted templates as they are."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_meta_expression(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_meta_expression(v)}" for k, v in value.items()) + " }"
    return value  # an expression, or a quoted template as python-hcl2 keeps it


def _resources(configs: list[ReplicationConfig], options) -> tuple[Writer, list]:
    writer = Writer(configs, options.warn)
    resources, imports = [], []
    for config in configs:
        name, body = resource(writer, config)
        if options.imports:
            bucket = next(value for key, value in body if key == "bucket")
            resources.append(adoption(config, name, bucket))
            imports += import_blocks(config, name)
            _depend(body, f"{VERSIONING}.{name}")
        resources.append(("resource", hcl.Block(body, (RESOURCE, name), spaced=True)))
    return writer, resources + imports


# --- adopting what exists (--import) ----------------------------------------------------------------
# https://developer.hashicorp.com/terraform/language/import (Terraform 1.5+); both resources import by bucket name:
# https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_replication_configuration#import
VERSIONING = "aws_s3_bucket_versioning"


def _depend(body: list, address: str) -> None:
    """Add an address to the body's depends_on (the one read with the configuration, or a new one)."""
    for index, (key, value) in enumerate(body):
        if key == "depends_on" and isinstance(value, hcl.Expr):
            body[index] = (key, hcl.Expr(value.text.rstrip("]").rstrip(", ") + f", {address}]"))
            return
    body.insert(0, ("depends_on", hcl.Expr(f"[{address}]")))


def adoption(config: ReplicationConfig, name: str, bucket: Value) -> tuple:
    """The aws_s3_bucket_versioning the replication depends on (S3 requires versioning Enabled), to import too."""
    settings = hcl.Block([("status", "Enabled")])
    return "resource", hcl.Block([("bucket", bucket), ("versioning_configuration", settings)], (VERSIONING, name),
                                 spaced=True)


def import_blocks(config: ReplicationConfig, name: str, kinds=(VERSIONING, RESOURCE)) -> list:
    """import blocks adopting the resources of one configuration."""
    return [import_block(f"{kind}.{name}", literal_bucket(config)) for kind in kinds]


def import_block(to: str, bucket: str) -> tuple:
    """An import block (Terraform 1.5+) adopting the resource `to`, whose id is its bucket's name."""
    return "import", hcl.Block([("to", hcl.Expr(to)), ("id", bucket)], spaced=True)


def write(configs: list[ReplicationConfig], options) -> str:
    """A .tf file with one aws_s3_bucket_replication_configuration per configuration."""
    writer, resources = _resources(configs, options)
    return render(writer, resources) + (f"\n{options.appendix}" if options.appendix else "")


def render(writer: Writer, resources: list) -> str:
    """HCL text: the resources, preceded by the variables and data sources their references need."""
    body = hcl.render(resources, writer.expression)  # first: rendering finds the variables
    preamble = writer.preamble()
    return "\n".join(preamble + ([""] if preamble else []) + body) + "\n"


def json_document(configs: list[ReplicationConfig], options) -> dict:
    """The same file in Terraform's JSON syntax."""
    writer, resources = _resources(configs, options)
    body = to_json(resources, writer.expression)
    return {**writer.preamble_json(), **body}


# Arguments whose JSON-syntax value is the bare expression text (or a list of them), not a ${} template:
# https://developer.hashicorp.com/terraform/language/syntax/json#nested-block-mapping
ADDRESSES = {"to", "depends_on", "provider", "ignore_changes", "replace_triggered_by"}


def to_json(items: list, expression) -> dict:
    """Terraform JSON syntax for HCL items: labels nest, repeated blocks become lists."""
    out: dict = {}
    for name, value in items:
        if isinstance(value, hcl.Expr) and name in ADDRESSES:  # plain strings in JSON syntax, not templates
            text = value.text
            out[name] = [a.strip() for a in text[1:-1].split(",") if a.strip()] if text.startswith("[") else text
        elif isinstance(value, hcl.Block):
            body = to_json(value.body, expression)
            if value.labels:
                target = out.setdefault(name, {})
                for label in value.labels[:-1]:
                    target = target.setdefault(label, {})
                target[value.labels[-1]] = body
            elif name in LISTS or name == "import":
                out.setdefault(name, []).append(body)
            else:
                out[name] = body
        elif isinstance(value, dict):
            out[name] = {_json_scalar(k, expression): _json_scalar(v, expression) for k, v in value.items()}
        else:
            out[name] = _json_scalar(value, expression)
    return out


def _json_scalar(value: Any, expression) -> Any:
    if isinstance(value, (bool, int)):
        return value
    if isinstance(value, hcl.Expr):
        return value.text if value.text in ("string",) else "${" + value.text + "}"
    if isinstance(value, str):
        return value.replace("${", "$${").replace("%{", "%%{")
    if value.kind != "template":
        return "${" + expression(value) + "}"
    return "".join(p.replace("${", "$${").replace("%{", "%%{") if isinstance(p, str) else "${" + expression(p) + "}"
                   for p in value.parts or ())


# --- where things are, for diagnostics --------------------------------------------------------------

def locator(sources: list[Source] | Source, configs: list[ReplicationConfig]):
    """Where a model location is: (file, line, column) of the attribute or block as read, else found by scanning."""
    sources = sources if isinstance(sources, list) else [sources]

    def where(index: int, loc: tuple):
        config = configs[index]
        positions = recalled(config) or {}
        pointer = (config.origin,) + _pointer(config, loc)
        for end in range(len(pointer), 1, -1):
            spot = positions.get(pointer[:end])
            if spot and spot[1]:  # the JSON syntax has no line for an attribute: located in the JSON below
                return spot
        kind, _, label = (config.origin or "").partition(".")
        for source in sources:
            if source.text.lstrip().startswith("{"):  # JSON syntax: a path through the objects
                from ..sources import locate

                spot = locate(source.text, ("resource", kind, label) + _pointer(config, loc))
                if spot and f'"{label}"' in source.text:
                    return (source.name, *spot)
                continue
            header = re.search(rf'^[ \t]*resource\s+"{re.escape(kind)}"\s+"{re.escape(label)}"', source.text, re.M)
            if header:
                return (source.name, *_scan(source.text, header.start(), _pointer(config, loc)))
        return None

    return where


def _pointer(config: ReplicationConfig, loc: tuple) -> tuple:
    pointer = grammar.to_pointer(loc, NAME)
    if config.origin and config.origin.startswith("aws_s3_bucket."):  # provider v3 names
        names = {"rule": "rules", "account": "account_id", "encryption_configuration": "replica_kms_key_id"}
        pointer = ("replication_configuration",) + tuple(names.get(p, p) if isinstance(p, str) else p for p in pointer)
    return pointer


def _scan(text: str, position: int, pointer: tuple) -> tuple[int, int]:
    """Line and column of the deepest member of pointer found after position (best effort, by names)."""
    found = position
    for i, part in enumerate(pointer):
        if isinstance(part, int):
            continue
        skip = pointer[i + 1] if i + 1 < len(pointer) and isinstance(pointer[i + 1], int) else 0
        pattern = re.compile(rf"^[ \t]*({re.escape(part)})\b\s*[={{]", re.M)
        matches = pattern.finditer(text, found)
        match = next((m for n, m in enumerate(matches) if n == skip), None)
        if match is None:
            break
        found = match.start(1)
    line = text.count("\n", 0, found) + 1
    return line, found - (text.rfind("\n", 0, found) + 1) + 1


def versioning(sources: list[Source]):
    """Whether the module enables versioning on a bucket a value names: True, False, or None (not in it)."""
    from ..context import EMPTY
    from ..terraform import expand, module

    try:
        root = module.root(sources, EMPTY)
        found = root.resources(lambda b: b.labels[0] in ("aws_s3_bucket", "aws_s3_bucket_versioning"))
    except InputError:
        found = []
    buckets, enabled_by = {}, set()
    for resource in found:
        try:
            plain, _ = expand.plain(resource)
        except InputError:
            continue
        address = resource.address
        if resource.type == "aws_s3_bucket":
            inline = (plain.get("versioning") or {}).get("enabled") is True
            buckets[address] = (plain.get("bucket"), inline)
        elif (plain.get("versioning_configuration") or {}).get("status") == "Enabled":
            target = plain.get("bucket")
            enabled_by.add(target.target if isinstance(target, Ref) else target)
            if isinstance(target, Ref) and isinstance(target.default, str):
                enabled_by.add(target.default)

    def enabled(value: Value):
        if isinstance(value, Ref) and value.kind == "resource" and value.target in buckets:
            name, inline = buckets[value.target]
            return inline or value.target in enabled_by or name in enabled_by
        name = value.removeprefix("arn:aws:s3:::") if isinstance(value, str) else None
        for address, (literal, inline) in buckets.items():
            literal = literal.default if isinstance(literal, Ref) else literal
            if name is not None and literal == name:
                return inline or address in enabled_by or name in enabled_by
        return None

    return enabled
