"""Property-based fuzz of the JSON API, driven by its own OpenAPI document.

Every operation of ``/api/v1/openapi.json`` gets valid and invalid requests generated from its
declared parameters and body (schemathesis on hypothesis, in process through WSGI: no network),
sent with the bearer token of an administrator and of a plain participant. Path ids of valid
requests are mostly those of the rows of a small world (sometimes invented or impossible ones),
so the requests reach the services, not only the 404 of an unknown id. Each answer must:

- never be a 5xx (the contract: "never 500 for any input a client can send");
- carry a status code that the operation declares;
- refuse invalid data with a 4xx (a body of the wrong shape is a 400 or a 422, never accepted).

The run is seeded (``derandomize``) and bounded: ``EXAMPLES`` cases per operation and role, the
world put back as it was before each operation so one operation's writes do not starve the next.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# pytest rewrites the asserts of every package that ships a pytest plugin: for schemathesis, three
# hundred modules compiled again on each run when bytecode is not cached. Its asserts need no help.
for _finder in sys.meta_path:
    getattr(_finder, "_must_rewrite", set()).discard("schemathesis")
    getattr(_finder, "_marked_for_rewrite_cache", {}).clear()

import pytest  # noqa: E402
import schemathesis  # noqa: E402
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import negative_data_rejection, status_code_conformance

from tests.conftest import api_token, bearer, make_user
from tests.security.fuzz_world import ADMIN_EMAIL, ID_SOURCES, PARTICIPANT_EMAIL, Snapshot, build_world, id_pools

# Cases per operation and role. Invalid requests are generated where there is a body or a query
# to get wrong, and only as the administrator: the shape of a body is checked before who asks
# matters. Where only ids vary, more valid cases. About 2,700 cases in all.
EXAMPLES = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 10}
EXAMPLES_IDS_ONLY = 15
CHECKS = [not_a_server_error, status_code_conformance, negative_data_rejection]
ROLES = {"administrator": ADMIN_EMAIL, "participant": PARTICIPANT_EMAIL}
IMPOSSIBLE_IDS = [2**31, 2**63 + 5]
# These end the caller's token (or account): each case runs as a new account of the same kind.
SELF_ENDING = {("DELETE", "/api/v1/me"), ("DELETE", "/api/v1/auth/tokens/current")}


def fuzz_settings(examples: int) -> settings:
    return settings(max_examples=examples, derandomize=True, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate, Phase.shrink])


@dataclass
class Tally:
    """Answers by status, per role, for the closing line of the run and the sanity checks."""

    by_role: dict[str, dict[int, int]] = field(default_factory=dict)

    def add(self, role: str, status: int) -> None:
        counts = self.by_role.setdefault(role, {})
        counts[status] = counts.get(status, 0) + 1

    def cases(self, role: str | None = None) -> int:
        return sum(sum(c.values()) for r, c in self.by_role.items() if role in (None, r))


TALLY = Tally()


# Authorization is ours (a real token per role), not generated; unknown query parameters are
# ignored by design, so sending them proves nothing.
GENERATION = """
[generation]
with-security-parameters = false
allow-extra-parameters = false
"""


@pytest.fixture(scope="module")
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=schemathesis.Config.from_str(GENERATION))


class Actor:
    """The role's bearer token, and the world it acts in, put back before each operation."""

    def __init__(self, app: Any, role: str, files: Path) -> None:
        self.app, self.role = app, role
        with app.app_context():
            build_world()
            self.pools = id_pools()
        # Issued before the snapshot, so that putting the world back keeps it.
        self.headers = bearer(api_token(app.test_client(), ROLES[role]))
        with app.app_context():
            self.snapshot = Snapshot(files)
        self._throwaway = 0
        self.dirty = False

    def reset(self, operation: Any) -> None:
        """Put the world back if the last operation could have changed it; note whether this one can."""
        if self.dirty:
            with self.app.app_context():
                self.snapshot.restore()
        self.dirty = operation.method.upper() != "GET"

    def throwaway_headers(self) -> dict[str, str]:
        """A fresh account of the same kind, for the operations that end their caller's token."""
        self._throwaway += 1
        email = f"throwaway{self._throwaway}@example.org"
        with self.app.app_context():
            make_user(email, admin=self.role == "administrator")
        return bearer(api_token(self.app.test_client(), email))


def operations(api_schema) -> list[Any]:
    return [result.ok() for result in api_schema.get_all_operations()]


def fuzz_operation(app: Any, operation: Any, actor: Actor, mode: GenerationMode) -> None:
    """Run the bounded, seeded property for one operation in one generation mode."""
    key = (operation.method.upper(), operation.path)

    @fuzz_settings(EXAMPLES_IDS_ONLY if ids_only(operation) else EXAMPLES[mode])
    @given(case=operation.as_strategy(mode), data=st.data())
    def property_(case: Any, data: Any) -> None:
        # Real ids for valid requests, or ids no row can have (past 32 and 64 bits); an invalid
        # request keeps whatever it was generated with.
        for name in list(case.path_parameters or {}) if mode is GenerationMode.POSITIVE else ():
            choices = [*actor.pools.get(name, []), case.path_parameters[name], *IMPOSSIBLE_IDS]
            case.path_parameters[name] = data.draw(st.sampled_from(choices), label=name)
        headers = actor.throwaway_headers() if key in SELF_ENDING else actor.headers
        with app.app_context():
            response = case.call(headers=headers)
        TALLY.add(actor.role, response.status_code)
        case.validate_response(response, checks=CHECKS, headers=headers)

    property_()


def modes_for(operation: Any, role: str) -> list[GenerationMode]:
    """Invalid requests too where there is something to get wrong besides an id in the path
    (which routing answers with a 404 before any code of ours runs)."""
    if (operation.body or operation.query) and role == "administrator":
        return [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    return [GenerationMode.POSITIVE]


def ids_only(operation: Any) -> bool:
    return not (operation.body or operation.query)


def test_every_path_parameter_has_real_ids_to_draw_from(api_schema):
    names = {param.name for op in operations(api_schema) for param in op.path_parameters}
    assert names <= set(ID_SOURCES), f"add these to ID_SOURCES in fuzz_world.py: {names - set(ID_SOURCES)}"


@pytest.mark.timeout(600)
@pytest.mark.parametrize("role", ROLES)
def test_no_request_makes_the_api_fail(app, api_schema, frozen_clock, tmp_path, capsys, role):
    actor = Actor(app, role, tmp_path / "uploads")
    failures: list[str] = []
    for operation in operations(api_schema):
        actor.reset(operation)
        for mode in modes_for(operation, role):
            try:
                fuzz_operation(app, operation, actor, mode)
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - gathered: one run shows them all
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {error}")
    counts = TALLY.by_role.get(role, {})
    with capsys.disabled():  # the figure this test exists for, shown in every run
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(counts.items()))
        print(f"\nAPI fuzz as {role}: {TALLY.cases(role)} cases on {len(operations(api_schema))} operations ({statuses})")
    assert not failures, "\n\n".join(failures)
    # The run did what it says: every operation was tried, and the world let many requests through.
    assert TALLY.cases(role) >= 10 * len(operations(api_schema))
    assert sum(n for status, n in counts.items() if status < 300) >= TALLY.cases(role) // 10
