"""``labelsvc webhooks``: subscriptions, their deliveries, redelivery; a shell over
:mod:`labelsvc.services.webhooks`."""

from __future__ import annotations

import logging

import click

from labelsvc.cli import pass_app
from labelsvc.cli.actor import cli_actor
from labelsvc.cli.output import echo_json, echo_table
from labelsvc.domain.topics import ALL_TOPICS
from labelsvc.domain.webhooks import DeliveryState, SubscriptionKind
from labelsvc.services import webhooks as hooks
from labelsvc.services.app import App
from labelsvc.services.webhooks_dispatch import Dispatcher

TOPIC_NAMES = sorted(str(t) for t in ALL_TOPICS)


@click.group()
def webhooks() -> None:
    """Webhook and EPCIS subscriptions of partners, and their deliveries."""


@webhooks.command("add")
@click.argument("name")
@click.argument("url")
@click.option("--topic", "topics", multiple=True, type=click.Choice(TOPIC_NAMES),
              help="A topic to send (repeatable); not with --epcis.")  # fmt: skip
@click.option("--epcis", is_flag=True, help="Send each shipment as an EPCIS 2.0 document.")
@pass_app
def webhooks_add(app: App, name: str, url: str, topics: tuple[str, ...], epcis: bool) -> None:
    """Subscribe URL; the signing secret is printed once and never again."""
    kind = SubscriptionKind.EPCIS if epcis else SubscriptionKind.WEBHOOK
    made = hooks.create_subscription(app, name, url, actor=cli_actor(), topics=list(topics),
                                     kind=kind)  # fmt: skip
    click.echo(made.secret)
    click.echo(f"subscription {name} ({', '.join(made.subscription.topics)}): keep the secret "
               "above; it signs every delivery and is not shown again.", err=True)  # fmt: skip


@webhooks.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def webhooks_list(app: App, as_json: bool) -> None:
    """Subscriptions with their delivery counts (never their secrets)."""
    found = hooks.list_subscriptions(app, actor=cli_actor())
    if as_json:
        echo_json(found)
        return
    echo_table(["name", "kind", "state", "url", "topics", *DeliveryState],
               [[s.name, s.kind, s.state, s.url, ",".join(s.topics),
                 *(s.counts[d] for d in DeliveryState)] for s in found])  # fmt: skip


@webhooks.command("pause")
@click.argument("name")
@pass_app
def webhooks_pause(app: App, name: str) -> None:
    """Stop sending; deliveries keep being queued."""
    hooks.set_active(app, name, False, actor=cli_actor())
    click.echo(f"{name} paused")


@webhooks.command("resume")
@click.argument("name")
@pass_app
def webhooks_resume(app: App, name: str) -> None:
    """Send again, oldest first."""
    hooks.set_active(app, name, True, actor=cli_actor())
    click.echo(f"{name} resumed")


@webhooks.command("rotate")
@click.argument("name")
@pass_app
def webhooks_rotate(app: App, name: str) -> None:
    """Give a subscription a new signing secret, printed once."""
    made = hooks.rotate_secret(app, name, actor=cli_actor())
    click.echo(made.secret)
    click.echo(f"{name}: new secret above; attempts from now on are signed with it.", err=True)


@webhooks.command("remove")
@click.argument("name")
@pass_app
def webhooks_remove(app: App, name: str) -> None:
    """Remove a subscription and its undelivered messages."""
    hooks.remove_subscription(app, name, actor=cli_actor())
    click.echo(f"{name} removed")


@webhooks.command("deliveries")
@click.argument("name")
@click.option("--state", type=click.Choice([str(s) for s in DeliveryState]))
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@pass_app
def webhooks_deliveries(app: App, name: str, state: str | None, limit: int, as_json: bool) -> None:
    """Deliveries of a subscription, newest first."""
    found = hooks.list_deliveries(app, name, actor=cli_actor(), state=state, limit=limit)
    if as_json:
        echo_json(found)
        return
    echo_table(["id", "message", "topic", "state", "attempts", "status", "error"],
               [[d.id, d.message_id, d.topic, d.state, d.attempts, d.last_status,
                 (d.last_error or "")[:60]] for d in found])  # fmt: skip


@webhooks.command("redeliver")
@click.argument("name")
@click.option("--delivery", type=int, help="One delivery by id.")
@click.option("--dead", is_flag=True, help="Every dead delivery.")
@pass_app
def webhooks_redeliver(app: App, name: str, delivery: int | None, dead: bool) -> None:
    """Send again with the same message id, attempts counted from zero."""
    count = hooks.redeliver(app, name, actor=cli_actor(), delivery=delivery, dead=dead)
    click.echo(f"{count} delivery(ies) of {name} queued again")


@webhooks.command("run")
@pass_app
def webhooks_run(app: App) -> None:
    """Deliver webhooks until Ctrl-C, in this process (``labelsvc serve`` runs the same
    dispatcher unless ``webhooks.start_dispatcher = false``)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    click.echo("webhook dispatcher running; Ctrl-C stops")
    Dispatcher(app).run_forever()
