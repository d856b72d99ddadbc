"""Whether this browser tab is presenting (slides for a shared screen): one session key, read by the frame and
the table helper alike."""

from __future__ import annotations

import streamlit as st

PRESENTING = "sg_presenting"  # the session key (also the sidebar toggle's key)
PROJECT_ID = "sg_project_id"  # the session key of the open project's id
PROJECT = "sg_project"  # the session key of the open project as the page last drew it


def presenting() -> bool:
    return bool(st.session_state.get(PRESENTING))
