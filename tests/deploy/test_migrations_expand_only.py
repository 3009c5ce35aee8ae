"""Migrations only expand in the release that introduces them (docs/DEPLOY.md, issue 17).

During a rolling update the previous release's pods run against the migrated schema. So
from FIRST_RULED on, a migration's upgrade may not drop or rename a table or column, make
a column NOT NULL without a server default (an old pod's INSERT does not fill it), or
narrow a type. Such a contract step comes a release after the expand step it finishes,
once no running version uses the old shape, with an entry in ALLOWED saying why.

The migrations are read as source (ast), not run: the check sees what a migration says
it does, on every database. Only ``upgrade`` and the helpers it may call are read;
``downgrade`` contracts by nature and is never run in production.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

VERSIONS = Path(__file__).resolve().parents[2] / "meldkamer" / "migrations" / "versions"

# The first release that deployed with rolling updates (issue 17); earlier ones are history.
FIRST_RULED = "0010"

# (revision, step, table, column) -> why it was safe. Before FIRST_RULED every deployment
# was one process stack on one host (`make run`), stopped, migrated and started again:
# no version ever ran against a schema newer than its own.
HISTORY: dict[tuple[str, str, str, str], str] = {
    ("0006", "drop_column", "werkbonnen", "token"): (
        "the plaintext work-order token; the release with 0006 reads only token_hash, and "
        "no earlier release ran beside it (single-host stop-migrate-start)"
    ),
    ("0006", "not_null_without_default", "werkbonnen", "token_hash"): (
        "filled from token for every existing row in the same migration; only the release "
        "with 0006, which always writes token_hash, inserts work orders afterwards"
    ),
}


@dataclass(frozen=True)
class Allowed:
    """A contract step from FIRST_RULED on: the expand it finishes, and why it is safe now."""

    expanded_in: str
    reason: str


# (revision, step, table, column) -> Allowed. Empty until a release needs a contract step.
ALLOWED: dict[tuple[str, str, str, str], Allowed] = {}

Finding = tuple[str, str, str, str]


def _literal(node: ast.AST | None) -> object:
    try:
        return ast.literal_eval(node) if node is not None else None
    except ValueError:
        return None


def _keywords(call: ast.Call) -> dict[str, ast.expr]:
    return {k.arg: k.value for k in call.keywords if k.arg}


def _name(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else ""


def _string_length(node: ast.AST | None) -> tuple[str, int | None] | None:
    """``("String", 64)`` for ``sa.String(length=64)`` or ``sa.String(64)``; None otherwise."""
    if not isinstance(node, ast.Call):
        return None
    kind = _name(node) or (node.func.id if isinstance(node.func, ast.Name) else "")
    size = node.args[0] if node.args else _keywords(node).get("length")
    length = _literal(size)
    return kind, length if isinstance(length, int) else None


def _narrows(new: ast.AST, old: ast.AST | None) -> bool:
    """Only String -> a longer String, or -> Text, is known to widen; anything else narrows."""
    new_type, old_type = _string_length(new), _string_length(old)
    if new_type and new_type[0] == "Text":
        return False
    if not (new_type and old_type and new_type[0] == old_type[0] == "String"):
        return True
    new_len, old_len = new_type[1], old_type[1]
    return new_len is not None and (old_len is None or new_len < old_len)


def _column_not_null_without_default(column: ast.AST) -> str | None:
    """The name of an added ``sa.Column`` that is NOT NULL and has no server default."""
    if not isinstance(column, ast.Call) or not column.args:
        return None
    kwargs = _keywords(column)
    name = _literal(column.args[0])
    if _literal(kwargs.get("nullable")) is False and "server_default" not in kwargs:
        return str(name)
    return None


class _Steps(ast.NodeVisitor):
    """The contract steps of one migration's upgrade (module code outside ``downgrade``)."""

    def __init__(self, revision: str) -> None:
        self.revision = revision
        self.found: list[Finding] = []
        self.batch_tables: dict[str, str] = {}

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        if node.name != "downgrade":
            self.generic_visit(node)

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            call = item.context_expr
            if isinstance(call, ast.Call) and _name(call) == "batch_alter_table":
                if isinstance(item.optional_vars, ast.Name):
                    self.batch_tables[item.optional_vars.id] = str(_literal(call.args[0]))
        self.generic_visit(node)

    def _table_and_args(self, call: ast.Call) -> tuple[str, list[ast.expr]]:
        owner = call.func.value if isinstance(call.func, ast.Attribute) else None
        if isinstance(owner, ast.Name) and owner.id in self.batch_tables:
            return self.batch_tables[owner.id], list(call.args)
        table = _literal(call.args[0]) if call.args else None
        return str(table), list(call.args[1:])

    def _add(self, step: str, table: str, column: object = "") -> None:
        self.found.append((self.revision, step, table, str(column or "")))

    def visit_Call(self, node: ast.Call) -> None:
        name, kwargs = _name(node), _keywords(node)
        if name in {"drop_table", "rename_table"}:
            self._add(name, str(_literal(node.args[0]) if node.args else ""))
        elif name in {"drop_column", "add_column", "alter_column"}:
            table, args = self._table_and_args(node)
            first = args[0] if args else None
            if name == "drop_column":
                self._add(name, table, _literal(first))
            elif name == "add_column" and first is not None:
                column = _column_not_null_without_default(first)
                if column:
                    self._add("not_null_without_default", table, column)
            elif name == "alter_column":
                self._alter(table, _literal(first), kwargs)
        elif name == "execute" and node.args:
            sql = str(_literal(node.args[0]) or "").upper()
            if any(word in sql for word in ("DROP ", "RENAME ", "NOT NULL", " TYPE ")):
                self._add("raw_sql", "", sql[:60])
        self.generic_visit(node)

    def _alter(self, table: str, column: object, kwargs: dict[str, ast.expr]) -> None:
        if "new_column_name" in kwargs:
            self._add("rename_column", table, column)
        if _literal(kwargs.get("nullable")) is False and "server_default" not in kwargs:
            self._add("not_null_without_default", table, column)
        if "type_" in kwargs and _narrows(kwargs["type_"], kwargs.get("existing_type")):
            self._add("narrow_type", table, column)


