"""Terraform HCL: aws_s3_bucket_replication_configuration (provider v4+) and the v3 inline block, read and written."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .. import grammar
from ..errors import InputError, Refusal, error
from ..model import Filter, ReplicationConfig, Rule
from ..sources import Source, load_json
from ..values import Ref, Value, stored_reference, template
from . import hcl, unique_name

NAME = "terraform"
MULTI = True
NEEDS_LITERALS = False
GRAMMAR = grammar.load(NAME)
RESOURCE = GRAMMAR.raw["resource"]
MAPS, LISTS, META = set(GRAMMAR.raw["maps"]), set(GRAMMAR.raw["lists"]), set(GRAMMAR.raw["meta_arguments"])
STAND_IN = "s3repl reference: "  # a variable description that records which reference the variable stands for
# What python-hcl2 adds to its dicts; a user's own key may start with __ too (a tag key, say).
HCL2_KEYS = {"__is_block__", "__start_line__", "__end_line__", "__comments__", "__inline_comments__"}


def detect(text: str, filename: str) -> float:
    """How sure we are that a document is Terraform HCL."""
    if filename.lower().endswith(".tf"):
        return 0.95
    return 0.6 if re.search(r'^\s*(resource|variable|module|provider)\s+"', text[:20000], re.M) else 0.0


# --- reading ---------------------------------------------------------------------------------------

@dataclass
class _Module:
    """Every file of a module: resources, variables and locals, with their decoded values."""

    resources: list = field(default_factory=list)  # (type, name, body, source, syntax)
    variables: dict = field(default_factory=dict)
    locals: dict = field(default_factory=dict)
    depth: int = 0

    def value(self, raw: Any, syntax: str) -> Any:
        """A literal or a reference from a python-hcl2 string (hcl) or a JSON-syntax string (json)."""
        if not isinstance(raw, str):
            return raw
        if syntax == "hcl":
            if len(raw) >= 2 and raw[0] == raw[-1] == '"':
                return hcl.parse_template(raw[1:-1], True, self.expression)
            if raw.startswith("${") and raw.endswith("}"):
                return self.expression(raw[2:-1].strip())
            return self.expression(raw)
        return hcl.parse_template(raw, False, self.expression)

    def expression(self, text: str) -> Ref:
        if text.startswith("var.") and (stood := self.stand_in(text[4:])) is not None:
            return stood
        return hcl.reference(text, self.known)

    def known(self, name: str) -> Value | None:
        """What the module itself says a reference is: a variable's default, a local, a bucket's literal name."""
        if self.depth > 20:  # locals that refer to each other in a ring
            return None
        self.depth += 1
        try:
            kind, _, rest = name.partition(".")
            if kind == "var" and rest in self.variables:
                spec, syntax = self.variables[rest]
                default = spec.get("default") if isinstance(spec, dict) else None
                return self.value(default, syntax) if isinstance(default, str) else None
            if kind == "local" and rest in self.locals:
                raw, syntax = self.locals[rest]
                return self.value(raw, syntax) if isinstance(raw, str) else None
            address, _, attribute = name.rpartition(".")
            for kind_, label, body, _, syntax in self.resources:
                if f"{kind_}.{label}" == address and kind_ == "aws_s3_bucket" and isinstance(body.get("bucket"), str):
                    bucket = self.value(body["bucket"], syntax)
                    if attribute in ("id", "bucket"):
                        return bucket
                    if attribute == "arn":  # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
                        return template(["arn:", Ref(kind="pseudo", target="AWS::Partition"), ":s3:::", bucket])
            return None
        finally:
            self.depth -= 1

    def stand_in(self, name: str) -> Ref | None:
        """The reference a variable written by s3repl stands for (its description says which)."""
        spec, syntax = self.variables.get(name, ({}, None))
        raw = spec.get("description") if isinstance(spec, dict) else None
        description = self.value(raw, syntax) if isinstance(raw, str) else None
        if isinstance(description, str) and description.startswith(STAND_IN):
            return stored_reference(description[len(STAND_IN):], f"variable.{name}.description")
        return None


def _unquote(label: str) -> str:
    return label[1:-1] if len(label) >= 2 and label[0] == label[-1] == '"' else label


@lru_cache(maxsize=1)
def _parser():
    """python-hcl2's own grammar and lexer, without the source positions that only its with_meta option uses.

    hcl2.loads builds its parser with propagate_positions=True, which costs about 40% of a big parse; the rest of
    the pipeline is hcl2's (tests/test_terraform.py checks that parse() equals hcl2.loads).
    """
    import os

    import hcl2.parser
    from hcl2.postlexer import PostLexer
    from lark import Lark

    # Lark pickles the built parser (about 1.4 s to build); a private folder, not the shared temporary one where
    # cache=True would put it and where anyone could plant a pickle. Lark rebuilds it when the grammar changes.
    folder = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "s3repl")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        cache = os.path.join(folder, "hcl2-parser.pickle")
    except OSError:
        cache = False
    return Lark.open("hcl2.lark", rel_to=hcl2.parser.__file__, parser="lalr", propagate_positions=False,
                     postlex=PostLexer(), cache=cache)


@lru_cache(maxsize=64)  # a source is read again for diagnostics (locations, versioning): parse it once
def parse(source: Source) -> dict:
    """python-hcl2's dict of an HCL file; syntax errors carry line and column. Read only, it is shared."""
    from hcl2.api import serialize, transform
    from hcl2.utils import SerializationOptions
    from lark.exceptions import UnexpectedInput

    try:
        tree = _parser().parse(source.text + "\n")  # hcl2.loads adds the newline too (its grammar needs one at the end)
        return serialize(transform(tree, discard_comments=True),
                         serialization_options=SerializationOptions(with_comments=False, preserve_heredocs=False))
    except UnexpectedInput as exc:
        raise InputError(error("syntax", f"HCL: unexpected {str(getattr(exc, 'token', '') or 'input')[:30]!r}",
                               file=source.name, line=exc.line, column=exc.column)) from None
    except RecursionError:
        raise InputError(error("too-deep", "HCL nesting is too deep", file=source.name)) from None
    except Exception as exc:  # python-hcl2 raises plain exceptions for some malformed input
        raise InputError(error("syntax", f"HCL: {str(exc).splitlines()[0][:200]}", file=source.name)) from None


