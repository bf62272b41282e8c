"""Zebra host status (``~HS``): the three strings a printer returns, parsed and produced.

Layout (ZPL II Programming Guide, ``~HS``), each string framed ``<STX>...<ETX><CR><LF>``:

1. ``aaa,b,c,dddd,eee,f,g,h,iii,j,k,l`` — interface settings, *paper out*, *paused*, label
   length (dots), formats in the receive buffer, *buffer full*, diagnostic mode, partial
   format, unused, corrupt RAM, under temperature, over temperature.
2. ``mmm,n,o,p,q,r,s,t,uuuuuuuu,v,www`` — function settings, unused, *head up*, *ribbon out*,
   thermal transfer, print mode, print width mode, label waiting, labels remaining in the
   batch, format while printing, graphics stored.
3. ``xxxx,y`` — password, static RAM installed.

A printer in media-out, ribbon-out or head-open state may not answer at all; the transport
reports that as :data:`NO_REPLY`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from labelsvc.domain.errors import InvalidInput

HS_COMMAND = b"~HS"
STX, ETX = b"\x02", b"\x03"
READY_HINT = "the job prints when the printer reports ready"

# flag -> (message an operator can act on, whether a job must wait for it to clear)
PROBLEMS: dict[str, tuple[str, bool]] = {
    "paper_out": (f"paper out — load labels; {READY_HINT}", True),
    "head_open": (f"print head open — close the head; {READY_HINT}", True),
    "paused": (f"printer paused — press PAUSE on the printer; {READY_HINT}", True),
    "ribbon_out": (f"ribbon out — load a ribbon; {READY_HINT}", True),
    "buffer_full": ("receive buffer full — the job prints when the printer has room", True),
    "over_temperature": (f"print head over temperature — let it cool; {READY_HINT}", True),
    "under_temperature": ("printer under temperature — print quality may suffer", False),
    "corrupt_ram": ("printer configuration lost (corrupt RAM) — check its settings", False),
}


@dataclass(frozen=True)
class PrinterStatus:
    """What a printer says about itself. ``ok`` is False while a job must wait."""

    ok: bool
    problems: list[str] = field(default_factory=list)
    reported: bool = True  # False: the transport cannot tell (file, ESC/POS)
    paper_out: bool = False
    paused: bool = False
    head_open: bool = False
    ribbon_out: bool = False
    buffer_full: bool = False
    over_temperature: bool = False
    under_temperature: bool = False
    corrupt_ram: bool = False
    formats_in_buffer: int = 0
    labels_remaining: int = 0
    label_length_dots: int = 0
    raw: bytes = b""

    @property
    def detail(self) -> str:
        """One line for an operator: the problems, or "ready"."""
        return "; ".join(self.problems) if self.problems else "ready"

    @classmethod
    def from_flags(cls, **flags: bool | int | bytes) -> PrinterStatus:
        """Build a status from flags, deriving ``ok`` and the problem messages."""
        problems = [msg for name, (msg, _) in PROBLEMS.items() if flags.get(name)]
        blocking = any(flags.get(name) for name, (_, waits) in PROBLEMS.items() if waits)
        return cls(ok=not blocking, problems=problems, **flags)  # type: ignore[arg-type]


NO_REPLY = PrinterStatus(
    ok=False,
    problems=[
        "no answer to ~HS — the printer may be out of paper or ribbon, or its head is "
        f"open; {READY_HINT}"
    ],
)


def _fields(frame: bytes, count: int, which: int) -> list[str]:
    parts = frame.decode("ascii", "replace").split(",")
    if len(parts) < count:
        raise InvalidInput(
            "printer-status-invalid",
            f"~HS string {which} has {len(parts)} fields, expected {count}: {frame!r}.",
        )
    return [p.strip() for p in parts]


def _int(value: str) -> int:
    return int(value) if value.isdigit() else 0


def split_frames(data: bytes) -> list[bytes]:
    """The ``<STX>...<ETX>`` frames in ``data``, without their framing."""
    frames = []
    for chunk in data.split(STX)[1:]:
        end = chunk.find(ETX)
        if end >= 0:
            frames.append(chunk[:end])
    return frames


def parse_host_status(data: bytes) -> PrinterStatus:
    """Parse a complete ``~HS`` answer (three framed strings)."""
    frames = split_frames(data)
    if len(frames) < 3:
        raise InvalidInput(
            "printer-status-invalid",
            f"~HS answer has {len(frames)} of 3 strings: {data[:120]!r}.",
        )
    one, two = _fields(frames[0], 12, 1), _fields(frames[1], 11, 2)
    return PrinterStatus.from_flags(
        paper_out=one[1] == "1",
        paused=one[2] == "1",
        label_length_dots=_int(one[3]),
        formats_in_buffer=_int(one[4]),
        buffer_full=one[5] == "1",
        corrupt_ram=one[9] == "1",
        under_temperature=one[10] == "1",
        over_temperature=one[11] == "1",
        head_open=two[2] == "1",
        ribbon_out=two[3] == "1",
        labels_remaining=_int(two[8]),
        raw=bytes(data),
    )


def complete_answer(data: bytes) -> bool:
    """True once ``data`` holds all three framed strings."""
    return data.count(ETX) >= 3


def host_status_answer(
    *,
    paper_out: bool = False,
    paused: bool = False,
    head_open: bool = False,
    ribbon_out: bool = False,
    buffer_full: bool = False,
    formats_in_buffer: int = 0,
    labels_remaining: int = 0,
    label_length_dots: int = 609,
) -> bytes:
    """The bytes a Zebra printer sends for ``~HS`` in the given state (for the emulator)."""
    b = {True: "1", False: "0"}
    one = (
        f"030,{b[paper_out]},{b[paused]},{label_length_dots:04d},{formats_in_buffer:03d},"
        f"{b[buffer_full]},0,0,000,0,0,0"
    )
    two = f"001,0,{b[head_open]},{b[ribbon_out]},0,2,6,0,{labels_remaining:08d},1,000"
    three = "1234,0"
    return b"".join(STX + s.encode("ascii") + ETX + b"\r\n" for s in (one, two, three))
