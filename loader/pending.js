// What the reader clicked and the engine has not taken yet: drawn on the card
// as taken (showPending), and kept on the device (localStorage "verdict:early")
// until the engine adopts it. Shared by actions.js, which takes the clicks,
// and engine.js, which hears when the engine has taken or adopted them.

const KEPT = "verdict:early"; // localStorage: [{endpoint, comparison, tool, at}], tool null for a withdrawal
const KEPT_AT_MOST = 20;

// The engine has taken the oldest action; the engine's renders show the rest.
export function acted(card) {
  if (card.pending && --card.pending.count <= 0) card.pending = null;
}

// Draw the reader's latest action as taken and pending on the card's current HTML.
export function showPending(card) {
  const vote = card.pending && card.body.querySelector(".vd-vote");
  if (!vote) return;
  const { action, tool } = card.pending;
  let source = null;
  for (const control of vote.querySelectorAll("[data-action]")) {
    const chosen = control.dataset.action === action && (action !== "vote" || control.dataset.tool === tool);
    if (control.dataset.action === "vote") control.setAttribute("aria-pressed", String(action === "vote" && chosen));
    if (chosen) source = control;
  }
  vote.setAttribute("aria-busy", "true");
  if (source) source.setAttribute("aria-busy", "true");
  const status = vote.querySelector(".vd-vote-status");
  if (status && source && source.dataset.pending) {
    status.textContent = source.dataset.pending;
    status.removeAttribute("data-error");
  }
}

// The clicks kept on the device (any page of this site), for the engine to adopt; the engine checks each
// field (storage is not trusted).
export function storedClicks() {
  try {
    const kept = JSON.parse(localStorage.getItem(KEPT));
    return Array.isArray(kept) ? kept : [];
  } catch {
    return [];
  }
}

// The engine has adopted these (by their time) into the device's outbox, stored just before.
export function forgetClicks(ats) {
  writeKept(storedClicks().filter((kept) => !ats.includes(kept.at)));
}

export function keep(click) {
  writeKept([...storedClicks(), click]);
}

function writeKept(kept) {
  try {
    if (kept.length) localStorage.setItem(KEPT, JSON.stringify(kept.slice(-KEPT_AT_MOST)));
    else localStorage.removeItem(KEPT);
  } catch {
    // Storage blocked: the click still counts on this page, it just cannot outlive it.
  }
}
