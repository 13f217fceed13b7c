"""``storeops report --course``: the whole course, every student across every assignment.

From nbgrader's gradebook (any database) and the sources' tags, writes to
``reports/course/`` (or ``--out``):

* ``students.csv``: one row per student: share of points per assignment (empty where
  not submitted), per competency area, overall;
* ``areas.csv`` and ``skills.csv``: each student's profile over the five areas and by
  skill tag (``metadata.storeops.skills`` of a graded cell; ``untagged`` otherwise);
* ``questions.csv``: every question of every assignment, its mean share of points over
  the students who submitted, hardest first (with the check service's ``checks`` and
  ``stuck_learners`` beside it when learners checked);
* ``report.html``: the class view with plots (areas, progress over the assignments,
  hardest questions, each student's profile);
* ``learners/<student>.html``: one page per learner, about that learner only (their
  profile beside the class mean, their progress, their weakest questions), to send them;
* ``checks.csv`` and ``check_attempts.csv`` when the class's check service logged
  attempts (:mod:`storeops.hub.check_service`): per question, how many checks learners
  needed before a correct one, the mistakes most often named and who is stuck; and the
  raw log (time, learner, question, result, mistake).

Profiles count submitted work only; a missing submission shows in the progress.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from storeops.grading import source as src
from storeops.grading.course import Course
from storeops.grading.report import _png, items_of, profile_heatmap, scores_table

AREAS = ("planning", "data-analysis", "promotion", "product", "customer-communication")


def _skills(course: Course, assignment: str) -> dict[str, list[str]]:
    out = {}
    for path in src.source_notebooks(course.source_dir / assignment):
        for cell in src.read_notebook(path).cells:
            meta = src.nbgrader_meta(cell)
            if meta.get("grade"):
                skills = cell.get("metadata", {}).get("storeops", {}).get("skills") or []
                out[meta["grade_id"]] = [str(s) for s in skills] or ["untagged"]
    return out


def course_scores(course: Course) -> pd.DataFrame:
    """Long table: one row per student, assignment and graded cell (submitted only),
    plus one row per student and assignment not submitted (``submitted`` False)."""
    rows = []
    submitted: dict[str, set[str]] = {}
    assignments = course.assignments()
    for a in assignments:
        table, _ = scores_table(course, a)
        if table.empty:
            continue
        items, skills = items_of(course, a), _skills(course, a)
        for student, row in table.iterrows():
            submitted.setdefault(student, set()).add(a)
            for gid, info in items.items():
                score = row.get(gid)
                rows.append(
                    dict(
                        student=student,
                        assignment=a,
                        item=gid,
                        question=f"{a}/{info.question}",
                        area=info.competency,
                        skills=skills.get(gid, ["untagged"]),
                        score=0.0 if score is None or pd.isna(score) else float(score),
                        max_score=info.max_score,
                        submitted=True,
                    )
                )
    for student in submitted:
        for a in assignments:
            if a not in submitted[student] and any(r["assignment"] == a for r in rows):
                rows.append(
                    dict(
                        student=student,
                        assignment=a,
                        item=None,
                        question=None,
                        area=None,
                        skills=[],
                        score=0.0,
                        max_score=0.0,
                        submitted=False,
                    )
                )
    return pd.DataFrame(rows)


def _share(df: pd.DataFrame, by: list[str]) -> pd.Series:
    g = df.groupby(by)[["score", "max_score"]].sum()
    return (g["score"] / g["max_score"].where(g["max_score"] > 0)).astype(float)


def profiles(long: pd.DataFrame) -> dict[str, pd.DataFrame]:
    done = long[long["submitted"]]
    areas = _share(done, ["student", "area"]).unstack().reindex(columns=list(AREAS))
    skills = _share(done.explode("skills"), ["student", "skills"]).unstack()
    order = list(dict.fromkeys(long["assignment"]))
    progress = _share(done, ["student", "assignment"]).unstack().reindex(columns=order)
    overall = _share(done, ["student"])
    questions = (
        _share(done, ["question"]).rename("mean_share").sort_values(kind="stable").to_frame()
    )
    questions["area"] = done.groupby("question")["area"].first()
    questions["students"] = done.groupby("question")["student"].nunique()
    return dict(areas=areas, skills=skills, progress=progress, overall=overall, questions=questions)


def _plots(p: dict[str, pd.DataFrame]) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from storeops.plotting import use_book_style

    use_book_style()
    out = {}
    fig, ax = plt.subplots(figsize=(7, 3))
    mean = p["areas"].mean()
    ax.bar(mean.index, mean.fillna(0), color=["C0" if pd.notna(v) else "lightgrey" for v in mean])
    ax.set(
        ylim=(0, 1),
        ylabel="mean share of points",
        title="Class profile by area (grey: no questions yet)",
    )
    ax.tick_params(axis="x", rotation=20)
    out["areas"] = _png(fig)

    fig, ax = plt.subplots(figsize=(7, 3))
    prog = p["progress"]
    for _, row in prog.iloc[:100].iterrows():
        ax.plot(range(len(prog.columns)), row.to_numpy(), color="grey", alpha=0.3, lw=0.8)
    ax.plot(
        range(len(prog.columns)),
        prog.mean().to_numpy(),
        color="C1",
        lw=2.5,
        marker="o",
        label="class mean",
    )
    ax.set_xticks(range(len(prog.columns)), prog.columns, rotation=20)
    ax.set(ylim=(-0.02, 1.02), ylabel="share of points", title="Progress over the assignments")
    ax.legend()
    out["progress"] = _png(fig)

    hard = p["questions"].head(10)
    fig, ax = plt.subplots(figsize=(7, 0.6 + 0.3 * len(hard)))
    ax.barh(hard.index[::-1], hard["mean_share"].to_numpy()[::-1])
    ax.set(xlim=(0, 1), xlabel="mean share of points", title="Hardest questions")
    out["hardest"] = _png(fig)

    out["students"] = profile_heatmap(p["areas"], "Each student's profile by area")
    return out


def _table(df: pd.DataFrame) -> str:
    return df.to_html(float_format=lambda x: f"{x:.2f}", na_rep="–", border=0, classes="t")


PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}
table.t{{border-collapse:collapse}} .t td,.t th{{padding:2px 8px;border-bottom:1px solid #ddd}}
img{{max-width:100%}}</style></head><body><h1>{title}</h1>{body}</body></html>"""


