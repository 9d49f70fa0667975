"""The checker's answer: one row per invariant, then the violations each found."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from seatcore.checker.invariants import Result

SHOWN_PER_INVARIANT = 20


@dataclass
class Report:
    results: list[Result]
    attempts: int = 1
    waited_s: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.results)

    def violations(self, key: str) -> list[str]:
        """The violations of the invariant ``key`` (double_sale, redis_vs_mysql, payments, holds, seq,
        points, coupons)."""
        return next(result.violations for result in self.results if result.key == key)

    def table(self) -> str:
        header = ("invariant", "checked", "violations", "")
        rows = [
            (
                result.title,
                f"{result.checked} {result.unit}",
                "ok" if result.ok else f"{len(result.violations)} VIOLATED",
                result.note,
            )
            for result in self.results
        ]
        widths = [max(len(row[i]) for row in (header, *rows)) for i in range(3)]
        lines = []
        for row in (header, *rows):
            cells = [row[0].ljust(widths[0]), row[1].rjust(widths[1]), row[2].ljust(widths[2]), row[3]]
            lines.append("  ".join(cells).rstrip())
        lines.insert(1, "  ".join("-" * width for width in widths))
        for result in self.results:
            if result.ok:
                continue
            lines.append("")
            lines.append(f"{result.title}: {len(result.violations)} violation(s)")
            lines.extend(f"  - {line}" for line in result.violations[:SHOWN_PER_INVARIANT])
            if len(result.violations) > SHOWN_PER_INVARIANT:
                lines.append(f"  ... and {len(result.violations) - SHOWN_PER_INVARIANT} more")
        lines.append("")
        lines.extend(self.notes)
        verdict = "all invariants hold" if self.ok else "INVARIANTS VIOLATED"
        lines.append(f"{verdict} ({self.attempts} check(s) over {self.waited_s:.1f} s)")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "attempts": self.attempts,
            "waited_s": round(self.waited_s, 3),
            "notes": self.notes,
            "invariants": [
                {
                    "key": result.key,
                    "title": result.title,
                    "checked": result.checked,
                    "unit": result.unit,
                    "note": result.note,
                    "violations": result.violations,
                }
                for result in self.results
            ],
        }
