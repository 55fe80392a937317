"""CloudFormation templates (YAML): every AWS::S3::Bucket's ReplicationConfiguration, intrinsics as references."""

from __future__ import annotations

import json
import re
import weakref
from dataclasses import dataclass, field, replace
from typing import Any

from .. import grammar
from ..cloudformation.template import resources_of
from ..errors import InputError, Refusal, error
from ..lossy import carried
from ..model import Around, ReplicationConfig
from ..sources import Source, load_json, load_yaml, plain_scalar, while_held, with_locations
from ..values import Ref, Value, stored_reference, template
from . import cfn_yaml, unique_name
from .detection import cloudformation as detect  # noqa: F401 - formats.detect uses the table, not this module

NAME = "cloudformation"
MULTI = True  # a template holds every bucket
NEEDS_LITERALS = False
GRAMMAR = grammar.load(NAME)
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html
PSEUDO = {"AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region",
          "AWS::StackId", "AWS::StackName", "AWS::URLSuffix"}
BUCKET = "AWS::S3::Bucket"
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-product-attribute-reference.html
ATTRIBUTES = ("DeletionPolicy", "UpdateReplacePolicy", "Condition", "DependsOn")
META = "s3repl"  # template Metadata key: which Parameter stands for which reference (round trips stay exact)
_LOGICAL_ID = re.compile(r"^[A-Za-z0-9]+\Z")
# template -> {logical ID -> where folded members sit in the template (Stack.moves)}, for the locator, while the template
# is held (by the read's locator).
_MOVES = weakref.WeakKeyDictionary()


# --- reading ---------------------------------------------------------------------------------------

@dataclass
class _Template:
    """What the intrinsics of a template can point at."""

    parameters: dict = field(default_factory=dict)
    resources: dict = field(default_factory=dict)
    stand_ins: dict = field(default_factory=dict)  # Parameter -> the reference it stands for (our Metadata)
    stack: Any = None  # converter.cloudformation.evaluate.Stack: --var values for Parameters
    yaml_source: Source | None = None  # the YAML source, for what an unquoted scalar said (017 is not 15)


@while_held  # a template is read again for diagnostics (locations, versioning): parsed once
def parse(source: Source) -> Any:
    """The template as long-form data: JSON, or YAML with short-form tags turned into long form. Read only."""
    if source.text.lstrip().startswith("{"):
        return load_json(source.text, source.name)
    return load_yaml(source.text, source.name, cfn_yaml.loader(), cfn_yaml.long_form)


