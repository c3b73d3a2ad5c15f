"""Every sentence a card says about the reader's vote, in the card's locale.

The engine decides what happened (a ``Notice`` of some kind); this module alone words it,
so a translator finds every status sentence here (and ``render.pending_message``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, assert_never

from .i18n import Locale
from .outbox import Choice
from .render import pending_message

NoticeKind = Literal[
    "saving",
    "withdrawing",
    "counted",
    "withdrawn",
    "queued",
    "queued_withdrawal",
    "refused",
    "refused_withdrawal",
    "origin_refused",
    "origin_refused_at_load",
    "tallies_unavailable",
]
"""Every kind of notice the engine can say (the build's trace must say each one: builder/runtime/trace_inside.py)."""

ERRORS: frozenset[NoticeKind] = frozenset({"refused", "refused_withdrawal", "origin_refused", "origin_refused_at_load"})


@dataclass(frozen=True)
class Notice:
    """What a card's vote status says, by kind; the sentence is made per card, in its locale (``sentence``)."""

    kind: NoticeKind
    tool: str | None = None
    reason: str = ""
    busy: bool = False

    @property
    def error(self) -> bool:
        return self.kind in ERRORS


def queued_notice(record: Choice) -> Notice:
    """A choice saved on the device that the endpoint has not confirmed yet."""
    return Notice("queued", record.tool) if record.tool else Notice("queued_withdrawal")


def sentence(notice: Notice, words: Locale, tool: str) -> str:
    """What the card says about the reader's vote; ``tool``: the name of the notice's tool."""
    reason = notice.reason
    match notice.kind:
        case "saving":
            return pending_message(tool, words)
        case "withdrawing":
            return pending_message(None, words)
        case "counted":
            return words.gettext("Thanks: your vote for {tool} is counted.", tool=tool)
        case "withdrawn":
            return words.gettext("Your vote is withdrawn.")
        case "queued":
            return words.gettext(
                "Pending: your vote for {tool} is saved on this device and will be sent when the vote server "
                "can be reached.",
                tool=tool,
            )
        case "queued_withdrawal":
            return words.gettext(
                "Pending: your vote is withdrawn on this device and the vote server will be told when it can "
                "be reached."
            )
        case "refused":
            return words.gettext(
                "Your vote was not saved: the vote server refused it ({reason}). Nothing changed; sending it "
                "again would not help.",
                reason=reason,
            )
        case "refused_withdrawal":
            return words.gettext(
                "Your vote was not withdrawn: the vote server refused it ({reason}). Nothing changed.",
                reason=reason,
            )
        case "origin_refused":
            return words.gettext(
                "Your vote was not saved: the vote server does not accept votes from this site, so it is not "
                "kept for later. The site's owner can fix this."
            )
        case "origin_refused_at_load":
            return words.gettext("Voting is unavailable: the vote server does not accept votes from this site.")
        case "tallies_unavailable":
            return words.gettext("Live votes are unavailable right now.")
        case _:
            assert_never(notice.kind)
