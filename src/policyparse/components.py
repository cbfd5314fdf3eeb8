"""The component registry: every segment and extract step, with the layers it reads and writes.

spaCy's ``Language`` idea at this project's scale. A step is a function over a
:class:`~policyparse.model.Document` registered with :func:`component`, naming
the document layers it ``requires`` and the layers it ``assigns``. Which steps
run, and in which order, is written once, in ``policyparse/pipeline.yaml``;
:func:`policyparse.pipeline.components` reads that file, imports the modules it
names (which registers their components) and checks that every layer a step
requires was assigned by ingest or by a step before it.

Layers are names, not code: ``text``, ``pages``, ``blocks`` and ``meta`` come
from ingest; ``header``, ``outline``, ``tasks``, ``targets``, ``structure`` …
from the steps. Adding a capability is one module with one ``@component`` and
one line in ``pipeline.yaml`` (README, "Adding a step").
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .errors import ComponentError
from .model import Document

# what every ingested document carries before the first step runs
INGEST_LAYERS = ("text", "pages", "blocks", "meta")
STAGES = ("segment", "extract")


@dataclass(frozen=True)
class Component:
    name: str
    stage: str  # segment | extract: the error code family of its failures
    requires: tuple[str, ...]
    assigns: tuple[str, ...]
    func: Callable[[Document], None]

    @property
    def summary(self) -> str:
        """The first line of the step's docstring."""
        return (self.func.__doc__ or "").strip().split("\n", 1)[0]

    def __call__(self, doc: Document) -> None:
        self.func(doc)


_REGISTRY: dict[str, Component] = {}


def component(name: str, *, stage: str, requires: tuple[str, ...], assigns: tuple[str, ...]):
    """Register ``func(doc)`` as the step ``name``."""
    if stage not in STAGES:
        raise ValueError(f"component {name}: stage must be one of {STAGES}")

    def register(func: Callable[[Document], None]) -> Callable[[Document], None]:
        existing = _REGISTRY.get(name)
        if existing is not None and existing.func.__qualname__ != func.__qualname__:
            raise ValueError(f"component {name!r} registered twice ({existing.func.__module__}, {func.__module__})")
        _REGISTRY[name] = Component(name, stage, tuple(requires), tuple(assigns), func)
        return func

    return register


def registered(name: str) -> Component | None:
    return _REGISTRY.get(name)


def check_order(steps: list[Component]) -> None:
    """Every layer a step requires is assigned by ingest or by a step before it."""
    available = set(INGEST_LAYERS)
    for step in steps:
        missing = [layer for layer in step.requires if layer not in available]
        if missing:
            raise ComponentError(f"pipeline.yaml: step {step.name!r} requires {missing}, "
                                 f"which no earlier step assigns (available: {sorted(available)})")
        available.update(step.assigns)
