"""The workspace store: one per workspace folder per server process, shared by every session."""

from __future__ import annotations

import streamlit as st

from ..store import Store, default_workspace


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Store:
    return Store(path, backups=True)


def store() -> Store:
    """The workspace store (one per workspace folder per server process)."""
    return _store(str(default_workspace()))
