"""Any CSV, through a YAML mapping (``--format csv --mapping people.yml``); see docs/csv-mapping.md.

The mapping borrows followthemoney's own mapping concepts (``entities`` with ``schema``, ``keys`` or
``id_column``, ``properties`` fed by ``column``/``columns``/``literal``/``template``/``entity``,
``join``/``split``/``format``/``fuzzy``/``required``, ``filters``/``filters_not``, ``key_literal``)
so that people who know FtM mappings can write one without reading new documentation, but it is
read by pepgraph rather than by ``followthemoney.mapping``: FtM's mapper logs and skips what it
cannot map, while an ingest must *name* the problem (mapping key path, CSV file and line) and let
``--skip-invalid`` drop one bad row rather than the whole file.

The mapping is validated completely before the first row is read: unknown keys, schemas and
properties, entity references to entities the mapping does not define or of the wrong schema,
and circular references are a ``ConfigError`` naming the mapping file and the key path; a mapped
column missing from the CSV header is a ``SourceError`` naming the CSV, the header line and the
column. Rows are decoded with ``surrogateescape`` so that an undecodable byte makes *its row* a
record error (file and line) instead of stopping the reader somewhere inside an 8 KiB buffer.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from followthemoney import model
from followthemoney.property import Property
from followthemoney.schema import Schema
from followthemoney.statement import StatementEntity
from followthemoney.types import registry

from pepgraph.errors import ConfigError, SourceError
from pepgraph.sources.base import RecordScope, SourceContext

FORMAT = "csv"
TOP_KEYS = {"csv", "constants", "filters", "filters_not", "entities"}
CSV_KEYS = {"delimiter", "quotechar", "encoding", "skip_rows", "header", "columns"}
ENTITY_KEYS = {"schema", "key", "keys", "id_column", "key_literal", "id_prefix", "optional",
               "filters", "filters_not", "properties"}
PROP_SOURCES = ("column", "columns", "literal", "literals", "template", "entity")
PROP_KEYS = set(PROP_SOURCES) | {"join", "split", "format", "fuzzy", "lang", "required"}
_TEMPLATE_REF = re.compile(r"{{\s*([^}]+?)\s*}}")
_ESCAPED = re.compile(r"[\udc80-\udcff]")


def sniff(path: Path, head: str) -> bool:
    """Never: a CSV cannot be read without a mapping, so ``--format auto`` must not claim one."""
    return False


@dataclass
class PropMap:
    path: str  # key path in the mapping, for errors
    prop: Property
    columns: list[str] = field(default_factory=list)
    literals: list[str] = field(default_factory=list)
    template: str | None = None
    entity: str | None = None
    join: str | None = None
    split: str | None = None
    format: str | None = None
    fuzzy: bool = False
    lang: str | None = None
    required: bool = False


@dataclass
class EntityMap:
    name: str
    schema: Schema
    keys: list[str]
    id_column: str | None
    key_literal: str
    id_prefix: str | None
    optional: bool
    filters: dict[str, set[str]]
    filters_not: dict[str, set[str]]
    props: list[PropMap]


@dataclass
class Mapping:
    path: Path
    delimiter: str = ","
    quotechar: str = '"'
    encoding: str = "utf-8-sig"
    skip_rows: int = 0
    header: bool = True
    columns: list[str] = field(default_factory=list)
    constants: dict[str, str] = field(default_factory=dict)
    filters: dict[str, set[str]] = field(default_factory=dict)
    filters_not: dict[str, set[str]] = field(default_factory=dict)
    entities: list[EntityMap] = field(default_factory=list)  # in dependency order
    used: dict[str, str] = field(default_factory=dict)  # column -> first key path using it


def read(ctx: SourceContext) -> Iterator[StatementEntity]:
    mapping = load_mapping(ctx.options.get("mapping"))
    with open(ctx.path, "rb") as raw:
        fh = io.TextIOWrapper(raw, encoding=mapping.encoding, errors="surrogateescape", newline="")
        for _ in range(mapping.skip_rows):
            fh.readline()
        reader = csv.reader(fh, delimiter=mapping.delimiter, quotechar=mapping.quotechar)
        header, header_line = _header(ctx, mapping, reader)
        rows = 0
        line = header_line + 1
        try:
            for row in reader:
                start, line = line, mapping.skip_rows + reader.line_num + 1
                if not any(cell.strip() for cell in row):
                    continue
                rows += 1
                with ctx.record(line=start) as rec:
                    _read_row(ctx, rec, mapping, header, row)
                yield from rec.entities
        except csv.Error as exc:
            raise SourceError(f"malformed CSV: {exc}", path=ctx.path, line=line) from None
    if rows == 0:
        what = "the file has a header but no rows" if mapping.header else "the file is empty"
        raise SourceError(f"no records: {what}", path=ctx.path)


# -- rows ------------------------------------------------------------------------------------------
def _header(ctx: SourceContext, mapping: Mapping, reader: Any) -> tuple[list[str], int]:
    line = mapping.skip_rows + 1
    if mapping.header:
        try:
            header = next((r for r in reader if any(c.strip() for c in r)), None)
        except csv.Error as exc:
            raise SourceError(f"malformed CSV header: {exc}", path=ctx.path, line=line) from None
        if header is None:
            raise SourceError("no records: the file is empty", path=ctx.path)
        line = mapping.skip_rows + reader.line_num
        header = [h.strip() for h in header]
        _check_decoded(ctx, mapping, header, line)
        dupes = sorted({h for h in header if h and header.count(h) > 1})
        if dupes:
            raise SourceError(f"duplicate column {dupes[0]!r} in the header", path=ctx.path, line=line)
    else:
        header, line = list(mapping.columns), mapping.skip_rows
    known = set(header) | set(mapping.constants)
    for column, used_by in mapping.used.items():
        if column not in known:
            hint = _suggest(column, header)
            if not mapping.header:  # the column names are the mapping's own
                raise ConfigError(f"{mapping.path}: {used_by}: column {column!r} is not in csv.columns{hint}")
            raise SourceError(
                f"column {column!r} (used by {used_by} in {mapping.path}) is not in the header{hint}; "
                f"the header has: {', '.join(header)}",
                path=ctx.path,
                line=line,
            )
    return header, line


def _read_row(ctx: SourceContext, rec: RecordScope, mapping: Mapping, header: list[str], row: list[str]) -> None:
    if len(row) != len(header):
        raise ctx.error(f"{len(row)} fields, the header has {len(header)}")
    _check_decoded(ctx, mapping, row, None, header)
    record: dict[str, str | None] = {h: (v.strip() or None) for h, v in zip(header, row)}
    record.update(mapping.constants)
    if not _passes(record, mapping.filters, mapping.filters_not):
        return
    ids: dict[str, str] = {}
    for em in mapping.entities:
        if not _passes(record, em.filters, em.filters_not):
            continue
        entity = _make_entity(ctx, em, record, ids)
        if entity is not None:
            ids[em.name] = entity.id  # type: ignore[assignment]
            rec.emit(entity)


def _make_entity(
    ctx: SourceContext, em: EntityMap, record: dict[str, str | None], ids: dict[str, str]
) -> StatementEntity | None:
    if em.id_column is not None:
        value = record.get(em.id_column)
        prefix = ctx.dataset if em.id_prefix is None else em.id_prefix
        entity_id = None if value is None else (f"{prefix}-{value}" if prefix else value)
    else:
        key_values = [record.get(k) for k in em.keys]
        has_key = any(v is not None for v in key_values)
        entity_id = ctx.make_id(em.key_literal, *key_values, prefix=em.id_prefix or None) if has_key else None
    if entity_id is None:
        if em.optional:
            return None
        cols = em.id_column or ", ".join(em.keys)
        raise ctx.error(f"entities.{em.name}: no id, the key column(s) {cols} are empty")
    entity = ctx.make(em.schema.name, entity_id)
    for pm in em.props:
        values = _values(pm, record, ids)
        if pm.required and not values:
            return None
        ctx.add(entity, pm.prop.name, values, lang=pm.lang, fuzzy=pm.fuzzy, format=pm.format)
    missing = [p for p in em.schema.required if not entity.get(p)]
    if missing:
        if em.optional:
            return None
        raise ctx.error(f"entities.{em.name}: {em.schema.name} without {', '.join(missing)}")
    return entity


def _values(pm: PropMap, record: dict[str, str | None], ids: dict[str, str]) -> list[str]:
    if pm.entity is not None:
        return [ids[pm.entity]] if pm.entity in ids else []
    if pm.template is not None:
        refs = _TEMPLATE_REF.findall(pm.template)
        if not any(record.get(r) for r in refs):
            return []
        text = _TEMPLATE_REF.sub(lambda m: record.get(m.group(1).strip()) or "", pm.template)
        values = [" ".join(text.split())]
    else:
        values = list(pm.literals) + [v for v in (record.get(c) for c in pm.columns) if v]
    if pm.join is not None:
        values = [pm.join.join(values)] if values else []
    if pm.split is not None:
        values = [part.strip() for v in values for part in v.split(pm.split) if part.strip()]
    return values


def _passes(record: dict[str, str | None], only: dict[str, set[str]], never: dict[str, set[str]]) -> bool:
    return all((record.get(c) or "") in vals for c, vals in only.items()) and not any(
        (record.get(c) or "") in vals for c, vals in never.items()
    )


def _check_decoded(ctx: SourceContext, mapping: Mapping, cells: list[str], line: int | None,
                   header: list[str] | None = None) -> None:
    for index, cell in enumerate(cells):
        if match := _ESCAPED.search(cell):
            byte = ord(match.group()) - 0xDC00
            where = f"column {header[index]!r}" if header else f"header field {index + 1}"
            encoding = "utf-8" if mapping.encoding == "utf-8-sig" else mapping.encoding
            raise SourceError(f"cannot decode as {encoding}: byte 0x{byte:02x} in {where}",
                              path=ctx.path, line=line if line is not None else ctx.line)


# -- the mapping -----------------------------------------------------------------------------------
def load_mapping(path: Any) -> Mapping:
    """Read and validate a mapping file; every problem is a ConfigError naming file and key path."""
    if not path:
        raise ConfigError("the csv format needs a mapping: pass --mapping FILE.yml (see docs/csv-mapping.md)")
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the mapping: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise ConfigError(f"{where}: invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    return _Validator(path).mapping(data)


class _Validator:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.used: dict[str, str] = {}

    def fail(self, where: str, message: str) -> ConfigError:
        return ConfigError(f"{self.path}: {where}: {message}" if where else f"{self.path}: {message}")

    def keys(self, data: Any, where: str, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(where, f"expected a mapping of keys, found {type(data).__name__}")
        for key in data:
            if key not in allowed:
                raise self.fail(f"{where}.{key}" if where else str(key),
                                f"unknown key{_suggest(str(key), allowed)}; allowed: {', '.join(sorted(allowed))}")
        return data

    def text(self, value: Any, where: str) -> str:
        if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
            raise self.fail(where, f"expected a text value, found {value!r}")
        return str(value)

    def texts(self, value: Any, where: str) -> list[str]:
        items = value if isinstance(value, list) else [value]
        return [self.text(v, f"{where}[{i}]" if isinstance(value, list) else where) for i, v in enumerate(items)]

    def column(self, name: Any, where: str) -> str:
        column = self.text(name, where)
        self.used.setdefault(column, where)
        return column

    def filters(self, data: Any, where: str) -> dict[str, set[str]]:
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise self.fail(where, "expected column: value(s)")
        out = {}
        for col, vals in data.items():
            values = vals if isinstance(vals, list) else [vals]
            text = [("true" if v else "false") if isinstance(v, bool) else ("" if v is None else str(v)) for v in values]
            out[self.column(col, f"{where}.{col}")] = set(text)
        return out

    def mapping(self, data: Any) -> Mapping:
        if data is None:
            raise self.fail("", "the mapping is empty")
        data = self.keys(data, "", TOP_KEYS)
        m = Mapping(path=self.path)
        opts = self.keys(data.get("csv") or {}, "csv", CSV_KEYS)
        for key in ("delimiter", "quotechar"):
            if key in opts:
                value = "\t" if opts[key] in ("\\t", "tab") else self.text(opts[key], f"csv.{key}")
                if len(value) != 1:
                    raise self.fail(f"csv.{key}", f"expected one character, found {value!r}")
                setattr(m, key, value)
        if "encoding" in opts:
            try:
                name = codecs.lookup(self.text(opts["encoding"], "csv.encoding")).name
            except LookupError:
                raise self.fail("csv.encoding", f"unknown encoding {opts['encoding']!r}") from None
            m.encoding = "utf-8-sig" if name == "utf-8" else name
        m.skip_rows = opts.get("skip_rows", 0)
        if not isinstance(m.skip_rows, int) or isinstance(m.skip_rows, bool) or m.skip_rows < 0:
            raise self.fail("csv.skip_rows", f"expected a whole number >= 0, found {m.skip_rows!r}")
        m.header = opts.get("header", True)
        if not isinstance(m.header, bool):
            raise self.fail("csv.header", f"expected true or false, found {m.header!r}")
        m.columns = self.texts(opts.get("columns", []), "csv.columns") if "columns" in opts else []
        if not m.header and not m.columns:
            raise self.fail("csv.columns", "a file without a header needs its column names here")
        consts = self.keys(data.get("constants") or {}, "constants", set(data.get("constants") or {}))
        m.constants = {str(k): self.text(v, f"constants.{k}") for k, v in consts.items()}
        m.filters = self.filters(data.get("filters"), "filters")
        m.filters_not = self.filters(data.get("filters_not"), "filters_not")
        entities = data.get("entities")
        if not isinstance(entities, dict) or not entities:
            raise self.fail("entities", "define at least one entity (name: {schema: ..., keys: [...], properties: ...})")
        maps = {str(name): self.entity(str(name), spec) for name, spec in entities.items()}
        for em in maps.values():
            for pm in em.props:
                if pm.entity is not None:
                    self.check_ref(pm, maps)
        m.entities = self.order(maps)
        m.used = self.used
        return m

    def entity(self, name: str, spec: Any) -> EntityMap:
        where = f"entities.{name}"
        spec = self.keys(spec, where, ENTITY_KEYS)
        schema_name = spec.get("schema")
        schema = model.get(schema_name) if isinstance(schema_name, str) else None
        if schema is None:
            hint = _suggest(str(schema_name), model.schemata)
            raise self.fail(f"{where}.schema", f"unknown schema {schema_name!r}{hint}")
        if schema.abstract:
            raise self.fail(f"{where}.schema", f"{schema.name} is abstract; use one of its kinds")
        keys = spec.get("keys", spec.get("key"))
        id_column = spec.get("id_column")
        if (keys is None) == (id_column is None):
            raise self.fail(where, "give either keys (columns hashed into an id) or id_column, not both or neither")
        key_cols = [self.column(k, f"{where}.keys") for k in self.texts(keys, f"{where}.keys")] if keys else []
        prefix = spec.get("id_prefix")
        props = []
        for prop_name, pspec in self.keys(spec.get("properties") or {}, f"{where}.properties",
                                          set(spec.get("properties") or {})).items():
            ppath = f"{where}.properties.{prop_name}"
            prop = schema.get(prop_name)
            if prop is None:
                hint = _suggest(str(prop_name), schema.properties)
                raise self.fail(ppath, f"{schema.name} has no property {prop_name!r}{hint}")
            if prop.stub:
                raise self.fail(ppath, f"{schema.name}.{prop_name} is a reverse link; map it from the other entity")
            for index, one in enumerate(pspec if isinstance(pspec, list) else [pspec]):
                props.append(self.prop(prop, one, f"{ppath}[{index}]" if isinstance(pspec, list) else ppath))
        return EntityMap(
            name=name, schema=schema, keys=key_cols,
            id_column=self.column(id_column, f"{where}.id_column") if id_column is not None else None,
            key_literal=self.text(spec.get("key_literal", name), f"{where}.key_literal"),
            id_prefix=None if prefix is None else self.text(prefix, f"{where}.id_prefix"),
            optional=bool(spec.get("optional", False)),
            filters=self.filters(spec.get("filters"), f"{where}.filters"),
            filters_not=self.filters(spec.get("filters_not"), f"{where}.filters_not"),
            props=props,
        )

    def prop(self, prop: Property, spec: Any, where: str) -> PropMap:
        if isinstance(spec, str):
            spec = {"column": spec}
        spec = self.keys(spec, where, PROP_KEYS)
        sources = [k for k in PROP_SOURCES if k in spec]
        if len(sources) != 1 and set(sources) != {"literal", "literals"} and set(sources) != {"column", "columns"}:
            raise self.fail(where, f"give exactly one of {', '.join(PROP_SOURCES)}")
        pm = PropMap(path=where, prop=prop)
        for key in ("column", "columns"):
            if key in spec:
                pm.columns += [self.column(c, f"{where}.{key}") for c in self.texts(spec[key], f"{where}.{key}")]
        for key in ("literal", "literals"):
            if key in spec:
                pm.literals += self.texts(spec[key], f"{where}.{key}")
        if "template" in spec:
            pm.template = self.text(spec["template"], f"{where}.template")
            for ref in _TEMPLATE_REF.findall(pm.template):
                self.column(ref.strip(), f"{where}.template")
        if "entity" in spec:
            pm.entity = self.text(spec["entity"], f"{where}.entity")
            if prop.type != registry.entity:
                raise self.fail(where, f"{prop.qname} is a {prop.type.name}, not a link to another entity")
        elif prop.type == registry.entity:
            raise self.fail(where, f"{prop.qname} links to another entity: map it with {{entity: <name>}}")
        for key in ("join", "split", "format", "lang"):
            if key in spec:
                setattr(pm, key, self.text(spec[key], f"{where}.{key}"))
        if pm.format is not None and prop.type != registry.date:
            raise self.fail(f"{where}.format", f"format applies to dates; {prop.qname} is a {prop.type.name}")
        pm.fuzzy = bool(spec.get("fuzzy", False))
        pm.required = bool(spec.get("required", False))
        return pm

    def check_ref(self, pm: PropMap, maps: dict[str, EntityMap]) -> None:
        target = maps.get(pm.entity or "")
        if target is None:
            hint = _suggest(pm.entity or "", maps)
            raise self.fail(f"{pm.path}.entity", f"no entity {pm.entity!r} in this mapping{hint}")
        if pm.prop.range is not None and not target.schema.is_a(pm.prop.range):
            raise self.fail(f"{pm.path}.entity", f"{pm.prop.qname} needs a {pm.prop.range.name}, "
                            f"entities.{target.name} is a {target.schema.name}")

    def order(self, maps: dict[str, EntityMap]) -> list[EntityMap]:
        """Entities in an order where every referenced entity comes first (its id is then known)."""
        done: list[EntityMap] = []
        pending = dict(maps)
        while pending:
            ready = [em for em in pending.values()
                     if all(pm.entity in {d.name for d in done} for pm in em.props if pm.entity)]
            if not ready:
                raise self.fail("entities", f"circular entity references between {', '.join(sorted(pending))}")
            for em in ready:
                done.append(pending.pop(em.name))
        return done


def _suggest(name: str, choices: Any) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    if not close:
        close = [c for c in choices if c.lower() == name.lower()]
    return f" (did you mean {close[0]!r}?)" if close else ""
