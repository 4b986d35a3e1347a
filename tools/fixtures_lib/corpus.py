"""The corpus of the tiny cases: Python's own pydoc_data.topics cut into passages."""

from __future__ import annotations


def load_topics():
    try:
        from pydoc_data.topics import topics

        return dict(topics), "pydoc_data.topics"
    except Exception:  # pragma: no cover - fallback for stripped Pythons
        import builtins

        d = {}
        for name in sorted(dir(builtins)):
            doc = getattr(getattr(builtins, name), "__doc__", None)
            if isinstance(doc, str) and len(doc.split()) > 40:
                d[name.lower().replace("_", "-")] = doc
        return d, "builtins docstrings"


def build_passages(topics, words, max_chunks, max_passages):
    keys = sorted(topics)
    chunks = {}
    for k in keys:
        ws = topics[k].split()
        cs = [ws[i : i + words] for i in range(0, len(ws), words)]
        chunks[k] = [c for c in cs if len(c) >= 30][:max_chunks]
    selected, r = [], 0
    while len(selected) < max_passages:
        added = False
        for k in keys:
            if r < len(chunks[k]):
                selected.append((k, r))
                added = True
                if len(selected) >= max_passages:
                    break
        if not added:
            break
        r += 1
    order = {k: i for i, k in enumerate(keys)}
    selected.sort(key=lambda kr: (order[kr[0]], kr[1]))
    return [
        {"id": str(i), "title": k.replace("-", " ").replace("_", " "), "text": " ".join(chunks[k][c])}
        for i, (k, c) in enumerate(selected)
    ]


def quote_titles(passages, inner_title):
    """tiny-p's titles: wrapped in double quotes ("Title"), except every 7th from the 4th with a
    quote at the start only ("Title) and every 7th from the 6th with one at the end only (Title");
    the passages titled `inner_title` (two words or more) get quotes inside too
    ("first "rest"" -> postprocess_docs strips one quote each side: first "rest")."""
    out = []
    for i, p in enumerate(passages):
        t = p["title"]
        if t == inner_title:
            first, rest = t.split(" ", 1)
            q = f'"{first} "{rest}""'
        elif i % 7 == 3:
            q = f'"{t}'
        elif i % 7 == 5:
            q = f'{t}"'
        else:
            q = f'"{t}"'
        out.append({**p, "title": q})
    return out


def quote_kind(title):
    """Which quoting rule of quote_titles a title follows."""
    if title.count('"') > 2:
        return "inner"
    if title.startswith('"') and title.endswith('"') and len(title) > 1:
        return "both"
    return "start" if title.startswith('"') else "end" if title.endswith('"') else "none"
