# SPDX-License-Identifier: MIT
"""Batch runs of the workbench: each in its own thread, so the pages stay responsive while it runs.

A job keeps the uploaded table and mapping in a temporary folder of its own, counts the rows as it
goes (the page shows the count), and keeps the output records; the XLSX or CSV is written on
download by the batch's own TableWriter. Only the latest few jobs are kept.
"""
from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from engine.base.diagnostics import YokoError
from engine.evaluation.batch import identity_mapping, load_mapping, run_batch, output_columns
from engine.evaluation.tables import read_rows, TableWriter, format_of
from engine.web.service import too_many_rows
from engine.present.xlsx import ResultsSheet

KEEP = 8


@dataclass
class Job:
    id: str
    policy: object
    folder: str
    table: str
    mapping: str | None
    status: str = "running"  # running | done | failed
    rows: int = 0
    records: list = field(default_factory=list)
    summary: object = None
    diagnostics: list = field(default_factory=list)
    bug: str | None = None  # an unexpected exception, shown as such (a defect of yoko, not of the table)
    sources: dict = field(default_factory=dict)  # file name shown -> text, for located errors

    def output(self, kind: str, lang: str = "ja") -> str:
        """The results as a .xlsx (engine.present.xlsx) or .csv file in the job's folder (once per language)."""
        from functools import partial

        path = os.path.join(self.folder, f"results-{lang}.{kind}")
        if not os.path.exists(path):
            w = TableWriter(path, output_columns(self.policy),
                            xlsx_sheet=partial(ResultsSheet, policy=self.policy, lang=lang))
            for rec in self.records:
                w.write(rec)
            w.close()
        return path


class Jobs:
    """The running and finished batch jobs of one server."""

    def __init__(self, max_rows: int):
        self.max_rows = max_rows
        self.jobs: OrderedDict[str, Job] = OrderedDict()
        self.lock = threading.Lock()

    def start(self, policy, table_name: str, table: bytes, mapping: tuple[str, bytes] | str | None) -> Job:
        """Save the upload in a folder of its own and run it in a thread; the Job at once."""
        format_of(table_name)  # batch_format before anything is written
        folder = tempfile.mkdtemp(prefix="yoko-batch-")
        table_path = os.path.join(folder, "table" + os.path.splitext(table_name)[1].lower())
        with open(table_path, "wb") as f:
            f.write(table)
        map_path = None
        if isinstance(mapping, tuple):
            map_path = os.path.join(folder, _safe_name(mapping[0]))
            with open(map_path, "wb") as f:
                f.write(mapping[1])
        elif mapping:
            map_path = mapping
        job = Job(secrets.token_urlsafe(12), policy, folder, table_path, map_path)
        with self.lock:
            self.jobs[job.id] = job
            while len(self.jobs) > KEEP:
                _, old = self.jobs.popitem(last=False)
                shutil.rmtree(old.folder, ignore_errors=True)
        threading.Thread(target=self._run, args=(job,), daemon=True, name=f"yoko-batch-{job.id}").start()
        return job

    def get(self, job_id: str) -> Job | None:
        with self.lock:
            return self.jobs.get(job_id)

    def _run(self, job: Job) -> None:
        try:
            run_job(job, self.max_rows)
            job.status = "done"
        except YokoError as e:
            job.diagnostics, job.status = e.diagnostics, "failed"
        except Exception as e:  # noqa: BLE001 - a bug becomes a message on the page, not a dead thread
            job.bug, job.status = f"{type(e).__name__}: {e}", "failed"

    def close(self) -> None:
        with self.lock:
            for job in self.jobs.values():
                shutil.rmtree(job.folder, ignore_errors=True)
            self.jobs.clear()


def run_job(job: Job, max_rows: int) -> None:
    """Read the table (the CLI's reader), map it, evaluate every row; records and summary on the job."""
    policy = job.policy
    mapping = load_mapping(job.mapping, policy) if job.mapping else None
    header, rows = read_rows(job.table)
    if mapping is None:
        mapping = identity_mapping(policy, header, job.table)

    def counted():
        for n, item in enumerate(rows, 1):
            if n > max_rows:
                raise too_many_rows(max_rows, os.path.basename(job.table))
            yield item

    def progress(n: int) -> None:
        job.rows = n

    focus = [r for r in ("eligible", "excluded", "any_ground", "basis") if r in policy.rules]
    job.summary = run_batch(policy, mapping, counted(), job.records.append, focus=focus, progress=progress)


def _safe_name(name: str) -> str:
    base = os.path.basename(name or "mapping.yaml")
    return "mapping-" + "".join(c if c.isalnum() or c in "._-" else "_" for c in base)[-60:]
