"""Staff API: box-office figures and their CSV export.

Every report covers local dates ``start``..``end`` (inclusive, at most a year and a day) of the
caller's cinemas, or one of them (``cinema_id``). Tickets and revenue count live tickets of paid
orders, attributed to the showtime's date; occupancy is tickets over the seats of the showtimes
that were not cancelled; sales by hour follow the local hour of payment. The summary behind them is
brought up to date before each report (seatcore.store.boxoffice).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Collection
from typing import Literal

from pydantic import Field, model_validator
from starlette.requests import Request
from starlette.responses import Response

from seatcore.api._http import Answer, Day, Endpoints
from seatcore.api.staff._access import runtime_of, staff_scope
from seatcore.api.staff._query import StaffQuery
from seatcore.auth.principal import Principal
from seatcore.bounds import MAX_ID
from seatcore.store import boxoffice
from seatcore.store.boxoffice import Figures

endpoints = Endpoints("staff: box office")

MAX_RANGE_DAYS = 366


class PeriodQuery(StaffQuery):
    start: Day = Field(description="first local date")
    end: Day = Field(
        description=f"last local date (inclusive): not before start, at most {MAX_RANGE_DAYS} days in all"
    )
    cinema_id: int | None = Field(
        None, ge=1, lt=MAX_ID, description="one cinema; default all of the caller's"
    )

    @model_validator(mode="after")
    def _sane_range(self) -> PeriodQuery:
        if self.end < self.start:
            raise ValueError("end comes before start")
        if (self.end - self.start).days >= MAX_RANGE_DAYS:
            raise ValueError(f"a report covers at most {MAX_RANGE_DAYS} days")
        return self


class GroupedQuery(PeriodQuery):
    group_by: Literal["movie", "cinema", "hall", "day"] = "movie"


class TopQuery(PeriodQuery):
    limit: int = Field(10, ge=1, le=50)


class ExportQuery(PeriodQuery):
    group_by: Literal["showtime", "movie", "cinema", "hall", "day"] = "showtime"


class FiguresOut(Answer):
    shows: int = Field(description="showtimes not cancelled")
    capacity: int = Field(description="seats offered by those showtimes")
    tickets: int
    revenue_fen: int
    occupancy: float = Field(description="tickets / capacity, 0..1")


class GroupOut(FiguresOut):
    key: str = Field(description="movie, cinema or hall id, or the date")
    label: str


class SummaryAnswer(Answer):
    start: dt.date
    end: dt.date
    group_by: str
    totals: FiguresOut
    groups: list[GroupOut]
    # How far behind the primary the figures may be, in seconds (0: read on the primary; None:
    # the replica does not say). seatcore.db.replica.
    replica_lag_s: float | None = None


class HourOut(Answer):
    hour: int = Field(description="0..23, local time of payment")
    tickets: int
    revenue_fen: int


class HoursAnswer(Answer):
    start: dt.date
    end: dt.date
    hours: list[HourOut]
    # How far behind the primary the figures may be, in seconds (0: read on the primary; None:
    # the replica does not say). seatcore.db.replica.
    replica_lag_s: float | None = None


class TopAnswer(Answer):
    start: dt.date
    end: dt.date
    movies: list[GroupOut]
    # How far behind the primary the figures may be, in seconds (0: read on the primary; None:
    # the replica does not say). seatcore.db.replica.
    replica_lag_s: float | None = None


def _figures(figures: Figures) -> FiguresOut:
    return FiguresOut(
        shows=figures.shows,
        capacity=figures.capacity,
        tickets=figures.tickets,
        revenue_fen=figures.revenue_fen,
        occupancy=figures.occupancy,
    )


def _groups(groups: list[boxoffice.Group]) -> list[GroupOut]:
    return [GroupOut(key=g.key, label=g.label, **_figures(g.figures).model_dump()) for g in groups]


async def _cinemas_in_period(
    request: Request, principal: Principal, query: PeriodQuery
) -> Collection[int] | None:
    """The cinemas the report covers (checked against the caller's scope), with the summary
    brought up to date first."""
    scope = await staff_scope(request, principal)
    cinema_ids = scope.narrowed(query.cinema_id)
    runtime = runtime_of(request)
    await boxoffice.refresh(runtime.db, runtime.redis)
    return cinema_ids


@endpoints.get(
    "/api/v1/staff/boxoffice/summary",
    "Revenue, tickets and occupancy in total and by movie, cinema, hall or day",
    auth="staff",
    query=GroupedQuery,
    answer=SummaryAnswer,
)
async def staff_boxoffice_summary(
    request: Request, principal: Principal, query: GroupedQuery
) -> SummaryAnswer:
    cinema_ids = await _cinemas_in_period(request, principal, query)
    runtime = runtime_of(request)
    totals = await boxoffice.totals(runtime.reports_db, query.start, query.end, cinema_ids)
    groups = await boxoffice.grouped(runtime.reports_db, query.start, query.end, cinema_ids, query.group_by)
    return SummaryAnswer(
        start=query.start,
        end=query.end,
        group_by=query.group_by,
        totals=_figures(totals),
        groups=_groups(groups),
        replica_lag_s=await runtime.replica_lag.seconds(),
    )


@endpoints.get(
    "/api/v1/staff/boxoffice/hours",
    "Tickets and revenue by local hour of payment (all 24 hours) for sales made in the period",
    auth="staff",
    query=PeriodQuery,
    answer=HoursAnswer,
)
async def staff_boxoffice_hours(request: Request, principal: Principal, query: PeriodQuery) -> HoursAnswer:
    cinema_ids = await _cinemas_in_period(request, principal, query)
    runtime = runtime_of(request)
    hours = await boxoffice.sales_by_hour(runtime.reports_db, query.start, query.end, cinema_ids)
    return HoursAnswer(
        start=query.start,
        end=query.end,
        hours=[HourOut(hour=h.hour, tickets=h.tickets, revenue_fen=h.revenue_fen) for h in hours],
        replica_lag_s=await runtime.replica_lag.seconds(),
    )


@endpoints.get(
    "/api/v1/staff/boxoffice/top-movies",
    "The movies that took the most in the period",
    auth="staff",
    query=TopQuery,
    answer=TopAnswer,
)
async def staff_boxoffice_top_movies(request: Request, principal: Principal, query: TopQuery) -> TopAnswer:
    cinema_ids = await _cinemas_in_period(request, principal, query)
    runtime = runtime_of(request)
    groups = await boxoffice.grouped(runtime.reports_db, query.start, query.end, cinema_ids, "movie")
    return TopAnswer(
        start=query.start,
        end=query.end,
        movies=_groups(groups[: query.limit]),
        replica_lag_s=await runtime.replica_lag.seconds(),
    )


CSV_FIGURES = ("shows", "capacity", "tickets", "revenue_fen", "occupancy")


@endpoints.get(
    "/api/v1/staff/boxoffice/export.csv",
    "The period's figures as CSV (UTF-8): one line per showtime, or per movie, cinema, hall or day",
    auth="staff",
    query=ExportQuery,
)
async def staff_boxoffice_export(request: Request, principal: Principal, query: ExportQuery) -> Response:
    cinema_ids = await _cinemas_in_period(request, principal, query)
    runtime = runtime_of(request)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if query.group_by == "showtime":
        writer.writerow(
            ("showtime_id", "date", "starts_at", "cinema", "hall", "movie", "cancelled", *CSV_FIGURES)
        )
        for line in await boxoffice.show_lines(runtime.reports_db, query.start, query.end, cinema_ids):
            f = line.figures
            writer.writerow(
                (
                    line.showtime_id,
                    line.show_date.isoformat(),
                    line.starts_at.isoformat(),
                    _cell(line.cinema),
                    _cell(line.hall),
                    _cell(line.movie),
                    "yes" if line.cancelled else "no",
                    f.shows,
                    f.capacity,
                    f.tickets,
                    f.revenue_fen,
                    f.occupancy,
                )
            )
    else:
        writer.writerow((query.group_by, "label", *CSV_FIGURES))
        for group in await boxoffice.grouped(
            runtime.reports_db, query.start, query.end, cinema_ids, query.group_by
        ):
            f = group.figures
            writer.writerow(
                (group.key, _cell(group.label), f.shows, f.capacity, f.tickets, f.revenue_fen, f.occupancy)
            )
    name = f"boxoffice-{query.group_by}-{query.start.isoformat()}-{query.end.isoformat()}.csv"
    return Response(
        out.getvalue().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _cell(text: str) -> str:
    """A text cell that a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
