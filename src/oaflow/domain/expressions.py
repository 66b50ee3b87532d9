"""Placeholder replaced by the safe expression evaluator (ARCHITECTURE rule 4)."""

from __future__ import annotations

from collections.abc import Mapping


class Expression:
    text: str

    def evaluate(self, context: Mapping[str, object]) -> object:
        raise NotImplementedError


def compile_expression(text: str) -> Expression:
    raise NotImplementedError
