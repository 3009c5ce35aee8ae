"""All clients together: look-ups by id, address and entry point, and their conflicts.

A tenant is matched to a client by the address (postcode + house number) or by the
channel they came in on; both must point to one client, so a set of clients where two
claim the same address or entry point is refused as a whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from meldkamer.clients.schema import (
    ENTRY_KINDS,
    AddressRange,
    Client,
    Complex,
    normalise_postcode,
    normalise_telegram,
)
from meldkamer.intake.validation import normalise_phone


class RegistryConflictError(ValueError):
    """Clients that claim the same id, address or entry point; :attr:`conflicts` names them."""

    def __init__(self, conflicts: Iterable[str]) -> None:
        self.conflicts = tuple(conflicts)
        super().__init__("\n".join(self.conflicts))


def conflicts(clients: Iterable[Client]) -> list[str]:
    """Every clash between clients, as Dutch sentences; empty when there is none.

    Clashes inside one client are the loader's concern and are not repeated here.
    """
    found: list[str] = []
    by_id: dict[str, Client] = {}
    entries: dict[tuple[str, str], str] = {}
    ranges: list[tuple[str, Complex, AddressRange]] = []
    for client in clients:
        if client.id in by_id:
            found.append(f"opdrachtgever {client.id!r} komt twee keer voor")
            continue
        by_id[client.id] = client
        for kind, key in client.entries.keys():
            owner = entries.setdefault((kind, key), client.id)
            if owner != client.id:
                found.append(f"{kind} {key!r} hoort bij {owner!r} en bij {client.id!r}")
        for complex_, address in client.address_ranges():
            for other_id, other_complex, other in ranges:
                if other_id != client.id and address.overlaps(other):
                    found.append(
                        f"adres {address} van {client.id!r} (complex {complex_.id!r}) overlapt "
                        f"met {other} van {other_id!r} (complex {other_complex.id!r})"
                    )
            ranges.append((client.id, complex_, address))
    return found


class ClientRegistry:
    """A consistent set of clients.

    Raises:
        RegistryConflictError: when two clients claim the same id, address or entry point.
    """

    def __init__(self, clients: Iterable[Client] = ()) -> None:
        listed = list(clients)
        clashes = conflicts(listed)
        if clashes:
            raise RegistryConflictError(clashes)
        self._clients = {client.id: client for client in listed}
        self._entries = {entry: client for client in listed for entry in client.entries.keys()}
        self._by_postcode: dict[str, list[tuple[Client, Complex]]] = {}
        for client in listed:
            for complex_, address in client.address_ranges():
                self._by_postcode.setdefault(address.postcode, []).append((client, complex_))

    def __len__(self) -> int:
        return len(self._clients)

    def __iter__(self) -> Iterator[Client]:
        return iter(self._clients.values())

    def __contains__(self, client_id: object) -> bool:
        return client_id in self._clients

    def get(self, client_id: str) -> Client:
        """The client with this id; ``KeyError`` naming the known ids otherwise."""
        try:
            return self._clients[client_id]
        except KeyError:
            known = ", ".join(self.ids()) or "geen"
            raise KeyError(f"onbekende opdrachtgever {client_id!r}; bekend zijn: {known}") from None

    def ids(self) -> list[str]:
        """The client ids, sorted."""
        return sorted(self._clients)

    def find_by_address(self, postcode: str, huisnummer: int) -> tuple[Client, Complex] | None:
        """The client and complex an address belongs to; ``postcode`` as ``1234ab`` or ``1234 AB``."""
        normalised = normalise_postcode(postcode)
        if normalised is None:
            return None
        for client, complex_ in self._by_postcode.get(normalised, ()):
            if complex_.covers(normalised, huisnummer):
                return client, complex_
        return None

    def find_by_entry(self, kind: str, key: str) -> Client | None:
        """The client whose entry point this is.

        Args:
            kind: ``webchat`` (site key), ``whatsapp`` (phone number in any usual form,
                also ``whatsapp:+31...``), ``telegram`` (bot username, with or without
                ``@``) or ``email`` (intake address, any case).
            key: the site key, number or bot name.

        Raises:
            ValueError: for an unknown kind.
        """
        if kind not in ENTRY_KINDS:
            raise ValueError(f"onbekende ingang {kind!r}; geldig zijn: {', '.join(ENTRY_KINDS)}")
        if kind == "whatsapp":
            number = normalise_phone(key.strip().removeprefix("whatsapp:"))
            if not isinstance(number, str):
                return None
            key = number
        elif kind == "telegram":
            key = normalise_telegram(key)
        elif kind == "email":
            key = key.strip().lower()
        return self._entries.get((kind, key.strip()))
