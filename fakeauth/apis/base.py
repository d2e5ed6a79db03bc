"""What every vendor module gives the WSGI seam: its routes and its error rendering."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from fakeauth.apis.docs import OperationDoc, VendorDoc, examples_of
from fakeauth.http import Request, Response
from fakeauth.records import assign, record
from fakeauth.redaction import REQUEST_SECRET_KEYS

if TYPE_CHECKING:
    from fakeauth.apis.doc_examples import Example

__all__ = [
    "INT_DIGITS",
    "BodyProblem",
    "Credential",
    "CredentialFinder",
    "Handled",
    "Handler",
    "JsonConstant",
    "Notes",
    "Route",
    "VendorApi",
    "body_field",
    "constant_position",
    "field_problem",
    "method_not_allowed_operation",
    "misspelt_fields",
    "refuse_constant",
]

#: The longest integer ``int()`` reads from text (Python's int-str limit): ``json`` raises past it.
INT_DIGITS = 4300
_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|(NaN|Infinity)', re.DOTALL)


class JsonConstant(ValueError):
    """``NaN``, ``Infinity`` or ``-Infinity`` in a body: Python's ``json`` reads them, standard
    JSON (and every vendor's parser) does not."""

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} is not JSON")
        self.name = name


def refuse_constant(name: str) -> Any:
    """``json.loads(..., parse_constant=refuse_constant)``: raise :class:`JsonConstant`."""
    raise JsonConstant(name)


def constant_position(text: str) -> int:
    """Where the first ``NaN`` or ``Infinity`` outside a string starts in ``text`` (-1: none)."""
    for match in _CONSTANT.finditer(text):
        if match.group(1):
            return match.start(1)
    return -1


def misspelt_fields(body: Any, fields: Collection[str]) -> dict[str, str]:
    """The unknown fields of ``body`` that resemble a field it lacks (``pass`` for ``password``),
    each with that field. An unknown field that resembles none is left out: a vendor may read
    fields its model does not list."""
    if not isinstance(body, dict):
        return {}
    absent = [name for name in fields if name not in body]
    found = {}
    for key in body:
        if isinstance(key, str) and key not in fields:
            import difflib  # a suggestion is rare: not imported by a first use

            close = difflib.get_close_matches(key, absent, n=1, cutoff=0.5)
            if close:
                found[key] = close[0]
                absent.remove(close[0])
    return found


def field_problem(body: Any, fields: Collection[str], required: Collection[str]) -> str | None:
    """What a refused body got wrong in its field names, for the journal and the failure report
    (never for the reply, which stays the vendor's own): each field the body lacks that one of
    its unknown fields resembles, and the required fields missing. ``None`` when nothing is
    wrong with the names (or the body is not an object)."""
    if not isinstance(body, dict):
        return None
    misspelt = misspelt_fields(body, fields)
    parts = [
        f"{meant!r} was expected where the body has {_short(given)!r}"
        for given, meant in misspelt.items()
    ]
    meant = set(misspelt.values())
    parts += [f"{name!r} is missing" for name in required if name not in body and name not in meant]
    if not parts:
        return None
    return f"{'; '.join(parts)} (the fields are: {', '.join(fields)})"


def _short(key: str) -> str:
    return key if len(key) <= 40 else f"{key[:37]}..."


@dataclass(frozen=True, slots=True)
class Handled:
    """What a handler answers: its response, and what the journal needs of the request it read.

    The seam records these with the request; nothing of them is written onto the request, which
    stays read-only, so one handler's secrets can never reach another request's journal entry.
    """

    response: Response
    #: Strings the journal redacts wherever they appear (a password, a token sent as text).
    secrets: tuple[str, ...] = ()
    #: The body as the handler parsed it, for the journal; ``None``: the journal parses the bytes.
    body: Any = None


class Notes:
    """What one handler call notes of its request while it reads it (the body as parsed, the
    secrets in it), to answer with its response as a :class:`Handled`.

    Made by the handler for its own call and handed to the body readers it calls, so that a
    reader that refuses a body after parsing it (an exception on its way to the handler's error
    rendering) has noted it all the same. It never outlives the call.
    """

    __slots__ = ("body", "secrets")

    def __init__(self) -> None:
        self.body: Any = None
        self.secrets: list[str] = []

    def parsed(self, value: Any) -> Any:
        """Note ``value`` as the body the handler read; returns it."""
        self.body = value
        return value

    def secret(self, value: str) -> None:
        """Note ``value`` as a secret the journal must redact wherever it appears."""
        self.secrets.append(value)

    def answer(self, response: Response) -> Handled:
        """``response``, with what was noted."""
        return Handled(response, tuple(self.secrets), self.body)


