"""The Zero to JupyterHub values file the deployment section
uses holds what that section promises (shared exchange, stores read-only per student,
the course service and its roles)."""

from pathlib import Path

import yaml

VALUES = Path(__file__).resolve().parents[2] / "grader" / "hub" / "k8s" / "values.yaml"


def test_values_file_mounts_the_exchange_and_each_students_store_read_only():
    v = yaml.safe_load(VALUES.read_text())
    mounts = {m["name"]: m for m in v["singleuser"]["storage"]["extraVolumeMounts"]}
    volumes = {m["name"]: m for m in v["singleuser"]["storage"]["extraVolumes"]}
    assert mounts["exchange"]["mountPath"] == v["singleuser"]["extraEnv"]["STOREOPS_EXCHANGE"]
    assert volumes["exchange"]["persistentVolumeClaim"]["claimName"] == "storeops-exchange"
    assert mounts["stores"]["readOnly"] is True and mounts["stores"]["subPath"] == "{username}"


def test_values_file_declares_the_course_service_and_who_reaches_it():
    v = yaml.safe_load(VALUES.read_text())
    assert "storeops" in v["hub"]["services"]
    role = v["hub"]["loadRoles"]["formgrade-storeops"]
    assert "access:services!service=storeops" in role["scopes"]
    assert role["groups"] == ["formgrade-storeops"]
