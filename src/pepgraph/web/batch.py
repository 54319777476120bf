"""Batch screening from the pages: upload a CSV or XLSX, watch a progress bar, download a CSV.

The upload is screened in a thread of the server by ``pepgraph.screen.batch.run_batch`` (the
same code as ``pepgraph screen --batch``), one file at a time per server process, against the
index of the generation current when the job started (held for the job's length). Jobs live in
the process's memory and a temporary folder: a restarted server forgets them. Only the key that
started a job (or an admin) can see it and download its results. The folders hold customers'
names, so a job's is removed once it is an hour old (at the next batch request), and every
job's when the server stops (``discard_all``, run at shutdown).
"""

from __future__ import annotations

import csv
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response

from pepgraph.api.app import ApiError, audit, require
from pepgraph.web.pages import page, wants_json

router = APIRouter(include_in_schema=False)
KEEP_SECONDS = 3600
_RUN_LOCK = threading.Lock()  # run_batch keeps one screener per process when run in-process


@dataclass
class Job:
    id: str
    key: str
    filename: str
    folder: Path
    total: int | None = None
    done: int = 0
    status: str = "queued"
    error: str | None = None
    rows: int = 0
    matched: int = 0
    seconds: float = 0.0
    started: float = field(default_factory=time.time)

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "filename": self.filename, "status": self.status, "total": self.total,
                "done": self.done, "rows": self.rows, "matched": self.matched, "error": self.error,
                "seconds": self.seconds, "results": f"/ui/screen/batch/{self.id}/results.csv" if self.status == "done" else None}


def discard_all(app: Any) -> None:
    """Remove every job's folder (the upload and its results): run when the server stops."""
    for job in list(getattr(app.state, "web_batch_jobs", {}).values()):
        shutil.rmtree(job.folder, ignore_errors=True)


def _jobs(request: Request) -> dict[str, Job]:
    state = request.app.state
    if not hasattr(state, "web_batch_jobs"):
        state.web_batch_jobs = {}
    jobs: dict[str, Job] = state.web_batch_jobs
    now = time.time()
    for old in [j for j in jobs.values() if now - j.started > KEEP_SECONDS and j.status in ("done", "failed")]:
        shutil.rmtree(old.folder, ignore_errors=True)
        jobs.pop(old.id, None)
    return jobs


def _job(request: Request, job_id: str) -> Job:
    key = require(request, "analyst")
    job = _jobs(request).get(job_id)
    if job is None or (job.key != key.name and not key.allows("admin")):
        raise ApiError(404, f"no batch {job_id!r} (batches are kept for an hour, by the server that ran them)")
    return job


def _run(serving: Any, job: Job, inp: Path, out: Path) -> None:
    from pepgraph.screen.batch import count_rows, detect_format, run_batch

    try:
        fmt = detect_format(inp)
        job.total = count_rows(inp, fmt)
        job.status = "running"

        def progress(done: int, _total: int | None) -> None:
            job.done = done

        with _RUN_LOCK, serving.use() as gen:
            index = gen.path / "index.screen"
            if not index.is_file():
                raise ApiError(503, "the published build has no screening index; run `pepgraph build`")
            result = run_batch(index, inp, out, fmt=fmt, workers=1, chunk=20, resume=False, progress=progress)
        job.rows, job.matched, job.seconds, job.done = result.rows, result.matched, result.seconds, result.queries
        job.total = job.total if job.total is not None else result.queries
        job.status = "done"
    except Exception as exc:  # noqa: BLE001 - the page shows the reason
        job.status = "failed"
        job.error = getattr(exc, "detail", None) or str(exc)


@router.get("/ui/screen/batch")
@router.get("/ui/screen/batch.json")
@page("batch.html")
def batch_form(request: Request) -> dict[str, Any]:
    key = require(request, "analyst")
    audit(request, query={})
    mine = [j.public() for j in _jobs(request).values() if j.key == key.name]
    return {"jobs": mine, "job": None}


@router.post("/ui/screen/batch")
def batch_upload(request: Request, file: UploadFile = File(...)) -> Response:
    key = require(request, "analyst")
    name = Path(file.filename or "upload.csv").name
    if not name.lower().endswith((".csv", ".xlsx")):
        raise ApiError(400, f"{name}: upload a .csv or .xlsx file")
    job = Job(id=secrets.token_urlsafe(9), key=key.name, filename=name,
              folder=Path(tempfile.mkdtemp(prefix="pepgraph-batch-")))
    inp = job.folder / ("input.xlsx" if name.lower().endswith(".xlsx") else "input.csv")
    with open(inp, "wb") as fh:
        shutil.copyfileobj(file.file, fh)
    audit(request, query={"batch": name, "bytes": inp.stat().st_size, "job": job.id})
    _jobs(request)[job.id] = job
    threading.Thread(target=_run, args=(request.app.state.serving, job, inp, job.folder / "results.csv"),
                     name=f"batch-{job.id}", daemon=True).start()
    if wants_json(request):
        return Response(status_code=202, headers={"Location": f"/ui/screen/batch/{job.id}.json"},
                        content=f'{{"id": "{job.id}", "status": "queued", "progress": "/ui/screen/batch/{job.id}.json"}}',
                        media_type="application/json")
    return RedirectResponse(f"/ui/screen/batch/{job.id}", status_code=303)


@router.get("/ui/screen/batch/{job_id}")
@page("batch.html")
def batch_status(request: Request, job_id: str) -> dict[str, Any]:
    job_id = job_id[:-5] if job_id.endswith(".json") else job_id
    job = _job(request, job_id)
    audit(request, query={"job": job.id})
    return {"jobs": [], "job": job.public()}


@router.get("/ui/screen/batch/{job_id}/results.csv")
def batch_results(request: Request, job_id: str) -> Response:
    job = _job(request, job_id)
    if job.status != "done":
        raise ApiError(409, f"batch {job_id!r} is {job.status}")
    out = job.folder / "results.csv"
    with open(out, newline="", encoding="utf-8") as fh:
        ids = sorted({str(row["candidate_id"]) for row in csv.DictReader(fh) if row.get("candidate_id")})
    audit(request, query={"job": job.id, "download": True}, returned=ids)
    stem = Path(job.filename).stem
    return FileResponse(out, media_type="text/csv", filename=f"{stem}-screened.csv")
