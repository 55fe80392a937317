"""Terraform plan and state JSON (`terraform show -json`): the replication resources fully evaluated, read-only.

https://developer.hashicorp.com/terraform/internals/json-format
"""

from __future__ import annotations

import json
import re
from typing import Any

from .. import grammar
from ..errors import InputError, Refusal, UsageError, error
from ..model import ReplicationConfig
from ..sources import Source, load_json
from ..values import Ref, Value
from . import hcl, terraform
from .detection import terraform_plan as detect  # noqa: F401 - formats.detect uses the table, not this module

NAME = "terraform-plan"
MULTI = True
NEEDS_LITERALS = False
V3 = "aws_s3_bucket"  # provider 5 still has the v3 inline replication_configuration in its schema
# A reference to an attribute of one instance: aws_s3_bucket.source["a"].id, data.aws_x.y[0].arn.
_INSTANCE = re.compile(r'^((?:data\.)?([a-z][a-z0-9_]*)\.[A-Za-z_][A-Za-z0-9_-]*\[[^\]]+\])\.([A-Za-z_][A-Za-z0-9_]*)\Z')


def read(source: Source, context=None) -> list[ReplicationConfig]:
    """One configuration per replication resource instance in the plan's planned values (or the state's values)."""
    data = load_json(source.text, source.name)
    values = data.get("planned_values", data.get("values")) if isinstance(data, dict) else None
    if not isinstance(values, dict) or "terraform_version" not in data:
        raise InputError(error("input", "not `terraform show -json` output: no planned_values or values",
                               file=source.name, hint="run terraform show -json PLANFILE (or with no file, the state)"))
    unknown = {change.get("address"): (change.get("change") or {}).get("after_unknown")
               for change in data.get("resource_changes") or () if isinstance(change, dict)}
    plan = _Plan(unknown, _configurations(data.get("configuration")), {})
    resources = list(_resources(values.get("root_module"), ""))
    plan.values = {r.get("address"): r.get("values") for r, _ in resources}
    configs, problems = [], []
    for resource, module in resources:
        kind, body = resource.get("type"), resource.get("values")
        v3 = kind == V3 and isinstance(body, dict) and bool(body.get("replication_configuration"))
        if resource.get("mode", "managed") != "managed" or not (kind == terraform.RESOURCE or v3):
            continue
        try:
            configs.append(plan.config(resource, module, v3))
        except InputError as exc:
            problems += [d.at(file=source.name) for d in exc.diagnostics]
    if problems:
        raise InputError(problems)
    if not configs:
        raise Refusal(error("no-replication", f"the plan has no {terraform.RESOURCE} and no aws_s3_bucket with a "
                            "replication_configuration", file=source.name))
    return configs


def _resources(module: Any, prefix: str):
    """(resource, module address prefix) for a module and its child modules, depth first."""
    if not isinstance(module, dict):
        return
    for resource in module.get("resources") or ():
        if isinstance(resource, dict) and isinstance(resource.get("address"), str):
            yield resource, prefix
    for child in module.get("child_modules") or ():
        if isinstance(child, dict) and isinstance(child.get("address"), str):
            yield from _resources(child, child["address"] + ".")


def _configurations(configuration: Any) -> dict:
    """Module address prefix -> that module's resource configurations by address (for the references of unknowns)."""
    out: dict = {}

    def walk(module: Any, prefix: str) -> None:
        if not isinstance(module, dict):
            return
        out[prefix] = {r.get("address"): r for r in module.get("resources") or () if isinstance(r, dict)}
        for name, call in (module.get("module_calls") or {}).items():
            if isinstance(call, dict):
                walk(call.get("module"), f"{prefix}module.{name}.")

    walk((configuration or {}).get("root_module") if isinstance(configuration, dict) else None, "")
    return out


