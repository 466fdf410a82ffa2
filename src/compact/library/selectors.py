"""Every read of the library, through the one access policy (``compact.access.policy``).

Lists, counts and search results are computed on ``restrict(...)`` with the action they serve (list,
count, search, export); one document is read through ``get_for``, so that a document the user may not
read answers 404 whether or not it exists. A related document the user may not read is never embedded:
it is left out (annexes) or reduced to a stub (the parent of an annex, ``RestrictedDocument``).
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from compact.access.policy import Action, can, get_for, restrict
from compact.access.principal import principal_for
from compact.core.i18n import FALLBACK_ORDER, field_name
from compact.library.models import Document
from compact.registry.models import Body, Entity

#: The translated columns searched: title and summary in every language.
SEARCH_COLUMNS: tuple[str, ...] = tuple(
    field_name(field, code) for field in ("title", "summary") for code in FALLBACK_ORDER
)

#: Shortest search text accepted, in characters (after stripping spaces).
MIN_QUERY_LENGTH = 2

#: Highest page number accepted by the lists (page and API): beyond it the request is refused (400)
#: rather than asking the database for an offset it cannot hold.
MAX_PAGE = 1_000_000


def _documents() -> QuerySet[Document]:
    return Document.objects.select_related("owner_body", "owner_entity")


def document_list(*, user, action: Action = Action.LIST, filters: dict | None = None) -> QuerySet[Document]:
    """The documents ``user`` may take ``action`` on (list by default; ``Action.EXPORT`` for exports),
    newest first, with their owning body and entity; ``filters`` (query parameters) narrow it through
    ``compact.library.filters.DocumentFilter``. Raises ``ValidationError`` ({parameter: messages}) for an
    invalid filter."""
    qs = restrict(_documents(), user, action)
    if filters is None:
        return qs
    from compact.library.filters import DocumentFilter

    document_filter = DocumentFilter(filters, queryset=qs)
    if not document_filter.is_valid():
        raise ValidationError(document_filter.errors)
    return document_filter.qs


def document_get(*, user, pk: int, action: Action = Action.VIEW) -> Document:
    """The document ``pk`` with its owners, if ``user`` may take ``action`` on it. Raises ``Http404``
    when it does not exist or the user may not read it, ``PermissionDenied`` when they may read it but
    not take ``action`` (e.g. ``Action.CHANGE``)."""
    return get_for(_documents(), user, action, pk=pk)


def document_annexes(*, user, document: Document) -> list[Document]:
    """The annexes of ``document`` that ``user`` may read (others are left out), newest first."""
    return list(restrict(_documents().filter(annex_of=document), user, Action.LIST))


@dataclasses.dataclass(frozen=True)
class RestrictedDocument:
    """Stands for a related document the reader may not read: it says only that one exists, never its
    id, title, summary, owners or sensitivity."""

    restricted: bool = True

    def __str__(self) -> str:
        return _("a restricted document")


def annex_parent(*, user, document: Document) -> Document | RestrictedDocument | None:
    """The document ``document`` is an annex of: the parent itself when ``user`` may read it, a
    ``RestrictedDocument`` stub when not, None when ``document`` is not an annex."""
    if document.annex_of_id is None:
        return None
    parent = _documents().filter(pk=document.annex_of_id).first()
    if parent is None or not can(user, Action.VIEW, parent):
        return RestrictedDocument()
    return parent


def readable_by_id(*, user, ids) -> dict[int, Document]:
    """``{id: document}`` for the documents among ``ids`` that ``user`` may read, to show related
    documents (the parents of annexes) without one query each: one query, none when ``ids`` is empty."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {d.pk: d for d in restrict(Document.objects.filter(pk__in=ids), user, Action.VIEW)}


def with_parents(documents: list[Document], parents: dict[int, Document]) -> list[Document]:
    """``documents`` followed by those of ``parents`` (``{id: document}``, the readable parents shown
    with them) that are not already among them: the rows an access-log event lists."""
    listed = {d.pk for d in documents}
    return [*documents, *(p for pk, p in sorted(parents.items()) if pk not in listed)]


@dataclasses.dataclass(frozen=True)
class OwnerRights:
    """Whom a user may give documents to (``docs/access.md``): ``any_owner`` for the secretariat, else the
    bodies they are an officer of (``body_ids``) and their own entity when they are its focal point
    (``entity_ids``)."""

    any_owner: bool
    body_ids: frozenset[int]
    entity_ids: frozenset[int]

    @property
    def adds_documents(self) -> bool:
        """Whether there is any owner at all the user may add a document for."""
        return self.any_owner or bool(self.body_ids or self.entity_ids)


def owner_rights(*, user) -> OwnerRights:
    """The ``OwnerRights`` of ``user`` today, from their standing (``access.principal``); no query once
    the standing is known."""
    principal = principal_for(user)
    entity_ids = frozenset({principal.entity_id}) if principal.is_focal_point and principal.entity_id else frozenset()
    return OwnerRights(any_owner=principal.is_secretariat, body_ids=principal.officer_body_ids, entity_ids=entity_ids)


