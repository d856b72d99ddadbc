"""The one place for the app's CSS, on top of the theme in `.streamlit/config.toml`.

Streamlit draws captions, help text and placeholders in a faded version of the theme's text colour
(4.15:1 against white: below the 4.5:1 that WCAG AA asks of body text). `BASE` gives those a full-strength
grey (8:1) on every page; `PRESENTING` turns a page into a slide for a 1280×720 shared screen: no sidebar
or toolbar, little padding, large type, wide buttons that never cut their label.
"""

from __future__ import annotations

import streamlit as st

MUTED_TEXT = "#4a5461"  # 7.6:1 on white, 7.0:1 on the secondary background #f2f5f8

BASE = f"""
<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stWidgetLabel"] [data-testid="stCaptionContainer"],
[data-testid="stTooltipHoverTarget"], [data-testid="stMarkdownContainer"] small,
input::placeholder, textarea::placeholder {{ color: {MUTED_TEXT}; opacity: 1; }}
[data-testid="stMain"] h1 {{ font-size: 2.2rem; }}
[data-testid="stMain"] h2 {{ font-size: 1.6rem; }}
[data-testid="stMain"] h3 {{ font-size: 1.3rem; }}
.st-key-sg_drawn {{ display: none; }}
[data-testid="stMainBlockContainer"] {{ padding: 3.5rem 1.5rem 4rem; }}
</style>
"""

PRESENTING = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stHeader"] { display: none; }
.block-container, [data-testid="stMainBlockContainer"] { max-width: 1240px; padding: 0.6rem 1.5rem 0.2rem; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] p { font-size: 1rem; }
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] { gap: 0.6rem; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.45rem; line-height: 1.45; }
[data-testid="stAlertContainer"] p { font-size: 1.3rem; }
[data-testid="stAlertContainer"] { padding: 0.5rem 1rem; }
.st-key-rub_levels [data-testid="stMarkdownContainer"] p { font-size: 1.12rem !important; line-height: 1.35 !important; }
.st-key-rub_levels h3 { font-size: 1.25rem !important; padding-bottom: 0 !important; }
.st-key-rub_levels [data-testid="stVerticalBlockBorderWrapper"] { padding: 0.6rem 0.8rem; }
[data-testid="stMetricValue"] { font-size: 3rem; }
[data-testid="stTable"] td, [data-testid="stTable"] th { font-size: 1.25rem; padding: 0.45rem 0.8rem; }
[data-testid="stButton"] button p, [data-testid="stPageLink"] p { font-size: 1.15rem; white-space: nowrap; }
[data-testid="stMain"] h1 { font-size: 1.3rem !important; padding: 0 !important; margin: 0 !important;
                            line-height: 1.3 !important; }
/* Streamlit pulls what follows a heading up by 18px: under the small title, a box would cover its last line */
[data-testid="stMain"] [data-testid="stMarkdownContainer"]:has(> [data-testid="stHeadingWithActionElements"] h1) {
  margin-bottom: -12px !important; }
[data-testid="stMain"] h2 { font-size: 1.9rem !important; line-height: 1.3 !important; padding: 0.2rem 0 !important; }
[data-testid="stMain"] h3 { font-size: 1.6rem !important; line-height: 1.3 !important; }
.st-key-sg_long_sentence h2 { font-size: 1.6rem !important; }
.st-key-sg_deck_bar { border-bottom: 1px solid #d5dbe1; padding-bottom: 0.4rem; }
.st-key-sg_deck_bar [data-testid="stMarkdownContainer"] p { font-size: 1.1rem; line-height: 1.3;
  overflow: hidden; text-overflow: ellipsis; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; }
</style>
"""


def apply(presenting: bool) -> None:
    """Draw the CSS for this run (style-only HTML takes no room on the page)."""
    st.html(BASE + (PRESENTING if presenting else ""))
