"""`tthc docs serve` serves plain files under its folders, never through a link."""

from __future__ import annotations

from pathlib import Path

from tthc.report.serve import is_plain_file


def test_only_regular_files_under_the_folder_without_a_link_on_the_way(tmp_path):
    root = tmp_path / "report"
    (root / "provinces").mkdir(parents=True)
    (root / "index.html").write_text("ok")
    (root / "provinces" / "22.html").write_text("ok")
    (root / "passwd.html").symlink_to("/etc/passwd")
    (root / "linked").symlink_to(root / "provinces")
    assert is_plain_file(root / "index.html", root)
    assert is_plain_file(root / "provinces" / "22.html", root)
    assert not is_plain_file(root / "passwd.html", root)
    assert not is_plain_file(root / "linked" / "22.html", root)
    assert not is_plain_file(Path("/etc/passwd"), root)
