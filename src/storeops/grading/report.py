"""The instructor report: which questions the class struggled with, by question and competency.

Reads per-cell grades from nbgrader's gradebook one submission at a time (only a
few numbers per student are kept) and writes ``reports/<assignment>/report.html``
with embedded PNG plots: score histogram, per-question mean, difficulty and
discrimination, the class's competency profile and each student's profile.

Difficulty is the mean score as a share of the points (classical item p-value:
high = easy). Discrimination is the corrected item-total correlation (the
question's score against the total of the *other* questions) and, beside it, the
upper-lower index (mean share in the top 27 % minus the bottom 27 % by total).
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from storeops.grading import source as src
from storeops.grading.course import Course


@dataclass
class ItemInfo:
    name: str  # nbgrader grade cell name, e.g. q1-test
    question: str
    max_score: float
    competency: str
    manual: bool


def items_of(course: Course, assignment: str) -> dict[str, ItemInfo]:
    """Graded cells of the assignment's source notebooks, with their competency tags."""
    out = {}
    for path in src.source_notebooks(course.source_dir / assignment):
        for cell in src.read_notebook(path).cells:
            meta = src.nbgrader_meta(cell)
            if not meta.get("grade"):
                continue
            gid = meta["grade_id"]
            out[gid] = ItemInfo(
                gid,
                src.question_of(cell) or gid,
                float(meta.get("points", 0)),
                src.competency(cell) or "untagged",
                cell.cell_type == "markdown" or bool(meta.get("solution")),
            )
    return out


def scores_table(course: Course, assignment: str) -> tuple[pd.DataFrame, dict[str, ItemInfo]]:
    """Students x graded cells score table from the gradebook (NaN where not graded)."""
    from nbgrader.api import Gradebook

    items = items_of(course, assignment)
    rows = {}
    with Gradebook(course.config().CourseDirectory.db_url) as gb:
        for sub in gb.assignment_submissions(assignment):
            row = {}
            for nb in sub.notebooks:
                for g in nb.grades:
                    row[g.name] = g.score
                    if g.name not in items:
                        items[g.name] = ItemInfo(g.name, g.name, g.max_score, "untagged", False)
            rows[sub.student.id] = row
    order = sorted(items, key=lambda n: (_qnum(items[n].question), n))
    table = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=order).sort_index()
    return table.astype(float), {n: items[n] for n in order}


def _qnum(q: str) -> int:
    return int(q[1:]) if q[:1] == "q" and q[1:].isdigit() else 10_000


def item_statistics(table: pd.DataFrame, items: dict[str, ItemInfo]) -> pd.DataFrame:
    """Per graded cell: max, mean, difficulty, corrected item-total r, upper-lower index."""
    scores = table.fillna(0.0)
    total = scores.sum(axis=1)
    n = len(scores)
    k = max(1, int(round(0.27 * n)))
    ranked = total.sort_values(kind="mergesort")
    lower, upper = ranked.index[:k], ranked.index[-k:]
    rows = []
    for name, info in items.items():
        col = scores[name]
        rest = total - col
        r = np.nan
        if n > 2 and col.std() > 0 and rest.std() > 0:
            r = float(np.corrcoef(col, rest)[0, 1])
        mx = info.max_score or np.nan
        rows.append(
            {
                "cell": name,
                "question": info.question,
                "competency": info.competency,
                "points": info.max_score,
                "mean": col.mean(),
                "difficulty": col.mean() / mx,
                "discrimination_r": r,
                "upper_lower": (col[upper].mean() - col[lower].mean()) / mx if n >= 4 else np.nan,
                "manual": info.manual,
            }
        )
    return pd.DataFrame(rows).set_index("cell")


def competency_profiles(table: pd.DataFrame, items: dict[str, ItemInfo]) -> pd.DataFrame:
    """Students x competency: share of the competency's points earned."""
    scores = table.fillna(0.0)
    out = {}
    for comp in sorted({i.competency for i in items.values()}):
        cells = [n for n, i in items.items() if i.competency == comp]
        mx = sum(items[c].max_score for c in cells)
        if mx > 0:
            out[comp] = scores[cells].sum(axis=1) / mx
    return pd.DataFrame(out)


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", dpi=90)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return f'<img alt="" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'


def _plots(table, stats, profiles, max_total) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from storeops.plotting import use_book_style

    use_book_style()
    plots = {}
    total = table.fillna(0).sum(axis=1)
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.hist(total, bins=np.linspace(0, max_total, int(min(max_total, 20)) + 2), edgecolor="white")
    ax.set(xlabel="total score", ylabel="students", title="Score distribution")
    plots["hist"] = _png(fig)

    fig, ax = plt.subplots(figsize=(7, 3))
    ax.bar(stats.index, stats["difficulty"])
    ax.set(ylim=(0, 1), ylabel="mean share of points", title="Per-question mean (difficulty)")
    ax.tick_params(axis="x", rotation=45)
    plots["means"] = _png(fig)

    fig, ax = plt.subplots(figsize=(7, 3.2))
    disc = stats["discrimination_r"].fillna(0)
    ax.scatter(stats["difficulty"], disc)
    for name, row in stats.iterrows():
        ax.annotate(
            name,
            (row["difficulty"], disc[name]),
            fontsize=8,
            xytext=(3, 3),
            textcoords="offset points",
        )
    ax.axhline(0.2, color="grey", lw=0.8, ls="--")
    ax.set(
        xlim=(-0.05, 1.05),
        ylim=(-1.05, 1.05),
        xlabel="difficulty (share correct)",
        ylabel="discrimination (item-rest r)",
        title="Difficulty and discrimination",
    )
    plots["disc"] = _png(fig)

    if not profiles.empty:
        fig, ax = plt.subplots(figsize=(7, 3))
        ax.bar(profiles.columns, profiles.mean())
        ax.set(ylim=(0, 1), ylabel="mean share of points", title="Class profile by competency")
        plots["class_profile"] = _png(fig)
        plots["student_profiles"] = profile_heatmap(profiles, "Each student's profile")
    return plots