def creatable_owners(*, user) -> tuple[list[Body], list[Entity]]:
    """The bodies and entities ``user`` may add documents for (``owner_rights``): the form's choices.
    The services enforce the same rights on every write, from the form and the API alike. Returns
    ``(bodies, entities)``."""
    rights = owner_rights(user=user)
    bodies = Body.objects.exclude(kind=Body.Kind.COMPACT) if rights.any_owner else Body.objects.filter(pk__in=rights.body_ids)
    entities = Entity.objects.all() if rights.any_owner else Entity.objects.filter(pk__in=rights.entity_ids)
    return list(bodies.order_by("kind", "number", "key")), list(entities.order_by("acronym"))


def document_counts_by_body(*, user) -> dict[int, int]:
    """``{body id: number of documents}`` owned by each body, counting only the documents ``user`` may
    have counted (``Action.COUNT``); bodies without any are absent. One query (after the user's
    standing, see ``principal_for``)."""
    qs = restrict(Document.objects.filter(owner_body__isnull=False), user, Action.COUNT)
    return dict(qs.order_by().values("owner_body").annotate(n=Count("id")).values_list("owner_body", "n"))


@dataclasses.dataclass(frozen=True)
class SearchResult:
    """One hit: ``kind`` (``document``, ``working_group`` or ``entity``) and the object found (a
    ``Document`` the user may search, or a public ``Body`` / ``Entity``)."""

    kind: Literal["document", "working_group", "entity"]
    obj: Document | Body | Entity


@dataclasses.dataclass(frozen=True)
class SearchResults:
    """The answer to a search: the stripped ``query`` and the hits of each kind, at most ``limit`` each;
    ``more_documents`` etc. say that more than ``limit`` matched."""

    query: str
    documents: list[Document]
    working_groups: list[Body]
    entities: list[Entity]
    more_documents: bool = False
    more_working_groups: bool = False
    more_entities: bool = False

    @property
    def results(self) -> list[SearchResult]:
        """Every hit, documents first, then working groups, then entities."""
        return (
            [SearchResult("document", d) for d in self.documents]
            + [SearchResult("working_group", b) for b in self.working_groups]
            + [SearchResult("entity", e) for e in self.entities]
        )

    @property
    def total(self) -> int:
        """Number of hits shown."""
        return len(self.documents) + len(self.working_groups) + len(self.entities)


def clean_page(value: str | None) -> int | None:
    """The page number asked for in a list's ``page`` parameter: None when it is absent or empty, else
    a whole number from 1 to ``MAX_PAGE``. Raises ``ValidationError`` ({"page": message}) otherwise."""
    text = (value or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_PAGE:
        raise ValidationError({"page": _("The page must be a whole number from 1 to %(max)s.")
                               % {"max": f"{MAX_PAGE:,}"}})
    return int(text)


def clean_query(q: str | None) -> str:
    """``q`` stripped of surrounding spaces. Raises ``ValidationError`` ({"q": message}) when it holds a
    NUL character (which no text contains, and PostgreSQL refuses) or fewer than ``MIN_QUERY_LENGTH``
    characters are left."""
    if q and "\x00" in q:
        raise ValidationError({"q": _("The search text may not contain NUL characters (character code 0).")})
    text = (q or "").strip()
    if len(text) < MIN_QUERY_LENGTH:
        raise ValidationError({"q": _("Type at least %(count)s characters to search.") % {"count": MIN_QUERY_LENGTH}})
    return text


def text_match(text: str, columns) -> Q:
    """A case-insensitive substring match of ``text`` on any of ``columns``."""
    match = Q(pk__in=[])
    for column in columns:
        match |= Q(**{f"{column}__icontains": text})
    return match


def search(*, user, q: str, limit: int = 20) -> SearchResults:
    """Search documents (title and summary in every language, restricted with ``Action.SEARCH``),
    working groups (number, title in every language) and entities (acronym, names, aliases): the
    structure is public, so it is not restricted. Case-insensitive substring match.

    Returns at most ``limit`` hits of each kind. Raises ``ValidationError`` ({"q": message}) for a query
    shorter than two characters after stripping.
    """
    text = clean_query(q)
    documents = list(
        restrict(_documents(), user, Action.SEARCH).filter(text_match(text, SEARCH_COLUMNS))[: limit + 1]
    )
    group_match = text_match(text, [field_name("title", code) for code in FALLBACK_ORDER])
    if text.isdigit():
        group_match |= Q(number=int(text))
    groups = list(
        Body.objects.filter(kind=Body.Kind.WORKING_GROUP).filter(group_match).select_related("pillar")
        .order_by("number")[: limit + 1]
    )
    entity_match = text_match(text, ["acronym", *(field_name("name", code) for code in FALLBACK_ORDER)])
    entity_match |= Q(pk__in=Entity.objects.filter(aliases__name__icontains=text).values("pk"))
    entities = list(Entity.objects.filter(entity_match).order_by("acronym")[: limit + 1])
    return SearchResults(
        query=text,
        documents=documents[:limit],
        working_groups=groups[:limit],
        entities=entities[:limit],
        more_documents=len(documents) > limit,
        more_working_groups=len(groups) > limit,
        more_entities=len(entities) > limit,
    )