def _collect(module: _Module, source: Source, syntax: str) -> None:
    data = parse(source) if syntax == "hcl" else load_json(source.text, source.name)
    if not isinstance(data, dict):
        raise InputError(error("input", "expected a Terraform JSON object", file=source.name))
    for block in _blocks(data.get("resource")):
        for kind, named in block.items():
            for label, body in (named.items() if isinstance(named, dict) else ()):
                for item in (body if isinstance(body, list) else [body]):
                    if not isinstance(item, dict):
                        raise InputError(error("input", f"resource {_unquote(kind)}.{_unquote(label)} is not a block",
                                               file=source.name))
                    module.resources.append((_unquote(kind), _unquote(label), item, source, syntax))
    for block in _blocks(data.get("variable")):
        for label, spec in block.items():
            module.variables[_unquote(label)] = ((spec[0] if isinstance(spec, list) else spec) or {}, syntax)
    for block in _blocks(data.get("locals")):
        for key, raw in block.items():
            if key not in HCL2_KEYS:
                module.locals[key] = (raw, syntax)


def _blocks(value) -> list[dict]:
    return [b for b in (value if isinstance(value, list) else [value]) if isinstance(b, dict)]


def read(source: Source, context=None) -> list[ReplicationConfig]:
    """The replication configurations of one Terraform file."""
    return read_module([source], context)


def read_module(sources: list[Source], context=None) -> list[ReplicationConfig]:
    """The replication configurations of a module (the *.tf and *.tf.json files of a directory)."""
    module = _Module()
    for source in sources:  # HCL never opens with "{": that is the JSON syntax
        _collect(module, source, "json" if source.text.lstrip().startswith("{") else "hcl")
    configs, problems = [], []
    for kind, label, body, source, syntax in module.resources:
        v3 = kind == "aws_s3_bucket" and "replication_configuration" in body
        if kind != RESOURCE and not v3:
            continue
        address = f"{kind}.{label}"
        try:
            configs.append(_config(module, address, body, syntax, v3))
        except InputError as exc:
            where = re.search(rf'^\s*resource\s+"{kind}"\s+"{re.escape(label)}"', source.text, re.M)
            line = source.text[:where.start()].count("\n") + 1 + (where.group().count("\n")) if where else None
            problems += [d.at(file=source.name, line=line) for d in exc.diagnostics]
    if problems:
        raise InputError(problems)
    if not configs:
        names = ", ".join(s.name for s in sources)
        raise Refusal(error("no-replication", f"no {RESOURCE} resource and no aws_s3_bucket with a "
                            "replication_configuration block", file=names))
    return configs


