"""Render the blocks of a report as Markdown or as a standalone HTML page.

A block is a tuple ``(kind, *content)``: ``("h1", text)``, ``("h2", text)``,
``("p", text)``, ``("ul", items)``, ``("table", header, rows)``,
``("img", src, alt)`` or ``("pre", text)``.
"""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

import html
import re

from ltlearn._compare._results import one_line

# What Markdown would read as markup, not text: HTML (the start of a tag, a
# comment or an autolink; a character reference such as ``&amp;``), a
# backslash escape, a code span, emphasis and strikethrough (``*``, ``~``, and
# a run of ``_`` but between two letters or digits, where it never is), a
# link's ``](`` and the ``$`` of the math that GitHub, GitLab and VS Code
# read (``a $^$ b.csv``). ``p < 0.05``, ``R&D``, ``digits_lt_semi`` and
# ``brf [peer]`` are left as they are.
_MD_INLINE = re.compile(r"<(?=[A-Za-z/!?])|&(?=#?\w+;)|[\\`*~$]|_+|\](?=[(\[])")
# A heading, quote or list marker at the start of a line of a paragraph or a
# list item ("1." is escaped at its "."), also after the up to three spaces
# Markdown allows before one (" # sales" was a heading), and the "[" of a
# task list's box ("- [x] sales.csv: ..." showed a ticked box).
_MD_LINE_START = re.compile(r"^( {0,3})([#>+=\[-]|\d+(?=[.)]))", re.MULTILINE)


def _md_inline(match):
    text = match.group()
    if text.startswith("_"):
        before = match.string[match.start() - 1 : match.start()]
        after = match.string[match.end() : match.end() + 1]
        if before.isalnum() and after.isalnum():
            return text
        return "\\_" * len(text)
    return "\\" + text


def _md_text(text):
    """``text`` shown as written: names and messages are not read as markup."""
    return _MD_INLINE.sub(_md_inline, str(text))


def _md_block(text):
    """A paragraph or list item of ``text``, shown as written."""

    def escaped(match):
        spaces, marker = match.groups()
        if marker.isdigit():
            return f"{spaces}{marker}\\"
        return f"{spaces}\\{marker}"

    return _MD_LINE_START.sub(escaped, _md_text(text))


def _md_cell(value):
    """A cell of a Markdown table: one line, its ``|`` escaped."""
    return _md_text(one_line(str(value))).replace("|", "\\|")


def _md_table(header, rows):
    lines = [
        "| " + " | ".join(map(_md_cell, header)) + " |",
        "|" + "---|" * len(header),
    ]
    lines += ["| " + " | ".join(map(_md_cell, r)) + " |" for r in rows]
    return "\n".join(lines)


def _html_table(header, rows):
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _md_pre(text):
    """A fenced block, its fence longer than any run of backticks in ``text``."""
    runs = re.findall(r"`+", text)
    fence = "`" * max([3, *(len(run) + 1 for run in runs)])
    return f"{fence}\n{text}\n{fence}"


_MARKDOWN = {
    "h1": lambda text: f"# {_md_text(text)}",
    "h2": lambda text: f"## {_md_text(text)}",
    "p": _md_block,
    "ul": lambda items: "\n".join(f"- {_md_block(item)}" for item in items),
    "table": _md_table,
    "img": lambda src, alt: f"![{alt}]({src})",
    "pre": _md_pre,
}

_HTML = {
    "h1": lambda text: f"<h1>{html.escape(text)}</h1>",
    "h2": lambda text: f"<h2>{html.escape(text)}</h2>",
    "p": lambda text: f"<p>{html.escape(text)}</p>",
    "ul": lambda items: (
        "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"
    ),
    "table": _html_table,
    "img": lambda src, alt: (
        f'<p><img src="{html.escape(src)}" alt="{html.escape(alt)}"></p>'
    ),
    "pre": lambda text: f"<pre>{html.escape(text)}</pre>",
}

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;"
    "padding:0 1rem}table{border-collapse:collapse;margin:1rem 0}"
    "td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:right}"
    "td:first-child,th:first-child{text-align:left}img{max-width:100%}"
)


def render(blocks, fmt):
    """The text of a report: ``fmt`` is ``"md"`` or ``"html"``."""
    kinds = _MARKDOWN if fmt == "md" else _HTML
    parts = [kinds[kind](*content) for kind, *content in blocks]
    if fmt == "md":
        return "\n\n".join(parts) + "\n"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>ltlearn compare</title><style>{_STYLE}</style></head><body>\n"
        + "\n".join(parts)
        + "\n</body></html>\n"
    )
