"""The rig selections as sync's rigs consumer needs them, one session a call; the rows and
their statements are `shared.persistence.rig_selections`."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from shared.events import RigSelectionChanged
from shared.persistence.db import transaction
from shared.persistence.rig_selections import Selection, narrowed, save, wanted_folders

__all__ = ["CatalogRigSelections", "Selection"]


class CatalogRigSelections:
    """The rig selections as the rigs consumer needs them, one session a call."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def save(self, event: RigSelectionChanged) -> Selection:
        with transaction(self._sessions) as session:
            return save(session, event)

    def narrowed(self) -> list[Selection]:
        with self._sessions() as session:
            return narrowed(session)

    def wanted_folders(self, selection: Selection) -> dict[str, str]:
        with self._sessions() as session:
            return wanted_folders(session, selection)