def _config(module: _Module, address: str, body: dict, syntax: str, v3: bool) -> ReplicationConfig:
    pointer = (address,)
    for meta in ("count", "for_each"):
        if meta in body:
            raise InputError(error("unsupported", f"{address} uses {meta}; s3repl cannot expand it statically",
                                   path=address, hint="write one resource per bucket, or convert the expanded plan"))
    plain = _plain(module, body, syntax, pointer)
    if v3:
        block = plain.get("replication_configuration")
        data = _from_v3(block, pointer + ("replication_configuration",))
        bucket = Ref(kind="resource", target=address, attribute="id", resource_type="aws_s3_bucket",
                     default=module.known(f"{address}.id"))
        pointer += ("replication_configuration",)
    else:
        data = {k: v for k, v in plain.items() if k not in META and k != "bucket"}
        if "bucket" not in plain:
            raise InputError(error("missing-member", "missing required argument 'bucket'", path=address))
        bucket = plain["bucket"]
    config = grammar.to_model(data, ReplicationConfig, GRAMMAR, hook=_passthrough, pointer=pointer)
    if v3:  # the inline block has its own normalizations
        from .terraform_legacy import provider_view as view
    else:
        view = provider_view
    return view(config).model_copy(update={"bucket": bucket, "origin": address})


def _passthrough(raw: Any, pointer: tuple) -> Value:
    if isinstance(raw, Ref):
        return raw
    raise InputError(error("input", f"expected a string, got {type(raw).__name__} {raw!r}", path=grammar.render(pointer),
                           pointer=pointer))


def _plain(module: _Module, body: dict, syntax: str, pointer: tuple) -> dict:
    """A body with blocks unwrapped to dicts (lists for rule/rules), maps as Key/Value lists, values decoded."""
    out = {}
    for key, value in body.items():
        if key in HCL2_KEYS:
            continue
        here = pointer + (key,)
        if key == "dynamic":
            names = [_unquote(n) for b in _blocks(value) for n in b]
            raise InputError(error("unsupported", f"dynamic {', '.join(names)} blocks cannot be expanded statically",
                                   path=grammar.render(here), hint="write the blocks out, or convert the expanded plan"))
        if key in MAPS and isinstance(value, dict):
            out[key] = [{"key": _key(module, k, syntax), "value": module.value(v, syntax)}
                        for k, v in value.items() if k not in HCL2_KEYS]
        elif isinstance(value, dict) or (isinstance(value, list) and value and all(isinstance(v, dict) for v in value)):
            blocks = value if isinstance(value, list) else [value]
            items = [_plain(module, b, syntax, here + ((i,) if key in LISTS else ())) for i, b in enumerate(blocks)]
            if key in LISTS:
                out[key] = items
            elif len(items) > 1:
                raise InputError(error("input", f"only one {key} block is allowed here", path=grammar.render(here)))
            else:
                out[key] = items[0]
        else:
            out[key] = module.value(value, syntax)
    return out


def _key(module: _Module, key: str, syntax: str) -> Value:
    """A map key: quoted HCL keys and JSON-syntax keys are templates, bare HCL keys are literal."""
    if syntax == "json" or (len(key) >= 2 and key[0] == key[-1] == '"'):
        return module.value(key, syntax)
    return key


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
    if "filter" in rule:  # V2: provider v3 sends Priority, and DeleteMarkerReplication Disabled when not Enabled
        flt = dict(rule["filter"])
        tags, prefix = flt.pop("tags", None), flt.pop("prefix", "")
        rule["filter"] = {**flt, **({"and": {"prefix": prefix, "tags": tags}} if tags else {"prefix": prefix})}
        rule.setdefault("priority", 0)
        rule["delete_marker_replication"] = {"status": status or "Disabled"}
    elif status is not None:
        rule["delete_marker_replication"] = {"status": status}
    destination = dict(rule.get("destination") or {})
    if "account_id" in destination:
        destination["account"] = destination.pop("account_id")
    if "replica_kms_key_id" in destination:
        destination["encryption_configuration"] = {"replica_kms_key_id": destination.pop("replica_kms_key_id")}
    for name, inner in (("replication_time", "time"), ("metrics", "event_threshold")):
        if isinstance(destination.get(name), dict):
            flat = dict(destination[name])
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