def _learner_page(student: str, p: dict[str, pd.DataFrame], long: pd.DataFrame) -> str:
    import matplotlib.pyplot as plt

    areas = pd.DataFrame({"you": p["areas"].loc[student], "class mean": p["areas"].mean()})
    fig, ax = plt.subplots(figsize=(7, 3))
    x = np.arange(len(areas))
    ax.bar(x - 0.2, areas["you"].fillna(0), 0.4, label="you")
    ax.bar(x + 0.2, areas["class mean"].fillna(0), 0.4, label="class mean")
    ax.set_xticks(x, areas.index, rotation=20)
    ax.set(ylim=(0, 1), ylabel="share of points", title="Your profile by area")
    ax.legend()
    mine = long[(long["student"] == student) & long["submitted"]]
    weakest = _share(mine, ["question"]).rename("your share").sort_values(kind="stable").head(5)
    progress = p["progress"].loc[[student]].rename(index={student: "you"})
    body = (
        f"<p>Overall: {p['overall'].get(student, np.nan):.0%} of the points of the work you submitted.</p>"
        + _png(fig)
        + "<h2>Areas</h2>"
        + _table(areas)
        + "<h2>Progress</h2>"
        + _table(progress)
        + "<h2>Questions to revisit</h2>"
        + _table(weakest.to_frame())
    )
    return PAGE.format(title=f"Your progress: {html.escape(student)}", body=body)


def write_course_report(course: Course, out: Path | None = None) -> Path:
    out = Path(out or course.dir("reports") / "course")
    (out / "learners").mkdir(parents=True, exist_ok=True)
    checks, summary = write_check_report(course, out)
    long = course_scores(course)
    if long.empty and checks is None:
        from storeops.errors import StoreOpsError

        raise StoreOpsError("no graded submissions in the gradebook yet: run storeops grade first")
    if long.empty:  # only the check service's log so far
        (out / "report.html").write_text(PAGE.format(title="Course report", body=checks))
        return out
    p = profiles(long)
    if not summary.empty:  # how hard the checks found each question, beside its grades
        p["questions"] = p["questions"].join(summary[["checks", "stuck_learners"]])
    students = pd.concat(
        [
            p["progress"].add_prefix("assignment:"),
            p["areas"].add_prefix("area:"),
            p["overall"].rename("overall"),
        ],
        axis=1,
    )
    students.to_csv(out / "students.csv", index_label="student")
    p["areas"].to_csv(out / "areas.csv", index_label="student")
    p["skills"].to_csv(out / "skills.csv", index_label="student")
    p["questions"].to_csv(out / "questions.csv", index_label="question")
    plots = _plots(p)
    body = (
        f"<p>{len(students)} students, {len(p['progress'].columns)} assignments.</p>"
        + "<h2>Competency areas</h2>"
        + plots["areas"]
        + plots["students"]
        + "<h2>Progress</h2>"
        + plots["progress"]
        + "<h2>Hardest questions</h2>"
        + plots["hardest"]
        + _table(p["questions"].head(10))
        + "<h2>By skill tag</h2>"
        + _table(p["skills"].mean().rename("class mean").to_frame())
        + "<h2>Students</h2>"
        + _table(students)
        + "<p>Per-learner pages: <code>learners/&lt;student&gt;.html</code>.</p>"
        + (checks or "")
    )
    (out / "report.html").write_text(PAGE.format(title="Course report", body=body))
    for student in students.index:
        (out / "learners" / f"{student}.html").write_text(_learner_page(student, p, long))
    import matplotlib.pyplot as plt

    plt.close("all")
    return out


