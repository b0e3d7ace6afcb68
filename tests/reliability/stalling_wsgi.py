"""A test-only WSGI entry point, never used in production: the real app, except that a request
carrying the ``X-Test-Stall`` header writes its rows, tells the test which worker process holds
them (in the file named by ``SALUS_TEST_STALL_FILE``), and never commits, so that the test can
kill that worker in the middle of its transaction."""
from __future__ import annotations

import os
import time
from pathlib import Path

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from app import create_app

_commit = Session.commit


@event.listens_for(Session, "after_flush")
def _wrote(session: Session, _context: object) -> None:
    session.info["wrote"] = True


def _commit_or_stall(self: Session) -> None:
    wrote = self.info.pop("wrote", False) or bool(self.new or self.dirty or self.deleted)
    if has_request_context() and request.headers.get("X-Test-Stall") and wrote:
        self.flush()  # the rows are in the database now, inside the open transaction
        mark = Path(os.environ["SALUS_TEST_STALL_FILE"])
        partial = mark.with_suffix(".part")
        partial.write_text(str(os.getpid()))
        partial.replace(mark)
        while True:  # until the test kills this process
            time.sleep(0.05)
    _commit(self)


Session.commit = _commit_or_stall  # type: ignore[method-assign]
app = create_app()
