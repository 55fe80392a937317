"""s3repl migrate: AWS provider v3 inline blocks to v4 resources, edited into the user's files in place.

Each aws_s3_bucket loses its `versioning` and `replication_configuration` blocks; right after it come an
aws_s3_bucket_versioning and an aws_s3_bucket_replication_configuration (and, asked, `import` blocks so the state
adopts them instead of creating them). Every other byte of the file stays: the edits are cuts and insertions at
spans found by converter.hclscan, never a re-rendering. The v4 upgrade guide:
https://registry.terraform.io/providers/hashicorp/aws/latest/docs/guides/version-4-upgrade#s3-bucket-refactor
"""

from __future__ import annotations

import difflib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import hclscan
from .errors import InputError, Refusal, error
from .sources import MAX_INPUT_BYTES, Source, load

VERSIONING, REPLICATION = "aws_s3_bucket_versioning", "aws_s3_bucket_replication_configuration"
_LITERAL = re.compile(r'"([^"\\$%]*)"\Z')  # a quoted string without escapes or templates


@dataclass
class FileEdit:
    """One file's migration: its old and new text and what was migrated in it."""

    path: Path
    old: str
    new: str
    buckets: list[str] = field(default_factory=list)

    def diff(self) -> str:
        """A unified diff of the edit."""
        name = str(self.path)
        return "".join(difflib.unified_diff(self.old.splitlines(keepends=True), self.new.splitlines(keepends=True),
                                            name, f"{name} (migrated)"))


def files(path: str) -> list[Path]:
    """The .tf files a PATH names: the file, or a directory's (one module, as Terraform reads it)."""
    target = Path(path)
    if target.is_dir():
        return sorted(p for p in target.iterdir() if p.is_file() and p.name.endswith(".tf"))
    if not target.exists():
        raise InputError(error("unreadable", "no such file or directory", file=path))
    return [target]


def plan(path: str, imports: bool = False, warn=lambda diagnostic: None) -> list[FileEdit]:
    """The edits that migrate a file or a module directory; refuses (naming each place) what it cannot migrate."""
    paths = files(path)
    sources = [load(str(p), MAX_INPUT_BYTES)[0] for p in paths]
    raws = [p.read_bytes().decode("utf-8") for p in paths]  # the BOM stays a character of the text, kept as it is
    parsed = [hclscan.blocks(raw, str(p)) for raw, p in zip(raws, paths)]
    taken = {(b.labels[0], b.labels[1]) for found in parsed for b in found if b.type == "resource" and len(b.labels) == 2}
    imported = {b.attributes["to"].value for found in parsed for b in found if b.type == "import" and "to" in b.attributes}
    declared = {b.labels[0] for found in parsed for b in found if b.type == "variable" and b.labels}
    configs = _replications(sources, parsed)
    edits, problems = [], []
    for p, raw, found in zip(paths, raws, parsed):
        edit = FileEdit(p, raw, raw)
        cuts, inserts = [], []
        for bucket in found:
            if bucket.type != "resource" or bucket.labels[:1] != ["aws_s3_bucket"] or len(bucket.labels) != 2:
                continue
            try:
                made = _migrate_bucket(raw, bucket, configs, taken, imported if imports else None, warn, str(p),
                                       declared)
            except Refusal as exc:
                problems += exc.diagnostics
                continue
            if made:
                cut, text = made
                cuts += cut
                inserts.append((bucket.end, text))
                edit.buckets.append(bucket.labels[1])
        if edit.buckets:
            edit.new = _apply(raw, cuts, inserts)
            edits.append(edit)
    for p in paths:
        if Path(f"{p}.json").exists() and "replication_configuration" in Path(f"{p}.json").read_text("utf-8", "replace"):
            warn(error("not-migrated", "files in Terraform's JSON syntax are not migrated", file=f"{p}.json",
                       severity="warning"))
    if problems:
        raise Refusal(problems)
    for edit in edits:
        _check(edit, configs)
    return edits


def _replications(sources: list[Source], parsed: list) -> dict:
    """The v3 inline configurations of the module, by bucket address, read by the terraform reader."""
    if not any(c.type == "replication_configuration" for found in parsed for b in found for c in b.blocks):
        return {}
    from .formats import terraform

    return {c.origin: c for c in terraform.read_module(sources) if c.origin.startswith("aws_s3_bucket.")}


