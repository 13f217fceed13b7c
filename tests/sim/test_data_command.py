"""Items 5, 6, 9: `storeops data` writes CSV + Parquet + MANIFEST atomically; bad input fails cleanly."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import storeops.data as data
from storeops.cli import main
from storeops.data import student_seed
from storeops.sim import GENERATOR_VERSION, TABLES, generate

SMALL = ["--days", "30", "--scale", "0.05"]


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def run(*args) -> int:
    return main(["data", "--quiet", *map(str, args)])


def test_writes_csv_parquet_manifest_and_truth(tmp_path):
    out = tmp_path / "ds"
    assert run("--out", out, "--seed", 5, *SMALL) == 0
    m = json.loads((out / "MANIFEST.json").read_text())
    assert m["seed"] == 5 and m["generator_version"] == GENERATOR_VERSION
    for t in TABLES:
        for fmt in ("csv", "parquet"):
            f = out / f"{t}.{fmt}"
            assert m["files"][f.name]["sha256"] == sha(f)
        assert (
            m["row_counts"][t]
            == len(pd.read_parquet(out / f"{t}.parquet"))
            == len(pd.read_csv(out / f"{t}.csv"))
        )
    assert m["files"]["truth.json"]["sha256"] == sha(out / "truth.json")
    assert json.loads((out / "truth.json").read_text())["seed"] == 5
    assert not [
        p for p in tmp_path.iterdir() if p.name.startswith(".")
    ]  # no temporary folders left


def test_same_seed_gives_byte_identical_files(tmp_path):
    run("--out", tmp_path / "a", "--seed", 9, *SMALL)
    run("--out", tmp_path / "b", "--seed", 9, *SMALL)
    run("--out", tmp_path / "c", "--seed", 10, *SMALL)
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == sorted(p.name for p in (tmp_path / "b").iterdir())
    for f in files:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f
    assert sha(tmp_path / "a" / "orders.csv") != sha(tmp_path / "c" / "orders.csv")


def test_written_files_equal_what_the_generator_produces(tmp_path):
    store = generate(seed=9, days=30, scale=0.05)
    run("--out", tmp_path / "cli", "--seed", 9, *SMALL)
    back = data.read_store(tmp_path / "cli", with_truth=True)
    for t in TABLES:
        pd.testing.assert_frame_equal(back.tables[t], store.tables[t])
    assert back.truth == json.loads(json.dumps(store.truth))


def test_committed_or_set_up_default_datasets_equal_the_generator(tmp_path):
    """datasets/ is generated at set-up; if it is there it must be exactly the generator's output."""
    ds = data.find_datasets_dir()
    if ds is None or not (ds / "MANIFEST.json").exists():
        pytest.skip("datasets/ not generated yet (run `storeops data`)")
    have = json.loads((ds / "MANIFEST.json").read_text())
    if have["generator_version"] != GENERATOR_VERSION:
        pytest.fail("datasets/ is stale: run `storeops data`")
    data.write_store(
        generate(),
        tmp_path / "fresh",
        formats=have["formats"],
        include_truth=have["includes_truth"],
    )
    fresh = json.loads((tmp_path / "fresh" / "MANIFEST.json").read_text())
    assert fresh["files"] == have["files"], (
        "datasets/ differs from the generator's output: run `storeops data`"
    )
    for name, info in have["files"].items():
        assert sha(ds / name) == info["sha256"], f"datasets/{name} was modified"


def test_if_missing_skips_an_up_to_date_folder(tmp_path):
    out = tmp_path / "ds"
    run("--out", out, "--seed", 3, *SMALL)
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    assert run("--out", out, "--seed", 3, *SMALL, "--if-missing") == 0
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    assert run("--out", out, "--seed", 4, *SMALL, "--if-missing") == 0  # another seed: rewritten
    assert json.loads((out / "MANIFEST.json").read_text())["seed"] == 4
    # same seed and version but made by different generator code: rewritten too
    m = json.loads((out / "MANIFEST.json").read_text())
    (out / "MANIFEST.json").write_text(json.dumps({**m, "generator_fingerprint": "0" * 16}))
    assert run("--out", out, "--seed", 4, *SMALL, "--if-missing") == 0
    assert (
        json.loads((out / "MANIFEST.json").read_text())["generator_fingerprint"]
        == m["generator_fingerprint"]
    )


