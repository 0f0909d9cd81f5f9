"""The JSON shapes of a prospect, a lead source and an income entry (the CLI's `--json`, the
API)."""

from __future__ import annotations

from datetime import date

from ninja import Schema

from mainthing.core.schemas import LocalTime, Page


class SourceRef(Schema):
    key: str
    label: str


class ProspectSchema(Schema):
    id: int
    name: str
    email: str
    phone: str  # E.164, as stored
    phone_display: str  # as the user reads it in their region
    social: str
    time_zone: str
    stage: str
    source: SourceRef
    follow_up_on: date | None
    tags: list[str]
    notes: str
    created_at: LocalTime
    last_contacted_at: LocalTime | None

    @classmethod
    def of(cls, prospect, *, tz, region: str) -> ProspectSchema:
        """`prospect` with its times in `tz` and its phone written for `region`."""
        from mainthing.prospects.services import format_phone

        last = prospect.last_contacted_at
        return cls(
            id=prospect.pk,
            name=prospect.name,
            email=prospect.email,
            phone=prospect.phone,
            phone_display=format_phone(prospect.phone, region),
            social=prospect.social,
            time_zone=prospect.time_zone,
            stage=str(prospect.stage),
            source=SourceRef(key=prospect.source.key, label=prospect.source.label),
            follow_up_on=prospect.follow_up_on,
            tags=prospect.tag_list,
            notes=prospect.notes,
            created_at=prospect.created_at.astimezone(tz),
            last_contacted_at=last.astimezone(tz) if last else None,
        )


class LeadSourceSchema(Schema):
    id: int
    key: str
    category: str | None
    campaign: str
    label: str
    archived: bool
    prospects: int
    spend: str  # a decimal, as text, in the user's currency

    @classmethod
    def of(cls, source) -> LeadSourceSchema:
        """`source`; its prospect count and spend when the query annotated them, else 0."""
        return cls(
            id=source.pk,
            key=source.key,
            category=source.category.name if source.category_id else None,
            campaign=source.campaign,
            label=source.label,
            archived=source.archived,
            prospects=getattr(source, "prospect_count", 0),
            spend=str(getattr(source, "spend_total", "0.00")),
        )


class ProspectRef(Schema):
    id: int
    name: str


class IncomeSchema(Schema):
    id: int
    date: date
    amount: str  # a decimal, as text ("150.00")
    currency: str
    kind: str
    prospect: ProspectRef | None
    note: str

    @classmethod
    def of(cls, income) -> IncomeSchema:
        return cls(
            id=income.pk,
            date=income.date,
            amount=str(income.amount),
            currency=income.currency,
            kind=str(income.kind),
            prospect=(
                ProspectRef(id=income.prospect_id, name=income.prospect.name)
                if income.prospect_id
                else None
            ),
            note=income.note,
        )


class ProspectPage(Page):
    items: list[ProspectSchema]


class LeadSourcePage(Page):
    items: list[LeadSourceSchema]


class IncomePage(Page):
    items: list[IncomeSchema]
    totals: dict[str, str]  # per currency, over all the entries (not only this page)
