"""User and file text made safe for Markdown: `esc` (re-exported as `ui.esc`)."""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~$])|(!\[)|^(\s*)([#>+=-]|\d+[.)])", re.M)


def _escape(match: re.Match) -> str:
    char, image, indent, start = match.groups()
    if char:
        return "\\" + char
    if image:
        return "\\!\\["
    return f"{indent}\\{start}" if len(start) == 1 else f"{indent}{start[:-1]}\\{start[-1]}"


def esc(text: object) -> str:
    """User or file text made safe to put in Markdown (st.markdown, st.caption, st.error, titles ...):
    the characters that make emphasis, links, images, code, HTML, tables, `:red[...]` and `$...$` maths
    are escaped, and so are headings, quotes and lists at the start of a line, so `![](http://host/p.png)`
    shows as typed and fetches nothing. Ordinary punctuation (. , : ( ) -) is left as it is."""
    return _MARKDOWN.sub(_escape, str(text)).replace("\n", "  \n")
