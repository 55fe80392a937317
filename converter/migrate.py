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

from . import hclscan, migrate_json
from . import migrate_v4 as v4
from .errors import InputError, Refusal, error
from .formats import hcl
from .formats.terraform import Writer
from .migrate_v4 import REPLICATION, VERSIONING
from .sources import MAX_INPUT_BYTES, Source, load


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
    """The .tf and .tf.json files a PATH names: the file, or a directory's (one module, as Terraform reads it)."""
    target = Path(path)
    if target.is_dir():
        return sorted(p for p in target.iterdir() if p.is_file() and p.name.endswith((".tf", ".tf.json")))
    if not target.exists():
        raise InputError(error("unreadable", "no such file or directory", file=path))
    return [target]


def plan(path: str, imports: bool = False, warn=lambda diagnostic: None, context=None) -> list[FileEdit]:
    """The edits that migrate a file or a module directory; refuses (naming each place) what it cannot migrate.

    context: a converter.context.ReadContext; its --var values decide count/for_each and the import ids.
    """
    from .context import EMPTY
    from .terraform import module, syntax

    paths = files(path)
    sources = [load(str(p), MAX_INPUT_BYTES)[0] for p in paths]
    raws = [p.read_bytes().decode("utf-8") for p in paths]  # the BOM stays a character of the text, kept as it is
    scans = [None if _is_json(raw) else hclscan.blocks(raw, str(p)) for raw, p in zip(raws, paths)]
    tops = [syntax.parse(source).blocks for source in sources]
    context = context or EMPTY
    root = module.root(sources, context)
    taken = {b.labels for found in tops for b in found if b.type == "resource" and len(b.labels) == 2}
    imported = {_meta_text(b.body.attributes["to"]) for found in tops for b in found
                if b.type == "import" and "to" in b.body.attributes}
    declared = {b.labels[0] for found in tops for b in found if b.type == "variable" and b.labels}
    configs = _replications(sources, tops, context)
    edits, problems = [], []
    for p, raw, scan, top in zip(paths, raws, scans, tops):
        edit, made = FileEdit(p, raw, raw), []
        spans = {tuple(b.labels): b for b in scan or () if b.type == "resource" and len(b.labels) == 2}
        for block in top:
            if block.type != "resource" or block.labels[:1] != ("aws_s3_bucket",) or len(block.labels) != 2:
                continue
            scanned = spans.get(block.labels)
            if scan is not None and scanned is None:  # the two readings of the file disagree: touch nothing
                problems.append(error("internal", f"aws_s3_bucket.{block.labels[1]} was not found where the syntax "
                                      "layer reads it", file=str(p), hint="please report it with the file"))
                continue
            try:
                bucket = v4.Bucket(block.labels[1], block, _repeat(block, scanned))
                items = _bucket_items(bucket, configs, root, taken, imported if imports else None, declared, scanned)
            except Refusal as exc:
                problems += exc.diagnostics
                continue
            if items is None:
                continue
            if scanned is not None:
                for inner in scanned.blocks:
                    if _inline(inner, items[0]) and inner.commented:
                        warn(error("comments", f"the comments inside {bucket.address}'s {inner.type} block are not "
                                   "carried to the new resource", file=str(p), line=hclscan.line_of(raw, inner.start),
                                   severity="warning"))
            made.append((bucket, scanned, *items))
            edit.buckets.append(bucket.label)
        if made:
            edit.new = _edit_hcl(raw, made) if scan is not None else migrate_json.edit(raw, str(p), made)
            edits.append(edit)
    if problems:
        raise Refusal(problems)
    if edits:
        _check(edits, sources, configs, context)
    return edits


def _is_json(raw: str) -> bool:
    return raw.lstrip("\ufeff \t\r\n").startswith("{")  # as the syntax layer tells the two apart


def _meta_text(attribute) -> str:
    """A meta-argument's text, either syntax (to = x.y, or "to": "x.y")."""
    from .terraform.syntax import meta_argument

    return str(meta_argument(attribute.expr, attribute.name))


def _repeat(block, scanned) -> tuple[str, str] | None:
    """("count" or "for_each", its expression as written), or None."""
    for meta in ("count", "for_each"):
        if meta in block.body.attributes:
            attribute = block.body.attributes[meta]
            if scanned is not None:  # HCL: the exact text
                return meta, scanned.attributes[meta].value
            return meta, _meta_text(attribute)
    return None


def _replications(sources: list[Source], tops: list, context) -> dict:
    """The v3 inline configurations of the module, by instance address, read by the terraform reader."""
    if not any(c.type == "replication_configuration" or c.labels[:1] == ("replication_configuration",)
               for found in tops for b in found for c in b.body.blocks):
        return {}
    return {a: c for a, c in _read(sources, context).items() if a.startswith("aws_s3_bucket.")}


def _read(sources: list[Source], context) -> dict:
    """The module's configurations by address; none (a dynamic block may make none) is not an error here."""
    from .formats import terraform

    try:
        return {c.origin: c for c in terraform.read_module(sources, context)}
    except Refusal as exc:
        if [d.code for d in exc.diagnostics] == ["no-replication"]:
            return {}
        raise


