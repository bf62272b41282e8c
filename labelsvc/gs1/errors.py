"""The one error type of the GS1 core."""

from __future__ import annotations

from labelsvc.domain.errors import InvalidInput

GS1_INVALID = "gs1-invalid"


class Gs1Error(InvalidInput):
    """GS1 data that cannot be accepted; ``fields["ai"]`` names the AI when one is involved."""

    @property
    def ai(self) -> str | None:
        """The AI the problem is about, so callers need not dig in ``fields``."""
        value = self.fields.get("ai")
        return value if isinstance(value, str) else None


def ai_error(ai: str, problem: str) -> Gs1Error:
    """Build the standard error for one AI, worded ``AI (21): <problem>``."""
    return Gs1Error(GS1_INVALID, f"AI ({ai}): {problem}", ai=ai)