class _Plan:
    """What the resources of a plan can be resolved against: unknown values, configurations, planned values."""

    def __init__(self, unknown: dict, configurations: dict, values: dict):
        self.unknown, self.configurations, self.values = unknown, configurations, values

    def config(self, resource: dict, module: str, v3: bool) -> ReplicationConfig:
        address = resource["address"]
        unknown = self.unknown.get(address)
        # Instances of a module called with count/for_each share its configuration: drop the instance keys.
        relative = address[len(module):]
        configuration = self.configurations.get(_without_keys(module), {}).get(_without_keys(relative), {})
        body = _merge(resource.get("values") or {}, unknown, configuration.get("expressions"), (), self, resource,
                      module, configuration)
        if v3:
            block = _plain(body.get("replication_configuration"), "replication_configuration")
            data = terraform._from_v3(block, (address, "replication_configuration"))
            bucket = body.get("bucket") if isinstance(body.get("bucket"), (str, Ref)) else self.own(address, "bucket")
        else:
            plain = {key: _plain(value, key) for key, value in body.items() if key not in ("id", "bucket")}
            data = {key: value for key, value in plain.items() if value is not None}
            bucket = body.get("bucket")
        if bucket is None:
            raise InputError(error("missing-member", "missing required argument 'bucket'", path=address))
        config = grammar.to_model(data, ReplicationConfig, terraform.GRAMMAR, hook=terraform._passthrough,
                                  pointer=(address,))
        return terraform.provider_view(config).model_copy(update={"bucket": bucket, "origin": address})

    def own(self, address: str, attribute: str) -> Ref:
        """A value known only after apply, and nothing says where it comes from: the resource's own attribute."""
        return Ref(kind="resource", target=address, attribute=attribute, resource_type=address.split("[")[0]
                   .split(".")[-2])

    def reference(self, references: list, resource: dict, module: str, configuration: dict, attribute: str) -> Value:
        """The reference an unknown value was computed from (its expression's first reference), module-qualified."""
        text = next((r for r in references if isinstance(r, str)), None)
        if text and text.startswith("each.value.") and "index" in resource:
            # for_each over a resource: each.value is that resource's instance with the same key.
            over = ((configuration.get("for_each_expression") or {}).get("references") or [None])[0]
            if isinstance(over, str) and over.count(".") == 1:
                text = f"{over}[{json.dumps(resource['index'])}].{text[len('each.value.'):]}"
        if not text or text.startswith(("each.", "count.", "self.")):
            return self.own(resource["address"], attribute)
        instance = _INSTANCE.match(text)  # hcl.reference reads addresses without instance keys
        ref = hcl.reference(text, lambda name: None) if not instance else Ref(
            kind="resource", target=instance.group(1), attribute=instance.group(3), resource_type=instance.group(2))
        if ref.kind != "resource":
            return ref if ref.kind != "expression" else self.own(resource["address"], attribute)
        target = module + ref.target
        return ref.model_copy(update={"target": target, "default": self.planned(target, ref.attribute)})

    def planned(self, address: str, attribute: str | None) -> str | None:
        """An attribute the plan already knows (a bucket's id is its name)."""
        values = self.values.get(address) or {}
        if address.split("[")[0].split(".")[-2] == "aws_s3_bucket" and attribute == "id":
            attribute = "bucket"
        value = values.get(attribute) if isinstance(values, dict) else None
        return value if isinstance(value, str) else None


def _without_keys(address: str) -> str:
    return re.sub(r"\[[^\]]*\]", "", address)


def _merge(values: Any, unknown: Any, expressions: Any, path: tuple, plan: _Plan, resource: dict, module: str,
           configuration: dict) -> Any:
    """Planned values with every value unknown at plan time (after_unknown) replaced by the reference it comes from."""
    if unknown is True:
        references = expressions.get("references") if isinstance(expressions, dict) else None
        attribute = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
        return plan.reference(references or [], resource, module, configuration, attribute)
    if isinstance(unknown, dict):
        out = dict(values) if isinstance(values, dict) else {}
        for key, inner in unknown.items():
            if inner is not False and inner != [] and inner != {}:
                out[key] = _merge(out.get(key), inner, (expressions or {}).get(key) if isinstance(expressions, dict)
                                  else None, path + (key,), plan, resource, module, configuration)
        return out
    if isinstance(unknown, list):
        items = list(values) if isinstance(values, list) else []
        items += [None] * (len(unknown) - len(items))
        blocks = expressions if isinstance(expressions, list) else []
        return [_merge(item, inner, blocks[i] if i < len(blocks) else None, path + (i,), plan, resource, module,
                       configuration) if inner not in (False, None) else item
                for i, (item, inner) in enumerate(zip(items, unknown + [False] * (len(items) - len(unknown))))]
    return values


def _plain(value: Any, key: str) -> Any:
    """Plan values in the HCL reader's shape: one-block lists unwrapped, absent blocks (null, []) gone, maps as pairs."""
    if value is None or value == []:
        return None
    if key in terraform.MAPS and isinstance(value, dict):
        return [{"key": k, "value": v} for k, v in value.items()]
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        items = [{k: v for k, v in ((k, _plain(v, k)) for k, v in item.items()) if v is not None and _set(k, v)}
                 for item in value]
        if key in terraform.LISTS:  # a V2 rule (with a filter) has no prefix of its own, "" or not
            items = [{k: v for k, v in item.items() if not (k == "prefix" and "filter" in item)} for item in items]
            return items
        if len(items) > 1:
            raise InputError(error("input", f"only one {key} block is allowed here", path=key))
        return items[0]
    return value


def _set(key: str, value: Any) -> bool:
    """Whether a member is set: the provider's SDK records an unset string as "" (a prefix "" is a prefix)."""
    return value != "" or key == "prefix"


def locator(source: Source, configs: list[ReplicationConfig]):
    """Where a configuration is in the plan: its resource's address in planned_values (terraform prints one line)."""

    def where(index: int, loc: tuple):
        found = -1
        for separator in (":", ": "):  # as terraform prints it, or pretty-printed
            found = source.text.find(f'"address"{separator}{json.dumps(configs[index].origin)}')
            if found >= 0:
                break
        if found < 0:
            return None
        line = source.text.count("\n", 0, found) + 1
        return line, found - (source.text.rfind("\n", 0, found) + 1) + 1

    return where


def write(configs: list[ReplicationConfig], options) -> str:
    """Refused: a plan is what terraform computes, not something to write."""
    raise UsageError(error("read-only", "terraform-plan is an input format only (terraform show -json output)",
                           hint="write --to terraform (or terraform-json) instead"))
