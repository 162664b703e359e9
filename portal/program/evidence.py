"""Evidence for the criteria the vendor confirms ("signed annual business plan"): a partner
admin sends it (a PDF, or just a request to confirm), the vendor confirms it, and the
evaluation counts it for the criterion's window from then."""
import re

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from portal.core import audit, clock, workflow
from portal.core.errors import DomainError
from portal.core.models import Organization, User
from portal.extensions import db
from portal.program.models import Criterion, CriterionKind, Evidence
from portal.storage import current_store, send_blob

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


class EvidenceError(DomainError):
    pass


def evidence_of(org: Organization) -> dict[str, Evidence]:
    """The org's latest evidence by what it shows (the criterion's name: one document may
    stand for the same criterion of several tiers)."""
    rows = db.session.scalars(sa.select(Evidence).where(Evidence.org_id == org.id)
                              .order_by(Evidence.submitted_at, Evidence.id)).all()
    return {row.criterion.name: row for row in rows}


def submit(actor: User, criterion: Criterion, upload: FileStorage | None) -> Evidence:
    if criterion.kind is not CriterionKind.evidence:
        raise EvidenceError("That criterion is measured by the portal, not shown with evidence.")
    sha256 = name = None
    if upload is not None and upload.filename:
        sha256, name = _store_pdf(upload)
    evidence = Evidence(org_id=actor.org_id, criterion=criterion, submitted_by_id=actor.id,
                        submitted_at=clock.now(), file_sha256=sha256, file_name=name)
    db.session.add(evidence)
    db.session.flush()
    audit.record(actor, "program.evidence_sent", evidence, f"Evidence sent: {criterion.name}", org=actor.org)
    return evidence


def _store_pdf(upload: FileStorage) -> tuple[str, str]:
    head = upload.stream.read(len(PDF_MAGIC))
    if head != PDF_MAGIC:
        raise EvidenceError("Send the document as a PDF.")
    upload.stream.seek(0, 2)
    if upload.stream.tell() > MAX_EVIDENCE_BYTES:
        raise EvidenceError("The PDF is larger than 10 MB.")
    upload.stream.seek(0)
    name = re.sub(r"[^\w.\- ]", "_", upload.filename)[-200:] or "evidence.pdf"
    return current_store().put(upload.stream), name


def confirm(actor: User, evidence: Evidence) -> None:
    if evidence.confirmed_at is not None:
        raise EvidenceError(f"{evidence.confirmed_by.name if evidence.confirmed_by else 'Someone'} confirmed it "
                            f"on {clock.as_text(evidence.confirmed_at)} already.")
    if not workflow.compare_and_set(evidence, Evidence.confirmed_at.is_(None),
                                    {"confirmed_at": clock.now(), "confirmed_by_id": actor.id}):
        raise EvidenceError("Someone confirmed it a moment ago.")
    audit.record(actor, "program.evidence_confirmed", evidence,
                 f"{evidence.org.name}: “{evidence.criterion.name}” confirmed", org=evidence.org)


def send_file(evidence: Evidence):
    return send_blob(evidence.file_sha256, mimetype="application/pdf", etag=evidence.file_sha256, max_age=0,
                     as_attachment=True, download_name=evidence.file_name or "evidence.pdf")