def _migrate_bucket(raw: str, bucket, configs: dict, taken: set, imported: set | None, warn, name: str,
                    declared: set):
    """The cuts in one aws_s3_bucket and the text to insert after it; None when it has nothing to migrate."""
    label = bucket.labels[1]
    address = f"aws_s3_bucket.{label}"
    line = hclscan.line_of(raw, bucket.start)
    dynamic = [b.labels[0] for b in bucket.blocks if b.type == "dynamic" and b.labels[:1] in (["versioning"],
                                                                                             ["replication_configuration"])]
    if dynamic:
        raise Refusal(error("dynamic", f"{address} builds {', '.join(dynamic)} with a dynamic block; s3repl cannot "
                            "migrate it", file=name, line=line, hint="write the block out, then run migrate again"))
    inner = {b.type: b for b in bucket.blocks if b.type in ("versioning", "replication_configuration")}
    if not inner:
        return None
    for kind in inner:
        new = VERSIONING if kind == "versioning" else REPLICATION
        if (new, label) in taken:
            raise Refusal(error("exists", f"{new}.{label} exists already, beside {address}'s {kind} block", file=name,
                                line=line, hint="remove one of the two, then run migrate again"))
    for kind, block in inner.items():
        if block.commented:
            warn(error("comments", f"the comments inside {address}'s {kind} block are not carried to the new resource",
                       file=name, line=hclscan.line_of(raw, block.start), severity="warning"))
    for meta in ("count", "for_each"):
        if meta in bucket.attributes:
            raise Refusal(error("unsupported", f"{address} uses {meta}; s3repl does not migrate it", file=name,
                                line=line, hint="migrate it by hand with the same count/for_each on the new resources"))
    bucket_name = None
    if imported is not None:
        value = bucket.attributes.get("bucket")
        literal = _LITERAL.match(value.value) if value else None
        if literal is None:
            raise Refusal(error("import-id", f"{address} has no literal bucket name for the import id", file=name,
                                line=line, hint="give it `bucket = \"NAME\"`, or run migrate without --import"))
        bucket_name = literal.group(1)
    nl = "\r\n" if "\r\n" in raw else "\n"
    provider = bucket.attributes.get("provider")
    lines: list[str] = []
    if "versioning" in inner:
        lines += [""] + _versioning(raw, inner["versioning"], address, label, provider, name)
        lines += _import(VERSIONING, label, bucket_name, imported)
    if "replication_configuration" in inner:
        depends = f"[{VERSIONING}.{label}]" if "versioning" in inner else None
        lines += [""] + _replication(configs[address], label, provider, depends, declared)
        lines += _import(REPLICATION, label, bucket_name, imported)
    cuts = [_cut_span(raw, block, bucket) for block in inner.values()]
    return cuts, nl.join(lines)


def _versioning(raw: str, block, address: str, label: str, provider, name: str) -> list[str]:
    """aws_s3_bucket_versioning for a v3 versioning block (enabled and mfa_delete, literal)."""
    values = {}
    for key in ("enabled", "mfa_delete"):
        attribute = block.attributes.get(key)
        if attribute is not None and attribute.value not in ("true", "false"):
            raise Refusal(error("not-literal", f"{address} versioning.{key} is {attribute.value}; s3repl migrates "
                                "only true or false", file=name, line=hclscan.line_of(raw, attribute.start),
                                hint="write aws_s3_bucket_versioning by hand"))
        values[key] = attribute.value if attribute else "false"
    if values["enabled"] != "true":
        # S3 cannot return a bucket to unversioned: false means Suspended or never enabled, and only the bucket knows.
        raise Refusal(error("versioning-disabled", f"{address} has versioning enabled = false: Suspended or Disabled "
                            "in aws_s3_bucket_versioning depends on the bucket's history", file=name,
                            line=hclscan.line_of(raw, block.start),
                            hint="remove the block if versioning was never enabled, or set enabled = true"))
    from .formats import hcl

    head = [("provider", hcl.Expr(provider.value))] if provider else []
    settings = [("status", "Enabled")] + ([("mfa_delete", "Enabled")] if values["mfa_delete"] == "true" else [])
    body = head + [("bucket", hcl.Expr(f"aws_s3_bucket.{label}.id")), ("versioning_configuration", hcl.Block(settings))]
    return hcl.render([("resource", hcl.Block(body, (VERSIONING, label)))], str)