def _exact(attribute, scanned, kind: str) -> str:
    """An attribute's text in a dynamic block: as written in HCL (the scanner's span), the meta text in JSON."""
    if scanned is not None:
        for inner in scanned.blocks:
            if inner.type == "dynamic" and inner.labels[:1] == [kind] and attribute.name in inner.attributes:
                return inner.attributes[attribute.name].value
    return _meta_text(attribute)


def _bucket_items(bucket: v4.Bucket, configs: dict, root, taken: set, imported: set | None, declared: set,
                  scanned=None):
    """(the inline kinds it has, the new items, the expression writer) for one bucket; None when nothing to migrate."""
    body = bucket.block.body
    for block in body.named("dynamic"):
        if block.labels[:1] in (("versioning",), ("replication_configuration",)):
            kind = block.labels[0]
            bucket.dynamic[kind] = v4.dynamic_for_each(bucket, kind, lambda attribute: _exact(attribute, scanned, kind))
            if imported is not None:
                bucket.present[kind] = v4.present(bucket, kind, root)
    kinds = [kind for kind in ("versioning", "replication_configuration") if body.named(kind) or kind in bucket.dynamic]
    if not kinds:
        return None
    for kind in kinds:
        new = VERSIONING if kind == "versioning" else REPLICATION
        if (new, bucket.label) in taken:
            raise Refusal(error("exists", f"{new}.{bucket.label} exists already, beside {bucket.address}'s {kind} "
                                "block", **bucket.where(), hint="remove one of the two, then run migrate again"))
    provider = _meta_text(body.attributes["provider"]) if "provider" in body.attributes else None
    bucket.known = v4.names(bucket, root) if imported is not None else {}
    items, expression = [], Writer([], lambda diagnostic: None).expression
    if "versioning" in kinds:
        items.append(v4.versioning(bucket, provider))
        items += v4.imports(bucket, [VERSIONING], imported) if imported is not None else []
    if "replication_configuration" in kinds:
        try:  # its expressions as written
            config = v4.written_config(bucket, root)
        except Refusal:  # dynamic blocks inside, a tags map from one expression: a plain bucket's, as evaluated
            if bucket.repeat or bucket.dynamic:
                raise
            config = configs[bucket.address]
        depends = f"[{VERSIONING}.{bucket.label}]" if "versioning" in kinds else None
        item, writer = v4.replication(bucket, config, provider, depends, declared)
        items.append(item)
        expression = writer.expression
        items += v4.imports(bucket, [REPLICATION], imported) if imported is not None else []
    return kinds, items, expression


def _inline(scanned, kinds: list) -> bool:
    """Whether a scanned block is one of the inline blocks migrated: itself, or a dynamic block making it."""
    return scanned.type in kinds or scanned.type == "dynamic" and scanned.labels[:1] != [] and scanned.labels[0] in kinds


def _edit_hcl(raw: str, made: list) -> str:
    """raw with each bucket's inline blocks cut and the new resources inserted after it."""
    nl = "\r\n" if "\r\n" in raw else "\n"
    cuts, inserts = [], []
    for bucket, scanned, kinds, items, expression in made:
        cuts += [_cut_span(raw, inner, scanned) for inner in scanned.blocks if _inline(inner, kinds)]
        inserts.append((scanned.end, nl.join([""] + hcl.render(items, expression))))
    return _apply(raw, cuts, inserts)


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


def _check(edits: list[FileEdit], sources: list[Source], before: dict, context) -> None:
    """The edited files parse, and the terraform reader finds the same configurations in the module as before."""
    from .formats import terraform

    changed = {str(edit.path): Source(str(edit.path), edit.new.removeprefix("\ufeff")) for edit in edits}
    for source in changed.values():
        terraform.parse(source)
    labels = {label for edit in edits for label in edit.buckets}
    wanted = {address for address in before if _label(address) in labels}
    from .diff import compare

    after = _read([changed.get(s.name, s) for s in sources], context)
    made = {a for a in after if a.startswith(f"{REPLICATION}.") and _label(a) in labels}
    for address in sorted(wanted):
        new_address = f"{REPLICATION}.{address.split('.', 1)[1]}"
        new_address = new_address if new_address in after else f"{new_address}[0]"  # count = length(for_each)
        made.discard(new_address)
        new = after.get(new_address)
        same = {"origin": None, "around": None}  # the new resource has its depends_on, the bucket had none
        # Compared by meaning: the inline block and the resource are sent with their own normalizations
        # (an inline filter { prefix = "" } is the resource's filter {}: both select every object).
        if new is None or compare(new.model_copy(update=same), before[address].model_copy(update=same)).changes:
            file = next((str(e.path) for e in edits if _label(address) in e.buckets), None)
            raise Refusal(error("internal", f"the migrated {address} does not read back the same; nothing written",
                                file=file, hint="please report it with the file"))
    if made:  # an instance the inline blocks did not have
        raise Refusal(error("internal", f"the migrated module has {', '.join(sorted(made))} in addition; nothing "
                            "written", hint="please report it with the files"))


def _label(address: str) -> str:
    """A resource instance address's name label: aws_s3_bucket.src[0] -> src."""
    return address.split(".", 1)[1].split("[")[0]


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
