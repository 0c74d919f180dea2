"""A consumer's message body reaches its handler without a trip through a worker thread:
faststream runs a decoder that is a plain function in its thread pool, once per message."""

from __future__ import annotations

import asyncio
import inspect
from types import SimpleNamespace

from shared.messaging import undecoded


def test_the_body_is_handed_on_by_a_coroutine():
    assert inspect.iscoroutinefunction(undecoded)
    assert asyncio.run(undecoded(SimpleNamespace(body=b"{}"))) == b"{}"