def _replication(config, label: str, provider, depends: str | None, declared: set) -> list[str]:
    """aws_s3_bucket_replication_configuration for a configuration read from a v3 block, by the terraform writer."""
    from .formats import hcl
    from .formats.terraform import Writer, resource

    writer = Writer([config], lambda diagnostic: None)
    _, body = resource(writer, config)
    head = [("provider", hcl.Expr(provider.value))] if provider else []
    head += [("depends_on", hcl.Expr(depends))] if depends else []
    block = hcl.Block(head + body, (REPLICATION, label))
    lines = hcl.render([("resource", block)], writer.expression)
    # A variable s3repl wrote to stand for a reference reads back as that reference and is written as the same
    # variable again; any other new variable would be a reference the module does not declare.
    if set(writer.variables) - declared:
        raise Refusal(error("internal", f"{REPLICATION}.{label} needs {', '.join(set(writer.variables) - declared)}"))
    return lines


def _import(kind: str, label: str, bucket: str | None, imported: set | None) -> list[str]:
    """An import block (Terraform 1.5+): https://developer.hashicorp.com/terraform/language/import"""
    if imported is None or f"{kind}.{label}" in imported:
        return []
    return ["", "import {", f"  to = {kind}.{label}", f'  id = "{bucket}"', "}"]


def _cut_span(raw: str, block, bucket) -> tuple[int, int]:
    """The characters that remove a nested block: its whole lines, and a blank line before it that would dangle."""
    start, end = block.start, block.end
    line_start = raw.rfind("\n", 0, start) + 1
    after = re.compile(r"[ \t]*(\r?\n|\Z)").match(raw, end)
    if raw[line_start:start].strip() or after is None:  # shares its lines with something else: the block only
        return start, end
    start, end = line_start, after.end()
    previous = raw.rfind("\n", 0, start - 1) + 1
    following = raw[end:(raw.find("\n", end) + 1) or len(raw)]
    closing = not raw[end:bucket.end - 1].strip()  # what follows is the bucket's own }
    if start > 0 and not raw[previous:start].strip() and (closing or not following.strip()):
        start = previous
    return start, end


def _apply(raw: str, cuts: list, inserts: list) -> str:
    """raw with the spans cut and the texts inserted (both given by positions in raw)."""
    edits = sorted([(a, b, "") for a, b in cuts] + [(at, at, text) for at, text in inserts])
    out, position = [], 0
    nl = "\r\n" if "\r\n" in raw else "\n"
    for start, end, text in edits:
        start = max(start, position)
        out.append(raw[position:start])
        if text:
            out.append(nl + text)
        position = max(position, end)
    out.append(raw[position:])
    return "".join(out)


def _check(edit: FileEdit, before: dict) -> None:
    """The edited file parses, and the terraform reader finds the same configurations in it as before the edit."""
    from .formats import terraform

    source = Source(str(edit.path), edit.new.removeprefix("\ufeff"))
    terraform.parse(source)
    wanted = {f"aws_s3_bucket.{label}" for label in edit.buckets} & set(before)
    if not wanted:
        return
    from .diff import compare

    after = {c.origin: c for c in terraform.read(source)}
    for address in wanted:
        new = after.get(f"{REPLICATION}.{address.split('.', 1)[1]}")
        same = {"origin": None, "around": None}  # the new resource has its depends_on, the bucket had none
        # Compared by meaning: the inline block and the resource are sent with their own normalizations
        # (an inline filter { prefix = "" } is the resource's filter {}: both select every object).
        if new is None or compare(new.model_copy(update=same), before[address].model_copy(update=same)).changes:
            raise Refusal(error("internal", f"the migrated {address} does not read back the same; nothing written",
                                file=str(edit.path), hint="please report it with the file"))


def write(edits: list[FileEdit]) -> None:
    """Each edited file replaced atomically (a temporary file beside it, then a rename), its mode kept."""
    for edit in edits:
        handle, temporary = tempfile.mkstemp(dir=edit.path.parent, prefix=f".{edit.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(edit.new.encode("utf-8"))
            os.chmod(temporary, edit.path.stat().st_mode & 0o7777)
            os.replace(temporary, edit.path)
        except BaseException:
            os.unlink(temporary)
            raise