def read(source: Source, context=None) -> list[ReplicationConfig]:
    """One configuration per AWS::S3::Bucket that has a ReplicationConfiguration (its conditions decided)."""
    from ..cloudformation.evaluate import NO_VALUE, Stack

    data = parse(source)
    resources, prefix = resources_of(data, source)
    metadata = data.get("Metadata") if isinstance(data.get("Metadata"), dict) else {}
    stand_ins = (metadata.get(META) or {}).get("references", {}) if isinstance(metadata.get(META), dict) else {}
    if not isinstance(stand_ins, dict):
        raise InputError(error("stand-in", "expected a mapping of Parameter to reference", file=source.name,
                               path=f"Metadata.{META}.references"))
    given = (context.variables if context else {}) or {}
    try:
        stack = Stack.of(data, given)
    except InputError as exc:
        raise with_locations(exc, source.text, source.name) from None
    names = _Template(stack.parameters, resources, {k: stored_reference(v, f"Metadata.{META}.references.{k}")
                                                    for k, v in stand_ins.items()}, stack,
                      None if source.text.lstrip().startswith("{") else source)
    configs, problems = [], []
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict) or resource.get("Type") != BUCKET:
            continue
        properties = resource.get("Properties") or {}
        if not isinstance(properties, dict) or "ReplicationConfiguration" not in properties:
            continue
        pointer = prefix(logical_id) + ("Properties",)
        stack.used, stack.moves = {}, {}
        try:
            # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/conditions-section-structure.html
            if "Condition" in resource and not stack.condition(resource["Condition"], f"Resources.{logical_id}"):
                continue  # the stack would not create this bucket
            properties = {key: stack.fold(properties[key], pointer + (key,))
                          for key in ("ReplicationConfiguration", "BucketName") if key in properties}
            if properties["ReplicationConfiguration"] is NO_VALUE:
                continue  # !If [Cond, {...}, !Ref AWS::NoValue]: this stack's bucket does not replicate
            properties = {key: value for key, value in properties.items() if value is not NO_VALUE}
            config = _config(logical_id, properties, pointer, names)
            evaluated = ", ".join(f"{name}={value}" for name, value in stack.used.items())
            # The bucket's resource attributes (issue 16): written back where the target has them, else declared lost.
            around = tuple(Around(language="cloudformation", name=name, value=json.dumps(resource[name]))
                           for name in ATTRIBUTES if name in resource)
            updates = {key: value for key, value in (("evaluated", evaluated), ("around", around)) if value}
            configs.append(config.model_copy(update=updates) if updates else config)
            _MOVES.setdefault(source, {})[logical_id] = stack.moves
        except InputError as exc:
            problems += [d if d.pointer is None else replace(d, pointer=stack.source_pointer(d.pointer))
                         for d in exc.diagnostics]
    if problems:
        raise with_locations(InputError(problems), source.text, source.name)
    if not configs:
        raise Refusal(error("no-replication", "no AWS::S3::Bucket in the template has a ReplicationConfiguration"
                            + (" (under the conditions as given)" if stack.conditions else ""), file=source.name))
    return configs


def _config(logical_id: str, properties: dict, pointer: tuple, context: _Template) -> ReplicationConfig:
    hook = lambda raw, where: _reference(raw, where, context)  # noqa: E731
    body = properties["ReplicationConfiguration"]
    if _is_intrinsic(body):
        raise InputError(error("input", f"ReplicationConfiguration is an {next(iter(body))} s3repl cannot evaluate; "
                               "it reads configurations that are literal once conditions are decided",
                               path=grammar.render(pointer + ("ReplicationConfiguration",)),
                               pointer=pointer + ("ReplicationConfiguration",)))
    config = grammar.to_model(body, ReplicationConfig, GRAMMAR, text=True, hook=hook,
                              pointer=pointer + ("ReplicationConfiguration",))
    name = properties.get("BucketName")
    if name is None:  # CloudFormation generates the name: the bucket is known by its logical ID
        bucket = Ref(kind="resource", target=logical_id, resource_type=BUCKET)
    else:
        bucket = name if isinstance(name, str) else _reference(name, pointer + ("BucketName",), context)
    return config.model_copy(update={"bucket": bucket, "origin": logical_id})


def _is_intrinsic(raw: Any) -> bool:
    return isinstance(raw, dict) and len(raw) == 1 and (next(iter(raw)) == "Ref" or next(iter(raw)).startswith("Fn::"))


