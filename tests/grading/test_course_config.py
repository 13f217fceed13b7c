"""The nbgrader course configuration in grader/."""

from __future__ import annotations

import os

from storeops.grading.course import Course, copy_course


def test_course_points_nbgrader_at_the_exercise_sources():
    course = Course.find()
    config = course.config()
    assert config.CourseDirectory.course_id == course.settings["course_id"]
    source = (course.root / config.CourseDirectory.source_directory).resolve()
    assert source == course.source_dir and (source / "orientation").is_dir()
    assert "mistakes.yml" in config.CourseDirectory.ignore


def test_gradebook_is_sqlite_in_grader_unless_a_url_is_given(tmp_path, monkeypatch):
    monkeypatch.delenv("STOREOPS_GRADEBOOK_URL", raising=False)
    course = copy_course(tmp_path, assignments=["orientation"])
    assert course.config().CourseDirectory.db_url == f"sqlite:///{course.root / 'gradebook.db'}"
    monkeypatch.setenv("STOREOPS_GRADEBOOK_URL", "postgresql://grader@db.example/storeops")
    assert course.config().CourseDirectory.db_url == "postgresql://grader@db.example/storeops"


def test_every_execution_has_timeouts_and_feedback_hides_tests():
    config = Course.find().config()
    assert 0 < config.Execute.timeout <= 600 and config.Execute.startup_timeout > 0
    assert "nbgrader.preprocessors.ClearHiddenTests" in config.GenerateFeedback.preprocessors


def test_per_student_setting_reaches_the_kernels(tmp_path, monkeypatch):
    monkeypatch.delenv("STOREOPS_COURSE_SEED", raising=False)
    course = copy_course(
        tmp_path, assignments=["orientation"], per_student_stores=True, course_seed=77
    )
    course.config()
    assert os.environ["STOREOPS_COURSE_SEED"] == "77"
    assert os.environ["STOREOPS_SOURCE_DIR"] == str(course.source_dir)
    assert course.kernel_env()["STOREOPS_COURSE_SEED"] == "77"
    plain = copy_course(tmp_path / "plain", assignments=["orientation"])
    plain.config()
    assert "STOREOPS_COURSE_SEED" not in os.environ
