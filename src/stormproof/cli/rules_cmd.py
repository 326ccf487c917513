"""`stormproof rules [ID]`: the rule list, and each rule's page."""

from __future__ import annotations

import json

import click
from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from stormproof.check.report.rule_page import (
    clean_text,
    rule_markdown,
    rule_plain_text,
    rule_sections,
    rule_title,
)
from stormproof.check.rule import Rule
from stormproof.check.rules import ALL_RULES, UnknownRuleError, get_rule

RULE_FORMATS = ("text", "json", "markdown")
SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow"}
PIPE_WIDTH = 1000


@click.command("rules")
@click.argument("rule_key", metavar="[ID]", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(RULE_FORMATS),
    default="text",
    show_default=True,
    help="text for people; json is Rule.page(); markdown is the page as in SARIF help.",
)
@click.pass_context
def rules(ctx: click.Context, rule_key: str | None, fmt: str) -> None:
    """List the rules, or print the page of rule ID (an id such as SP101, or a rule name).

    \b
    Examples:
      stormproof rules
      stormproof rules SP101
      stormproof rules remote-call-without-timeout --format markdown
    """
    if rule_key is None:
        listed = sorted(ALL_RULES, key=lambda rule: rule.id)
    else:
        try:
            listed = [get_rule(rule_key)]
        except UnknownRuleError as error:
            click.echo(f"stormproof rules: {error}", err=True)
            ctx.exit(2)
    if fmt == "json":
        pages = [rule.page() for rule in listed]
        click.echo(json.dumps(pages[0] if rule_key else pages, indent=2))
    elif fmt == "markdown":
        click.echo("\n".join(rule_markdown(rule) for rule in listed), nl=False)
    elif rule_key:
        _print_page(listed[0])
    else:
        _print_table(listed)


def _print_table(listed: list[type[Rule]]) -> None:
    if not listed:
        click.echo("No rules are registered.")
        return
    console = Console(highlight=False)
    if not console.is_terminal:
        # Piped: one line per rule, whatever its length, so grep finds whole rows.
        console.width = PIPE_WIDTH
    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
        header_style="bold",
    )
    for column in ("ID", "Name", "Category", "Severity"):
        table.add_column(column, no_wrap=True)
    table.add_column("Summary")
    for rule in listed:
        table.add_row(
            Text(rule.id, style="bold"),
            rule.name,
            rule.category,
            Text(rule.severity, style=SEVERITY_STYLE.get(rule.severity, "")),
            clean_text(rule.summary),
        )
    with console.capture() as capture:
        console.print(table)
    # Cells are padded to their column's width; the padding of the last is noise.
    click.echo("\n".join(line.rstrip() for line in capture.get().splitlines()))


def _print_page(rule: type[Rule]) -> None:
    console = Console(highlight=False)
    if not console.is_terminal:
        click.echo(rule_plain_text(rule), nl=False)
        return
    console.print(Text(rule_title(rule), style="bold"))
    console.print(
        Text.assemble(
            f"Category: {rule.category} · Severity: ",
            (rule.severity, SEVERITY_STYLE.get(rule.severity, "")),
        )
    )
    for section in rule_sections(rule):
        console.print()
        console.print(Text(section.title, style="bold underline"))
        body: Syntax | Text
        if section.is_code:
            body = Syntax(section.body, "python", theme="ansi_dark", background_color="default")
        else:
            body = Text(section.body)
        console.print(Padding(body, (0, 0, 0, 4)))
