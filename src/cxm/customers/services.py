"""Writes to customers: single saves, consent changes and the bulk upsert used by the
API and the importer."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cxm.channels.models import Channel
from cxm.common.exceptions import ApplicationError
from cxm.customers.events import customer_event
from cxm.customers.models import (
    ChannelConsent,
    ConsentStatus,
    Customer,
    CustomerEvent,
    CustomerEventKind,
    LifecycleStage,
    Segment,
)
from cxm.customers.validation import CleanCustomer

BATCH = 2000
_SCALAR_FIELDS = (
    "name",
    "phone",
    "email",
    "telegram",
    "preferred_language",
    "lifecycle_stage",
    "club_tier",
    "club_joined_on",
    "attributes",
)


@transaction.atomic
def customer_save(*, customer: Customer, actor: Any = None, source: str = "") -> Customer:
    """Create or update one customer from a validated form; records a timeline event."""
    creating = customer.pk is None
    previous_stage = None
    if not creating:
        previous_stage = (
            Customer.objects.filter(pk=customer.pk)
            .values_list("lifecycle_stage", flat=True)
            .first()
        )
    customer.refresh_search_text()
    customer.full_clean()
    customer.save()
    kind = CustomerEventKind.CREATED if creating else CustomerEventKind.UPDATED
    events = [customer_event(customer=customer, kind=kind, actor=actor, data={"source": source})]
    if previous_stage and previous_stage != customer.lifecycle_stage:
        events.append(_lifecycle_event(customer, actor))
    CustomerEvent.objects.bulk_create(events)
    return customer


def _lifecycle_event(customer: Customer, actor: Any) -> CustomerEvent:
    return customer_event(
        customer=customer,
        kind=CustomerEventKind.LIFECYCLE,
        actor=actor,
        data={
            "stage": customer.lifecycle_stage,
            "stage_label": str(LifecycleStage(customer.lifecycle_stage).label),
        },
    )


@transaction.atomic
def consent_set(
    *, customer: Customer, channel: Channel, status: str, source: str, actor: Any = None
) -> ChannelConsent:
    """Record an opt-in or opt-out on one channel (a no-op when nothing changes)."""
    if status not in ConsentStatus.values:
        raise ApplicationError(_("Consent must be opt_in or opt_out."), code="invalid")
    consent = (
        ChannelConsent.objects.select_for_update()
        .filter(customer=customer, channel=channel)
        .first()
    )
    if consent is not None and consent.status == status:
        return consent
    if consent is None:
        consent = ChannelConsent(customer=customer, channel=channel)
    consent.status = status
    consent.source = source[:200]
    consent.changed_at = timezone.now()
    consent.full_clean()
    consent.save()
    customer_event(
        customer=customer,
        kind=CustomerEventKind.CONSENT,
        actor=actor,
        data={
            "channel": channel.label,
            "channel_code": channel.code,
            "status": status,
            "status_label": str(ConsentStatus(status).label),
            "source": source,
        },
    ).save()
    return consent


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ids: dict[str, int] = field(default_factory=dict)  # external_id -> pk


def customers_upsert(
    *, items: Sequence[CleanCustomer], source: str, actor: Any = None
) -> UpsertResult:
    """Insert or update customers by external id, in one transaction.

    Fields an item does not name are left as they are on existing customers. Items must
    have distinct external ids (check with `duplicate_external_ids`). Changes are recorded
    as timeline events; re-sending the same items changes nothing and records nothing.
    Hides a few queries per batch of 2,000.
    """
    result = UpsertResult()
    channels = {c.code: c for c in Channel.objects.all()}
    with transaction.atomic():
        for start in range(0, len(items), BATCH):
            _upsert_batch(items[start : start + BATCH], channels, source, actor, result)
    return result


def duplicate_external_ids(external_ids: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    duplicates: set[str] = set()
    for value in external_ids:
        (duplicates if value in seen else seen).add(value)
    return duplicates


def _apply(customer: Customer, item: CleanCustomer, channels: dict[str, Channel]) -> list[str]:
    """Copy the fields the item names onto the customer; return the names that changed."""
    changed: list[str] = []
    values: dict[str, Any] = {"name": item.name}
    for name in _SCALAR_FIELDS:
        if name in item.present and name != "name":
            value = getattr(item, name)
            if name == "club_tier" and value is None:
                continue
            if name == "attributes" and value is None:
                value = {}
            values[name] = value
    if "lifecycle_stage" in values and not values["lifecycle_stage"]:
        values.pop("lifecycle_stage")
    if "preferred_channel" in item.present:
        channel = channels.get(item.preferred_channel)
        if (channel.pk if channel else None) != customer.preferred_channel_id:
            customer.preferred_channel = channel
            changed.append("preferred_channel")
    for name, value in values.items():
        if getattr(customer, name) != value:
            setattr(customer, name, value)
            changed.append(name)
    return changed


def _upsert_batch(
    items: Sequence[CleanCustomer],
    channels: dict[str, Channel],
    source: str,
    actor: Any,
    result: UpsertResult,
) -> None:
    existing = Customer.objects.in_bulk([i.external_id for i in items], field_name="external_id")
    to_write: list[Customer] = []
    changes: dict[str, list[str]] = {}
    stage_changed: set[str] = set()
    for item in items:
        customer = existing.get(item.external_id)
        is_new = customer is None
        if customer is None:
            customer = Customer(external_id=item.external_id, lifecycle_stage=LifecycleStage.NEW)
        before_stage = customer.lifecycle_stage
        changed = _apply(customer, item, channels)
        if is_new or changed:
            customer.refresh_search_text()
            customer.updated_at = timezone.now()
            if is_new:
                customer.created_at = customer.updated_at
            to_write.append(customer)
            changes[item.external_id] = ["*"] if is_new else changed
            if not is_new and before_stage != customer.lifecycle_stage:
                stage_changed.add(item.external_id)

    if to_write:
        Customer.objects.bulk_create(
            to_write,
            update_conflicts=True,
            unique_fields=["external_id"],
            update_fields=[*_SCALAR_FIELDS, "preferred_channel", "search_text", "updated_at"],
            batch_size=500,
        )
    written = {c.external_id: c for c in to_write}
    by_ext = {**existing, **written}
    if any(c.pk is None for c in written.values()):
        # Some databases do not return primary keys for upserted rows.
        ids = dict(
            Customer.objects.filter(external_id__in=list(written)).values_list("external_id", "id")
        )
        for ext, customer in written.items():
            customer.pk = ids[ext]

    seg_changed = _write_segments(items, by_ext)
    consent_events = _write_consents(items, by_ext, channels, source, actor)

    events: list[CustomerEvent] = list(consent_events)
    for item in items:
        customer = by_ext[item.external_id]
        fields = changes.get(item.external_id, [])
        if item.external_id in seg_changed:
            fields = [*fields, "segments"] if fields != ["*"] else fields
        if fields == ["*"]:
            result.created += 1
            events.append(
                customer_event(
                    customer=customer,
                    kind=CustomerEventKind.IMPORTED,
                    actor=actor,
                    data={"source": source},
                )
            )
        elif fields:
            result.updated += 1
            events.append(
                customer_event(
                    customer=customer,
                    kind=CustomerEventKind.UPDATED,
                    actor=actor,
                    data={"source": source, "fields": fields},
                )
            )
        elif not any(e.customer is customer for e in consent_events):
            result.unchanged += 1
        else:
            result.updated += 1
        if item.external_id in stage_changed:
            events.append(_lifecycle_event(customer, actor))
        result.ids[item.external_id] = customer.pk
    CustomerEvent.objects.bulk_create(events, batch_size=1000)


def _write_segments(items: Sequence[CleanCustomer], by_ext: dict[str, Customer]) -> set[str]:
    """Replace the segments of items that name them; return external ids that changed."""
    named = [i for i in items if i.segments is not None]
    if not named:
        return set()
    wanted_names = {s for i in named for s in (i.segments or [])}
    Segment.objects.bulk_create(
        [Segment(name=n) for n in wanted_names], ignore_conflicts=True, batch_size=500
    )
    seg_ids = dict(Segment.objects.filter(name__in=wanted_names).values_list("name", "id"))
    through = Customer.segments.through
    customer_ids = [by_ext[i.external_id].pk for i in named]
    current: dict[int, set[int]] = {}
    for cid, sid in through.objects.filter(customer_id__in=customer_ids).values_list(
        "customer_id", "segment_id"
    ):
        current.setdefault(cid, set()).add(sid)
    changed: set[str] = set()
    to_delete: list[int] = []
    to_add: list[Any] = []
    for item in named:
        cid = by_ext[item.external_id].pk
        want = {seg_ids[s] for s in (item.segments or [])}
        have = current.get(cid, set())
        if want != have:
            changed.add(item.external_id)
            to_delete.append(cid)
            to_add.extend(through(customer_id=cid, segment_id=sid) for sid in want)
    if to_delete:
        through.objects.filter(customer_id__in=to_delete).delete()
        through.objects.bulk_create(to_add, batch_size=1000)
    return changed


def _write_consents(
    items: Sequence[CleanCustomer],
    by_ext: dict[str, Customer],
    channels: dict[str, Channel],
    source: str,
    actor: Any,
) -> list[CustomerEvent]:
    named = [i for i in items if i.consents]
    if not named:
        return []
    customer_ids = [by_ext[i.external_id].pk for i in named]
    current = {
        (c.customer_id, c.channel_id): c
        for c in ChannelConsent.objects.filter(customer_id__in=customer_ids)
    }
    now = timezone.now()
    rows: list[ChannelConsent] = []
    events: list[CustomerEvent] = []
    for item in named:
        customer = by_ext[item.external_id]
        for code, status in item.consents.items():
            channel = channels[code]
            consent = current.get((customer.pk, channel.pk))
            if consent is not None and consent.status == status:
                continue
            rows.append(
                ChannelConsent(
                    customer=customer,
                    channel=channel,
                    status=status,
                    changed_at=now,
                    source=source[:200],
                )
            )
            events.append(
                customer_event(
                    customer=customer,
                    kind=CustomerEventKind.CONSENT,
                    actor=actor,
                    data={
                        "channel": channel.label,
                        "channel_code": code,
                        "status": status,
                        "status_label": str(ConsentStatus(status).label),
                        "source": source,
                    },
                )
            )
    ChannelConsent.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["customer", "channel"],
        update_fields=["status", "changed_at", "source", "updated_at"],
        batch_size=500,
    )
    return events
