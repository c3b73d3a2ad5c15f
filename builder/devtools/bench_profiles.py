"""The shapes a bench load runs under (network and CPU, through the DevTools protocol) and what the
early-click measurement watches on the page: shared by bench.py and bench_networks.py."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import CDPSession

ENGINE_TIMEOUT = 90_000


@dataclass(frozen=True)
class Profile:
    """A network and CPU shape a load runs under, through the DevTools protocol."""

    label: str
    latency_ms: float = 0
    down_kbps: float = -1  # kbit/s; -1: not throttled
    up_kbps: float = -1
    cpu_slowdown: float = 1
    """Emulation.setCPUThrottlingRate: Chromium slows the page's main thread only (not its workers)."""
    timeout_ms: float = ENGINE_TIMEOUT

    def apply(self, session: CDPSession) -> None:
        if self.latency_ms or self.down_kbps > 0 or self.up_kbps > 0:
            session.send("Network.enable")
            conditions = {
                "offline": False,
                "latency": self.latency_ms,
                "downloadThroughput": _bytes_per_second(self.down_kbps),
                "uploadThroughput": _bytes_per_second(self.up_kbps),
            }
            session.send("Network.emulateNetworkConditions", conditions)
        if self.cpu_slowdown != 1:
            session.send("Emulation.setCPUThrottlingRate", {"rate": self.cpu_slowdown})


def _bytes_per_second(kbps: float) -> float:
    """The protocol's throughput (bytes/s) for kbit/s; -1 stays -1 (not throttled)."""
    return kbps * 1000 / 8 if kbps > 0 else -1


# The shapes a load can run under, by name.
PROFILES = {
    "loopback": Profile("loopback, no throttling"),
    # Lighthouse's mobile preset: 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up, CPU 4x slower.
    "phone": Profile("phone (150 ms, 1.6 Mbit/s down, 750 kbit/s up, CPU 4x)", 150, 1600, 750, 4, timeout_ms=300_000),
    # A home line: 20 ms round trip, 20 Mbit/s down, 5 Mbit/s up, the machine's own CPU.
    "broadband": Profile("broadband (20 ms, 20 Mbit/s down, 5 Mbit/s up)", 20, 20_000, 5_000, timeout_ms=120_000),
}
# A connection Chromium reports as effectiveType "3g" (navigator.connection): the loader's slow-connection
# default. Only for a reader who never touches the card (no runtime is downloaded at it).
SLOW = Profile("3g-class (400 ms, 400 kbit/s down and up)", 400, 400, 400, timeout_ms=120_000)


WATCH_EARLY_CLICK = """
window.__early = {};
// pointerdown: a disabled control (not ready yet) gets no click event, but the reader did press it.
addEventListener("pointerdown", (event) => {
  const onControl = event.composedPath().some((node) => node.classList?.contains("vd-choice"));
  if (onControl) window.__early.click ??= event.timeStamp;
}, true);
(function watch() {
  const root = document.querySelector("[data-verdict]")?.shadowRoot;
  const now = performance.now();
  const early = window.__early;
  if (root?.querySelector("button.vd-choice[aria-pressed='true']")) early.taken ??= now;
  if (root?.querySelector("button.vd-choice:enabled")) early.ready ??= now;
  if (/is counted/.test(root?.querySelector(".vd-vote-status")?.textContent || "")) early.confirmed ??= now;
  if (early.confirmed === undefined) requestAnimationFrame(watch);
})();
"""
TOOL = "mistral-4b-edge"
