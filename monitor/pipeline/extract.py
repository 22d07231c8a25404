"""Extract an article page's main text and metadata, in a pool of worker processes.

trafilatura finds the main text (favouring precision, so menus, trending lists, share buttons,
related links, cookie banners and comments stay out) and the title, author, date and canonical
URL. `extract_page` is pure and CPU-bound; `Extractor` runs it in a process pool so that the
daemon's event loop and threads keep running, and so that one pathological page can be timed
out or crash a worker without taking the daemon with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import re
import threading
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from urllib.parse import urljoin, urlsplit

from loguru import logger
from trafilatura import bare_extraction

# C0/C1 control characters except tab and newline: never text.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[^\S\n]+")

# Shorter than any sentence of news: what trafilatura falls back to on a page without an
# article (a lone "Home" link, a "Loading..." placeholder).
MIN_TEXT_CHARS = 25

# htmldate returns day precision unless asked for a time: articles are ordered by the minute.
_DATE_PARAMS = {
    "extensive_search": True,
    "original_date": True,
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
}


@dataclass(frozen=True, slots=True)
class PageText:
    text: str  # main text, paragraphs separated by "\n\n"
    title: str | None
    author: str | None
    published_at: datetime | None  # tz-aware UTC
    language: str | None  # ISO 639-1 guess
    canonical_url: str | None  # from <link rel=canonical>/og:url, absolute


def extract_page(html: bytes | str, url: str) -> PageText | None:
    """The main text and metadata of an article page; None when it has no main text."""
    try:
        doc = bare_extraction(
            html,
            url=url,
            favor_precision=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            with_metadata=True,
            date_extraction_params=_DATE_PARAMS,
        )
    except Exception:  # trafilatura's and lxml's failures on hostile markup mean "no text"
        return None
    if doc is None:
        return None
    title = _one_line(getattr(doc, "title", None))
    text = _without_headline(_paragraphs(getattr(doc, "text", None)), title)
    if len(text) < MIN_TEXT_CHARS:
        return None
    return PageText(
        text=text,
        title=title,
        author=_one_line(getattr(doc, "author", None)),
        published_at=_parse_date(getattr(doc, "date", None)),
        language=guess_language(text),
        canonical_url=_absolute(getattr(doc, "url", None), url),
    )


def _paragraphs(text: Any) -> str:
    """trafilatura's text has one paragraph (or heading, or list item) a line: separate them
    by a blank line, as the rest of the pipeline expects."""
    if not isinstance(text, str):
        return ""
    lines = (_SPACES.sub(" ", line).strip() for line in _CONTROL_CHARS.sub("", text).split("\n"))
    return "\n\n".join(line for line in lines if line)


def _without_headline(text: str, title: str | None) -> str:
    """The text without a first paragraph that repeats the title: the headline is matched as
    the title already, and a second copy would count every term in it twice."""
    first, _, rest = text.partition("\n\n")
    if title and first.casefold() == title.casefold():
        return rest
    return text


def _one_line(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(_CONTROL_CHARS.sub("", value).split()) or None


def _parse_date(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:  # a page that gives no zone: UTC is the least wrong guess
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _absolute(link: Any, base_url: str) -> str | None:
    if not isinstance(link, str) or not link.strip():
        return None
    try:
        resolved = urljoin(base_url, link.strip())
        parts = urlsplit(resolved)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return resolved


# ---------------------------------------------------------------- language

# The most frequent function words of each language. Words shared by two languages are dropped
# below, so that each hit is evidence for one language only.
_STOPWORDS: dict[str, str] = {
    "en": "the and of to is in that it was for with on as are this have be by not he she they",
    "de": "der die das und ist nicht mit den ein eine sich auf für von dem auch es zu im wird",
    "fr": "le la les et est des un une du que pour dans pas qui sur au avec ce il sont aux",
    "es": "el la los las y es del que en un una por con para se no su al lo como más",
    "it": "il la di che e è un una per non del della le gli con sono si da nel alla anche",
    "pt": "o a os as de do da que e é um uma para com não no na em dos das se por",
    "nl": "de het een en van is dat niet op te met voor zijn er die ook aan wordt bij maar",
    "sv": "och att det är som en på för med av inte den till har jag om ett var de",
    "da": "og at det er som en på for med af ikke den til har jeg om et var de",
    "pl": "i w nie na się że z do to jest jak o od po ale dla czy przez jego",
    "tr": "ve bir bu da de için ile olarak çok daha gibi en ama olan",
    "ru": "и в не на что с по это как он к из за для но его от о то так",
    "uk": "і в не на що з по це як він до із за для але його від та також у",
}


def _exclusive_stopwords() -> dict[str, str]:
    counts = Counter(word for words in _STOPWORDS.values() for word in set(words.split()))
    return {
        word: lang
        for lang, words in _STOPWORDS.items()
        for word in words.split()
        if counts[word] == 1
    }


_WORD_LANGUAGE = _exclusive_stopwords()
_WORD = re.compile(r"[^\W\d_]+")
_MIN_HITS = 3


def guess_language(text: str, max_words: int = 3000) -> str | None:
    """ISO 639-1 code of the language whose function words are most frequent in `text`;
    None when the evidence is thin or two languages are close."""
    votes: Counter[str] = Counter()
    total = 0
    for match in _WORD.finditer(text.lower()):
        total += 1
        lang = _WORD_LANGUAGE.get(match.group())
        if lang:
            votes[lang] += 1
        if total >= max_words:
            break
    ranked = votes.most_common(2)
    if not ranked:
        return None
    best, hits = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    # function words are a fifth or more of running text; far fewer means another language
    if hits < _MIN_HITS or hits < 0.04 * total or hits < 2 * runner_up:
        return None
    return best


# ---------------------------------------------------------------- the process pool

_WARM_UP_PAGE = (
    "<html><head><title>Warm-up</title>"
    '<meta property="article:published_time" content="2024-01-02T03:04:05+00:00"></head>'
    "<body><article><h1>Warm-up</h1><p>"
    + "This paragraph exists only to load the extraction code and its date tables. " * 8
    + "</p></article></body></html>"
)


def _warm_worker() -> None:
    """Pay each worker's one-off costs (imports, trafilatura's first date lookup) up front."""
    from monitor.pipeline import extract_worker  # noqa: F401  (spawned workers: ignore TERM)

    extract_page(_WARM_UP_PAGE, "http://127.0.0.1/warm-up")


def _ping() -> int:
    return os.getpid()


def _pool_context() -> multiprocessing.context.BaseContext:
    # Never fork: the daemon runs threads (scheduler, HTTP client), and a forked child can
    # inherit a lock some other thread held. forkserver forks from a clean single-threaded
    # server that has imported this module once; spawn is the portable fallback.
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__, f"{__package__}.extract_worker"])
        return context
    return multiprocessing.get_context("spawn")


def _stop_helper_processes() -> None:
    """Stop multiprocessing's forkserver and resource tracker with the pool, so that no child
    of ours outlives `news-monitor once` (they would otherwise linger a moment after exit, and
    a supervisor that waits for the whole process group sees them). Both restart on demand if
    another pool is created. These are private methods; without them we only lose the tidy
    exit, hence the guards."""
    from multiprocessing import forkserver, resource_tracker

    for helper in (
        getattr(forkserver, "_forkserver", None),
        getattr(resource_tracker, "_resource_tracker", None),
    ):
        stop = getattr(helper, "_stop", None)
        if stop is not None:
            with contextlib.suppress(OSError, ChildProcessError):  # already gone
                stop()


def _worker_processes(pool: ProcessPoolExecutor) -> list[Any]:
    # concurrent.futures offers no way to kill a busy worker before Python 3.14; its process
    # table is the only handle on a worker stuck on a page.
    return list((getattr(pool, "_processes", None) or {}).values())


def _terminate_later(pool: ProcessPoolExecutor, grace: float) -> None:
    """Let a retired pool finish what it is running, then kill whatever is still at work."""
    processes = _worker_processes(pool)
    pool.shutdown(wait=False, cancel_futures=False)

    def terminate() -> None:
        for process in processes:
            if process.is_alive():
                process.kill()  # workers ignore SIGTERM (see extract_worker)

    timer = threading.Timer(grace, terminate)
    timer.daemon = True
    timer.start()


class Extractor:
    """`extract_page` in a process pool: `await extractor.extract(html, url)` never raises;
    a page that times out or kills its worker yields None."""

    def __init__(self, workers: int | None = None, timeout: float = 30.0) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.timeout = timeout
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        # one slot per worker and event loop: asyncio primitives belong to one loop
        self._slots: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None

    def start(self) -> None:
        """Create the pool and bring every worker up, warm (blocks for a second or two)."""
        pool = self._ensure_pool()
        # one quick task a worker makes the pool start them all; each runs the warm-up first
        futures = [pool.submit(_ping) for _ in range(self.workers)]
        for future in futures:
            try:
                future.result(timeout=self.timeout)
            except Exception as exc:  # a worker that cannot start: extract() will retry
                logger.warning("extraction worker failed to start: {}", exc)

    async def extract(self, html: bytes, url: str) -> PageText | None:
        """Main text of a page, or None (no text, timeout, crashed worker)."""
        loop = asyncio.get_running_loop()
        if self._slots is None or self._slots[0] is not loop:
            self._slots = (loop, asyncio.Semaphore(self.workers))
        # wait for a free worker first, so that the timeout measures the extraction only
        async with self._slots[1]:
            pool = self._ensure_pool()
            try:
                future = loop.run_in_executor(pool, extract_page, html, url)
                return await asyncio.wait_for(future, self.timeout)
            except TimeoutError:
                logger.warning("extraction of {} timed out after {}s", url, self.timeout)
                self._replace(pool, grace=self.timeout)
            except BrokenProcessPool:
                logger.warning("extraction worker died on {}; restarting the pool", url)
                self._replace(pool, grace=0)
            except Exception as exc:  # extract_page catches its own; this is the pool's
                logger.warning("extraction of {} failed: {!r}", url, exc)
        return None

    def close(self) -> None:
        """Stop the workers: queued pages are dropped, running ones get `timeout` to finish."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = _worker_processes(pool)
        # shutdown(wait=True) has no deadline: wait in a helper thread so a worker stuck on
        # a page cannot hold up the daemon's exit
        closer = threading.Thread(
            target=pool.shutdown, kwargs={"wait": True, "cancel_futures": True}, daemon=True
        )
        closer.start()
        closer.join(self.timeout)
        if closer.is_alive():
            for process in processes:
                process.kill()
        _stop_helper_processes()

    def __enter__(self) -> Extractor:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _ensure_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=_pool_context(),
                    initializer=_warm_worker,
                )
            return self._pool

    def _replace(self, pool: ProcessPoolExecutor, grace: float) -> None:
        """Swap in a fresh pool, unless a concurrent failure already did."""
        with self._lock:
            if self._pool is not pool:
                return
            self._pool = None
        _terminate_later(pool, grace)
