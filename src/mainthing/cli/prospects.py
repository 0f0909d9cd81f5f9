"""`mainthing prospects`, `sources` and `income`."""

from __future__ import annotations

from mainthing.cli.common import (
    CommandError,
    acting_user,
    bad_input,
    category_by_name,
    date_arg,
    local_today,
    money,
    paged,
    print_json,
    print_more,
    prospect_by_id,
    rich_console,
    source_by_key,
    utc_now,
)

# --- prospects, lead sources and income -----------------------------------------------------------

# The choices argparse offers, written out because the parser is built before Django is set up;
# a test keeps them equal to the models' choices.
STAGES = (
    "new", "contacted", "booked", "presented", "follow_up", "joined", "declined",
    "affiliate_offered", "affiliate_joined",
)  # fmt: skip
INCOME_KINDS = ("enrollment", "product", "affiliate", "other")


def _prospect_shape(prospect, user):
    """The prospect's JSON shape (prospects/schemas.py) in the user's zone and region."""
    from mainthing.core import timekit
    from mainthing.prospects.schemas import ProspectSchema

    return ProspectSchema.of(prospect, tz=timekit.zone(user.time_zone), region=user.phone_region)


def prospects_add(args) -> int:
    from django.core.exceptions import ValidationError

    from mainthing.prospects import services

    user = acting_user(args)
    source = source_by_key(user, args.source) if args.source else None
    follow_up = (
        date_arg(args.follow_up, "--follow-up", today=local_today(user)) if args.follow_up else None
    )
    try:
        contact = services.clean_contact(
            user,
            name=args.name,
            email=args.email or "",
            phone=args.phone or "",
            social=args.social or "",
            time_zone=args.tz or "",
            tags=args.tags or "",
            notes=args.note or "",
        )
        prospect = services.add_prospect(
            user,
            contact,
            now=utc_now(),
            source=source,
            stage=args.stage or "new",
            follow_up_on=follow_up,
            allow_duplicate=args.allow_duplicate,
        )
    except services.DuplicateProspect as duplicate:
        lines = []
        for match in duplicate.matches:
            phone = services.format_phone(match.phone, user.phone_region)
            lines.append(
                f"#{match.pk} " + ", ".join(v for v in (match.name, match.email, phone) if v)
            )
        lines[-1] += " — merge with the web card or pass --allow-duplicate"
        if args.json:
            print_json({"duplicates": [_prospect_shape(p, user) for p in duplicate.matches]})
        raise CommandError("\n".join([str(duplicate), *lines])) from None
    except ValidationError as error:
        raise bad_input(error) from None
    if args.json:
        print_json(_prospect_shape(prospect, user))
    else:
        print(f"Added #{prospect.pk} {prospect.name} ({prospect.source.label}).")
    return 0


def prospects_list(args) -> int:
    from mainthing.prospects import queries, services

    user = acting_user(args)
    # The web list's filters: --due means a follow-up date of today or earlier (a passed one
    # rolls forward to today, it never piles up as overdue).
    filters = queries.Filters(
        q=args.search or "",
        stage=args.stage or "",
        source_id=source_by_key(user, args.source).pk if args.source else None,
        due=args.due,
        sort="follow_up" if args.due else queries.DEFAULT_SORT,
    )
    rows = queries.filtered(user, filters, today=local_today(user))
    rows = queries.ordered(rows, filters.sort).select_related("source__category")
    prospects, page = paged(args, rows)
    region = user.phone_region
    if args.json:
        from mainthing.prospects.schemas import ProspectPage

        print_json(ProspectPage(items=[_prospect_shape(p, user) for p in prospects], **page))
        return 0
    if not page["total"]:
        print(
            "No prospects match."
            if filters.is_narrowed
            else "No prospects yet. Add one: mainthing prospects add NAME --email …"
        )
        return 0
    from rich.table import Table

    table = Table("ID", "Name", "Phone", "Stage", "Source", "Follow-up")
    for p in prospects:
        table.add_row(
            str(p.pk),
            p.name,
            services.format_phone(p.phone, region),
            p.get_stage_display(),
            p.source.label,
            p.follow_up_on.isoformat() if p.follow_up_on else "",
        )
    rich_console().print(table)
    print_more(page)
    return 0


