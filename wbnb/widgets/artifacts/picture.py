"""The ArtifactBrowser's static picture: the collection's versions as the page lists them,
and the selected version's lineage and first files."""

from __future__ import annotations

from ..pictures.svg import MUTED, Picture, text
from .contract import BrowserData, FilesReply, VersionRow

ROW = 18.0
ROWS = 30  # versions drawn at most
FILES = 12  # files of the selected version drawn at most
# (header, x, width) of the columns, as the page's list
COLUMNS = [("version", 8, 60), ("aliases", 72, 170), ("size", 246, 70), ("files", 320, 44), ("created", 368, 140)]
COLUMNS += [("logged by", 512, 150), ("used by", 666, 60)]
WIDTH = 730.0


def _cells(v: VersionRow) -> list[str]:
    logged = v["logged_by"]["name"] if v["logged_by"] else "-"
    return [
        v["version"],
        ", ".join(v["aliases"]),
        v["size"],
        str(v["files"]),
        v["created"],
        logged,
        str(len(v["used_by"])),
    ]


def browser_picture(data: BrowserData, selected: str, files: FilesReply | None) -> Picture:
    """The list, then the selected version's details (``files``: its reply, if read)."""
    body = [
        text(8, 16, f"{data['project']}/{data['name']}", weight="600", width=WIDTH / 2),
        text(WIDTH - 8, 16, f"{data['type']} · {data['total']} versions", fill=MUTED, anchor="end", width=WIDTH / 2),
    ]
    y = 40.0
    for head, x, w in COLUMNS:
        body.append(text(x, y, head, weight="600", width=w))
    for v in data["versions"][:ROWS]:
        y += ROW
        if v["id"] == selected:
            body.append(f'<rect x="2" y="{y - 13:.1f}" width="{WIDTH - 4:.0f}" height="{ROW:.0f}" fill="#e3ecf7"/>')
        for cell, (_, x, w) in zip(_cells(v), COLUMNS):
            body.append(text(x, y, cell, width=w))
    if len(data["versions"]) > ROWS or data["total"] > len(data["versions"]):
        y += ROW
        body.append(text(8, y, f"… {data['total'] - ROWS} older versions", fill=MUTED))
    row = next((v for v in data["versions"] if v["id"] == selected), None)
    if row is not None:
        y += 1.5 * ROW
        lines = [f"{data['name']}:{row['version']}  digest {row['digest'][:12]}…"]
        if row["logged_by"]:
            lines.append(
                f"logged by {row['logged_by']['name']} ({row['logged_by']['project']}/{row['logged_by']['id']})"
            )
        lines.append("used by " + (", ".join(r["name"] for r in row["used_by"]) or "no run"))
        if row["links"]:
            lines.append("linked as " + ", ".join(row["links"]))
        if files is not None and files["version"] == selected:
            lines += [f"  {f['path']}  {f['size']}" for f in files["files"][:FILES]]
            if files["total"] > FILES:
                lines.append(f"  … {files['total'] - FILES} more files")
        for line in lines:
            body.append(text(8, y, line, width=WIDTH - 16))
            y += ROW
    return Picture(WIDTH, y + 8, "".join(body))
