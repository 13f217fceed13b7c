"""The calendar table and the festival multipliers that drive traffic and conversion."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from storeops.sim.params import FESTIVAL_SPECS, WEEKDAY_MULT


def build_calendar(
    start: date, days: int
) -> tuple[pd.DataFrame, dict[str, np.ndarray], list[dict]]:
    """Return the calendar table, per-day effect arrays and the festival list for the truth."""
    dates = pd.date_range(pd.Timestamp(start), periods=days, freq="D")
    weekday = dates.day_of_week.to_numpy()
    festival = np.full(days, "", dtype=object)
    phase = np.full(days, "", dtype=object)
    eff = {k: np.ones(days) for k in ("traffic", "atc", "c2o", "budget")}
    festivals = []
    d0 = pd.Timestamp(start)
    for year in range(dates[0].year - 1, dates[-1].year + 2):
        for name, spec in FESTIVAL_SPECS.items():
            peak = pd.Timestamp(year, *spec["peak"])
            windows = {
                "presale": (
                    peak + pd.Timedelta(days=spec["presale"][0]),
                    peak + pd.Timedelta(days=spec["presale"][1]),
                ),
                "peak": (peak, peak),
                "dip": (
                    peak + pd.Timedelta(days=spec["dip"][0]),
                    peak + pd.Timedelta(days=spec["dip"][1]),
                ),
            }
            inside = False
            for ph, (a, b) in windows.items():
                ia, ib = (a - d0).days, (b - d0).days
                lo, hi = max(ia, 0), min(ib, days - 1)
                if lo > hi:
                    continue
                inside = True
                festival[lo : hi + 1] = name
                phase[lo : hi + 1] = ph
                for k in eff:
                    eff[k][lo : hi + 1] = spec[k][ph]
            if inside:
                festivals.append(
                    dict(
                        festival=name,
                        presale_start=str(windows["presale"][0].date()),
                        peak=str(peak.date()),
                        dip_end=str(windows["dip"][1].date()),
                        traffic_uplift=spec["traffic"],
                        add_to_cart_uplift=spec["atc"],
                        cart_to_order_uplift=spec["c2o"],
                        ad_budget_multiplier=spec["budget"],
                    )
                )
    doy = dates.day_of_year.to_numpy()
    season = 1.0 + 0.06 * np.cos(2 * np.pi * (doy - 340) / 365.25)
    eff["traffic"] = eff["traffic"] * season * np.asarray(WEEKDAY_MULT)[weekday]
    eff["season"] = season
    cal = pd.DataFrame(
        {
            "date": dates.astype("datetime64[ns]"),
            "weekday": pd.array(dates.day_name().to_numpy(), dtype="str"),
            "is_weekend": weekday >= 5,
            "festival": pd.array(festival, dtype="str"),
            "festival_phase": pd.array(phase, dtype="str"),
        }
    )
    return cal, eff, festivals