def prospects_show(args) -> int:
    from mainthing.core import timekit
    from mainthing.prospects import queries, services

    user = acting_user(args)
    prospect = prospect_by_id(user, args.id)
    tz = timekit.zone(user.time_zone)
    # The card's history (four queries, whatever its length), oldest first for a terminal.
    items = list(reversed(queries.timeline(prospect, tz=tz, limit=None).items))

    def when(item) -> str:
        if item.all_day:
            return timekit.local_date(item.at, tz).isoformat()
        return item.at.astimezone(tz).isoformat()

    if args.json:
        print_json(
            {
                **_prospect_shape(prospect, user).model_dump(mode="json"),
                "timeline": [
                    {
                        "at": when(item),
                        "kind": item.kind,
                        "title": item.title,
                        "detail": item.detail,
                        "id": item.pk,
                    }
                    for item in items
                ],
            }
        )
        return 0
    console = rich_console()
    console.print(f"[bold]#{prospect.pk} {prospect.name}[/bold]", highlight=False)
    facts = [
        ("Stage", prospect.get_stage_display()),
        ("Source", prospect.source.label),
        ("Email", prospect.email),
        ("Phone", services.format_phone(prospect.phone, user.phone_region)),
        ("Social", prospect.social),
        ("Time zone", prospect.time_zone),
        ("Follow-up", prospect.follow_up_on.isoformat() if prospect.follow_up_on else ""),
        ("Tags", ", ".join(prospect.tag_list)),
    ]
    for label, value in facts:
        if value:
            console.print(f"{label + ':':<11}{value}", markup=False)
    if prospect.notes:
        console.print("Notes:", markup=False)
        console.print("  " + prospect.notes.replace("\n", "\n  "), markup=False)
    console.print("History:", markup=False)
    for item in items:
        stamp = when(item) if item.all_day else f"{item.at.astimezone(tz):%Y-%m-%d %H:%M}"
        detail = f": {item.detail}" if item.detail else ""
        console.print(f"  {stamp:<16}  {item.title}{detail}".replace("\n", " "), markup=False)
    return 0


def sources_add(args) -> int:
    from django.core.exceptions import ValidationError

    from mainthing.prospects import services

    user = acting_user(args)
    category = category_by_name(user, args.category)
    try:
        source = services.add_source(
            user, category=category, campaign=args.campaign, key=args.key or ""
        )
    except ValidationError as error:
        raise bad_input(error) from None
    if args.json:
        from mainthing.prospects.schemas import LeadSourceSchema

        print_json(LeadSourceSchema.of(source))
    else:
        print(
            f"Added {source.label} with the key {source.key}: "
            f"add ?src={source.key} to your booking link."
        )
    return 0


def sources_list(args) -> int:
    from mainthing.prospects import queries_money

    user = acting_user(args)
    rows, page = paged(args, list(queries_money.sources(user)))
    if args.json:
        from mainthing.prospects.schemas import LeadSourcePage, LeadSourceSchema

        print_json(LeadSourcePage(items=[LeadSourceSchema.of(s) for s in rows], **page))
        return 0
    from rich.table import Table

    table = Table("Key", "Source", "Link", "Prospects", f"Spend ({user.currency})", "")
    for s in rows:
        table.add_row(
            s.key,
            s.label,
            "" if s.is_unknown else f"?src={s.key}",
            str(s.prospect_count),
            money(s.spend_total) if s.spend_total else "",
            "archived" if s.archived else "",
        )
    rich_console().print(table)
    print_more(page)
    return 0


def income_add(args) -> int:
    from django.core.exceptions import ValidationError

    from mainthing.prospects import services

    user = acting_user(args)
    today = local_today(user)
    on = date_arg(args.date, "--date", today=today) if args.date else today
    prospect = prospect_by_id(user, args.prospect) if args.prospect else None
    try:
        income = services.add_income(
            user,
            on=on,
            amount=args.amount,
            kind=args.kind,
            currency=args.currency or "",
            prospect=prospect,
            note=args.note or "",
        )
    except ValidationError as error:
        raise bad_input(error) from None
    if args.json:
        from mainthing.prospects.schemas import IncomeSchema

        print_json(IncomeSchema.of(income))
    else:
        whose = f" from {prospect.name}" if prospect else ""
        print(
            f"Recorded {money(income.amount)} {income.currency} "
            f"{income.get_kind_display().lower()} income{whose} on {income.date}."
        )
    return 0


def income_list(args) -> int:
    from mainthing.prospects import queries_money
    from mainthing.prospects.models import Income

    user = acting_user(args)
    # Totals are over every entry, the rows over the page asked for.
    everything = list(
        Income.objects.filter(user=user).select_related("prospect").order_by("-date", "-pk")
    )
    entries, page = paged(args, everything)
    if args.json:
        from mainthing.prospects.schemas import IncomePage, IncomeSchema

        totals = queries_money.currency_totals(everything)
        print_json(
            IncomePage(
                items=[IncomeSchema.of(i) for i in entries],
                totals={currency: str(total) for currency, total in totals},
                **page,
            )
        )
        return 0
    if not everything:
        print("No income yet. Record some: mainthing income add 150 --kind enrollment")
        return 0
    from rich.table import Table

    table = Table("ID", "Date", "Kind", "Amount", "Prospect", "Note")
    for i in entries:
        table.add_row(
            str(i.pk),
            i.date.isoformat(),
            i.get_kind_display(),
            f"{money(i.amount)} {i.currency}",
            f"#{i.prospect_id} {i.prospect.name}" if i.prospect_id else "",
            i.note,
        )
    table.add_section()
    for kind, currency, total in queries_money.kind_totals(everything):
        table.add_row("", "", kind, f"{money(total)} {currency}", "", "")
    for currency, total in queries_money.currency_totals(everything):
        table.add_row("", "total", "", f"{money(total)} {currency}", "", "")
    rich_console().print(table)
    print_more(page)
    return 0
