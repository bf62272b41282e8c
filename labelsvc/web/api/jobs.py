"""``/jobs``: print job status, retry, cancel, confirm."""

from __future__ import annotations

from typing import Any

from labelsvc.services.print_queue import (
    cancel_job,
    confirm_job,
    get_job,
    list_jobs,
    print_missing,
    retry_job,
)
from labelsvc.store.jobs import STATES, Job
from labelsvc.web.api.registry import Call, Reply, json_ok, route
from labelsvc.web.api.schemas import (
    BOOLEAN,
    INTEGER,
    LIST_QUERY,
    OPT_STRING,
    OPT_TIME,
    STRING,
    TIME,
    body,
    obj,
    page,
    page_schema,
)

JOB_ID = {"type": "integer", "minimum": 1, "maximum": 2**53}
JOB = obj({
    "id": INTEGER, "printer": STRING, "template": STRING, "state": {"enum": list(STATES)},
    "labels": INTEGER, "reprint": BOOLEAN, "reason": OPT_STRING, "attempts": INTEGER,
    "last_error": OPT_STRING, "next_attempt_at": OPT_TIME, "requested_by": STRING,
    "station": OPT_STRING, "batch": OPT_STRING, "created_at": TIME, "updated_at": TIME,
    "sent_at": OPT_TIME,
    "printed_labels": {"type": ["integer", "null"], "description": "Labels, from the first, "
                       "that the printer confirmed (its label counter); null: not known"},
    "resent_as": {"type": ["integer", "null"], "description": "The job printing the "
                  "missing labels of a partly or not printed job"},
})  # fmt: skip
JOB_QUERY = {
    "after": {"type": "string", "pattern": "^[0-9]{1,15}$",
              "description": "Cursor: the `next` value of the previous page"},
    "limit": LIST_QUERY["limit"],
    "state": {"enum": list(STATES)},
    "printer": {"type": "string", "minLength": 1, "maxLength": 64},
}  # fmt: skip
CONFIRM_BODY = body({"printed": BOOLEAN}, required=("printed",))
PARAMS = {"job_id": JOB_ID}


def job_json(job: Job) -> dict[str, Any]:
    """A job without its payload."""
    return {
        "id": job.id, "printer": job.printer, "template": job.template, "state": job.state,
        "labels": job.label_count, "reprint": job.reprint, "reason": job.reason,
        "attempts": job.attempts, "last_error": job.last_error,
        "next_attempt_at": job.next_attempt_at, "requested_by": job.requested_by,
        "station": job.station, "batch": job.batch, "created_at": job.created_at,
        "updated_at": job.updated_at, "sent_at": job.sent_at,
        "printed_labels": job.printed_labels, "resent_as": job.resent_as,
    }  # fmt: skip


@route("GET", "/jobs", summary="Print jobs in id order", tag="jobs", query=JOB_QUERY,
       responses=json_ok(page_schema(JOB)), permission="jobs")  # fmt: skip
def jobs_list(call: Call) -> Reply:
    """One page of jobs, filtered by state and printer."""
    q = call.query
    return Reply(page(
        lambda n: list_jobs(call.app, call.actor, state=q.get("state"), printer=q.get("printer"),
                            after_id=int(q.get("after", "0")), limit=n),
        q.get("limit"), lambda j: str(j.id), job_json,
    ))  # fmt: skip


@route("GET", "/jobs/{job_id}", summary="One print job and its state", tag="jobs",
       params=PARAMS, responses=json_ok(JOB), permission="jobs")  # fmt: skip
def jobs_get(call: Call, job_id: int) -> Reply:
    """Poll this until the job is ``printed`` (or ``sent``; else it needs a person)."""
    return Reply(job_json(get_job(call.app, call.actor, job_id)))


@route("POST", "/jobs/{job_id}/retry", summary="Send a failed or held job again now",
       tag="jobs", params=PARAMS, errors=(409,), responses=json_ok(JOB),
       permission="jobs")  # fmt: skip
def jobs_retry(call: Call, job_id: int) -> Reply:
    """Queue the job again without waiting for its backoff."""
    return Reply(job_json(retry_job(call.app, call.actor, job_id)))


@route("POST", "/jobs/{job_id}/cancel", summary="Cancel a job that has not been sent",
       tag="jobs", params=PARAMS, errors=(409,), responses=json_ok(JOB),
       permission="jobs")  # fmt: skip
def jobs_cancel(call: Call, job_id: int) -> Reply:
    """Stop a waiting job."""
    return Reply(job_json(cancel_job(call.app, call.actor, job_id)))


@route("POST", "/jobs/{job_id}/confirm", summary="Settle a job that may have printed",
       tag="jobs", params=PARAMS, body=CONFIRM_BODY, errors=(409,), responses=json_ok(JOB),
       permission="confirm-job",
       description="`printed: true` marks it sent; `false` queues it once more.")  # fmt: skip
def jobs_confirm(call: Call, job_id: int) -> Reply:
    """Say whether a job in ``needs-confirmation`` printed."""
    return Reply(job_json(confirm_job(call.app, call.actor, job_id, printed=call.body["printed"])))


@route("POST", "/jobs/{job_id}/print-missing",
       summary="Print the labels a partly or not printed job is missing", tag="jobs",
       params=PARAMS, errors=(409,), responses=json_ok(JOB), permission="confirm-job",
       description="A person's say: queues one new job with exactly the labels the printer "
       "counted as not printed (once per job); answers the new job.")  # fmt: skip
def jobs_print_missing(call: Call, job_id: int) -> Reply:
    """Queue the missing labels of a ``partly-printed`` or ``not-printed`` job."""
    return Reply(job_json(print_missing(call.app, call.actor, job_id)))
