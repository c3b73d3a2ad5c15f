"""The configurator's logic, running in the page with PyScript.

The engine wheel (``verdict``, the same one the embed runs) was installed by
micropip from this site's packages folder. The bundle is validated with the
engine's own models, every problem shown with its path; each change of the
form goes onto the preview card's data-* attributes, where the real embed
(embed.js, loaded by this page) restyles or re-renders it live; the snippet
is written by ``verdict.snippet``.
"""

import asyncio
import time
from datetime import UTC

import js
from pyodide.ffi import create_proxy, to_js
from pyodide.http import pyfetch

from verdict.bundle import Problem, check_bundle
from verdict.rules import Section
from verdict.snippet import ATTRIBUTES, embed_snippet

SECTIONS = ",".join(Section)
document = js.document
keep = []  # event proxies stay alive as long as the page
tasks = set()  # running tasks, kept until done
comparisons = {}  # bundle URL -> [(id, title)]
closings = {}  # bundle URL -> {comparison id: its closes_at}
loads = 0  # bundle loads started: a load finishing after a newer one started changes nothing
bundle_ok = False  # the current bundle URL was fetched and is valid: its snippet renders
HOSTING = "See docs/bundles/hosting.md in Verdict's repository."


def spawn(coroutine):
    task = asyncio.ensure_future(coroutine)
    tasks.add(task)
    task.add_done_callback(tasks.discard)


def element(selector):
    return document.querySelector(selector)


def absolute(url):
    return js.URL.new(url, js.location.href).href


def bundle_url():
    chosen = element("#bundle-choice").value
    return absolute(chosen) if chosen else element("#bundle-url").value.strip()


def show_problems(problems, ok_text="", warnings=()):
    """Every problem (and warning) with where it is: a path such as tools[0].entry, or a line."""
    box = element("#problems")
    box.replaceChildren()
    if ok_text and not problems:
        note = document.createElement("p")
        note.className = "ok"
        note.textContent = ok_text
        box.append(note)
    for kind, listed in (("error", problems), ("warning", warnings)):
        if not listed:
            continue
        listing = document.createElement("ul")
        listing.className = kind
        for problem in listed:
            item = document.createElement("li")
            where = document.createElement("code")
            line = getattr(problem, "line", None)
            where.textContent = f"line {line}, column {problem.column}" if line else problem.path or "(bundle)"
            item.append(where, (" warning: " if kind == "warning" else " ") + problem.message)
            listing.append(item)
        box.append(listing)


def plural(count, noun):
    return f"{count} {noun}{'' if count == 1 else 's'}"


def titles(bundle):
    names = {tool.id: tool.name for tool in bundle.tools}
    return [(c.id, c.title or " vs ".join(names[t] for t in c.tools)) for c in bundle.comparisons]


def closing_note(closes_at, now=None):
    """What the chosen comparison's closes_at means for the card, in the publisher's words (UTC)."""
    if closes_at is None:
        return ""
    when = closes_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if (time.time() if now is None else now) >= closes_at.timestamp():
        return f"Voting closed on {when}: the card shows the final results and no vote control."
    return f"Voting closes on {when}: then the card shows the final results and the endpoint refuses votes."


def show_closing():
    chosen = element("#comparison").value
    element("#closing").textContent = closing_note(closings.get(bundle_url(), {}).get(chosen))


def fill_comparisons(options):
    select = element("#comparison")
    current = select.value
    select.replaceChildren()
    for comparison_id, title in options:
        option = document.createElement("option")
        option.value = comparison_id
        option.textContent = title
        select.append(option)
    if any(comparison_id == current for comparison_id, _ in options):
        select.value = current


def forget_bundle():
    """What belonged to the previous bundle goes (its comparisons), and no snippet is copied until the new
    one is fetched and valid: a snippet naming a bundle readers cannot load shows them an error card."""
    global bundle_ok
    bundle_ok = False
    element("#comparison").replaceChildren()
    element("#copy").disabled = True
    update()


async def unreachable(url, error):
    """Why `url` could not be fetched: its host sends no CORS header (it answers a no-cors request), or
    it cannot be reached at all."""
    try:
        await js.fetch(url, to_js({"mode": "no-cors", "cache": "no-cache"}, dict_converter=js.Object.fromEntries))
    except Exception:
        return (
            f"could not reach {url}: the address is wrong, or its host is down or not reachable from here "
            f"({error}). {HOSTING}"
        )
    return (
        f"{url} is served, but its host sends no Access-Control-Allow-Origin header, so the browser keeps it "
        f"from this page and from your readers' pages (CORS). Make that host send "
        f"`Access-Control-Allow-Origin: *` with the bundle. {HOSTING}"
    )


