"""The customer complaint on SpiffWorkflow 3.2, persisted after every step: the peer that
bench/engine.py measures the OA-Flow engine beside.

    python bench/spiff_complaint.py [--instances 2000] [--in-memory]

bench/complaint.bpmn is src/oaflow/processes/customer-complaint.yaml as BPMN: four user
tasks (triage, handle, review, reply), a triage not accepted ends the case, a review not
approved goes back to handle. Each of N instances is started (untimed), then run to the end
one step at a time; after EVERY step the workflow is serialised to JSON by Spiff's own
serializer and written to a SQLite file with the engine's settings (WAL,
synchronous=NORMAL, wal_autocheckpoint=10000), one transaction per step (BEGIN IMMEDIATE,
UPDATE the instance's row, COMMIT). The step's form data are the engine's (bench/engine.py
STEPS): the decision and the outputs.

Before each step the workflow is read back from its row and deserialised, as a server that
keeps no state between requests does — and as the engine does: every completion reads the
task and instance from the database. (This is how the issue's earlier figures, Spiff 713/s
and the engine 3.1 × that, were read.) ``--in-memory`` keeps the workflows in memory between
steps instead (serialise and write, never read back): the cheapest way to persist every
step, the most favourable reading for the peer; bench/run.py shows it too, as a standing
reference without a target.

Run alone, it measures the OA-Flow engine on the same number of instances in the same run,
in alternating chunks (one process step of every instance at a time), and prints both rates
and their ratio. bench/run.py's part ``engine_sqlite`` (engine.measure) does the same
alongside the replay of the engine's own statements.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.parser import BpmnParser  # type: ignore[import-untyped]
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer  # type: ignore[import-untyped]
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # type: ignore[import-untyped]
from SpiffWorkflow.util.task import TaskState  # type: ignore[import-untyped]

sys.path.insert(0, str(Path(__file__).parent))

BPMN = Path(__file__).with_name("complaint.bpmn")
PROCESS = "customer_complaint"
#: the engine's SQLite settings (storage/database.py SQLITE_PRAGMAS, as bench/engine.py)
SETTINGS = (
    "journal_mode=WAL",
    "synchronous=NORMAL",
    "busy_timeout=10000",
    "wal_autocheckpoint=10000",
)


def step_data() -> list[tuple[str, dict[str, Any]]]:
    """Per process step, in order: the user task's name and the data its completion sets —
    the engine's commands of bench/engine.py STEPS (approve = the decision, and outputs)."""
    from engine import STEPS  # here: engine.py imports this module too

    return [
        (node, {"decision": command.action.value, **(command.outputs or {})})
        for node, _, command in STEPS
    ]


class Spiff:
    """``instances`` complaint workflows of SpiffWorkflow, each stored in a row of a SQLite
    file and written back after every step."""

    def __init__(self, path: Path, instances: int, reload: bool = True) -> None:
        from engine import FORM

        parser = BpmnParser()
        parser.add_bpmn_file(str(BPMN))
        self.spec = parser.get_spec(PROCESS)
        self.serializer = BpmnWorkflowSerializer()
        self.reload = reload
        self.steps = step_data()
        self.conn = sqlite3.connect(path, isolation_level=None)
        for pragma in SETTINGS:
            self.conn.execute(f"PRAGMA {pragma}")
        self.conn.execute(
            "CREATE TABLE workflows (id INTEGER PRIMARY KEY, step INTEGER NOT NULL,"
            " state TEXT NOT NULL)"
        )
        self.workflows: dict[int, BpmnWorkflow] = {}
        self.conn.execute("BEGIN IMMEDIATE")  # the start is not timed: one transaction
        for number in range(1, instances + 1):
            workflow = BpmnWorkflow(self.spec)
            workflow.data.update(FORM)
            workflow.do_engine_steps()
            self.conn.execute(
                "INSERT INTO workflows (id, step, state) VALUES (?, 0, ?)",
                (number, self.serializer.serialize_json(workflow)),
            )
            self.workflows[number] = workflow
        self.conn.execute("COMMIT")

    def run_step(self, index: int) -> tuple[int, float]:
        """Complete step ``index`` (0 triage … 3 reply) of every instance, each persisted in
        its own transaction: how many steps and the seconds they took."""
        node, data = self.steps[index]
        conn, serializer = self.conn, self.serializer
        begin = time.perf_counter()
        for number in self.workflows:
            if self.reload:
                (state,) = conn.execute(
                    "SELECT state FROM workflows WHERE id = ?", (number,)
                ).fetchone()
                self.workflows[number] = serializer.deserialize_json(state)
            workflow = self.workflows[number]
            ready = workflow.get_tasks(state=TaskState.READY, manual=True)
            task = next(t for t in ready if t.task_spec.name == node)
            task.data.update(data)
            task.run()
            workflow.do_engine_steps()
            state = serializer.serialize_json(workflow)
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "UPDATE workflows SET step = ?, state = ? WHERE id = ?", (index + 1, state, number)
            )
            conn.execute("COMMIT")
        return len(self.workflows), time.perf_counter() - begin

    def all_completed(self) -> bool:
        if self.reload:
            rows = self.conn.execute("SELECT state FROM workflows").fetchall()
            return all(self.serializer.deserialize_json(s).is_completed() for (s,) in rows)
        return all(w.is_completed() for w in self.workflows.values())

    def close(self) -> None:
        self.conn.close()


def main(argv: list[str] | None = None) -> int:
    import tempfile

    import engine

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--instances", type=int, default=2000)
    parser.add_argument(
        "--in-memory", action="store_true", help="keep the workflows in memory between steps"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        app = engine.make_app(folder / "engine.db")
        engine.start_instances(app, args.instances)
        spiff = Spiff(folder / "spiff.db", args.instances, reload=not args.in_memory)
        engine_time = spiff_time = 0.0
        done = spiff_done = 0
        for index, (ids, command) in enumerate(engine.steps(app)):
            who = engine.authz.principal(app, command.actor)
            begin = time.perf_counter()
            for task_id in ids:
                engine.runtime.act(app, who, task_id, command)
            engine_time += time.perf_counter() - begin
            done += len(ids)
            count, seconds = spiff.run_step(index)
            spiff_done += count
            spiff_time += seconds
        assert spiff.all_completed()
        spiff.close()
        app.db.dispose()
    rate, peer = done / engine_time, spiff_done / spiff_time
    print(f"instances:                     {args.instances} (4 user tasks each)")
    print(f"engine completions/s:          {rate:,.0f}")
    kept = "  (kept in memory between steps)" if args.in_memory else ""
    print(f"SpiffWorkflow persisted/s:     {peer:,.0f}{kept}")
    print(f"ratio engine / SpiffWorkflow:  {rate / peer:.2f}  (target 5 or better)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
