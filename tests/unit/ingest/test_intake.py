"""`tthc intake`: reports as provinces send them, filed from what they say or held with the
reason (the corpus tests/intake_corpus/ and its manifest)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from tthc.cli.main import main
from tthc.contract.datasets import load_contract
from tthc.ingest.intake import intake_file, load_contacts

CORPUS = Path(__file__).resolve().parents[2] / "intake_corpus"
MANIFEST = yaml.safe_load((CORPUS / "manifest.yml").read_text(encoding="utf-8"))["files"]
CONTACTS = "province_code,email\n22,kstt@quangninh.gov.vn\n01,KSTT@hanoi.gov.vn\n"


@pytest.fixture
def contacts(tmp_path: Path) -> dict[str, frozenset[str]]:
    path = tmp_path / "contacts.csv"
    path.write_text(CONTACTS, encoding="utf-8")
    return load_contacts(path)


def test_the_manifest_covers_every_file_of_the_corpus():
    files = {p.name for p in CORPUS.iterdir() if p.name != "manifest.yml"}
    assert files - {"BC KSTT Q3.2021 - So Tu phap (sua).csv"} == {entry["file"] for entry in MANIFEST}


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_each_file_gives_what_its_manifest_says(entry: dict, tmp_path: Path, contacts):
    raw = tmp_path / "raw"
    raw.mkdir()
    outcome = intake_file(CORPUS / entry["file"], raw, load_contract(), entry.get("sender"), contacts)

    assert outcome.status == entry["status"], outcome.reason
    if entry["status"] == "filed":
        assert outcome.path == entry["path"]
        assert (raw / entry["path"]).read_bytes() == (CORPUS / entry["file"]).read_bytes()
        dataset, name = entry["path"].split("/")
        province, period = name.rsplit(".", 1)[0].split("_", 1)
        assert (outcome.recognised.dataset, outcome.recognised.province, outcome.recognised.period) == (dataset, province, period)
        read_at = {c.what: c.where for c in outcome.recognised.clues}
        assert read_at == entry["clues"]
    else:
        assert entry["reason"] in outcome.reason
        assert outcome.reason_vi and outcome.reason_vi != outcome.reason  # said in Vietnamese too
        assert not any(raw.rglob("*.*"))  # a held file is written nowhere under raw/


def test_the_same_report_again_is_a_duplicate_and_a_corrected_one_the_next_revision(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    original = CORPUS / "BC KSTT Q3.2021 - So Tu phap.csv"
    forwarded = tmp_path / "Fwd BC KSTT.csv"
    shutil.copyfile(original, forwarded)
    contract = load_contract()

    first = intake_file(original, raw, contract)
    again = intake_file(forwarded, raw, contract)
    corrected = intake_file(CORPUS / "BC KSTT Q3.2021 - So Tu phap (sua).csv", raw, contract)

    assert (first.status, first.path, first.revision) == ("filed", "dossier_results/22_2021-Q3.csv", 0)
    assert (again.status, again.path) == ("duplicate", "dossier_results/22_2021-Q3.csv")
    assert (corrected.status, corrected.path, corrected.revision) == ("filed", "dossier_results/22_2021-Q3_r1.csv", 1)
    assert (raw / first.path).read_bytes() == original.read_bytes()  # never written over
    assert sorted(p.name for p in (raw / "dossier_results").iterdir()) == ["22_2021-Q3.csv", "22_2021-Q3_r1.csv"]


def test_the_command_prints_a_line_or_an_object_per_file_and_exits_3_when_one_is_held(tmp_path: Path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    (tmp_path / "contacts.csv").write_text(CONTACTS, encoding="utf-8")
    filed, held = CORPUS / "PAKN thang 8.xlsx", CORPUS / "bao cao quy.csv"

    assert main(["intake", str(filed), "--raw-dir", str(raw)]) == 0
    assert capsys.readouterr().out.strip() == "đã lưu / filed: PAKN thang 8.xlsx → feedback/22_2021-08.xlsx"

    assert main(["intake", str(filed), str(held), "--raw-dir", str(raw), "--format", "json"]) == 3
    objects = json.loads(capsys.readouterr().out)
    assert [(o["file"], o["status"], o["path"]) for o in objects] == [
        ("PAKN thang 8.xlsx", "duplicate", "feedback/22_2021-08.xlsx"), ("bao cao quy.csv", "held", None)]
    assert objects[1]["province"] == "22" and objects[1]["period"] is None and "no year" in objects[1]["reason"]
    assert {"what": "province", "value": "22", "where": "line 1", "text": "UBND TỈNH QUẢNG NINH"} in objects[1]["clues"]


def test_the_sender_found_in_the_default_contacts_beside_the_raw_directory(tmp_path: Path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    (tmp_path / "contacts.csv").write_text(CONTACTS, encoding="utf-8")

    code = main(["intake", str(CORPUS / "bc kiem soat.csv"), "--raw-dir", str(raw), "--sender", "KSTT@QuangNinh.gov.vn"])

    assert code == 0 and (raw / "procedure_control" / "22_2021-Q3.csv").exists()


SHIPPED_CAPTURES = sorted((Path(__file__).resolve().parents[3] / "raw" / "index766").glob("*.json"))


def test_portal_captures_under_any_name_are_filed_under_the_names_a_capture_gives_them(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    contract = load_contract()
    sent = []
    for shipped in SHIPPED_CAPTURES:  # 25_2026_transparency_2026-09-26.json → "transparency Phu Tho nam 2026 (2026-09-26).json"
        scope, period, group, day = shipped.stem.split("_")
        attachment = tmp_path / f"{group} {'ca nuoc' if scope == '00' else 'Phu Tho'} nam {period} ({day}).json"
        shutil.copyfile(shipped, attachment)
        sent.append(attachment)

    outcomes = [intake_file(a, raw, contract) for a in sent]
    again = [intake_file(a, raw, contract) for a in sent]

    assert len(SHIPPED_CAPTURES) == 7
    assert [(o.status, o.path) for o in outcomes] == [("filed", f"index766/{s.name}") for s in SHIPPED_CAPTURES]
    assert all((raw / o.path).read_bytes() == s.read_bytes() for o, s in zip(outcomes, SHIPPED_CAPTURES, strict=True))
    assert {o.status for o in again} == {"duplicate"}
    where = {c.what: c.where for c in outcomes[1].recognised.clues}  # dossier-digitized, Phú Thọ's tree
    assert where == {"dataset": "data", "captured": "the file's name", "period": "the file's name", "province": "data.overview"}


def test_a_capture_whose_name_says_neither_period_nor_day_is_held(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    attachment = tmp_path / "year-all.json"
    shutil.copyfile(next(p for p in SHIPPED_CAPTURES if "dvc-progress-tree" in p.name), attachment)

    outcome = intake_file(attachment, raw, load_contract())

    assert outcome.status == "held" and not any(raw.rglob("*.*"))
    assert (outcome.recognised.snapshot_group, outcome.recognised.province) == ("dvc-progress-tree", "25")
    assert "capture date: the file's name gives no date" in outcome.reason and "period:" in outcome.reason


def test_a_damaged_workbook_is_held_and_the_next_file_is_still_filed(tmp_path: Path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    damaged = tmp_path / "bao cao.xlsx"
    damaged.write_bytes(b"PK\x03\x04 not really a workbook")

    code = main(["intake", str(damaged), str(CORPUS / "PAKN thang 8.xlsx"), "--raw-dir", str(raw)])

    lines = capsys.readouterr().out.splitlines()
    assert code == 3
    assert lines[0].startswith("giữ lại / held: bao cao.xlsx: ") and "xlsx" in lines[0]
    assert lines[1] == "đã lưu / filed: PAKN thang 8.xlsx → feedback/22_2021-08.xlsx"


def test_a_missing_file_is_named_before_anything_is_filed(tmp_path: Path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()

    code = main(["intake", str(CORPUS / "PAKN thang 8.xlsx"), str(tmp_path / "absent.csv"), "--raw-dir", str(raw)])

    assert code == 1 and "absent.csv" in capsys.readouterr().err
    assert not any(raw.rglob("*.*"))


def test_a_file_over_the_contracts_size_is_held_unread(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    large = tmp_path / "bao cao lon.csv"
    with large.open("wb") as f:
        f.truncate(51 * 1024 * 1024)  # sparse: no 51 MB written

    outcome = intake_file(large, raw, load_contract())

    assert outcome.status == "held" and "51.0 MB, over the contract's 50.0 MB for a form file" in outcome.reason
    assert not any(raw.rglob("*.*"))
