"""The first schema: products, pools, items (serials and SSCCs), events, printing, receiving."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labelsvc.store.migrations import MigrationConn

SCHEMA = """
CREATE TABLE products (
    gtin TEXT PRIMARY KEY,
    sku TEXT UNIQUE,
    description TEXT NOT NULL,
    company_prefix_length INTEGER NOT NULL CHECK (company_prefix_length BETWEEN 4 AND 12),
    units_per_case INTEGER CHECK (units_per_case > 0),
    cases_per_pallet INTEGER CHECK (cases_per_pallet > 0),
    unit_pool TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE pools (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('unit', 'sscc', 'custom')),
    strategy TEXT NOT NULL CHECK (strategy IN ('sequential', 'random')),
    gtins TEXT NOT NULL DEFAULT '[]',
    company_prefix TEXT,
    extension_digit INTEGER,
    pattern TEXT,
    alphabet TEXT,
    length INTEGER,
    range_start INTEGER,
    range_end INTEGER,
    next_value INTEGER,
    used INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'active'
        CHECK (state IN ('active', 'suspended', 'exhausted', 'retired')),
    low_water INTEGER NOT NULL DEFAULT 0,
    low_water_warned INTEGER NOT NULL DEFAULT 0,
    guess_warned INTEGER NOT NULL DEFAULT 0,
    description TEXT NOT NULL DEFAULT '',
    source TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE allocations (
    id INTEGER PRIMARY KEY,
    pool TEXT NOT NULL REFERENCES pools(name),
    gtin TEXT,
    count INTEGER NOT NULL CHECK (count > 0),
    idempotency_key TEXT UNIQUE,
    actor TEXT NOT NULL,
    station TEXT,
    first_item_id INTEGER NOT NULL,
    last_item_id INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

-- Every identifier ever issued or seen: unit serials (SGTIN), SSCCs and custom serials.
-- UNIQUE (namespace, value) is the rule "never issued twice", voided ones included.
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    namespace TEXT NOT NULL,
    value TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('unit', 'sscc', 'custom')),
    gtin TEXT,
    pool TEXT,
    allocation_id INTEGER,
    state TEXT NOT NULL DEFAULT 'allocated',
    hold TEXT,
    level TEXT CHECK (level IN ('unit', 'case', 'pallet')),
    lot TEXT,
    expiry TEXT,
    parent_id INTEGER REFERENCES items(id),
    print_count INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (namespace, value)
);
CREATE INDEX items_parent ON items(parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX items_lot ON items(gtin, lot) WHERE lot IS NOT NULL;
CREATE INDEX items_value ON items(value);

-- Levels only go up (unit < case < pallet), so nesting can have no cycles.
CREATE TRIGGER items_levels_go_up
BEFORE UPDATE OF parent_id ON items
WHEN NEW.parent_id IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'nesting: a parent must be a higher level than its child')
    WHERE (SELECT CASE level WHEN 'case' THEN 1 WHEN 'pallet' THEN 2 ELSE 0 END
           FROM items WHERE id = NEW.parent_id)
       <= (CASE NEW.level WHEN 'case' THEN 1 WHEN 'pallet' THEN 2 ELSE 0 END);
END;

CREATE TABLE containers (
    item_id INTEGER PRIMARY KEY REFERENCES items(id),
    level TEXT NOT NULL CHECK (level IN ('case', 'pallet')),
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
    capacity INTEGER,
    gtin TEXT,
    station TEXT,
    opened_by TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    closed_by TEXT,
    closed_at TEXT,
    close_reason TEXT
);

-- Append-only history. Trace queries and the EPCIS export are read from here.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    item_id INTEGER,
    parent_id INTEGER,
    subject TEXT,
    actor TEXT NOT NULL,
    station TEXT,
    at TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_item ON events(item_id, id) WHERE item_id IS NOT NULL;
CREATE INDEX events_parent ON events(parent_id, id) WHERE parent_id IS NOT NULL;
CREATE INDEX events_subject ON events(subject, id) WHERE subject IS NOT NULL;
CREATE INDEX events_type_at ON events(type, at);
CREATE INDEX events_at ON events(at);

CREATE TABLE users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('operator', 'supervisor', 'admin')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    disabled_at TEXT
);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    last_used_at TEXT
);

