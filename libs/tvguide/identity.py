"""Who is calling an API: the claims API Gateway's Cognito authorizer passes on, read the same way by
every API of the product."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

# bandit B105: the `token_use` claim of an ID token, not a secret
ID_TOKEN = "id"  # noqa: S105  # nosec B105


class NotSignedIn(Exception):
    """No valid ID token's claims reached the function."""


class Caller(BaseModel):
    model_config = ConfigDict(frozen=True)

    sub: str
    email: str = ""
    email_verified: bool = False
    groups: frozenset[str] = frozenset()

    @property
    def verified_email(self) -> str:
        """The email address, when Cognito verified it ("" otherwise: not one to mail or to trust)."""
        return self.email if self.email_verified else ""

    @property
    def name(self) -> str:
        """How the caller is shown to people: a verified email, else the `sub`."""
        return self.verified_email or self.sub

    def in_group(self, group: str) -> bool:
        return group in self.groups

    def audit(self) -> dict[str, str]:
        """Who, for audit records and job requesters: the `sub` identifies; an email only when verified."""
        return {"type": "admin", "sub": self.sub, "email": self.verified_email}


def parse_groups(value: Any) -> frozenset[str]:
    """`cognito:groups` exactly as Cognito sends it: through a REST authorizer the string "[a b]" (names
    split on whitespace, which a group name cannot contain), or a list (the token's own JSON claim). A comma
    is part of a name (Cognito allows punctuation): a group called "x,SecurityAdmins" is not an admin."""
    if value is None:
        return frozenset()
    if isinstance(value, list | tuple | set | frozenset):
        return frozenset(str(v).strip() for v in value if str(v).strip())
    text = str(value).strip().removeprefix("[").removesuffix("]")
    return frozenset(part for part in re.split(r"\s+", text) if part)


def caller_from_claims(claims: Mapping[str, Any] | None) -> Caller:
    """The caller of a signed-in route. Only ID tokens identify a viewer (the contract's token): claims
    of an access token, or none at all, raise NotSignedIn."""
    claims = claims or {}
    sub = claims.get("sub")
    if not sub:
        raise NotSignedIn("Sign in required")
    kind_of_token = claims.get("token_use")
    if kind_of_token is not None and kind_of_token != ID_TOKEN:
        raise NotSignedIn("An ID token is required")
    return Caller(
        sub=str(sub),
        email=str(claims.get("email") or ""),
        # A JSON boolean in the token; the string "true" through a REST authorizer.
        email_verified=str(claims.get("email_verified")).lower() == "true",
        groups=parse_groups(claims.get("cognito:groups")),
    )
