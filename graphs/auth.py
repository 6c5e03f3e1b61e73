"""Who may do what on a LangGraph server: bearer tokens from the operator's users file, each
thread owned by the client that created it, decisions and commands for approvers only.

`langgraph.json` names `auth` (LangGraph's custom auth: `@auth.authenticate` and `@auth.on`
handlers). The users file (`GATEREVIEW_SERVER_USERS`) holds, per user, the SHA-256 of their
token and their roles; the file holds no secret. The server passes the authenticated identity
and roles to the graph (`langgraph_auth_user_id`, `langgraph_auth_permissions`), and the
human-review node checks them again: the guard holds where the state lives, not only at the door.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from langgraph.config import get_config
from langgraph_sdk import Auth
from pydantic import Field, StringConstraints, ValidationError

from graphs.context import ServerContext
from graphs.settings import resolve_settings
from vocabulary.errors import GateReviewError
from vocabulary.models import Strict

APPROVER = "approver"
Role = Literal["approver"]
OWNER = "owner"  # the thread metadata key naming the client that created it
UserName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$")]


class ServerUser(Strict):
    """One client of the server: the hash of its bearer token and its roles."""

    token_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="sha256 of the token, hex")
    roles: list[Role] = Field(default_factory=list)


class ServerUsers(Strict):
    """The operator's users file."""

    users: dict[UserName, ServerUser]


@dataclass(frozen=True)
class Caller:
    """The authenticated client a graph step runs for."""

    identity: str
    approver: bool


def load_users(path: Path) -> ServerUsers:
    """The users file, or one line saying what is wrong with it."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return ServerUsers.model_validate(data)
    except OSError as exc:
        raise GateReviewError(f"server users file {path}: cannot read ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise GateReviewError(f"server users file {path}: not valid TOML ({exc})") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise GateReviewError(f"server users file {path}: {where}: {first['msg']}") from None


def _configured_users() -> ServerUsers | None:
    settings = resolve_settings()
    return None if settings.server_users is None else load_users(settings.server_users)


def identify(users: ServerUsers, authorization: str | None) -> tuple[str, ServerUser] | None:
    """The user whose token the Authorization header carries, if any."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    digest = hashlib.sha256(token.strip().encode("utf-8")).hexdigest()
    found = None
    for name, user in users.users.items():  # every entry compared: no early exit to time
        if hmac.compare_digest(digest, user.token_sha256):
            found = (name, user)
    return found


def server_caller() -> Caller | None:
    """The authenticated client of this graph step (None: no server auth, a CLI or a Python
    caller, whose decisions name their reviewer themselves)."""
    try:
        configurable = get_config().get("configurable", {})
    except RuntimeError:  # outside a graph step
        return None
    identity = configurable.get("langgraph_auth_user_id")
    if not identity or configurable.get("langgraph_auth_user") is None:
        return None
    permissions = configurable.get("langgraph_auth_permissions") or []
    return Caller(identity=str(identity), approver=APPROVER in permissions)


auth = Auth()


def _refuse(status: int, detail: str) -> Auth.exceptions.HTTPException:
    return Auth.exceptions.HTTPException(status_code=status, detail=detail)


@auth.authenticate
async def authenticate(authorization: str | None) -> Auth.types.MinimalUserDict:
    """A known bearer token, or 401: no anonymous client reads or writes anything."""
    try:
        users = await asyncio.to_thread(_configured_users)  # file reads, off the loop
    except GateReviewError as exc:
        raise _refuse(401, str(exc)) from None
    if users is None:
        raise _refuse(401, "this server has no users file (set GATEREVIEW_SERVER_USERS)")
    found = identify(users, authorization)
    if found is None:
        raise _refuse(401, "a known bearer token is required (Authorization: Bearer ...)")
    name, user = found
    return {"identity": name, "permissions": list(user.roles), "is_authenticated": True}


def _is_approver(ctx: Auth.types.AuthContext) -> bool:
    return APPROVER in ctx.permissions


@auth.on
async def refuse_the_rest(ctx: Auth.types.AuthContext, value: Any) -> bool:
    """Default deny: assistants, crons and the store are the operator's, not a client's."""
    raise _refuse(403, f"{ctx.resource}.{ctx.action} is not open to clients of this server")


@auth.on.assistants.read
async def read_assistants(ctx: Auth.types.AuthContext, value: Any) -> bool:
    """Every client may see the review graph and its schemas."""
    return True


@auth.on.assistants.search
async def search_assistants(ctx: Auth.types.AuthContext, value: Any) -> bool:
    """Every client may find the review graph."""
    return True


@auth.on.threads.create
async def create_thread(ctx: Auth.types.AuthContext, value: Any) -> None:
    """A new thread belongs to the client that created it, whatever its metadata said."""
    metadata = value.setdefault("metadata", {})  # the server reads this very dict
    metadata[OWNER] = ctx.user.identity


@auth.on.threads.read
async def read_thread(ctx: Auth.types.AuthContext, value: Any) -> Auth.types.FilterType:
    """A client reads its own threads only."""
    return {OWNER: ctx.user.identity}


@auth.on.threads.search
async def search_threads(ctx: Auth.types.AuthContext, value: Any) -> Auth.types.FilterType:
    """A client lists its own threads only."""
    return {OWNER: ctx.user.identity}


@auth.on.threads.delete
async def delete_thread(ctx: Auth.types.AuthContext, value: Any) -> Auth.types.FilterType:
    """A client deletes its own threads only."""
    return {OWNER: ctx.user.identity}


@auth.on.threads.update
async def update_thread(ctx: Auth.types.AuthContext, value: Any) -> Auth.types.FilterType:
    """Writing a thread's state (update_state) or metadata is for approvers, on their own
    threads; the owner itself is never rewritten."""
    if not _is_approver(ctx):
        raise _refuse(403, f"{ctx.user.identity} has no approver role: state is not writable")
    if OWNER in (value.get("metadata") or {}):
        raise _refuse(403, "a thread's owner is set when it is created, never changed")
    return {OWNER: ctx.user.identity}


@auth.on.threads.create_run
async def create_run(ctx: Auth.types.AuthContext, value: Any) -> Auth.types.FilterType:
    """Reviews run on the client's own threads; a command (a decision) needs the approver role."""
    kwargs = value.get("kwargs") or {}
    context = kwargs.get("context")
    unknown = sorted(set(context) - set(ServerContext.model_fields)) if context else []
    if unknown:  # the server would drop it silently: say so instead
        raise _refuse(422, f"context {unknown[0]}: not accepted (the operator sets it)")
    if kwargs.get("command") is not None and not _is_approver(ctx):
        raise _refuse(403, f"{ctx.user.identity} has no approver role: it cannot decide")
    if value.get("thread_id") is None:
        raise _refuse(403, "a review runs on a thread of its own (create one first)")
    return {OWNER: ctx.user.identity}