CREATE TABLE printers (
    name TEXT PRIMARY KEY,
    driver TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'zpl',
    address TEXT NOT NULL DEFAULT '',
    dpi INTEGER NOT NULL DEFAULT 203,
    options TEXT NOT NULL DEFAULT '{}',
    source TEXT,
    status TEXT NOT NULL DEFAULT 'unknown',
    status_detail TEXT NOT NULL DEFAULT '',
    status_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE print_jobs (
    id INTEGER PRIMARY KEY,
    printer TEXT NOT NULL REFERENCES printers(name),
    template TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN
        ('queued', 'held', 'sending', 'sent', 'failed', 'cancelled', 'needs-confirmation')),
    payload BLOB NOT NULL,
    item_ids TEXT NOT NULL DEFAULT '[]',
    label_count INTEGER NOT NULL DEFAULT 1,
    reprint INTEGER NOT NULL DEFAULT 0,
    reason TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at TEXT,
    requested_by TEXT NOT NULL,
    station TEXT,
    batch TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX print_jobs_queue ON print_jobs(printer, state, id);
CREATE INDEX print_jobs_batch ON print_jobs(batch) WHERE batch IS NOT NULL;

CREATE TABLE receipts (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL DEFAULT 'asn' CHECK (kind IN ('asn', 'po')),
    supplier TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    closed_by TEXT,
    closed_at TEXT,
    close_reason TEXT
);

CREATE TABLE receipt_lines (
    id INTEGER PRIMARY KEY,
    receipt_id INTEGER NOT NULL REFERENCES receipts(id),
    line_no INTEGER NOT NULL,
    gtin TEXT,
    sku TEXT,
    quantity INTEGER NOT NULL CHECK (quantity >= 0),
    lot TEXT,
    expiry TEXT,
    UNIQUE (receipt_id, line_no)
);

CREATE TABLE receipt_expected (
    id INTEGER PRIMARY KEY,
    receipt_id INTEGER NOT NULL REFERENCES receipts(id),
    line_id INTEGER REFERENCES receipt_lines(id),
    kind TEXT NOT NULL CHECK (kind IN ('sgtin', 'sscc')),
    gtin TEXT NOT NULL DEFAULT '',
    value TEXT NOT NULL,
    UNIQUE (receipt_id, kind, gtin, value)
);

-- What was received: one row per item and receipt, so a second scan is a duplicate.
CREATE TABLE receipt_items (
    receipt_id INTEGER NOT NULL REFERENCES receipts(id),
    item_id INTEGER NOT NULL REFERENCES items(id),
    line_id INTEGER REFERENCES receipt_lines(id),
    how TEXT NOT NULL CHECK (how IN ('labeled', 'scanned')),
    actor TEXT NOT NULL,
    station TEXT,
    at TEXT NOT NULL,
    PRIMARY KEY (receipt_id, item_id)
);
CREATE INDEX receipt_items_item ON receipt_items(item_id);

CREATE TABLE idempotency (
    client TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('running', 'done')),
    status INTEGER,
    response TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (client, key)
);
"""


# PostgreSQL's form of the trigger above (added when PostgreSQL became a store; SQLite's
# schema is unchanged).
POSTGRESQL_LEVELS_TRIGGER = [
    """CREATE FUNCTION items_levels_go_up() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF (SELECT CASE level WHEN 'case' THEN 1 WHEN 'pallet' THEN 2 ELSE 0 END
            FROM items WHERE id = NEW.parent_id)
           <= (CASE NEW.level WHEN 'case' THEN 1 WHEN 'pallet' THEN 2 ELSE 0 END) THEN
            RAISE EXCEPTION 'nesting: a parent must be a higher level than its child'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER items_levels_go_up BEFORE UPDATE OF parent_id ON items
    FOR EACH ROW WHEN (NEW.parent_id IS NOT NULL) EXECUTE FUNCTION items_levels_go_up()""",
]


def migrate(conn: MigrationConn) -> None:
    """Create the initial tables (one statement at a time: executescript would commit)."""
    for statement in _statements(SCHEMA):
        if statement.startswith("CREATE TRIGGER") and conn.dialect == "postgresql":
            for native in POSTGRESQL_LEVELS_TRIGGER:
                conn.execute_native(native)
            continue
        conn.execute(statement)


def _statements(script: str) -> list[str]:
    """Split a script into complete statements, keeping trigger bodies whole."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--") and not buffer.strip():
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    return statements
