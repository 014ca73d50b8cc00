"""The regdash store: SQLModel tables, the engine factory, migrations and read-side queries."""

from models.audit import AuditEntry
from models.campaigns import (
    Assignment,
    Campaign,
    Draw,
    DrawTarget,
    Finding,
    InspectionOutcome,
    OutcomeItem,
    OutcomeRevision,
)
from models.certificates import Certificate, Organisation
from models.checklist import CampaignItem, CheckItem
from models.frozen import FrozenPopulation
from models.history import CertificateEvent, InstitutionEvent
from models.inspectors import Inspector, InspectorAffiliation, InspectorScheme
from models.institutions import ApprovalApplication, Institution, InstitutionScheme
from models.lottery import DrawAttempt, DrawSession
from models.reference import Region, Scheme
from models.summaries import (
    CertificateCountByInstitution,
    CertificateCountByRegion,
    CertificateIssuance,
    MonthEndHolding,
    MonthEndStock,
)
from models.users import AppUser

__all__ = [
    "AppUser",
    "ApprovalApplication",
    "Assignment",
    "AuditEntry",
    "Campaign",
    "CampaignItem",
    "Certificate",
    "CertificateCountByInstitution",
    "CertificateCountByRegion",
    "CertificateEvent",
    "CertificateIssuance",
    "CheckItem",
    "Draw",
    "DrawAttempt",
    "DrawSession",
    "DrawTarget",
    "Finding",
    "FrozenPopulation",
    "InspectionOutcome",
    "Inspector",
    "InspectorAffiliation",
    "InspectorScheme",
    "Institution",
    "InstitutionEvent",
    "InstitutionScheme",
    "MonthEndHolding",
    "MonthEndStock",
    "Organisation",
    "OutcomeItem",
    "OutcomeRevision",
    "Region",
    "Scheme",
]