async def load_published(url):
    """Fetch and validate the bundle at `url`; its comparisons fill the picker."""
    global loads, bundle_ok
    loads += 1
    mine = loads
    forget_bundle()
    if not url:
        show_problems([], "")
        return
    element("#bundle-url").value = url
    try:
        response = await pyfetch(url, cache="no-cache")
        text = await response.string()
    except Exception as error:  # network or CORS: say which, keep the form usable
        said = await unreachable(url, error)
        if mine == loads:
            show_problems([Problem("", said)])
        return
    if mine != loads or bundle_url() != url:
        return
    if not response.ok:
        show_problems([Problem("", f"could not fetch {url} (HTTP {response.status}). {HOSTING}")])
        return
    checked = check_bundle(text)
    if checked.bundle is None:
        show_problems(checked.errors, warnings=checked.warnings)
        return
    bundle = checked.bundle
    bundle_ok = True
    element("#copy").disabled = False
    comparisons[url] = titles(bundle)
    closings[url] = {c.id: c.closes_at for c in bundle.comparisons}
    fill_comparisons(comparisons[url])
    counts = f"{plural(len(bundle.comparisons), 'comparison')}, {plural(len(bundle.tools), 'tool')}"
    show_problems([], f"Valid bundle: {counts}.", checked.warnings)
    update()


def on_url_typed(*_):
    """A URL being typed is not the loaded bundle's: its comparisons and snippet no longer apply."""
    global loads
    loads += 1
    forget_bundle()


def check_pasted(*_):
    text = element("#bundle-paste").value.strip()
    if not text:
        return
    checked = check_bundle(text)
    if checked.bundle is None:
        show_problems(checked.errors, warnings=checked.warnings)
        return
    count = plural(len(checked.bundle.comparisons), "comparison")
    show_problems(
        [],
        f"Valid bundle: {count}. Publish it at a URL and enter that URL above to preview it.",
        checked.warnings,
    )


def values():
    """The form as attribute values (name without data- -> value)."""
    chosen = {"bundle": bundle_url()}
    for field in document.querySelectorAll("[data-attribute]"):
        chosen[field.dataset.attribute] = field.value.strip()
    sections = [box.value for box in document.querySelectorAll("input[name=section]") if box.checked]
    chosen["sections"] = ",".join(sections) if sections else SECTIONS
    return chosen


def update(*_):
    chosen = values()
    preview = element("#preview")
    defaults = dict(ATTRIBUTES)
    for name, value in chosen.items():
        if value and value != defaults.get(name):
            preview.setAttribute(f"data-{name}", value)
        else:
            preview.removeAttribute(f"data-{name}")
    element("#snippet").textContent = embed_snippet(absolute("../embed.js"), chosen)
    show_closing()


def on_bundle_choice(*_):
    spawn(load_published(bundle_url()))


def on_accent_pick(event):
    element("#accent").value = event.target.value
    update()


async def copy(*_):
    if not bundle_ok:
        element("#copied").textContent = "Not copied: this snippet would show readers an error card (see above)."
        return
    text = element("#snippet").textContent
    try:
        await js.navigator.clipboard.writeText(text)
        element("#copied").textContent = "Copied. Paste it where the card should appear."
    except Exception:
        element("#copied").textContent = "Select the snippet above and copy it (the clipboard is blocked here)."


def listen(selector, event, handler):
    proxy = create_proxy(handler)
    keep.append(proxy)
    element(selector).addEventListener(event, proxy)


async def main():
    listen("#form", "input", update)
    listen("#form", "change", update)
    listen("#bundle-choice", "change", on_bundle_choice)
    listen("#bundle-url", "input", on_url_typed)
    listen("#bundle-url", "change", lambda *_: spawn(load_published(bundle_url())))
    listen("#bundle-paste", "input", check_pasted)
    listen("#accent-picker", "input", on_accent_pick)
    listen("#copy", "click", lambda *_: spawn(copy()))
    await load_published(bundle_url())
    element(
        "#status"
    ).textContent = "Ready: the engine is installed in this page; the card on the right is the real embed."
    js.performance.mark("configurator:ready")


spawn(main())
