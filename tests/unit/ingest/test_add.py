"""`tthc add` places a file under its canonical name, checking the same rules as a run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import CORPUS, PROJECT_ROOT


def tthc_add(raw: Path, source: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tthc.cli.main", "add", str(source), "--raw-dir", str(raw), *args],
        capture_output=True, text=True, cwd=PROJECT_ROOT,
    )


def test_add_places_an_attachment_under_its_canonical_name(tmp_path):
    attachment = tmp_path / "Bao cao 6 thang (ban sua).CSV"
    attachment.write_bytes((CORPUS / "dossier_results/01_2021.csv").read_bytes())
    raw = tmp_path / "raw"
    done = tthc_add(raw, attachment, "--dataset", "dossier_results", "--province", "22", "--period", "2021-H1")
    assert done.returncode == 0, done.stderr
    assert (raw / "dossier_results/22_2021-H1.csv").read_bytes() == attachment.read_bytes()

    again = tthc_add(raw, attachment, "--dataset", "dossier_results", "--province", "22", "--period", "2021-H1")
    assert again.returncode == 1
    assert "--revision 1" in again.stderr

    revised = tthc_add(raw, attachment, "--dataset", "dossier_results", "--province", "22", "--period", "2021-H1", "--revision", "1")
    assert revised.returncode == 0, revised.stderr
    assert (raw / "dossier_results/22_2021-H1_r1.csv").exists()


def test_add_refuses_what_a_run_would_refuse(tmp_path):
    raw = tmp_path / "raw"
    good = CORPUS / "dossier_results/01_2021.csv"
    gone = tthc_add(raw, good, "--dataset", "dossier_results", "--province", "26", "--period", "2026")
    assert gone.returncode == 1 and "did not exist" in gone.stderr
    unknown = tthc_add(raw, good, "--dataset", "budgets", "--province", "22", "--period", "2021")
    assert unknown.returncode == 1 and "unknown dataset" in unknown.stderr
    ambiguous = tthc_add(raw, CORPUS / "dossier_results/34_2021.csv", "--dataset", "dossier_results", "--province", "22", "--period", "2021")
    assert ambiguous.returncode == 1 and "Quá hạn" in ambiguous.stderr
    assert not raw.exists() or not any(raw.rglob("*.csv"))