def contract_steps(source: str, revision: str) -> list[Finding]:
    steps = _Steps(revision)
    steps.visit(ast.parse(source))
    return steps.found


def _migrations() -> dict[str, str]:
    sources = {}
    for path in sorted(VERSIONS.glob("[0-9]*.py")):
        source = path.read_text(encoding="utf-8")
        module = ast.parse(source)
        (revision,) = [
            _literal(n.value)
            for n in module.body
            if isinstance(n, ast.Assign)
            and any(getattr(t, "id", "") == "revision" for t in n.targets)
        ]
        sources[str(revision)] = source
    return sources


MIGRATIONS = _migrations()
FOUND = [
    step for revision, source in MIGRATIONS.items() for step in contract_steps(source, revision)
]


def test_the_rule_has_migrations_to_read() -> None:
    assert FIRST_RULED in MIGRATIONS and len(MIGRATIONS) >= 11


@pytest.mark.parametrize("revision", [r for r in MIGRATIONS if r >= FIRST_RULED])
def test_a_ruled_migration_only_expands(revision: str) -> None:
    unmarked = [s for s in FOUND if s[0] == revision and s not in ALLOWED]
    assert unmarked == [], (
        "a rolling update runs the previous release against this schema: add instead, and "
        "drop/rename/tighten a release later with an ALLOWED entry and its reason"
    )


def test_every_older_contract_step_has_its_reason() -> None:
    older = [s for s in FOUND if s[0] < FIRST_RULED]
    assert sorted(older) == sorted(HISTORY)
    assert all(reason.strip() for reason in HISTORY.values())


def test_every_allowed_step_exists_and_follows_its_expand() -> None:
    assert set(ALLOWED) <= set(FOUND), "an ALLOWED entry that matches no migration is stale"
    for (revision, *_), allowed in ALLOWED.items():
        assert revision >= FIRST_RULED and allowed.reason.strip()
        assert allowed.expanded_in in MIGRATIONS and allowed.expanded_in < revision


# The reader itself finds each kind of contract step (else the tests above prove nothing).
SAMPLE = """
revision = "0099"

def _helper():
    op.drop_table("oud")

def upgrade():
    _helper()
    op.rename_table("a", "b")
    op.drop_column("tickets", "naam")
    op.add_column("tickets", sa.Column("verplicht", sa.Integer(), nullable=False))
    op.add_column("tickets", sa.Column("met_default", sa.Integer(), nullable=False,
                                       server_default="0"))
    op.add_column("tickets", sa.Column("los", sa.Integer()))
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("kind", new_column_name="soort")
        batch.alter_column("body", existing_type=sa.Text(), nullable=False)
        batch.alter_column("key", existing_type=sa.String(length=200), type_=sa.String(50))
        batch.alter_column("subject", existing_type=sa.String(length=300), type_=sa.Text())
        batch.alter_column("recipient", existing_type=sa.String(254), type_=sa.String(300))
        batch.alter_column("attempts", nullable=True)
    op.execute("ALTER TABLE tickets DROP COLUMN email")

def downgrade():
    op.drop_table("nieuw")
"""


def test_the_reader_finds_every_kind_of_contract_step() -> None:
    assert sorted(contract_steps(SAMPLE, "0099")) == sorted(
        [
            ("0099", "drop_table", "oud", ""),
            ("0099", "rename_table", "a", ""),
            ("0099", "drop_column", "tickets", "naam"),
            ("0099", "not_null_without_default", "tickets", "verplicht"),
            ("0099", "rename_column", "outbox", "kind"),
            ("0099", "not_null_without_default", "outbox", "body"),
            ("0099", "narrow_type", "outbox", "key"),
            ("0099", "raw_sql", "", "ALTER TABLE TICKETS DROP COLUMN EMAIL"),
        ]
    )