def _reference(raw: Any, pointer: tuple, context: _Template) -> Value:
    """The model value of an intrinsic function (or of a number CloudFormation would read as a string)."""
    if isinstance(raw, (int, float, bool)) and context.yaml_source is not None:
        # An unquoted 017, 0x10, 1.50, 190:20:30, 1_000 or yes in a string property: YAML 1.1 makes it 15, 16, 1.5,
        # 685230, 1000, true; CloudFormation keeps the text for a string property, and so does s3repl.
        written = plain_scalar(context.yaml_source.text, pointer)
        if written is not None:
            _warn_if_yaml_versions_disagree(written, raw, pointer, context.yaml_source)
            return written
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return str(raw)  # CloudFormation passes numbers to string properties as their text
    if not _is_intrinsic(raw):
        raise InputError(error("input", f"expected a string or an intrinsic function, got {type(raw).__name__}",
                               path=grammar.render(pointer), pointer=pointer))
    (function, argument), = raw.items()
    if function == "Ref" and isinstance(argument, str):
        return _named(argument, None, pointer, context)
    if function == "Fn::GetAtt":
        names = argument.split(".", 1) if isinstance(argument, str) else argument
        if isinstance(names, list) and len(names) == 2 and all(isinstance(n, str) for n in names):
            return _named(names[0], names[1], pointer, context)
    if function == "Fn::Sub" and isinstance(argument, (str, list)):
        text, variables = (argument, {}) if isinstance(argument, str) else (argument + [None, None])[:2]
        if isinstance(text, str) and isinstance(variables, dict):
            return _substitute(text, variables, pointer, context)
    if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], list):
        delimiter, items = argument
        parts = []
        for index, item in enumerate(items):
            parts += ([delimiter] if index else []) + [item if isinstance(item, str) else
                                                        _reference(item, pointer, context)]
        return template(parts)
    if function == "Fn::ImportValue" and isinstance(argument, str):
        return Ref(kind="import", target=argument)
    # Fn::If, Fn::Select, Fn::FindInMap...: kept whole; a target that needs a literal asks for --var.
    return Ref(kind="expression", target=function, language="cloudformation",
               text=json.dumps(raw, separators=(",", ":"), ensure_ascii=False, default=str))


# YAML 1.2's core schema: https://yaml.org/spec/1.2.2/#1032-tag-resolution
_CORE_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_CORE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)")


def _yaml_12(text: str):
    """What YAML 1.2's core schema makes of a plain scalar (a number, a boolean, or the string itself)."""
    if _CORE_INT.fullmatch(text):
        return int(text[2:], 8) if text.startswith("0o") else int(text, 0) if text.startswith("0x") else int(text)
    if _CORE_FLOAT.fullmatch(text):
        return float(text.lower().replace(".inf", "inf").replace(".nan", "nan"))
    return {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}.get(text, text)


def _warn_if_yaml_versions_disagree(written: str, raw, pointer: tuple, source: Source) -> None:
    """Warn when YAML 1.1 (PyYAML, cfn-lint, cfn-flip) and YAML 1.2 read an unquoted scalar differently."""
    import math
    import warnings

    from ..errors import ReadWarning
    from ..sources import locate

    newer = _yaml_12(written)
    same = type(newer) is type(raw) and (newer == raw or (isinstance(raw, float) and math.isnan(raw) and newer != newer))
    if not same:
        where = locate(source.text, pointer) or (None, None)
        warnings.warn(ReadWarning(error(
            "yaml-version", f"the unquoted {written} is read as the string {written!r}, as CloudFormation reads a "
            f"string property; YAML 1.1 reads {raw!r} and YAML 1.2 {newer!r}", severity="warning",
            path=grammar.render(pointer), file=source.name, line=where[0], column=where[1],
            hint=f"quote it: '{written}'")), stacklevel=2)


def _named(name: str, attribute: str | None, pointer: tuple, context: _Template) -> Ref:
    """A Ref or GetAtt of a name: a pseudo parameter, a Parameter, or a resource of the template."""
    if attribute is None and name in context.stand_ins:
        return context.stand_ins[name]
    if attribute is None and name in PSEUDO:
        return Ref(kind="pseudo", target=name)
    if attribute is None and name in context.parameters:
        spec = context.parameters[name] if isinstance(context.parameters[name], dict) else {}
        given = context.stack.given if context.stack else {}
        default = given[name] if name in given else spec.get("Default")  # --var Name=VALUE overrides the Default
        literal = str(default) if isinstance(default, (str, int, float)) and not isinstance(default, bool) else None
        return Ref(kind="parameter", target=name, default=literal)
    resource = context.resources.get(name)
    if not isinstance(resource, dict):
        what = "Fn::GetAtt" if attribute else "Ref"
        raise InputError(error("undefined", f"{what} names {name!r}, which the template does not define",
                               path=grammar.render(pointer), pointer=pointer,
                               hint="define it as a Parameter or a resource"))
    kind = resource.get("Type")
    literal_name = (resource.get("Properties") or {}).get("BucketName") if kind == BUCKET else None
    default = None
    if isinstance(literal_name, str):
        # https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-s3-bucket.html#aws-resource-s3-bucket-return-values
        default = literal_name if attribute is None else (
            template(["arn:", Ref(kind="pseudo", target="AWS::Partition"), f":s3:::{literal_name}"])
            if attribute == "Arn" else None)
    return Ref(kind="resource", target=name, attribute=attribute, resource_type=kind, default=default)


