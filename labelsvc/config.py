"""Settings: declared once with default and help, loaded once from ``config.toml``.

``load_settings()`` reads the file named by ``LABELSVC_CONFIG`` (or ``config.toml`` in the
working directory, and refuses when there is none); an unknown key or a value of the wrong
type stops start-up with a message naming the file, the key and what was expected.
Nothing else reads the environment.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labelsvc.domain.errors import InvalidInput


def _s(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class ServerSettings:
    host: str = _s("127.0.0.1", "Address the web server binds to.")
    port: int = _s(8080, "TCP port of the web server.")
    threads: int = _s(8, "Worker threads of the waitress server.")
    login_required: bool = _s(
        True,
        "Pages need a login. May be false only when host is a loopback address.",
    )
    secret_key: str = _s(
        "", "Key that signs session cookies; empty means generate one into the data folder."
    )
    max_body_bytes: int = _s(1_048_576, "Largest request body the API accepts.")
    log_format: str = _s("text", "Log lines as 'text' or 'json' (one JSON object a line).")
    log_level: str = _s("info", "Least severe log level written: debug, info, warning, error.")


@dataclass(frozen=True)
class StorageSettings:
    url: str = _s(
        "",
        "Where the data lives: a postgresql:// URL, or a SQLite file path; empty means "
        "storage.database.",
    )
    database: str = _s("var/labelsvc.db", "SQLite database file (created if missing).")
    busy_timeout_ms: int = _s(
        5_000,
        "Longest wait of a writer for a lock or a database connection; then the request is "
        "answered 'store busy, retry' (API: 503 store-busy with Retry-After).",
    )
    pool_size: int = _s(12, "PostgreSQL: connections per instance (server threads + workers).")
    restore_margin: int = _s(
        10_000, "Values every sequential pool skips after a restore, past the backup's cursor."
    )
    purge_label_data_days: int = _s(
        30, "Drop the stored label data of jobs sent or cancelled this many days ago; 0: never."
    )

    def location(self, settings: Settings) -> str:
        """The URL or the resolved SQLite path this instance opens."""
        if self.url:
            return self.url if "://" in self.url else str(settings.path(self.url))
        return str(settings.path(self.database))


@dataclass(frozen=True)
class LimitsSettings:
    max_allocation: int = _s(1_000_000, "Most serials one allocation request may ask for.")
    max_labels_per_request: int = _s(
        5_000, "Most labels one request (API, pages, CLI, receiving) may print."
    )
    api_requests_per_second: float = _s(
        50.0, "Sustained API requests per second per client (token); 0 means no limit."
    )
    api_burst: int = _s(100, "API requests a client may send at once above its rate.")


@dataclass(frozen=True)
class PathSettings:
    zpl: str = _s("zpl", "Folder of ZPL label templates (Jinja2).")
    printers: str = _s("printers", "Folder of printer definitions, one TOML file each.")
    serial_pools: str = _s("serial_pools", "Folder of serial pool definitions (TOML).")
    spool: str = _s("var/spool", "Folder where file printers write their labels.")


@dataclass(frozen=True)
class Gs1Settings:
    digital_link_base: str = _s(
        "https://id.example.com", "Resolver base URL of GS1 Digital Link URIs."
    )
    gs_substitute: str = _s(
        "", "Character a scanner sends instead of GS (ASCII 29), e.g. '~'; empty: none."
    )


@dataclass(frozen=True)
class PrintingSettings:
    default_printer: str = _s("demo-file", "Printer used when a request names none.")
    dpi: int = _s(203, "Default printer resolution when a printer file names none.")
    mark_reprints: bool = _s(True, "Print 'REPRINT' on labels that are reprinted.")
    retry_base_seconds: float = _s(1.0, "First retry delay after a printer error.")
    retry_max_seconds: float = _s(30.0, "Longest retry delay after repeated errors.")
    connect_timeout_seconds: float = _s(3.0, "Timeout for connecting to a network printer.")
    start_workers: bool = _s(True, "Run the print workers inside 'labelsvc serve'.")
    confirm_quiet_seconds: float = _s(
        10.0,
        "After a send, how long a printer's label counter may stand still before the job is "
        "settled by what it counted.",
    )
    resend_missing: bool = _s(
        False,
        "Print the labels a printer counted as not printed again without asking a person.",
    )
    status_poll_seconds: float = _s(
        30.0, "How often every printer is asked for its status, identity and counters."
    )
    stuck_seconds: float = _s(
        120.0, "A printer whose job is 'sending' this long without moving shows as stuck."
    )


@dataclass(frozen=True)
class PackingSettings:
    loose_units_on_pallets: bool = _s(False, "Allow units directly on a pallet.")


@dataclass(frozen=True)
class SecuritySettings:
    login_delay_after: int = _s(
        5, "Failed logins of an account in the window after which each next one is delayed."
    )
    login_delay_max_seconds: float = _s(3.0, "Longest delay of an answer to a failed login.")
    login_lockout_after: int = _s(
        20, "Failed logins in the window that lock an account (an address: twice as many)."
    )
    login_lockout_minutes: int = _s(15, "How long a locked account or address stays locked.")
    login_window_minutes: int = _s(15, "Failed logins are counted over this many minutes.")
    idle_timeout_minutes: int = _s(480, "A page session unused this long must log in again.")
    trusted_proxies: str = _s(
        "", "Addresses of reverse proxies whose X-Forwarded-* headers count, comma-separated."
    )


@dataclass(frozen=True)
class WebhookSettings:
    start_dispatcher: bool = _s(True, "Deliver webhooks and EPCIS pushes inside 'labelsvc serve'.")
    max_attempts: int = _s(10, "Failed attempts after which a delivery is dead (then: redeliver).")
    retry_base_seconds: float = _s(2.0, "Delay before the second attempt; it doubles each time.")
    retry_max_seconds: float = _s(600.0, "Longest delay between two attempts of one delivery.")
    timeout_seconds: float = _s(10.0, "Longest wait for a partner to connect, read or answer.")
    concurrency: int = _s(4, "Deliveries in flight per instance (one per subscription at most).")
    poll_seconds: float = _s(0.1, "How often the dispatcher looks for due deliveries.")
    keep_delivered_days: int = _s(
        30, "Drop the record of deliveries delivered this many days ago; 0: never."
    )


@dataclass(frozen=True)
class LeaseSettings:
    lease_days: float = _s(30.0, "An authority: days a granted block may be issued from.")
    max_block: int = _s(100_000, "An authority: most serials one lease grants.")
    max_outstanding: int = _s(
        1_000_000,
        "An authority: most unused serials a site may hold per pool (beyond: granted in part).",
    )
    start_site_worker: bool = _s(
        True, "A site: refill, expire and report leased and issued pools inside 'labelsvc serve'."
    )
    poll_seconds: float = _s(
        5.0, "A site: how often pools are checked against their low-water marks."
    )
    report_seconds: float = _s(
        2.0, "A site: how often use of leased serials is put in the outbox for the authority."
    )
    report_batch: int = _s(5_000, "A site: most serials in one usage report.")
    timeout_seconds: float = _s(
        10.0, "A site: longest wait for its authority or an issuer to connect or answer."
    )


@dataclass(frozen=True)
class Settings:
    server: ServerSettings = field(default_factory=ServerSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    paths: PathSettings = field(default_factory=PathSettings)
    gs1: Gs1Settings = field(default_factory=Gs1Settings)
    printing: PrintingSettings = field(default_factory=PrintingSettings)
    packing: PackingSettings = field(default_factory=PackingSettings)
    limits: LimitsSettings = field(default_factory=LimitsSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)
    leases: LeaseSettings = field(default_factory=LeaseSettings)
    base_dir: Path = field(default=Path("."), metadata={"internal": True})

    def path(self, relative: str) -> Path:
        """Resolve a configured path against the folder of the config file."""
        p = Path(relative)
        return p if p.is_absolute() else self.base_dir / p


SECTIONS: dict[str, Any] = {
    "server": ServerSettings,
    "storage": StorageSettings,
    "paths": PathSettings,
    "gs1": Gs1Settings,
    "printing": PrintingSettings,
    "packing": PackingSettings,
    "limits": LimitsSettings,
    "security": SecuritySettings,
    "webhooks": WebhookSettings,
    "leases": LeaseSettings,
}


def describe() -> list[tuple[str, Any, str]]:
    """Every setting as (``section.key``, default, help), for docs and the sync test."""
    rows = []
    for name, cls in SECTIONS.items():
        for f in dataclasses.fields(cls):
            rows.append((f"{name}.{f.name}", f.default, f.metadata["help"]))
    return rows


def _typename(t: Any) -> str:
    return {int: "an integer", float: "a number", bool: "true or false", str: "a string"}[t]


def _coerce(source: str, key: str, value: Any, default: Any) -> Any:
    expected = type(default)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, bool) != (expected is bool) or not isinstance(value, expected):
        raise InvalidInput(
            "config-invalid",
            f"{source}: key '{key}' must be {_typename(expected)}, got {value!r}.",
            key=key,
        )
    return value


def settings_from_dict(data: dict[str, Any], source: str, base_dir: Path) -> Settings:
    """Build settings from parsed TOML, rejecting unknown keys and wrong types by name."""
    known = SECTIONS
    built: dict[str, Any] = {}
    for name, values in data.items():
        if name not in known:
            raise InvalidInput(
                "config-invalid",
                f"{source}: unknown section '{name}'; known: {', '.join(known)}.",
                key=name,
            )
        if not isinstance(values, dict):
            raise InvalidInput("config-invalid", f"{source}: '{name}' must be a table.", key=name)
        cls = known[name]
        fields = {f.name: f for f in dataclasses.fields(cls)}
        kwargs = {}
        for key, value in values.items():
            if key not in fields:
                raise InvalidInput(
                    "config-invalid",
                    f"{source}: unknown key '{name}.{key}'; known: {', '.join(fields)}.",
                    key=f"{name}.{key}",
                )
            kwargs[key] = _coerce(source, f"{name}.{key}", value, fields[key].default)
        built[name] = cls(**kwargs)
    settings = Settings(**built, base_dir=base_dir)
    _check(settings, source)
    return settings


def _check(settings: Settings, source: str) -> None:
    _one_of(source, "server.log_format", settings.server.log_format, ("text", "json"))
    _one_of(
        source, "server.log_level", settings.server.log_level, ("debug", "info", "warning", "error")
    )
    loopback = settings.server.host in {"127.0.0.1", "localhost", "::1"}
    if not settings.server.login_required and not loopback:
        raise InvalidInput(
            "config-invalid",
            f"{source}: 'server.login_required = false' is allowed only when server.host is "
            f"a loopback address, not {settings.server.host!r}.",
            key="server.login_required",
        )


def _one_of(source: str, key: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise InvalidInput(
            "config-invalid",
            f"{source}: key '{key}' must be one of {', '.join(allowed)}, got {value!r}.",
            key=key,
        )


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    """Load settings from ``path``, ``$LABELSVC_CONFIG`` or ``./config.toml``; one must exist."""
    chosen = path or os.environ.get("LABELSVC_CONFIG") or "config.toml"
    file = Path(chosen)
    if not file.exists():
        if path or os.environ.get("LABELSVC_CONFIG"):
            raise InvalidInput("config-missing", f"{file}: config file not found.")
        # Never guess a site: a command run from the wrong folder would open (and create)
        # an empty database there and answer "unknown" for codes that exist elsewhere.
        raise InvalidInput(
            "site-missing",
            f"No labelsvc site here: {Path.cwd()} has no config.toml. Run the command in the "
            "site folder, pass --config FILE or set LABELSVC_CONFIG; 'labelsvc init DIR' "
            "makes a new site.",
        )
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput("config-invalid", f"{file}: not valid TOML: {exc}.") from exc
    return settings_from_dict(data, str(file), file.resolve().parent)