STUCK_AFTER = 3  # judged checks without a correct one: a learner who needs help


def check_summary(attempts: pd.DataFrame, stuck_after: int = STUCK_AFTER) -> pd.DataFrame:
    """Per question (``assignment/qK``) from the check service's attempt log: learners who
    checked, judged checks, learners correct, median and max checks before the first
    correct one, the mistakes most often named, and the learners stuck (``stuck_after``
    judged checks or more and none correct)."""
    columns = [
        "learners",
        "checks",
        "correct_learners",
        "median_checks_before_correct",
        "max_checks_before_correct",
        "top_mistakes",
        "stuck_learners",
        "stuck",
    ]
    judged = attempts[attempts["result"].isin(["correct", "mistake", "generic", "unreadable"])]
    if judged.empty:
        return pd.DataFrame(columns=columns).rename_axis("question")
    judged = judged.assign(question=judged["assignment"] + "/" + judged["question"])
    rows = {}
    for question, group in judged.groupby("question", sort=True):
        before, stuck = [], []
        for student, mine in group.sort_values("time", kind="stable").groupby("student"):
            hits = (mine["result"] == "correct").to_numpy().nonzero()[0]
            if len(hits):
                before.append(int(hits[0]))
            elif len(mine) >= stuck_after:
                stuck.append(str(student))
        named = group.loc[group["result"] == "mistake", "mistake"].value_counts().head(3)
        rows[question] = dict(
            learners=group["student"].nunique(),
            checks=len(group),
            correct_learners=len(before),
            median_checks_before_correct=float(np.median(before)) if before else np.nan,
            max_checks_before_correct=max(before) if before else np.nan,
            top_mistakes="; ".join(f"{m} ({n})" for m, n in named.items()),
            stuck_learners=len(stuck),
            stuck=" ".join(sorted(stuck)),
        )
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns).rename_axis("question")


def write_check_report(course: Course, out: Path) -> tuple[str | None, pd.DataFrame]:
    """``checks.csv`` and ``check_attempts.csv`` from the check service's log; the report's
    HTML section (None when nothing was checked) and the per-question summary."""
    from storeops.hub.check_service import db_path, read_attempts

    attempts = read_attempts(db_path(course.root))
    summary = check_summary(attempts)
    if summary.empty:
        return None, summary
    out.mkdir(parents=True, exist_ok=True)
    summary.to_csv(out / "checks.csv")
    log = attempts.assign(time=pd.to_datetime(attempts["time"], unit="s", utc=True))
    log.to_csv(out / "check_attempts.csv", index=False)
    return (
        "<h2>Instant checks (check service)</h2>"
        f"<p>{len(attempts)} checks by {attempts['student'].nunique()} learners; stuck: "
        f"{STUCK_AFTER}+ checks of a question and none correct. CSV: <code>checks.csv</code>, "
        "<code>check_attempts.csv</code>.</p>" + _table(summary)
    ), summary


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "report",
        help="the course report: every student across every assignment (CSV + HTML)",
        description="Competency profiles over the five areas and by skill tag, progress over "
        "the assignments, the hardest questions, CSV and HTML, and a page per learner.",
    )
    p.add_argument("--course", action="store_true", required=True, help="the whole course")
    p.add_argument("--course-dir", type=Path, default=None, help="nbgrader course folder")
    p.add_argument("--out", type=Path, default=None, help="default: <course>/reports/course")
    p.set_defaults(func=_run)


def _run(args) -> int:
    out = write_course_report(Course.find(args.course_dir), args.out)
    print(f"course report: {out / 'report.html'} (CSV beside it, learners/ per student)")
    return 0