def _substitute(text: str, variables: dict, pointer: tuple, context: _Template) -> Value:
    """Fn::Sub as a template: ${Name}, ${Resource.Attribute}, ${AWS::Region}, ${!Literal}."""
    parts, position = [], 0
    for match in re.finditer(r"\$\{([^}]*)\}", text):
        parts.append(text[position:match.start()])
        name = match.group(1).strip()
        if name.startswith("!"):
            parts.append("${" + name[1:] + "}")
        elif name in variables:
            value = variables[name]
            parts.append(value if isinstance(value, str) else _reference(value, pointer, context))
        elif "." in name and "::" not in name:
            parts.append(_named(*name.split(".", 1), pointer, context))
        else:
            parts.append(_named(name, None, pointer, context))
        position = match.end()
    parts.append(text[position:])
    return template(parts)


# --- writing ---------------------------------------------------------------------------------------

def write(configs: list[ReplicationConfig], options) -> str:
    """A template with each bucket, versioning Enabled, and Parameters for what it cannot point at."""
    return cfn_yaml.dump(build(configs, options))


def build(configs: list[ReplicationConfig], options) -> dict:
    """The template as long-form data."""
    writer = _Writer(configs, options.warn, options.resources)
    writer.metadata = options.metadata
    out = writer.template()
    if options.imports:
        options.files["resources-to-import.json"] = json.dumps(adopt(out, writer.ids, configs), indent=2) + "\n"
    return out


def adopt(template: dict, ids: list[str], configs: list[ReplicationConfig]) -> list[dict]:
    """Retain the buckets (a resource to import must have a DeletionPolicy) and list them for the import change set.

    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import-existing-stack.html; the list is
    what `aws cloudformation create-change-set --change-set-type IMPORT --resources-to-import file://...` takes.
    """
    from . import literal_bucket

    listed = []
    for logical_id, config in zip(ids, configs):
        resource = template["Resources"][logical_id]
        # Both policies: cfn-lint W3011 asks for UpdateReplacePolicy beside DeletionPolicy, and a replacement
        # would otherwise delete the adopted bucket.
        resource.update({"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"})
        listed.append({"ResourceType": BUCKET, "LogicalResourceId": logical_id,
                       "ResourceIdentifier": {"BucketName": literal_bucket(config)}})
    return listed


def pascal(name: str) -> str:
    """A CloudFormation logical ID from any name: replication_role -> ReplicationRole."""
    words = re.split(r"[^A-Za-z0-9]+", name)
    out = "".join(w[:1].upper() + w[1:] for w in words if w)
    return out if out[:1].isalpha() else f"R{out}"