def profile_heatmap(profiles: pd.DataFrame, title: str) -> str:
    """Students (rows, the first 200) by areas or skills (columns), share of points, as an
    embedded PNG: red to green, so the weak spots of a class stand out at a glance."""
    import matplotlib.pyplot as plt

    shown = profiles.iloc[:200]
    fig, ax = plt.subplots(
        figsize=(max(7.0, 1.2 + 0.9 * len(shown.columns)), 0.8 + 0.22 * len(shown))
    )
    im = ax.imshow(shown.to_numpy(dtype=float), aspect="auto", vmin=0, vmax=1, cmap="RdYlGn")
    ax.set_xticks(range(len(shown.columns)), shown.columns, rotation=30, ha="right")
    ax.set_yticks(range(len(shown)), shown.index, fontsize=7)
    ax.grid(False)
    fig.colorbar(im, ax=ax, label="share of points")
    ax.set_title(title)
    return _png(fig)


def warm_up() -> None:
    """Load what the plots need (matplotlib, fonts) ahead of :func:`write_report`, e.g.
    in a thread while the last submissions are graded (storeops grade does)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1))
    ax.bar(["a"], [1])
    ax.set(title="t", xlabel="x")
    fig.savefig(io.BytesIO(), format="png", bbox_inches="tight", dpi=30)
    plt.close(fig)


def _formatter(fmt: str):
    return lambda v: "n/a" if pd.isna(v) else fmt.format(v)


def write_report(course: Course, assignment: str) -> Path:
    """Write reports/<assignment>/report.html (and item_statistics.csv) and return its path."""
    table, items = scores_table(course, assignment)
    out_dir = course.dir("reports") / assignment
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.html"
    from storeops.sandbox.report import problems_section

    problems = problems_section(out_dir / "problems.json")
    if table.empty:
        path.write_text(
            f"<h1>{html.escape(assignment)}</h1><p>No graded submissions yet.</p>{problems}"
        )
        return path
    stats = item_statistics(table, items)
    profiles = competency_profiles(table, items)
    stats.to_csv(out_dir / "item_statistics.csv")
    max_total = sum(i.max_score for i in items.values())
    plots = _plots(table, stats, profiles, max_total)
    total = table.fillna(0).sum(axis=1)
    manual_cells = [n for n, i in items.items() if i.manual]
    fmt = {
        "mean": "{:.2f}",
        "difficulty": "{:.0%}",
        "discrimination_r": "{:.2f}",
        "upper_lower": "{:.2f}",
        "points": "{:g}",
    }
    stats_html = stats.drop(columns="manual").to_html(
        formatters={k: _formatter(f) for k, f in fmt.items()}, classes="t"
    )
    per_student = pd.concat(
        [table.fillna(0), total.rename("total"), profiles.add_prefix("% ")], axis=1
    )
    students_html = per_student.to_html(float_format=lambda v: f"{v:.2f}", classes="t")
    note = (
        f"<p>Manually graded cells ({', '.join(manual_cells)}) count as 0 until graded in "
        "formgrader; re-run <code>storeops grade</code> (or this report) after grading.</p>"
        if manual_cells
        else ""
    )
    page = f"""<!doctype html><html><head><meta charset="utf-8">
<title>{html.escape(assignment)}: class report</title>
<style>body{{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}}
table.t{{border-collapse:collapse;font-size:13px}} .t td,.t th{{border:1px solid #ccc;padding:2px 6px}}
img{{max-width:100%}}</style></head><body>
<h1>{html.escape(assignment)}: class report</h1>
<p>{len(table)} students; mean total {total.mean():.2f} of {max_total:g}
(median {total.median():.2f}).</p>{note}
<h2>Scores</h2>{plots["hist"]}
<h2>Questions</h2>{plots["means"]}{plots["disc"]}
<p>Difficulty: mean share of the points (low = hard). Discrimination: correlation of the
question with the rest of the assignment (below 0.2: the question does not separate strong
from weak students; check its wording or its test) and the upper-lower 27 % index.</p>
{stats_html}
<h2>Competencies</h2>{plots.get("class_profile", "")}{plots.get("student_profiles", "")}
<h2>Students</h2>{students_html}
{problems}
</body></html>"""
    path.write_text(page)
    return path