#: A route handler: the vendor's state and the request in, the response and notes out.
Handler = Callable[[Any, Request], Handled]


class BodyProblem(NamedTuple):
    """What a refused body got wrong in its field names (see :func:`field_problem`), and the
    values of the secret fields it misspelt, which the journal must redact all the same."""

    text: str | None
    secrets: tuple[str, ...] = ()


#: What :attr:`Credential.find` is: the request and its body as the handler parsed it
#: (:attr:`Handled.body`; ``None`` when it parsed none) in, the credential sent (``None``) out.
CredentialFinder = Callable[[Request, Any], str | None]


def _bearer(request: Request, body: Any) -> str | None:
    return request.bearer()


@record(slots=True)
class Credential:
    """The credential a route takes, declared beside the route so the seam can say why it was
    refused (``fake.explain``) without knowing any vendor.

    ``find`` reads it from a request and the body its handler parsed (the bearer token by
    default; a body field; walt.id's header or cookie), ``kind`` is the kind ``fake.explain``
    expects there (``"refresh"``: an access token sent instead is ``wrong_kind``; ``None``:
    any), ``refused_with`` the statuses by which the route may refuse it (401 and 403;
    B2Core's wizard steps: 400).
    """

    kind: str | None = None
    find: CredentialFinder = _bearer
    refused_with: frozenset[int] = frozenset({401, 403})

    def __init__(
        self,
        kind: str | None = None,
        find: CredentialFinder = _bearer,
        refused_with: frozenset[int] = frozenset({401, 403}),
    ) -> None:
        assign(self, kind=kind, find=find, refused_with=refused_with)


def body_field(name: str) -> CredentialFinder:
    """A :attr:`Credential.find` reading the string field ``name`` of the parsed body (JSON or
    a form), as the handler read it (:attr:`Handled.body`)."""

    def find(request: Request, body: Any) -> str | None:
        value = body.get(name) if isinstance(body, dict) else None
        return value if isinstance(value, str) else None

    return find


@record(slots=True)
class Route:
    """One method and path of a vendor, the handler named after its wire operation, and its
    documentation (what the OpenAPI documents say of it)."""

    operation: str
    method: str
    path: str
    handler: Handler
    doc: OperationDoc
    #: Whether the live server's root serves it too. ``False`` when another vendor owns this
    #: method and path there (the route is reached on the vendor's hosts and base URL only).
    at_root: bool = True
    #: The credential it takes, for the journal's refusals (``None``: none).
    credential: Credential | None = None

    def __init__(
        self,
        operation: str,
        method: str,
        path: str,
        handler: Handler,
        doc: OperationDoc,
        at_root: bool = True,
        credential: Credential | None = None,
    ) -> None:
        assign(
            self,
            operation=operation,
            method=method,
            path=path,
            handler=handler,
            doc=doc,
            at_root=at_root,
            credential=credential,
        )

    def body_problem(self, content_type: str, body: Any) -> BodyProblem:
        """What ``body`` (a refused request's, as its handler parsed it) got wrong in its field
        names, read against the body model this route documents for ``content_type`` (see
        :func:`field_problem`)."""
        models = self.doc.body
        if not models:
            return _NO_PROBLEM
        model = models.get(content_type) or next(iter(models.values()))
        found = getattr(model, "model_fields", None)  # a pydantic model; a text body has none
        if not isinstance(found, dict):
            return _NO_PROBLEM
        fields = [info.alias or name for name, info in found.items()]
        required = [info.alias or name for name, info in found.items() if info.is_required()]
        secrets = tuple(
            # a password sent as "pass" is still a password: the journal must not show it
            body[given]
            for given, meant in misspelt_fields(body, fields).items()
            if meant.lower() in REQUEST_SECRET_KEYS and isinstance(body[given], str)
        )
        return BodyProblem(field_problem(body, fields, required), secrets)


_NO_PROBLEM = BodyProblem(None)


