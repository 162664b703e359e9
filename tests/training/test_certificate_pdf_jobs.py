"""A certificate's PDF with a queue: a GET that misses the cache answers a page that polls
the job making it (one job per certificate, whoever asks and however often), the worker
renders, the page then offers the download; a cached PDF comes at once. Without a queue,
or with Redis down, the GET answers the PDF as before."""
import re

import sqlalchemy as sa

from helpers import htmx_get
from portal import jobs, pdf_cache
from portal.extensions import db
from portal.jobs import JobStatus
from portal.pdf import RenderFailed
from portal.training import certificate_pdfs
from portal.training.models import Certificate

VALID = "DEMO-CERT-0001"  # sales@gold.demo's, which admin@gold.demo (partner admin) also sees
POLL = re.compile(r'data-hx-get="(/training/certificates/\d+/pdf-jobs/\d+)" data-hx-trigger="every 1s"')


def certificate_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Certificate.id).where(Certificate.code == VALID))


def pdf_url(app) -> str:
    return f"/training/certificates/{certificate_id(app)}.pdf"


def render_jobs(app) -> list[jobs.Job]:
    with app.app_context():
        rows = db.session.scalars(sa.select(jobs.Job).where(jobs.Job.kind == certificate_pdfs.RENDER_JOB)).all()
        db.session.expunge_all()
        return rows


def is_pdf(response) -> bool:
    with response:
        return response.status_code == 200 and response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")


def test_with_a_queue_the_page_polls_the_worker_renders_and_the_download_follows(app, demo, login_as, queue, run_worker):
    client = login_as("sales@gold.demo")
    page = client.get(pdf_url(app))
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html" and "<html" in body
    assert "Preparing your certificate…" in body
    url = POLL.search(body).group(1)
    waiting = htmx_get(client, url).get_data(as_text=True)
    assert waiting.lstrip().startswith('<div id="certificate-pdf-outcome"') and POLL.search(waiting).group(1) == url
    run_worker()
    ready = htmx_get(client, url).get_data(as_text=True)
    assert "Your certificate is ready" in ready and not POLL.search(ready)  # polling stops
    assert f'href="{pdf_url(app)}"' in ready
    assert is_pdf(client.get(pdf_url(app)))  # now a cache hit: at once, no second job
    [job] = render_jobs(app)
    assert job.status is JobStatus.done


def test_every_get_before_the_worker_reuses_the_one_unfinished_job(app, demo, login_as, queue, run_worker):
    first = POLL.search(login_as("sales@gold.demo").get(pdf_url(app)).get_data(as_text=True)).group(1)
    again = POLL.search(login_as("sales@gold.demo").get(pdf_url(app)).get_data(as_text=True)).group(1)
    by_admin = POLL.search(login_as("admin@gold.demo").get(pdf_url(app)).get_data(as_text=True)).group(1)
    assert first == again == by_admin and len(render_jobs(app)) == 1


def test_only_the_certificates_viewers_see_its_job(app, demo, login_as, queue):
    url = POLL.search(login_as("sales@gold.demo").get(pdf_url(app)).get_data(as_text=True)).group(1)
    assert htmx_get(login_as("admin@gold.demo"), url).status_code == 200  # the holder's partner admin
    assert htmx_get(login_as("admin@silver.demo"), url).status_code == 404  # another partner
    other_certificate = url.replace(f"/certificates/{certificate_id(app)}/", "/certificates/999999/")
    assert htmx_get(login_as("sales@gold.demo"), other_certificate).status_code == 404
    with app.app_context():  # a job of another kind is not a certificate's job
        tick = jobs.enqueue("tick").id
        db.session.commit()
    assert htmx_get(login_as("sales@gold.demo"), re.sub(r"\d+$", str(tick), url)).status_code == 404


def test_a_render_that_fails_on_the_worker_shows_its_message(app, demo, login_as, queue, run_worker, monkeypatch):
    def fail(*args, **kwargs):
        raise RenderFailed("The PDF took too long to make.")

    monkeypatch.setattr(pdf_cache, "render_pdf", fail)
    client = login_as("sales@gold.demo")
    url = POLL.search(client.get(pdf_url(app)).get_data(as_text=True)).group(1)
    run_worker()
    failed = htmx_get(client, url).get_data(as_text=True)
    assert "could not be made: The PDF took too long to make." in failed and not POLL.search(failed)
    assert POLL.search(client.get(pdf_url(app)).get_data(as_text=True))  # asking again starts a new job
    assert [job.status for job in render_jobs(app)] == [JobStatus.failed, JobStatus.queued]


def test_without_a_queue_the_get_answers_the_pdf_as_before(app, demo, login_as):
    assert is_pdf(login_as("sales@gold.demo").get(pdf_url(app)))
    assert render_jobs(app) == []


def test_with_redis_down_the_pdf_is_made_in_the_request(app, demo, login_as, redis_down):
    assert is_pdf(login_as("sales@gold.demo").get(pdf_url(app)))
    assert [job.status for job in render_jobs(app)] == [JobStatus.done]
