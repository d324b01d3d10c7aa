"""DynamoDB UpdateItem expressions built a clause at a time, instead of by string concatenation.

Every attribute goes through a name placeholder and every value through a value placeholder, so no name can
clash with a reserved word and no expression text is assembled by hand:

    update = Update().set("title", "Heat").remove("year").add("rev", 1)
    table.update_item(Key=key, **update.arguments())

A condition's own placeholders are merged in: `update.arguments(condition="#s = :q", names=..., values=...)`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_CLAUSES = ("SET", "REMOVE", "ADD", "DELETE")
_UNSAFE = re.compile(r"[^0-9A-Za-z_]")


class Update:
    def __init__(self) -> None:
        self._clauses: dict[str, list[str]] = {clause: [] for clause in _CLAUSES}
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def _name(self, attribute: str) -> str:
        placeholder = f"#a_{_UNSAFE.sub('_', attribute)}"
        if self.names.setdefault(placeholder, attribute) != attribute:
            raise ValueError(f"two attributes share the placeholder {placeholder}")
        return placeholder

    def _value(self, value: Any) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = value
        return placeholder

    def set(self, attribute: str, value: Any) -> Update:
        self._clauses["SET"].append(f"{self._name(attribute)} = {self._value(value)}")
        return self

    def set_if_absent(self, attribute: str, value: Any) -> Update:
        """Set it only when the item has no such attribute yet (another writer's value is kept)."""
        name = self._name(attribute)
        self._clauses["SET"].append(f"{name} = if_not_exists({name}, {self._value(value)})")
        return self

    def set_or_remove(self, attribute: str, value: Any) -> Update:
        """Set it, or remove it when the value is None (DynamoDB stores no nulls here)."""
        return self.remove(attribute) if value is None else self.set(attribute, value)

    def remove(self, attribute: str) -> Update:
        self._clauses["REMOVE"].append(self._name(attribute))
        return self

    def add(self, attribute: str, value: Any) -> Update:
        """ADD a number (atomic counter) or elements to a set."""
        self._clauses["ADD"].append(f"{self._name(attribute)} {self._value(value)}")
        return self

    @property
    def empty(self) -> bool:
        return not any(self._clauses.values())

    @property
    def expression(self) -> str:
        return " ".join(f"{clause} {', '.join(parts)}" for clause, parts in self._clauses.items() if parts)

    def arguments(
        self,
        condition: str | None = None,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """update_item's UpdateExpression, ConditionExpression and placeholders (the condition's too)."""
        if self.empty:
            raise ValueError("an update with no clause")
        arguments: dict[str, Any] = {"UpdateExpression": self.expression}
        all_names = self.names | dict(names or {})
        all_values = self.values | dict(values or {})
        if condition:
            arguments["ConditionExpression"] = condition
        if all_names:
            arguments["ExpressionAttributeNames"] = all_names
        if all_values:
            arguments["ExpressionAttributeValues"] = all_values
        return arguments