class _Writer:
    """Builds one template; keeps the Parameters and logical IDs it hands out unique."""

    def __init__(self, configs: list[ReplicationConfig], warn, extra: dict | None = None):
        self.configs, self.warn, self.extra = configs, warn, extra or {}
        self.metadata: dict = {}  # more template Metadata (--with-iam: what other accounts deploy)
        self.parameters: dict[str, dict] = {}
        self.stand_ins: dict[str, str] = {}  # Parameter -> the reference it stands for, as JSON
        self.taken: set[str] = set()
        self.local: dict[str, str] = {name: name for name in self.extra}  # reference target -> logical ID here
        self.taken |= set(self.extra)
        self.ids = [self._logical_id(c) for c in configs]

    def _unique(self, wanted: str) -> str:
        return unique_name(wanted, self.taken)

    def _logical_id(self, config: ReplicationConfig) -> str:
        bucket = config.bucket
        if config.origin and _LOGICAL_ID.match(config.origin):
            wanted = config.origin
        elif isinstance(bucket, Ref) and bucket.kind == "resource":
            wanted = pascal(bucket.target.rsplit(".", 1)[-1])
        elif isinstance(bucket, str):
            wanted = pascal(bucket)
        else:
            wanted = "SourceBucket"
        logical_id = self._unique(wanted)
        if isinstance(bucket, Ref) and bucket.kind == "resource":
            self.local[bucket.target] = logical_id
        if config.origin:
            self.local[config.origin] = logical_id
        return logical_id

    def template(self) -> dict:
        resources = {}
        for logical_id, config in zip(self.ids, self.configs):
            body = grammar.from_model(config, GRAMMAR, hook=self._intrinsic)
            properties: dict = {}
            bucket = config.bucket
            if isinstance(bucket, Ref) and self._is_self(bucket, logical_id):
                bucket = bucket.default if isinstance(bucket.default, str) else None  # a literal name is kept
            if bucket is not None:
                properties["BucketName"] = self._intrinsic(bucket, ("BucketName",))
            # https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-requirements.html
            properties["VersioningConfiguration"] = {"Status": "Enabled"}
            properties["ReplicationConfiguration"] = body
            resources[logical_id] = {"Type": BUCKET, "Properties": properties}
            # Condition and DependsOn name parts of the template (Conditions, other resources) not written here.
            resources[logical_id].update({item.name: json.loads(item.value) for item in config.around or ()
                                          if carried(item, NAME)})
        resources.update(self.extra)
        out: dict = {"AWSTemplateFormatVersion": "2010-09-09",
                     "Description": "S3 replication, converted by s3repl"}
        metadata = {**self.metadata, **({META: {"references": self.stand_ins}} if self.stand_ins else {})}
        if metadata:
            out["Metadata"] = metadata
        if self.parameters:
            out["Parameters"] = self.parameters
        out["Resources"] = resources
        return out

    def _is_self(self, ref: Ref, logical_id: str) -> bool:
        return ref.kind == "resource" and self.local.get(ref.target) == logical_id and ref.attribute in (
            None, "id", "bucket")

    def _intrinsic(self, value: Value, pointer: tuple) -> Any:
        """The long-form intrinsic for a reference; a Parameter stands in for what the template cannot reach."""
        if isinstance(value, str):
            return value
        if value.kind == "pseudo":
            return {"Ref": value.target}
        if (pseudo := _pseudo(value)) is not None:
            return {"Ref": pseudo}
        if value.kind == "parameter":
            self._parameter(value.target, value, native=True)
            return {"Ref": value.target}
        if value.kind == "import" and value.language is None:
            return {"Fn::ImportValue": value.target}
        if value.kind == "resource" and value.target in self.local:
            attribute = self._attribute(value)
            if attribute is not False:
                logical_id = self.local[value.target]
                return {"Ref": logical_id} if attribute is None else {"Fn::GetAtt": [logical_id, attribute]}
        if value.kind == "template":
            return {"Fn::Sub": "".join(self._sub_part(part, pointer) for part in value.parts or ())}
        return {"Ref": self._stand_in(value, pointer)}

    def _attribute(self, ref: Ref):
        """The CloudFormation attribute for a reference's attribute: a name, None for Ref, False when unknown."""
        if ref.resource_type and ref.resource_type.startswith("AWS::"):
            return ref.attribute
        return grammar.references()["attributes"].get(ref.attribute or "id", False)

    def _sub_part(self, part: Value, pointer: tuple) -> str:
        if isinstance(part, str):
            return part.replace("${", "${!")  # a literal ${ in Fn::Sub is written ${!
        intrinsic = self._intrinsic(part, pointer)
        if "Ref" in intrinsic:
            return "${" + intrinsic["Ref"] + "}"
        if "Fn::GetAtt" in intrinsic:
            return "${" + ".".join(intrinsic["Fn::GetAtt"]) + "}"
        return "${" + self._stand_in(part, pointer) + "}"

    def _parameter(self, name: str, ref: Ref, native: bool, description: str | None = None) -> None:
        spec: dict = {"Type": "String"}
        if description:
            spec["Description"] = description
        default = ref.default if isinstance(ref.default, str) else None
        if default is not None:
            spec["Default"] = default
        self.parameters.setdefault(name, spec)
        self.taken.add(name)

    def _stand_in(self, ref: Ref, pointer: tuple) -> str:
        """A Parameter standing for a reference the template cannot point at; Metadata remembers which."""
        stored = ref.model_dump_json(exclude_none=True)
        for name, known in self.stand_ins.items():
            if known == stored:
                return name
        if ref.kind in ("variable", "local"):
            wanted = pascal(ref.target.split(".", 1)[-1])
        elif ref.kind == "resource":
            wanted = pascal(ref.target.rsplit(".", 1)[-1]) + pascal(ref.attribute or "Name")
        else:
            wanted = pascal(grammar.render(pointer).replace("[", "").replace("]", "")) or "Value"
        name = self._unique(wanted)
        self.stand_ins[name] = stored
        if ref.kind == "expression":
            self.warn(error("stand-in", f"the expression {ref.display()} cannot be written here; Parameter {name} "
                            "stands for it (template Metadata records which)", severity="warning",
                            path=grammar.render(pointer)))
        self._parameter(name, ref, native=False, description=f"Stands for {ref.display()}"[:4000])
        return name


