"""What goes on one label: plain values, and the GS1 elements each barcode carries.

Templates only format; the choice of AIs and their order lives here, once, so that the
ZPL, the PNG preview and the ESC/POS output all carry the same data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, get_args

from labelsvc.domain.errors import InvalidInput
from labelsvc.gs1.element import Element

Kind = Literal["unit", "case", "pallet", "location"]
KINDS: tuple[Kind, ...] = get_args(Kind)

_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class LabelData:
    """The values printed on one unit, case, pallet or location (bin) label."""

    kind: Kind
    gtin: str | None = None
    serial: str | None = None
    sscc: str | None = None
    lot: str | None = None
    expiry: str | None = None
    best_before: str | None = None
    production_date: str | None = None
    content_gtin: str | None = None
    count: int | None = None
    description: str = ""
    sku: str = ""
    ship_from: str = ""
    ship_to: str = ""
    reprint: bool = False
    digital_link_base: str | None = None
    gln: str | None = None  # a location label: AI 414
    gln_extension: str | None = None  # AI 254, the bin within the GLN
    location: str = ""  # the location's code, printed large
    extra: Mapping[str, str] = field(default_factory=lambda: _EMPTY, hash=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidInput(
                "label-data",
                f"label kind must be one of {', '.join(KINDS)}, got {self.kind!r}.",
                field="kind",
            )
        if self.count is not None and (isinstance(self.count, bool) or self.count < 1):
            raise InvalidInput(
                "label-data",
                f"count must be a whole number of at least 1, got {self.count!r}.",
                field="count",
            )

    def elements(self) -> list[Element]:
        """The AIs of the main barcode: (01)(21)(10)(11)(15)(17) for a unit, (414)(254) for
        a location, (00) otherwise."""
        if self.kind == "location":
            gln = _required(self.gln, "gln", self.kind)
            return (
                [("414", gln), ("254", self.gln_extension)]
                if self.gln_extension
                else [("414", gln)]
            )
        if self.kind != "unit":
            return [("00", _required(self.sscc, "sscc", self.kind))]
        out: list[Element] = [("01", _required(self.gtin, "gtin", self.kind))]
        for ai, value in (
            ("21", self.serial),
            ("10", self.lot),
            ("11", self.production_date),
            ("15", self.best_before),
            ("17", self.expiry),
        ):
            if value:
                out.append((ai, value))
        return out

    def content_elements(self) -> list[Element]:
        """What a homogeneous case or pallet holds: (02)(11)(15)(17)(37)(10), else nothing.

        Fixed-length AIs come first so that one FNC1 at most is needed, which keeps the
        second GS1-128 narrow enough for a 4 in label.
        """
        if self.kind == "unit" or not self.content_gtin:
            return []
        out: list[Element] = [("02", self.content_gtin)]
        for ai, value in (
            ("11", self.production_date),
            ("15", self.best_before),
            ("17", self.expiry),
            ("37", None if self.count is None else str(self.count)),
            ("10", self.lot),
        ):
            if value:
                out.append((ai, value))
        return out

    @property
    def ship_from_lines(self) -> list[str]:
        """``ship_from`` split into non-empty lines, for one ZPL field per line."""
        return [line.strip() for line in self.ship_from.splitlines() if line.strip()]

    @property
    def ship_to_lines(self) -> list[str]:
        """``ship_to`` split into non-empty lines, for one ZPL field per line."""
        return [line.strip() for line in self.ship_to.splitlines() if line.strip()]

    @classmethod
    def sample(cls, kind: Kind) -> LabelData:
        """Realistic data for previews and for validating templates."""
        return _SAMPLES[kind]

    @classmethod
    def minimal(cls, kind: Kind) -> LabelData:
        """The least data a label of ``kind`` can have; templates must render it too."""
        if kind == "unit":
            return cls(kind="unit", gtin="09506000134352")
        if kind == "location":
            return cls(kind="location", gln="9506000000008")
        return cls(kind=kind, sscc="395060000001343525")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> LabelData:
        """Build from JSON-like values, naming any unknown field instead of ignoring it."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise InvalidInput(
                "label-data",
                f"unknown label field(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}.",
                field=unknown[0],
            )
        if "kind" not in values:
            raise InvalidInput("label-data", "label data needs a 'kind'.", field="kind")
        kwargs = dict(values)
        if "extra" in kwargs:
            kwargs["extra"] = MappingProxyType({str(k): str(v) for k, v in kwargs["extra"].items()})
        try:
            return cls(**kwargs)
        except TypeError as exc:
            raise InvalidInput("label-data", f"bad label data: {exc}.") from exc


def _required(value: str | None, name: str, kind: str) -> str:
    if not value:
        raise InvalidInput(
            "label-data", f"a {kind} label needs '{name}'; it was not given.", field=name
        )
    return value


_SAMPLES: dict[Kind, LabelData] = {
    "location": LabelData(
        kind="location",
        gln="9506000000008",
        gln_extension="A-01-03",
        location="WH1-A-01-03",
        description="Aisle A, rack 1, level 3",
    ),
    "unit": LabelData(
        kind="unit",
        gtin="09506000134352",
        serial="A7K2M9Q4",
        lot="L2406-17",
        expiry="261231",
        description="Organic Oat Muesli 500 g",
        sku="MUE-500",
        digital_link_base="https://id.example.com",
    ),
    "case": LabelData(
        kind="case",
        sscc="395060000001343525",
        content_gtin="19506000134359",
        count=12,
        lot="L2406-17",
        expiry="261231",
        description="Organic Oat Muesli 500 g, case of 12",
        sku="MUE-500-C12",
    ),
    "pallet": LabelData(
        kind="pallet",
        sscc="395060000001343600",
        content_gtin="19506000134359",
        count=48,
        lot="L2406-17",
        best_before="261231",
        description="Organic Oat Muesli 500 g, case of 12",
        sku="MUE-500-C12",
        ship_from="Example Foods Ltd\nDock 4, 1 Mill Lane\nLeeds LS1 4AB, GB",
        ship_to="Northern Grocers DC\nGate 12, 88 Harbour Road\nHull HU1 1AA, GB",
    ),
}
