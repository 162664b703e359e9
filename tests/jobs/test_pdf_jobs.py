"""Create PDF with a queue: the answer is a progress block that polls the job; the worker
renders; the poll then answers the download. Without a queue, or with Redis down, the PDF
comes in the answer as before."""
import re
from datetime import timedelta

import rq
import sqlalchemy as sa

from job_support import all_jobs, job_row, queued_on_redis
from helpers import htmx_get, post
from portal import jobs
from portal import pdf as renderer
from portal.cobrand import collateral, pdfs
from portal.cobrand.models import BrandKit, CobrandTemplate
from portal.core import clock
from portal.extensions import db
from portal.jobs import JobStatus

FLYER = "Product Overview Flyer"
POLL = re.compile(r'data-hx-get="(/co-brand/pdf-jobs/(\d+))" data-hx-trigger="every 1s" data-hx-swap="outerHTML"')


def create(client, app, message: str, htmx: bool = True):
    with app.app_context():
        tid = db.session.scalar(sa.select(CobrandTemplate.id).where(CobrandTemplate.title == FLYER))
    return post(client, f"/co-brand/{tid}/pdf", {"custom_message": message, "offer": ""}, htmx=htmx)


def poll_url(response) -> str:
    return POLL.search(response.get_data(as_text=True)).group(1)


def download_url(html: str) -> str:
    return re.search(r'action="(/co-brand/pdfs/\d+/download)"', html).group(1)


def test_with_a_queue_the_page_polls_the_worker_renders_and_the_download_appears(app, login_as, queue, run_worker):
    client = login_as("marketing@gold.demo")
    response = create(client, app, "Rendered on a worker.")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<section id="cobrand-editor"')
    assert "Your PDF is next in line" in body and "Your PDF is ready" not in body
    url = poll_url(response)
    waiting = htmx_get(client, url)
    assert waiting.status_code == 200 and poll_url(waiting) == url  # keeps polling
    assert waiting.get_data(as_text=True).lstrip().startswith('<div id="pdf-outcome"')
    run_worker()
    ready = htmx_get(client, url).get_data(as_text=True)
    assert "Your PDF is ready" in ready and "made in" in ready and not POLL.search(ready)  # polling stops
    download = post(client, download_url(ready))
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data.startswith(b"%PDF")
    download.close()
    [job] = all_jobs(app, pdfs.RENDER_JOB)
    assert job.status is JobStatus.done and job.requested_by_id is not None


def test_the_job_page_stands_on_its_own_without_htmx(app, login_as, queue, run_worker):
    client = login_as("marketing@gold.demo")
    url = poll_url(create(client, app, "No JavaScript.", htmx=False))
    page = client.get(url).get_data(as_text=True)
    assert "<html" in page and "Your PDF is next in line" in page and f'href="{url}"' in page
    run_worker()
    assert "Your PDF is ready" in client.get(url).get_data(as_text=True)


def test_the_same_pdf_again_comes_from_the_cache_without_a_job(app, login_as, queue, run_worker):
    client = login_as("marketing@gold.demo")
    create(client, app, "Once.")
    run_worker()
    again = create(login_as("admin@gold.demo"), app, "Once.").get_data(as_text=True)
    assert "the same as one made before" in again and not POLL.search(again)
    assert len(all_jobs(app, pdfs.RENDER_JOB)) == 1


def test_only_the_person_who_asked_sees_the_job(app, login_as, queue):
    url = poll_url(create(login_as("marketing@gold.demo"), app, "Mine."))
    assert htmx_get(login_as("admin@gold.demo"), url).status_code == 404  # same org, someone else
    assert htmx_get(login_as("admin@silver.demo"), url).status_code == 404
    assert htmx_get(login_as("marketing@gold.demo"), "/co-brand/pdf-jobs/999999").status_code == 404


def test_a_render_that_fails_on_the_worker_shows_its_message(app, login_as, queue, run_worker, monkeypatch):
    def fail(*args):
        raise renderer.RenderFailed("The PDF took too long to make.")

    monkeypatch.setattr(collateral, "render", fail)
    client = login_as("marketing@gold.demo")
    url = poll_url(create(client, app, "Slow."))
    run_worker()
    failed = htmx_get(client, url).get_data(as_text=True)
    assert "The PDF could not be made: The PDF took too long to make." in failed and not POLL.search(failed)


def test_a_kit_that_changed_before_the_worker_got_to_it_fails_the_job_plainly(app, login_as, queue, run_worker):
    client = login_as("marketing@gold.demo")
    url = poll_url(create(client, app, "Then the kit changed."))
    with app.app_context():  # another admin empties the kit meanwhile
        db.session.execute(sa.update(BrandKit).values(display_name="", logo_sha256=None))
        db.session.commit()
    run_worker()
    assert pdfs.KIT_CHANGED in htmx_get(client, url).get_data(as_text=True)


def test_a_job_whose_worker_died_twice_tells_the_partner(app, login_as, queue):
    client = login_as("marketing@gold.demo")
    response = create(client, app, "Dies.")
    url, job_id = poll_url(response), int(POLL.search(response.get_data(as_text=True)).group(2))
    with app.app_context():
        db.session.execute(sa.update(jobs.Job).where(jobs.Job.id == job_id)
                           .values(status=JobStatus.running, attempts=2, started_at=clock.now()))
        db.session.commit()
    with clock.travel(jobs.abandoned_after(pdfs.RENDER_JOB) + timedelta(seconds=1)), app.app_context():
        jobs.retry_abandoned()
        db.session.commit()
    answer = htmx_get(client, url).get_data(as_text=True)
    assert jobs.ABANDONED in answer and "try again" in answer and not POLL.search(answer)


def test_without_a_queue_the_answer_is_the_pdf_as_before(app, login_as):
    response = create(login_as("marketing@gold.demo"), app, "Inline.")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Your PDF is ready" in body and not POLL.search(body)
    assert [job.status for job in all_jobs(app, pdfs.RENDER_JOB)] == [JobStatus.done]


def test_with_redis_down_the_pdf_is_made_in_the_request(app, login_as, redis_down):
    response = create(login_as("marketing@gold.demo"), app, "Redis is down.")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Your PDF is ready" in body and not POLL.search(body)
    assert [job.status for job in all_jobs(app, pdfs.RENDER_JOB)] == [JobStatus.done]


def test_a_pdf_job_left_running_is_retried_after_two_minutes_while_a_tick_job_is_not_yet(app, login_as, queue):
    response = create(login_as("marketing@gold.demo"), app, "The worker died.")
    pdf_job = int(POLL.search(response.get_data(as_text=True)).group(2))
    assert rq.job.Job.fetch(f"{jobs.QUEUE}-{pdf_job}-1", connection=queue).timeout == 60  # RQ stops it then
    with app.app_context():
        tick_job = jobs.enqueue("tick").id
        db.session.commit()
        db.session.execute(sa.update(jobs.Job).values(status=JobStatus.running, attempts=1, started_at=clock.now()))
        db.session.commit()
    queue.flushdb()
    with clock.travel(timedelta(minutes=1, seconds=50)), app.app_context():
        assert jobs.retry_abandoned() == 0  # not yet: twice the PDF's 60 s
    with clock.travel(timedelta(minutes=2, seconds=1)), app.app_context():
        assert jobs.retry_abandoned() == 1
        db.session.commit()
    assert job_row(app, pdf_job).status is JobStatus.queued and queued_on_redis(queue) == 1
    assert job_row(app, tick_job).status is JobStatus.running  # a tick may run 5 minutes: 10 before it counts
