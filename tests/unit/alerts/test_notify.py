"""Alerts and the digest name provinces as people read them, and never carry a secret."""

from __future__ import annotations

from datetime import date

from tthc.alerts.notify import digest_message, redacted, scrubbed


def test_the_digest_names_provinces_by_name_and_code():
    rows = [
        {"dataset": "dossier_results", "period": "2026-Q3", "province_code": "01", "province_name": "Hà Nội",
         "due_date": date(2026, 9, 17), "timeliness": "overdue"},
        {"dataset": "dossier_results", "period": "2026-Q3", "province_code": "22", "province_name": None,
         "due_date": date(2026, 9, 17), "timeliness": "overdue"},
    ]
    message = digest_message(rows, "2026-09-20")
    assert "Hà Nội (01)" in message.body and "Quảng Ninh (22)" in message.body  # a name from the marts, or the seed's
    assert "01, " not in message.body


def test_an_alert_address_shows_as_its_scheme_and_host_only():
    assert redacted("smtp://kstt:Secret9@mail.vn") == "smtp://mail.vn"
    assert redacted("mailtos://user:pw@smtp.tinh.gov.vn:465/?to=a@b.vn") == "mailtos://smtp.tinh.gov.vn"
    assert redacted("json://127.0.0.1:8080/hook/AbCdEfGh12345678") == "json://127.0.0.1"
    assert redacted("not a url") == "(not a URL)"


def test_a_delivery_error_keeps_no_part_of_the_secret():
    url = "tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/987654321"
    said = scrubbed(f"Failed to send to {url}: 401 for token AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", [url])
    assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in said and "tgram://123456789" in said
