"""The gateway's routes: one registry lists every handler, and `routes/` holds handlers only."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from litestar import Controller, Router
from litestar.handlers import BaseRouteHandler
from pydantic import BaseModel

from services.gateway import routes
from services.gateway.app import create_app
from services.gateway.settings import GatewayServiceSettings
from shared.storage import InMemoryObjectStore

MODULES = [importlib.import_module(f"{routes.__name__}.{info.name}")
           for info in pkgutil.iter_modules(routes.__path__)]


def defined_here(module) -> dict[str, object]:
    """The public names `module` defines itself (not what it imports)."""
    return {name: value for name, value in vars(module).items()
            if not name.startswith("_") and _origin(value) == module.__name__}


def _origin(value: object) -> str | None:
    if isinstance(value, BaseRouteHandler):
        return value.fn.__module__
    return getattr(value, "__module__", None) if inspect.isclass(value) or inspect.isfunction(
        value) else None


def is_handler(value: object) -> bool:
    return isinstance(value, BaseRouteHandler) or (
        inspect.isclass(value) and issubclass(value, Controller))


def is_schema(value: object) -> bool:
    return inspect.isclass(value) and issubclass(value, BaseModel)


@pytest.mark.unit
@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_a_route_module_defines_handlers_and_their_schemas_only(module):
    others = [name for name, value in defined_here(module).items()
              if not is_handler(value) and not is_schema(value)]
    assert others == [], f"{module.__name__} defines more than handlers: {others}"


@pytest.mark.unit
@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_every_handler_a_route_module_defines_is_in_the_registry(module):
    handlers = [name for name, value in defined_here(module).items() if is_handler(value)]
    assert handlers, f"{module.__name__} holds no route handler"
    missing = [name for name in handlers
               if not any(getattr(module, name) is listed for listed in routes.ROUTE_HANDLERS)]
    assert missing == []


@pytest.mark.unit
def test_the_app_serves_exactly_the_handlers_of_the_registry():
    app = create_app(GatewayServiceSettings(), store=InMemoryObjectStore())
    served = {getattr(handler.fn, "__func__", handler.fn)  # a controller's method, unbound
              for route in app.routes for handler in route.route_handlers}
    listed = set()
    for entry in routes.ROUTE_HANDLERS:
        if isinstance(entry, Router):
            listed |= {handler.fn for route in entry.routes for handler in route.route_handlers}
        elif inspect.isclass(entry):
            listed |= {value.fn for value in vars(entry).values()
                       if isinstance(value, BaseRouteHandler)}
        else:
            listed.add(entry.fn)
    assert _ours(served) == _ours(listed)
    assert len(_ours(listed)) > 40


def _ours(functions: set) -> set:
    """Leaves out what Litestar adds itself (OPTIONS, the schema, static files)."""
    return {fn for fn in functions if fn.__module__.startswith("services.gateway.routes.")}