def test_options_no_truth_and_format(tmp_path):
    out = tmp_path / "ds"
    run("--out", out, "--seed", 3, *SMALL, "--no-truth", "--format", "parquet")
    names = {p.name for p in out.iterdir()}
    assert "truth.json" not in names and not any(n.endswith(".csv") for n in names)
    assert {f"{t}.parquet" for t in TABLES} <= names


def test_rewriting_keeps_other_files_and_drops_stale_truth(tmp_path):
    out = tmp_path / "ds"
    out.mkdir()
    (out / "README.md").write_text("keep me")
    run("--out", out, "--seed", 3, *SMALL)
    assert (out / "truth.json").exists()
    run("--out", out, "--seed", 3, *SMALL, "--no-truth")
    assert (out / "README.md").read_text() == "keep me"
    assert not (out / "truth.json").exists()


def test_student_stores(tmp_path, capsys):
    out = tmp_path / "one"
    assert run("--out", out, "--student", "alice", "--course-seed", 77, *SMALL) == 0
    m = json.loads((out / "MANIFEST.json").read_text())
    assert m["seed"] == student_seed(77, "alice") and m["student"] == "alice"
    ids = tmp_path / "ids.txt"
    ids.write_text("student_id\nbob\ncarol\n")
    assert (
        main(
            [
                "data",
                "--out",
                str(tmp_path / "class"),
                "--students",
                str(ids),
                "--course-seed",
                "77",
                *SMALL,
            ]
        )
        == 0
    )
    seeds = {
        json.loads((tmp_path / "class" / s / "MANIFEST.json").read_text())["seed"]
        for s in ("bob", "carol")
    }
    assert seeds == {student_seed(77, "bob"), student_seed(77, "carol")}
    assert "student stores" in capsys.readouterr().err  # the tqdm progress bar
    assert (
        main(
            [
                "data",
                "--out",
                str(tmp_path / "n"),
                "--students",
                "2",
                "--course-seed",
                "77",
                "--quiet",
                *SMALL,
            ]
        )
        == 0
    )
    assert sorted(p.name for p in (tmp_path / "n").iterdir()) == ["student001", "student002"]


def test_parallel_class_generation_writes_what_one_process_writes(tmp_path):
    common = ["--students", "3", "--course-seed", "5", "--quiet", "--days", "20", "--scale", "0.05"]
    assert main(["data", "--out", str(tmp_path / "par"), "--jobs", "2", *common]) == 0
    assert main(["data", "--out", str(tmp_path / "seq"), "--jobs", "1", *common]) == 0
    for sid in ("student001", "student002", "student003"):
        par = (tmp_path / "par" / sid / "MANIFEST.json").read_bytes()
        assert par == (tmp_path / "seq" / sid / "MANIFEST.json").read_bytes()
    assert main(["data", "--out", str(tmp_path / "x"), "--jobs", "0", *common]) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "-3"], "days"),
        (["--days", "ten"], "--days must be an integer"),
        (["--channels", "search,tv"], "unknown channel 'tv'"),
        (["--scale", "0"], "scale must be a positive number"),
        (["--seed", "1.5"], "--seed must be an integer"),
        (["--start", "yesterday"], "start must be a date"),
        (["--format", "xlsx"], "--format"),
        (["--student", "alice"], "course-seed"),
        (["--students", "0", "--course-seed", "1"], "--students"),
    ],
)
def test_bad_input_one_line_error_exit_2_nothing_written(
    tmp_path, capsys, monkeypatch, args, message
):
    monkeypatch.delenv("STOREOPS_COURSE_SEED", raising=False)
    out = tmp_path / "ds"
    assert main(["data", "--out", str(out), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("storeops data: error:") and message in err and "\n" not in err
    assert list(tmp_path.iterdir()) == []


def test_unwritable_output_folder(tmp_path, capsys):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    assert run("--out", blocker / "ds", *SMALL) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("storeops data: error: cannot write to") and "\n" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


def test_failure_while_writing_leaves_the_old_store_untouched(tmp_path, monkeypatch):
    out = tmp_path / "ds"
    run("--out", out, "--seed", 3, *SMALL)
    before = {p.name: sha(p) for p in out.iterdir()}

    def boom(df, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(data, "_write_parquet", boom)
    assert run("--out", out, "--seed", 4, *SMALL) == 2
    assert {p.name: sha(p) for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds"]


def test_command_line_exit_code_and_single_line(tmp_path):
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "storeops.cli",
            "data",
            "--out",
            str(tmp_path / "x"),
            "--days",
            "-1",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "days" in r.stderr
