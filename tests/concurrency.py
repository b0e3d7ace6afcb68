"""Calls released at the same instant from their own threads, as concurrent requests are.

Each thread has its own app context, so its own database session and connection. A call's
outcome is "ok" (or what ``describe`` makes of its return value), the code of the DomainError it
raised, or "crash: ..." for anything else, so that every failure shows in the assertion.
"""
from __future__ import annotations

import threading
from typing import Any, Callable


def run_together(app: Any, calls: list[Callable[[], Any]],
                 describe: Callable[[Any], str] = lambda _value: "ok") -> list[str]:
    from app.core.errors import DomainError
    from app.extensions import db

    barrier = threading.Barrier(len(calls))
    results = [""] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        with app.app_context():
            try:
                barrier.wait()
                results[index] = describe(call())
            except DomainError as error:
                results[index] = error.code
            except Exception as error:  # noqa: BLE001 - any other failure must show in the assertion
                results[index] = f"crash: {error!r}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
