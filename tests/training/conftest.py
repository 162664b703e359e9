import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.training.models import Course, LearningPath
from queue_support import redis_queue, use_redis, worker_for


@pytest.fixture
def ids(app, demo) -> dict:
    """Ids of the demo's training content."""
    with app.app_context():
        sales = db.session.scalar(sa.select(LearningPath).where(LearningPath.title == "Sales Fundamentals"))
        tech = db.session.scalar(sa.select(LearningPath).where(LearningPath.title == "Technical Specialist"))
        product = db.session.scalar(sa.select(Course).where(Course.title == "Product Fundamentals"))
        return {
            "sales_path": sales.id, "tech_path": tech.id, "product_course": product.id,
            "product_quiz": product.quiz_id, "lessons": [lesson.id for lesson in product.lessons],
            "tech_course": tech.courses[0].id, "tech_quiz": tech.courses[0].quiz_id,
            "tech_lesson": tech.courses[0].lessons[0].id,
        }


CERTIFICATE_QUEUE_URL = "redis://127.0.0.1:6379/8"  # tests/jobs has DB 5: both may run at once


@pytest.fixture
def queue(app):
    """The app with a Redis queue; yields the connection to DB 8."""
    with redis_queue(app, CERTIFICATE_QUEUE_URL) as connection:
        yield connection


@pytest.fixture
def run_worker(app, queue):
    return worker_for(app, queue)


@pytest.fixture
def redis_down(app):
    use_redis(app, "redis://127.0.0.1:1/0")  # a closed port
