"""A deployment registered by `tthc deploy --pool` runs on a real Prefect worker (`prefect worker
start --pool … --run-once`) against a real Prefect server, and publishes the warehouse."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from tests.conftest import SMALL_FEEDBACK

POOL = "tthc-test-pool"


def test_a_deployment_runs_on_a_process_worker(prefect_server, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.settings import get_current_settings
    from prefect.utilities.asyncutils import run_coro_as_sync

    from tthc.schedule import deploy_to_pool
    from tthc.settings import load_settings

    raw = tmp_path / "raw"
    (raw / "feedback").mkdir(parents=True)
    shutil.copyfile(SMALL_FEEDBACK, raw / "feedback" / "22_2021.csv")
    settings = load_settings(raw_dir=raw, warehouse=tmp_path / "wh" / "tthc.duckdb", target="duckdb")
    ids = deploy_to_pool(settings, POOL)
    assert len(ids) == 4  # nightly, after-cutoff, remind, capture766

    async def start_run():
        async with get_client() as client:
            pool = await client.read_work_pool(POOL)
            deployment = await client.read_deployment_by_name("tthc-run/nightly")
            run = await client.create_flow_run_from_deployment(deployment.id)
            return pool.type, deployment.work_pool_name, run.id

    pool_type, deployment_pool, run_id = run_coro_as_sync(start_run())
    assert (pool_type, deployment_pool) == ("process", POOL)

    api_url = get_current_settings().api.url
    env = {**os.environ, "PREFECT_API_URL": str(api_url)}
    worker = subprocess.run(
        [str(Path(sys.executable).with_name("prefect")), "worker", "start", "--pool", POOL, "--run-once"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )

    async def final_state():
        async with get_client() as client:
            for _ in range(120):
                run = await client.read_flow_run(run_id)
                if run.state and run.state.is_final():
                    return run.state
                time.sleep(1)
            return run.state

    state = run_coro_as_sync(final_state())
    assert state is not None and state.is_completed(), (state, worker.stdout[-3000:], worker.stderr[-3000:])
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        assert con.execute("select count(*) from marts.feedback where province_code = '22'").fetchone()[0] > 0
    finally:
        con.close()
