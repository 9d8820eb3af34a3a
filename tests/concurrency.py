"""Run calls at the same moment in threads, each on its own database connection."""

import threading

from django.db import connection


def run_together(*calls, timeout: float = 30):
    """Start every call together; return [("ok", result) or ("error", exception), ...].
    Fails if a thread is still running ``timeout`` seconds later (a deadlock)."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=timeout)
            outcomes[index] = ("ok", call())
        except Exception as error:  # recorded and asserted on by the caller
            outcomes[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    hung = [thread.name for thread in threads if thread.is_alive()]
    # A thread still running holds its connection and its locks: a deadlock or a lock
    # that is never released is a failure of the code under test.
    assert not hung, f"threads still running after {timeout} s (deadlock?): {hung}"
    return outcomes
