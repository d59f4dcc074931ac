"""Declarative parameter layouts for the op-code messages (control point, machine status).

Each message class lists its parameters as `Param`s; one encoder and one decoder
walk that list, so the op-code tables stay data and the wire rules live in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar, cast

from treadpace.ftms._wire import Reader, put_sint, put_uint, scaled, unscale


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    size: int
    signed: bool = False
    scale: int = 1  # value = raw / scale; 1 means an int-valued parameter


class OpMessage:
    """Base of the op-code messages: `OP` and `PARAMS` are set by each subclass."""

    __slots__ = ()
    OP: ClassVar[int]
    PARAMS: ClassVar[tuple[Param, ...]] = ()


def encode_params(message: OpMessage) -> bytes:
    out = bytearray()
    for p in message.PARAMS:
        value = getattr(message, p.name)
        raw = value if p.scale == 1 else scaled(value, p.scale, p.name)
        out += put_sint(raw, p.size, p.name) if p.signed else put_uint(raw, p.size, p.name)
    return bytes(out)


def decode_params(reader: Reader, params: tuple[Param, ...], label: str) -> dict[str, Any]:
    """Read `params` in order; `label` (the op name) prefixes the field in error messages."""
    values: dict[str, Any] = {}
    for p in params:
        field = f"{label} {p.name}"
        raw = reader.sint(p.size, field) if p.signed else reader.uint(p.size, field)
        values[p.name] = raw if p.scale == 1 else unscale(raw, p.scale)
    return values


M = TypeVar("M")


def build(cls: type[M], values: dict[str, Any]) -> M:
    return cast(Callable[..., M], cls)(**values)
