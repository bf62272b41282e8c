"""Move a site's whole database into another store (a SQLite site into PostgreSQL).

The target is migrated to the same version and must be empty. Every table is copied in
one transaction on the target (all or nothing), in an order that satisfies its foreign keys;
a column that points into its own table (``items.parent_id``) is filled in afterwards. Then
identity sequences continue past the copied ids, and the copy is verified: every table's
row count equal, every serial unique in its namespace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from labelsvc.domain.errors import Conflict, InvalidInput
from labelsvc.store.db import Store, Tx
from labelsvc.store.engine import POSTGRESQL, SQLITE
from labelsvc.store.migrations import available

SKIP = {"_migrations", "instances", "sqlite_sequence"}  # bookkeeping, not site data
BATCH = 5_000


@dataclass(frozen=True)
class TableCopy:
    """One copied table and its verified row counts."""

    name: str
    source_rows: int
    target_rows: int


def _tables(tx: Tx) -> list[str]:
    rows = tx.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    return [r[0] for r in rows if r[0] not in SKIP]


def _foreign_keys(tx: Tx, table: str) -> list[tuple[str, str]]:
    """(referenced table, column) of each foreign key of ``table``."""
    return [(r[2], r[3]) for r in tx.execute(f'PRAGMA foreign_key_list("{table}")')]


def _ordered(tx: Tx, tables: list[str]) -> list[str]:
    """Tables so that each comes after the tables it references (self references aside)."""
    needs = {t: {ref for ref, _ in _foreign_keys(tx, t) if ref != t and ref in tables}
             for t in tables}  # fmt: skip
    ordered: list[str] = []
    while needs:
        ready = sorted(t for t, deps in needs.items() if deps <= set(ordered))
        if not ready:
            raise InvalidInput("copy-cycle", f"tables reference each other: {sorted(needs)}")
        ordered.extend(ready)
        for t in ready:
            del needs[t]
    return ordered


def _columns(tx: Tx, table: str) -> list[str]:
    return [r[1] for r in tx.execute(f'PRAGMA table_info("{table}")')]


def _count(tx: Tx, table: str) -> int:
    return int(tx.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0])


def copy_store(
    source: Store, target: Store, progress: Callable[[str, int], None] | None = None
) -> list[TableCopy]:
    """Copy every table of the SQLite ``source`` into the empty ``target``; verify it."""
    if source.kind != SQLITE:
        raise InvalidInput("copy-source", "db copy moves a SQLite site; the source is not one.")
    source.migrate()
    target.migrate()
    with source.read() as src:
        version = sorted(r[0] for r in src.execute("SELECT name FROM _migrations"))
        if version != available():
            raise Conflict("copy-version", "migrate the source first (labelsvc db migrate).")
        tables = _ordered(src, _tables(src))
        with target.write() as dst:
            for table in tables:
                if _count(dst, table):
                    raise Conflict(
                        "copy-target-not-empty",
                        f"the target already holds rows in {table}; copy only into an empty "
                        "database (create a new one).",
                        table=table,
                    )
            for table in tables:
                _copy_table(src, dst, table, progress)
            if dst.dialect == POSTGRESQL:
                _continue_identities(dst, [t for t in tables if "id" in _columns(src, t)])
    return verify_copy(source, target, tables)


def _copy_table(src: Tx, dst: Tx, table: str, progress: Callable[[str, int], None] | None) -> None:
    columns = _columns(src, table)
    self_refs = [col for ref, col in _foreign_keys(src, table) if ref == table]
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" * len(columns))
    insert = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'
    later_cols = [columns.index(c) for c in self_refs]
    cursor = src.execute(f'SELECT {names} FROM "{table}" ORDER BY rowid')
    fixups: list[tuple[object, ...]] = []
    done = 0
    while True:
        batch = cursor.fetchmany(BATCH)
        if not batch:
            break
        rows = [list(r) for r in batch]
        for row in rows:
            refs = [row[i] for i in later_cols]
            if any(v is not None for v in refs):
                fixups.append((*refs, row[columns.index("id")]))
                for i in later_cols:
                    row[i] = None
        dst.executemany(insert, rows)
        done += len(rows)
        if progress is not None:
            progress(table, done)
    if fixups:
        sets = ", ".join(f'"{c}" = ?' for c in self_refs)
        dst.executemany(f'UPDATE "{table}" SET {sets} WHERE id = ?', fixups)


def _continue_identities(dst: Tx, tables: list[str]) -> None:
    """New rows of PostgreSQL identity columns continue after the copied ids."""
    for table in tables:
        seq = dst.execute("SELECT pg_get_serial_sequence(?, 'id')", (table,)).fetchone()
        if seq is None or seq[0] is None:
            continue
        dst.execute(
            f'SELECT setval(?, COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)',
            (seq[0],),
        )


def verify_copy(source: Store, target: Store, tables: list[str]) -> list[TableCopy]:
    """Every table's row count equal; every serial once per namespace on the target."""
    report = []
    with source.read() as src, target.read() as dst:
        for table in tables:
            report.append(TableCopy(table, _count(src, table), _count(dst, table)))
        twice = dst.execute(
            "SELECT namespace, value FROM items GROUP BY namespace, value HAVING COUNT(*) > 1"
            " LIMIT 1"
        ).fetchone()
    wrong = [t for t in report if t.source_rows != t.target_rows]
    if wrong or twice is not None:
        what = ", ".join(f"{t.name} {t.source_rows} vs {t.target_rows}" for t in wrong)
        raise Conflict(
            "copy-mismatch",
            f"the copy does not match its source ({what or 'a serial appears twice'}).",
        )
    return report
