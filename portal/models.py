"""Every domain's models, imported in one place so Alembic sees one registry."""
from portal.core.models import *  # noqa: F401,F403
from portal.rooms.models import *  # noqa: F401,F403
from portal.assets.models import *  # noqa: F401,F403
from portal.notifications.models import *  # noqa: F401,F403
from portal.deals.models import *  # noqa: F401,F403
from portal.cobrand.models import *  # noqa: F401,F403
from portal.training.models import *  # noqa: F401,F403
from portal.jobs import *  # noqa: F401,F403
from portal.program.models import *  # noqa: F401,F403
from portal.onboarding.models import *  # noqa: F401,F403
from portal.agreements.models import *  # noqa: F401,F403
