"""Follow-up lists: overdue, stale ("rotting"), no next step, undated deals.

Implements *overdue deal*, *stale ("rotting") deal* and *no next step* of
*Activity and follow-up* in ``specs/pipeline-metrics.md``, and the *undated*
open deals of *Quota progress* (not forecast, reported as a data issue).  The
follow-ups (:mod:`sheetsync.followups`) act on the same lists.

Definitions and decisions where the spec was open:

* **Overdue**: open, and expected close date ``< T``; listed by close date.
* **Stale**: quiet since the latest of last contact, the stage-entered date
  from the history and the created date (a deal cannot enter its stage
  before it was created, so without history "created" is the earliest the
  stage could have been entered); a deal with none of these dates is never
  stale.  Stale means ``T − quiet_since > rot days`` (strictly); listed by
  days quiet, most first.
* **No next step**: an open deal whose next appointment is empty
  (``activity: "none"``) or before ``T`` (``activity: "overdue"``).
* **Undated**: an open deal with no expected close date.

The other lists are in sheet order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from operator import attrgetter, itemgetter

from sheetsync.metrics.facts import _NO_HISTORY, DealRef, DealRefs, _history_of, _ref
from sheetsync.metrics.settings import MetricsSettings, StageHistory
from sheetsync.model import Deal, Pipeline, Stage

_ROW = attrgetter("row")


_CLOSE_DATE = attrgetter("close_date")


def _overdue(open_deals: Iterable[Deal], as_of: dt.date) -> list[Deal]:
    """The open deals of :func:`overdue_deals`, in its order."""
    found = [d for d in open_deals if (day := d.close_date) is not None and day < as_of]
    # by (close date, row), stably: by row, then stably by close date (faster than tuples)
    found.sort(key=_ROW)
    found.sort(key=_CLOSE_DATE)
    return found


def overdue_deals(pipeline: Pipeline, as_of: dt.date) -> list[DealRef]:
    """Open deals whose expected close date is before ``as_of``, earliest first."""
    return list(_overdue_refs(pipeline.open_deals(), as_of))


def _overdue_refs(open_deals: Iterable[Deal], as_of: dt.date) -> DealRefs:
    def ref(d: Deal) -> DealRef:
        return _ref(d, {"close_date": d.close_date, "days_overdue": (as_of - d.close_date).days})

    return DealRefs(_overdue(open_deals, as_of), ref)


def quiet_since(deal: Deal, history: StageHistory | None = None) -> dt.date | None:
    """The latest of last contact, stage entered (history) and created; None if none known."""
    entered = _history_of(history, deal)[0]
    known = [d for d in (deal.last_contact, entered, deal.created) if d is not None]
    return max(known) if known else None


#: What :func:`_stale` finds per deal: (days quiet, deal, quiet since, rot days).
_Stale = tuple[int, Deal, dt.date, int]


def _stale_row(found: _Stale) -> int:
    return found[1].row


def _stale(
    open_deals: Iterable[Deal],
    stages: Iterable[Stage | None],
    as_of: dt.date,
    settings: MetricsSettings,
    history: StageHistory | None,
) -> list[_Stale]:
    """What :func:`stale_deals` lists, from the open deals and their stages, in its order."""
    default = settings.default_rot_days
    found: list[_Stale] = []
    for d, st in zip(open_deals, stages, strict=True):
        rot = st.rot_days if st is not None and st.rot_days is not None else default
        # quiet_since(d, history), inlined: max() of the known dates, compared the same way
        since = d.last_contact
        entered = history.get(d.key, _NO_HISTORY)[0] if history else None
        if entered is not None and (since is None or entered > since):
            since = entered
        created = d.created
        if created is not None and (since is None or created > since):
            since = created
        if rot <= 0 or since is None:
            continue
        quiet = (as_of - since).days
        if quiet > rot:
            found.append((quiet, d, since, rot))
    # most days quiet first, then by row, stably: by row, then stably by days, reversed
    # (a reversed sort keeps equal keys in their order)
    found.sort(key=_stale_row)
    found.sort(key=itemgetter(0), reverse=True)
    return found


def _stale_ref(found: _Stale) -> DealRef:
    quiet, d, since, rot = found
    return _ref(d, {"days_quiet": quiet, "quiet_since": since, "rot_days": rot})


def stale_deals(
    pipeline: Pipeline,
    as_of: dt.date,
    settings: MetricsSettings | None = None,
    history: StageHistory | None = None,
) -> list[DealRef]:
    """Open deals quiet for more than their stage's rot days, most days quiet first."""
    settings = settings or MetricsSettings()
    open_deals = list(pipeline.open_deals())
    stages = [pipeline.stage_of(d) for d in open_deals]
    return list(_stale_refs(_stale(open_deals, stages, as_of, settings, history)))


def _stale_refs(found: list[_Stale]) -> DealRefs:
    return DealRefs(found, _stale_ref)


def _no_next_step(open_deals: Iterable[Deal], as_of: dt.date) -> list[Deal]:
    """The open deals of :func:`no_next_step_deals`, in sheet order."""
    out = []
    datetime = dt.datetime
    for d in open_deals:
        when = d.next_appointment
        if when is None or (when.date() if isinstance(when, datetime) else when) < as_of:
            out.append(d)
    return out


def no_next_step_deals(pipeline: Pipeline, as_of: dt.date) -> list[DealRef]:
    """Open deals with no next appointment (``none``) or one before ``as_of`` (``overdue``)."""
    return list(_no_next_step_refs(pipeline.open_deals(), as_of))


def _no_next_step_ref(d: Deal) -> DealRef:
    if d.next_appointment is None:
        return _ref(d, {"next_appointment": None, "activity": "none"})
    return _ref(d, {"next_appointment": d.next_appointment, "activity": "overdue"})


def _no_next_step_refs(open_deals: Iterable[Deal], as_of: dt.date) -> DealRefs:
    return DealRefs(_no_next_step(open_deals, as_of), _no_next_step_ref)


def undated_deals(pipeline: Pipeline) -> list[DealRef]:
    """Open deals with no expected close date (not forecast; a data issue)."""
    return list(_undated_refs(pipeline.open_deals()))


def _undated_ref(d: Deal) -> DealRef:
    return _ref(d, {})


def _undated_refs(open_deals: Iterable[Deal]) -> DealRefs:
    return DealRefs([d for d in open_deals if d.close_date is None], _undated_ref)