def _pseudo(ref: Ref) -> str | None:
    """The pseudo parameter a Terraform data source attribute is (data.aws_region.<any>.name is AWS::Region)."""
    if ref.kind != "resource" or not ref.target or not ref.target.startswith("data.") or ref.target.count(".") != 2:
        return None
    kind = ref.target.split(".")[1]
    for pseudo, expression in grammar.references()["pseudo_parameters"].items():
        _, table_kind, _, attribute = expression.split(".")
        if (table_kind, attribute) == (kind, ref.attribute):
            return pseudo
    return None


def locator(source: Source, configs: list[ReplicationConfig]):
    """Where a model location is in the template (line, column)."""
    from ..cloudformation.evaluate import Stack
    from ..sources import locate

    def where(index: int, loc: tuple):
        try:
            resource = resources_of(parse(source), source)[1](configs[index].origin) + ("Properties",)
        except InputError:
            return None
        moved = Stack(moves=_MOVES.get(source, {}).get(configs[index].origin, {}))
        if loc[:1] == ("bucket",):
            return locate(source.text, moved.source_pointer(resource + ("BucketName",)))
        return locate(source.text, moved.source_pointer(resource + ("ReplicationConfiguration",)
                                                        + grammar.to_pointer(loc, NAME)))

    return where


def versioning(sources: list[Source]):
    """Whether the template enables versioning on a bucket a value names: True, False, or None (not in it)."""
    buckets = {}  # logical ID -> (literal name, versioning enabled)
    for source in sources:
        try:
            resources = resources_of(parse(source), source)[0]
        except InputError:
            continue
        for logical_id, resource in resources.items():
            if isinstance(resource, dict) and resource.get("Type") == BUCKET:
                properties = resource.get("Properties") or {}
                status = (properties.get("VersioningConfiguration") or {}).get("Status")
                buckets[logical_id] = (properties.get("BucketName"), status == "Enabled")

    def enabled(value: Value):
        if isinstance(value, Ref) and value.kind == "resource" and value.target in buckets:
            return buckets[value.target][1]
        name = value.removeprefix("arn:aws:s3:::") if isinstance(value, str) else None
        return next((on for literal, on in buckets.values() if name is not None and literal == name), None)

    return enabled