# What provider 5.x (tested: 5.100) sends for what a configuration says, one named normalization each; the grammars'
# "normalizes" entries name them (`s3repl formats` prints their text). Expand* functions of
# https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/s3/bucket_replication_configuration.go
def _v2_priority(rule: Rule) -> Rule:
    """A V2 rule without priority is sent with Priority 0 (the Go zero value)."""
    return rule.model_copy(update={"priority": 0}) if rule.filter is not None and rule.priority is None else rule


def _v1_priority(rule: Rule) -> Rule:
    """A rule without filter (V1) is sent without Priority: the provider sets it only beside a filter."""
    return rule.model_copy(update={"priority": None}) if rule.filter is None and rule.priority is not None else rule


def _v1_prefix(rule: Rule) -> Rule:
    """A V1 rule without prefix is sent with Prefix "" (S3 answers MalformedXML to a rule with neither)."""
    return rule.model_copy(update={"prefix": ""}) if rule.filter is None and rule.prefix is None else rule


def _empty_id(rule: Rule) -> Rule:
    """An empty id is not sent (the provider omits "")."""
    return rule.model_copy(update={"id": None}) if rule.id == "" else rule


def _empty_criteria(rule: Rule) -> Rule:
    """An empty source_selection_criteria {} block is not sent."""
    criteria = rule.source_selection_criteria
    empty = criteria is not None and criteria.sse_kms_encrypted_objects is None and criteria.replica_modifications is None
    return rule.model_copy(update={"source_selection_criteria": None}) if empty else rule


def _filter_choice(rule: Rule) -> Rule:
    """The filter is sent with one member: tag over and over prefix; and {} (and with only prefix "") counts as none,
    and a filter with neither tag nor and is sent with its prefix, "" when it has none; but Terraform hands the
    provider no block for filter {} or filter { prefix = "" }, which it sends as an empty Filter."""
    flt = rule.filter
    if flt is None or flt == Filter():
        return rule
    if flt == Filter(prefix=""):
        return rule.model_copy(update={"filter": Filter()})
    and_ = flt.and_
    if and_ is not None and not and_.tags and and_.prefix in (None, ""):
        and_ = None  # and {}: Terraform hands the provider no block
    if flt.tag is not None:
        kept = Filter(tag=flt.tag)
    elif and_ is not None:
        kept = Filter(and_=and_.model_copy(update={"prefix": None}) if and_.prefix == "" else and_)
    else:
        kept = Filter(prefix=flt.prefix if flt.prefix is not None else "")
    return rule.model_copy(update={"filter": kept}) if kept != flt else rule


NORMALIZATIONS = {"v2-priority": _v2_priority, "v1-priority": _v1_priority, "v1-prefix": _v1_prefix,
                  "empty-id": _empty_id, "empty-criteria": _empty_criteria, "filter-choice": _filter_choice}


def normalizations_at_work(config: ReplicationConfig, normalizations: dict | None = None) -> set[str]:
    """The names of the normalizations that change this configuration on its way to S3."""
    found = set()
    for rule in config.rules:
        for name, normalize in (normalizations or NORMALIZATIONS).items():
            if normalize(rule) != rule:
                found.add(name)
            rule = normalize(rule)
    return found


def provider_view(config: ReplicationConfig, normalizations: dict | None = None) -> ReplicationConfig:
    """The configuration as the AWS provider sends it to S3 (every normalization applied, in order)."""
    rules = []
    for rule in config.rules:
        for normalize in (normalizations or NORMALIZATIONS).values():
            rule = normalize(rule)
        rules.append(rule)
    return config.model_copy(update={"rules": tuple(rules)})


# --- writing ---------------------------------------------------------------------------------------

