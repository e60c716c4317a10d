"""The alerts' Apprise URLs as a Prefect notification block, and the automation that uses it.

The Prefect server itself sends through the block when a tthc flow run fails or crashes, so a
crashed worker is reported even when our code never ran. The server imports this module at
start-up (entry point `prefect.collections` in pyproject.toml) to know the block's type.
"""

from __future__ import annotations

from uuid import UUID

from prefect.blocks.notifications import AppriseNotificationBlock

BLOCK_NAME = "tthc-alerts"
AUTOMATION_NAME = "tthc: a run failed or crashed"
FLOWS = ("tthc-run", "tthc-remind", "tthc-capture766")


class TthcAlerts(AppriseNotificationBlock):
    """Apprise URLs (TTHC_NOTIFY: e-mail, webhooks, chat), several separated by spaces."""

    _block_type_name = "TTHC Alerts"
    _block_type_slug = "tthc-alerts"


def create_failure_automation(urls: list[str]) -> UUID:
    """Save the block with these URLs and (re)create the automation that notifies through it on
    any tthc flow run that fails or crashes."""
    from prefect.automations import Automation
    from prefect.events.actions import SendNotification
    from prefect.events.schemas.automations import EventTrigger, Posture

    TthcAlerts.register_type_and_schema()
    block_id = TthcAlerts(url=" ".join(urls)).save(BLOCK_NAME, overwrite=True)
    try:
        Automation.read(name=AUTOMATION_NAME).delete()
    except ValueError:  # none yet
        pass
    automation = Automation(
        name=AUTOMATION_NAME,
        description="Tells TTHC_NOTIFY when a tthc flow run fails or crashes, wherever it ran.",
        trigger=EventTrigger(
            expect={"prefect.flow-run.Failed", "prefect.flow-run.Crashed"},
            match_related={"prefect.resource.role": "flow", "prefect.resource.name": list(FLOWS)},
            posture=Posture.Reactive,
            threshold=1,
        ),
        actions=[SendNotification(
            block_document_id=block_id,
            subject="TTHC: lần chạy {{ flow_run.name }} thất bại / run failed",
            body=(
                "Lần chạy {{ flow.name }}/{{ flow_run.name }}: {{ flow_run.state.name }}.\n"
                "{{ flow_run.state.message }}\n"
                "Run {{ flow.name }}/{{ flow_run.name }} ended {{ flow_run.state.name }}; see the Prefect UI."
            ),
        )],
    ).create()
    return automation.id