def method_not_allowed_operation(vendor: str) -> str:
    """The journal's operation id of the 405s (and 204s to ``OPTIONS``) of the vendor named
    ``vendor``, known from its name alone (no route declares it)."""
    return f"{vendor}.method_not_allowed"


def _not_allowed(method: str, path: str, allowed: tuple[str, ...]) -> str:
    return "Method Not Allowed"


@record(slots=True)
class VendorApi:
    """A vendor's HTTP surface, immutable and shared by every fake.

    ``path_prefixes`` claim the paths that are this vendor's even when no route serves them (so a
    request to ``/auth/b2b/unknown`` on the live server gets Ovok's 501, not a generic 404).
    ``error`` renders a vendor-shaped error for what the seam itself answers: 413, 500 and 501.
    """

    name: str
    routes: tuple[Route, ...]
    path_prefixes: tuple[str, ...]
    error: Callable[[int, str], Response]
    #: The vendor's tag in the OpenAPI documents.
    doc: VendorDoc
    max_body: int = 1024 * 1024
    #: The message of the 405 for ``method path`` and the methods ``allowed`` there.
    not_allowed: Callable[[str, str, tuple[str, ...]], str] = _not_allowed

    def __init__(
        self,
        name: str,
        routes: tuple[Route, ...],
        path_prefixes: tuple[str, ...],
        error: Callable[[int, str], Response],
        doc: VendorDoc,
        max_body: int = 1024 * 1024,
        not_allowed: Callable[[str, str, tuple[str, ...]], str] = _not_allowed,
    ) -> None:
        assign(
            self,
            name=name,
            routes=routes,
            path_prefixes=path_prefixes,
            error=error,
            doc=doc,
            max_body=max_body,
            not_allowed=not_allowed,
        )

    def unserved(self, method: str, path: str) -> Response:
        """The 501 for a request on this vendor's host or paths that no route serves; it names
        the documentation page of the vendor's routes by its title (a pip install has no docs
        folder to point at)."""
        return self.error(
            501,
            f"fakeauth does not implement {method} {path} ({self.name}); the page "
            f'"{self.doc.title} routes" of fakeauth\'s documentation lists what it serves',
        )

    def method_not_allowed(self, method: str, path: str, allowed: tuple[str, ...]) -> Response:
        """The 405 for a path a route serves, asked with another method: this vendor's error
        body, and the ``Allow`` header (``allowed``, which includes ``OPTIONS``)."""
        response = self.error(405, self.not_allowed(method, path, allowed))
        response.headers.append(("Allow", ", ".join(allowed)))
        return response

    def options(self, allowed: tuple[str, ...]) -> Response:
        """The 204 of ``OPTIONS`` on a served path (not a CORS preflight): the ``Allow`` header."""
        return Response.empty(204, [("Allow", ", ".join(allowed))])

    @property
    def method_not_allowed_operation(self) -> str:
        """The journal's operation id of this vendor's 405s (and 204s to ``OPTIONS``): a served
        path's real answer, not an unserved request."""
        return method_not_allowed_operation(self.name)

    def claims(self, path: str) -> bool:
        """Whether ``path`` belongs to this vendor."""
        return path.startswith(self.path_prefixes)

    def examples(self, route: Route) -> dict[str, Example]:
        """``route``'s examples, and the seam's for the statuses it answers itself: ``413`` (a
        body one byte over :attr:`max_body`) and each documented 5xx that has no example of
        its own (the first example's request, after ``fake.fail_next`` with that status)."""
        from fakeauth.apis.doc_examples import Example  # the pages' and documents', not a request's

        found = dict(examples_of(route.doc))
        first = next(iter(found.values()), Example("", 0))
        for status in sorted(route.doc.replies):
            if status >= 500 and all(e.status != status for e in found.values()):
                found[f"fault_{status}"] = dataclasses.replace(
                    first,
                    title=f"A fault injected with `fake.fail_next({route.operation!r})`",
                    status=status,
                    reply=self._error_body(status, f"fakeauth: injected fault ({route.operation})"),
                    reply_media="application/json",
                    fault=status,
                    times=1,
                    sequence="",
                )
        found["too_large"] = Example(
            f"A body over {self.doc.title}'s limit ({self.max_body} bytes)",
            413,
            self._error_body(413, "request entity too large"),
            path=first.path,
            body_size=self.max_body + 1,
        )
        return found

    def _error_body(self, status: int, message: str) -> Any:
        return json.loads(self.error(status, message).body)
