"""Import point for every mapped class (Alembic's autogenerate and the app factory use it)."""

from cnht.accounts.models import EnterpriseClaim, User  # noqa: F401
from cnht.assessment.models import Assessment  # noqa: F401
from cnht.db import Base  # noqa: F401
from cnht.enterprises.audit import AuditLog  # noqa: F401
from cnht.enterprises.models import (  # noqa: F401
    Attachment,
    CapacityStatement,
    Certification,
    Enterprise,
    EnterpriseMaterial,
    EnterpriseProcess,
    EnterpriseProduct,
    Equipment,
)
from cnht.events.models import (  # noqa: F401
    Event,
    EventSession,
    EventTable,
    MeetingRequest,
    Participant,
    WantedItem,
)
from cnht.imports.models import DuplicateDecision, DuplicateReview, ImportJob  # noqa: F401
from cnht.localisation.models import Campaign, InputLine, ProductReturn, Respondent, Target  # noqa: F401
from cnht.mail import OutboxMessage  # noqa: F401
from cnht.matching.models import Connection, SourcingRequirement  # noqa: F401
from cnht.portal.models import Inquiry, Shortlist, ShortlistItem  # noqa: F401
from cnht.reference.models import LegacyProvince, ProductCategory, Province, Sector  # noqa: F401
from cnht.search.models import SearchBacklog  # noqa: F401
