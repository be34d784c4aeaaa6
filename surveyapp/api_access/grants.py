"""What a token may read: the resource's scope and its owner's role, both.

A token never does more than its owner may do in the pages: every resource names
the permission (``accounts.permissions``) its pages need, checked against the
owner's role *now* (a role changed since the token was made counts at once), and
the token's scope narrows that further.
"""

from __future__ import annotations

from surveyapp.accounts.permissions import role_can
from surveyapp.models import ApiToken

#: Resource -> (scope needed, permissions of which the owner's role needs one).
RESOURCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "municipalities": ("profiles", ("enter_staff_area",)),
    "questionnaires": ("profiles", ("edit_questionnaires", "translate")),
    "campaigns": ("profiles", ("run_campaigns",)),
    "profiles": ("profiles", ("run_campaigns",)),
    "responses": ("responses", ("run_campaigns",)),
}

#: A scope and the scopes it includes.
INCLUDES = {"profiles": {"profiles"}, "responses": {"profiles", "responses"}}


def may_read(token: ApiToken, resource: str) -> bool:
    """Whether ``token`` (its scope, and its owner's role) may read ``resource``."""
    scope, permissions = RESOURCES[resource]
    if scope not in INCLUDES.get(token.scope, set()):
        return False
    return any(role_can(token.user.role, permission) for permission in permissions)
