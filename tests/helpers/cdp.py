"""Drive Debian's headless Chromium over the DevTools protocol through a pipe
(``--remote-debugging-pipe``: the browser reads commands on its fd 3 and writes replies and
events on fd 4, each a JSON text ended by a NUL byte). Standard library only — no WebDriver,
no WebSocket client — so the browser tests need nothing but the ``chromium`` package.

>>> with Chromium(CHROMIUM, tmp_path) as browser:          # doctest: +SKIP
...     page = browser.new_page()
...     page.navigate(url)
...     page.click("button.ek-sort")
...     page.evaluate("document.title")

Every page records the JavaScript dialogs that open (``alert``, ``confirm`` …) in
``page.dialogs`` and dismisses them, so a test can assert that none opened. The network is
off: every host name resolves to nothing and the proxy is a closed port.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

#: The Chromium executable of this machine (Debian's ``chromium``), or None.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


class CDPError(RuntimeError):
    """A DevTools command failed, or the browser did not answer in time."""


class Chromium:
    """One headless Chromium process and its DevTools pipe."""

    def __init__(self, executable: str, profile: str | Path, *, width: int = 1280, height: int = 1000,
                 args: tuple[str, ...] = ()):
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def child_fds() -> None:  # the browser's fd 3 reads our commands, fd 4 writes its replies
            # (copied above 9 first: a pipe end may itself be fd 3 or 4)
            high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        cmd = [executable, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
               "--disable-background-networking", "--disable-component-update", "--no-first-run",
               "--disable-sync", "--no-default-browser-check", "--mute-audio",
               "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--proxy-server=127.0.0.1:9",
               f"--user-data-dir={profile}", f"--window-size={width},{height}", *args, "about:blank"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, close_fds=False, preexec_fn=child_fds)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._replies: dict[int, queue.Queue] = {}
        self.events: list[dict] = []           # every event: {"method", "params", "sessionId"}
        self._listeners: list = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    # -- the pipe --------------------------------------------------------------------------
    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_browser, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                for q in list(self._replies.values()):
                    q.put({"error": {"message": "the browser closed its pipe"}})
                return
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw.decode("utf-8"))
                if "id" in message:
                    q = self._replies.get(message["id"])
                    if q is not None:
                        q.put(message)
                else:
                    self.events.append(message)
                    for listener in list(self._listeners):
                        listener(message)

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 30.0) -> dict:
        """Run one DevTools command; its ``result``. :class:`CDPError` on an error reply or
        after ``timeout`` seconds."""
        message_id = next(self._ids)
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        q: queue.Queue = queue.Queue()
        self._replies[message_id] = q
        data = json.dumps(message).encode("utf-8") + b"\0"
        with self._lock:
            os.write(self._to_browser, data)
        try:
            reply = q.get(timeout=timeout)
        except queue.Empty:
            raise CDPError(f"{method}: no answer within {timeout:g} s") from None
        finally:
            self._replies.pop(message_id, None)
        if "error" in reply:
            raise CDPError(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    def new_page(self) -> Page:
        """A new tab, attached (flat session), with the Page and Runtime domains on."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, target, session)
        self._listeners.append(page._on_event)
        page.call("Page.enable")
        page.call("Runtime.enable")
        return page

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except CDPError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Page:
    """One tab: navigate, evaluate, click, type, press keys; its dialogs and console errors."""

    def __init__(self, browser: Chromium, target: str, session: str):
        self.browser, self.target, self.session = browser, target, session
        self.dialogs: list[dict] = []            # Page.javascriptDialogOpening params
        self.exceptions: list[dict] = []         # Runtime.exceptionThrown params

    def _on_event(self, message: dict) -> None:
        if message.get("sessionId") != self.session:
            return
        method = message.get("method")
        if method == "Page.javascriptDialogOpening":
            self.dialogs.append(message["params"])
            threading.Thread(target=self._dismiss, daemon=True).start()
        elif method == "Runtime.exceptionThrown":
            self.exceptions.append(message["params"])

    def _dismiss(self) -> None:
        try:
            self.call("Page.handleJavaScriptDialog", accept=False, timeout=5)
        except CDPError:
            pass

    def call(self, method: str, timeout: float = 30.0, **params: Any) -> dict:
        return self.browser.send(method, params, session=self.session, timeout=timeout)

    def evaluate(self, expression: str, timeout: float = 30.0) -> Any:
        """The value of a JavaScript expression (promises awaited); :class:`CDPError` when
        it throws."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True, timeout=timeout)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = (details.get("exception") or {}).get("description") or details.get("text")
            raise CDPError(f"{expression[:80]}: {text}")
        return result.get("result", {}).get("value")

    def wait_for(self, expression: str, timeout: float = 15.0, interval: float = 0.05) -> Any:
        """Evaluate ``expression`` until it is truthy (a page still loading is retried)."""
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            try:
                last = self.evaluate(expression, timeout=5)
                if last:
                    return last
            except CDPError:
                pass
            time.sleep(interval)
        raise CDPError(f"waited {timeout:g} s for {expression!r}; last value {last!r}")

    def navigate(self, url: str, ready: str | None = "document.documentElement.dataset.ready === '1'") -> None:
        """Open ``url`` and wait until the new document is there and ``ready`` holds
        (default: the portal's script ran; its query string may change the URL after)."""
        try:  # mark the current document, to tell it from the new one
            self.evaluate("document.documentElement && (document.documentElement.dataset.cdpOld = '1')", timeout=5)
        except CDPError:
            pass
        self.call("Page.navigate", url=url)
        path = url.split("?")[0].split("#")[0]
        condition = (f"location.href.split('?')[0].split('#')[0] === {json.dumps(path)} && "
                     "document.documentElement && !document.documentElement.dataset.cdpOld")
        self.wait_for(f"{condition} && ({ready})" if ready else condition)

    def url(self) -> str:
        return self.evaluate("location.href")

    def center(self, selector: str) -> tuple[float, float]:
        box = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return null;"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return [r.left + r.width / 2, r.top + r.height / 2]; })()")
        if box is None:
            raise CDPError(f"no element matches {selector!r}")
        return box[0], box[1]

    def click(self, selector: str) -> None:
        """A real mouse click (pressed and released) in the middle of the element."""
        x, y = self.center(selector)
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    def focus(self, selector: str) -> None:
        if not self.evaluate(f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                             " if (!e) return false; e.focus(); return document.activeElement === e; })()"):
            raise CDPError(f"cannot focus {selector!r}")

    _KEYS = {"Enter": (13, "\r"), "Tab": (9, ""), "ArrowDown": (40, ""), "ArrowUp": (38, ""),
             "Space": (32, " "), "Escape": (27, "")}

    def press(self, key: str) -> None:
        """A real key press (down, up) on the focused element."""
        code, text = self._KEYS[key]
        name = " " if key == "Space" else key
        params = {"key": name, "code": key, "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code}
        self.call("Input.dispatchKeyEvent", type="keyDown", text=text or None, **params) if text else \
            self.call("Input.dispatchKeyEvent", type="rawKeyDown", **params)
        self.call("Input.dispatchKeyEvent", type="keyUp", **params)

    def type(self, text: str) -> None:
        """Type ``text`` into the focused element (as an input method does)."""
        self.call("Input.insertText", text=text)