def losses(config: ReplicationConfig, options) -> list:
    """map_losses, and what the v4 resource's provider would not send: a second filter member, an empty and."""
    from ..lossy import Loss

    found = map_losses(config, options)
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
        self.types = {v: k for k, v in self.table["resource_types"].items()}

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
        if ref.kind == "resource" and ref.resource_type in self.types:
            attributes = {v: k for k, v in self.table["attributes"].items() if v}
            attribute = attributes.get(ref.attribute, None) if ref.attribute else "id"
            if attribute:
                return f"{self.types[ref.resource_type]}.{snake(ref.target)}.{attribute}"
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
        name = self.unique(snake(ref.target or "value") if ref.kind != "expression" else "expression")
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

    def key(self, key: Value) -> str:
        return key if isinstance(key, str) else f"({self.expression(key)})"

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

    def secret(self, token: Value) -> Ref:
        """The object-lock token as a sensitive variable: the provider marks token sensitive, and a literal in code
        would leak it (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_replication_configuration#token)."""
        if isinstance(token, Ref) and token.kind == "variable":
            name = token.target.split(".", 1)[1]
        else:
            name = self.unique("replication_token")
            self.warn(error("sensitive", f"the object-lock token is written as the sensitive variable {name}, not as a "
                            f"literal; pass its value with TF_VAR_{name}", path="Token", severity="warning"))
        self.variables[name] = {"type": hcl.Expr("string"), "sensitive": True}
        self.names.add(name)
        return Ref(kind="variable", target=f"var.{name}")

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
    bucket = config.bucket
    if isinstance(bucket, Ref) and bucket.kind == "resource" and (bucket.resource_type or "").startswith("AWS::"):
        bucket = Ref(kind="resource", target=f"aws_s3_bucket.{snake(bucket.target)}", attribute="id",
                     resource_type="aws_s3_bucket", default=bucket.default)
    return name, [("bucket", bucket), *writer.body(writer.rule_data(config))]


def _resources(configs: list[ReplicationConfig], options) -> tuple[Writer, list]:
    writer = Writer(configs, options.warn)
    resources = []
    for config in configs:
        name, body = resource(writer, config)
        resources.append(("resource", hcl.Block(body, (RESOURCE, name), spaced=True)))
    return writer, resources


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


def to_json(items: list, expression) -> dict:
    """Terraform JSON syntax for HCL items: labels nest, repeated blocks become lists."""
    out: dict = {}
    for name, value in items:
        if isinstance(value, hcl.Block):
            body = to_json(value.body, expression)
            if value.labels:
                target = out.setdefault(name, {})
                for label in value.labels[:-1]:
                    target = target.setdefault(label, {})
                target[value.labels[-1]] = body
            elif name in LISTS:
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
    """Where a model location is: (file, line, column), found by scanning from the resource's header."""
    sources = sources if isinstance(sources, list) else [sources]

    def where(index: int, loc: tuple):
        kind, _, label = (configs[index].origin or "").partition(".")
        for source in sources:
            if source.text.lstrip().startswith("{"):  # JSON syntax: a path through the objects
                from ..sources import locate

                spot = locate(source.text, ("resource", kind, label) + _pointer(configs[index], loc))
                if spot and f'"{label}"' in source.text:
                    return (source.name, *spot)
                continue
            header = re.search(rf'^[ \t]*resource\s+"{re.escape(kind)}"\s+"{re.escape(label)}"', source.text, re.M)
            if header:
                return (source.name, *_scan(source.text, header.start(), _pointer(configs[index], loc)))
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
    module = _Module()
    for source in sources:
        _collect(module, source, "json" if source.text.lstrip().startswith("{") else "hcl")
    buckets, enabled_by = {}, set()
    for kind, label, body, _, syntax in module.resources:
        if kind == "aws_s3_bucket":
            inline = (_plain(module, body, syntax, ()).get("versioning") or {}).get("enabled") is True
            buckets[f"aws_s3_bucket.{label}"] = (module.value(body.get("bucket"), syntax), inline)
        elif kind == "aws_s3_bucket_versioning":
            plain = _plain(module, body, syntax, ())
            if (plain.get("versioning_configuration") or {}).get("status") == "Enabled":
                target = plain.get("bucket")
                enabled_by.add(target.target if isinstance(target, Ref) else target)

    def enabled(value: Value):
        if isinstance(value, Ref) and value.kind == "resource" and value.target in buckets:
            name, inline = buckets[value.target]
            return inline or value.target in enabled_by or name in enabled_by
        name = value.removeprefix("arn:aws:s3:::") if isinstance(value, str) else None
        for address, (literal, inline) in buckets.items():
            if name is not None and literal == name:
                return inline or address in enabled_by or name in enabled_by
        return None

    return enabled
