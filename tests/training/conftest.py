import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.training.models import Course, LearningPath


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
