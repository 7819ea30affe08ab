"""The TMDB plugin: credentials checked at run start, identification per item.

Settings live in ``[tmdb]``; ``TMDB_API_KEY`` / ``TMDB_READ_TOKEN`` in the environment override
the profile. The key never reaches a log line, an error message or the state DB.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from shelver.api import (
    ConfigError,
    DemoService,
    Identity,
    Item,
    Match,
    Profile,
    RunContext,
    hookimpl,
    redact,
)

DEFAULT_BASE_URL = "https://api.themoviedb.org/3"
DEFAULT_IMAGE_BASE = "https://image.tmdb.org/t/p/"


@hookimpl
def shelver_config_schema() -> dict[str, dict[str, Any]]:
    return {"tmdb": {"api_key": "", "read_token": "", "base_url": DEFAULT_BASE_URL,
                     "language": "en-US", "min_confidence": 0.75, "rate": "35/10s",
                     "timeout": 15.0, "share": 1.0, "max_retry_after": 300.0,
                     "request_timeout": 60.0, "max_response_mb": 10.0, "image_base_url": "",
                     "limiter": "", "expected_hosts": 2, "cache": ""}}


def _positive(ctx: RunContext, setting: str) -> float:
    value = ctx.profile.get(setting)
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not number > 0 or number == float("inf"):
        raise ConfigError(f"{setting} = {value!r} must be a positive number of "
                          f"{'MB' if setting.endswith('_mb') else 'seconds'} "
                          f"({ctx.profile.where(setting)})")
    return number


def image_host_allowed(url: str, base_url: str, configured: str = "") -> bool:
    """Whether images may be fetched from ``url`` (an image base from ``/configuration``):
    an http(s) URL on TMDB's image host, on the host of ``tmdb.base_url`` (the look-alike, a
    proxy), or on the host of ``tmdb.image_base_url``; no credentials, query or fragment."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        allowed = {urlsplit(u).netloc.lower() for u in (DEFAULT_IMAGE_BASE, base_url, configured)
                   if u}
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or parts.query or parts.fragment:
        return False
    if "@" in parts.netloc or any(not c.isprintable() or c.isspace() for c in url):
        return False
    return parts.netloc.lower() in allowed


@hookimpl
def shelver_register_migrations(register: Any) -> None:
    from shelver.plugins.tmdb.cache import migrate_tmdb_tables

    register("tmdb-001-cache-and-rate-limit", migrate_tmdb_tables)
    from shelver.plugins.tmdb.credentials import migrate_credential_checks

    register("tmdb-002-credential-checks", migrate_credential_checks)


def credentials(ctx: RunContext) -> tuple[str | None, str | None, str]:
    """``(api_key, read_token, where)``: environment first, then the profile."""
    env_key, env_token = os.environ.get("TMDB_API_KEY"), os.environ.get("TMDB_READ_TOKEN")
    if env_key or env_token:
        where = "TMDB_API_KEY (environment)" if env_key else "TMDB_READ_TOKEN (environment)"
        return env_key or None, env_token or None, where
    key = str(ctx.profile.get("tmdb.api_key") or "") or None
    token = str(ctx.profile.get("tmdb.read_token") or "") or None
    where = ctx.profile.where("tmdb.api_key" if key or not token else "tmdb.read_token")
    return key, token, where


# Requests per video not identified yet, at most: a search and the details (a show's episodes
# share its lookups, so a tree of episodes takes less: the estimate is an upper bound).
REQUESTS_PER_VIDEO = 2


@hookimpl
def shelver_estimate_lookups(profile: Profile, videos: int) -> dict[str, Any] | None:
    from shelver.plugins.tmdb.ratelimit import parse_rate

    try:
        rate = parse_rate(str(profile.get("tmdb.rate") or "35/10s"))
    except ConfigError:
        return None  # the run's checks name the setting
    seconds = videos * REQUESTS_PER_VIDEO * rate.window / rate.requests
    return {"seconds": seconds, "rate": f"{rate.requests} request{'s' * (rate.requests != 1)}"
                                        f"/{rate.window:g} s"}


@hookimpl
async def shelver_run_check(ctx: RunContext) -> None:
    from shelver.plugins.tmdb.client import TMDBClient

    api_key, read_token, where = credentials(ctx)
    if not api_key and not read_token:
        raise ConfigError(f"no TMDB credentials: set tmdb.api_key or tmdb.read_token "
                          f"({ctx.profile.where('tmdb')}) or export TMDB_API_KEY")
    redact(api_key)
    redact(read_token)
    client = TMDBClient(
        str(ctx.profile.get("tmdb.base_url")), api_key=api_key, read_token=read_token,
        db_path=ctx.state.path, rate=str(ctx.profile.get("tmdb.rate")),
        timeout=float(ctx.profile.get("tmdb.timeout")), setting=where,
        share=float(ctx.profile.get("tmdb.share")), owner=ctx.profile.name,
        max_retry_after=_positive(ctx, "tmdb.max_retry_after"),
        request_timeout=_positive(ctx, "tmdb.request_timeout"),
        max_response_mb=_positive(ctx, "tmdb.max_response_mb"),
        **_redis_settings(ctx.profile),
    )
    ctx.resources["tmdb"] = client
    # A wrong key stops the run here, before any file is touched (exit 2). A key accepted within
    # the last day is not asked about again: a run whose lookups are cached makes no request.
    from shelver.plugins.tmdb import credentials as checks

    base_url = str(ctx.profile.get("tmdb.base_url"))
    print_ = await ctx.to_thread(checks.key_fingerprint, ctx.state.path, api_key, read_token,
                                 base_url, limiter="db")
    configuration = await ctx.to_thread(checks.recent_check, ctx.state.path, print_, limiter="db")
    if configuration is None:
        configuration = await client.check_credentials()
        if configuration:  # only a real answer proves the key
            await ctx.to_thread(checks.remember_check, ctx.state.path, print_, configuration,
                                limiter="db")
    configured = str(ctx.profile.get("tmdb.image_base_url") or "")
    if configured:
        if not image_host_allowed(configured, base_url, configured):
            raise ConfigError(f"tmdb.image_base_url = {configured!r} is not an http(s) URL "
                              f"({ctx.profile.where('tmdb.image_base_url')})")
        client.image_base = configured
        return
    images = (configuration or {}).get("images")
    images = images if isinstance(images, dict) else {}
    named = images.get("secure_base_url") or images.get("base_url")
    if not named:
        return
    if isinstance(named, str) and image_host_allowed(named, base_url):
        client.image_base = named  # every image URL in the Metadata the matcher makes
    else:
        # Artwork only from an image host the user chose: TMDB's, tmdb.base_url's, or
        # tmdb.image_base_url. The Metadata then has no image URLs (NFOs no thumbs either).
        ctx.log.warning("TMDB /configuration names the image host %r, which is not TMDB's nor "
                        "that of tmdb.base_url: no artwork fetched (set tmdb.image_base_url to "
                        "allow one)", str(named)[:80])


def _redis_settings(profile: Any) -> dict[str, Any]:
    """``tmdb.limiter`` and ``tmdb.cache`` (Redis URLs, or "" for the state DB) and
    ``tmdb.expected_hosts``, checked: ConfigError naming the setting (a URL's password never
    shown)."""
    url = str(profile.get("tmdb.limiter") or "")
    cache = str(profile.get("tmdb.cache") or "")
    hosts = profile.get("tmdb.expected_hosts")
    if isinstance(hosts, bool) or not isinstance(hosts, int) or hosts < 1:
        raise ConfigError(f"tmdb.expected_hosts = {hosts!r} must be a whole number of hosts, "
                          f"at least 1 ({profile.where('tmdb.expected_hosts')})")
    if url:
        from shelver.plugins.tmdb.redislimit import check_url

        check_url(url, profile.where("tmdb.limiter"))
    if cache:
        from shelver.plugins.tmdb.rediscache import check_cache_url

        check_cache_url(cache, profile.where("tmdb.cache"))
    return {"limiter_url": url, "expected_hosts": hosts,
            "limiter_setting": profile.where("tmdb.limiter"), "cache_url": cache,
            "cache_setting": profile.where("tmdb.cache")}


@hookimpl
def shelver_check_profile(profile: Any) -> list[str] | None:
    """``shelver profile check``: warn when no key is set (a run stops at start without one);
    a ``tmdb.limiter`` or ``tmdb.cache`` that is not a Redis URL, or a bad
    ``tmdb.expected_hosts``, is an error."""
    from shelver.plugins.tmdb.demo import missing_key_warning

    _redis_settings(profile)
    warning = missing_key_warning(profile)
    return [warning] if warning else None


@hookimpl
def shelver_profile_template() -> dict[str, dict[str, Any]]:
    from shelver.plugins.tmdb.demo import PROFILE_TEMPLATE

    return {section: dict(keys) for section, keys in PROFILE_TEMPLATE.items()}


@hookimpl
def shelver_demo_services(stack: contextlib.ExitStack, serve: bool, port: int) -> DemoService:
    """``shelver demo``: the bundled TMDB snapshot, served on loopback by the look-alike."""
    from shelver.plugins.tmdb.demo import start_look_alike

    return start_look_alike(stack, serve, port)


@hookimpl
def shelver_status(profile: Any, state: Any) -> dict[str, Any]:
    """The ``tmdb`` section of ``shelver status``: requests per instance over the last rate
    window (the limiter's log in the shared state DB; None before this plugin ever ran) and the
    Retry-After block every run waits for (None when there is none)."""
    import time

    from shelver.plugins.tmdb.ratelimit import active_block, parse_rate

    now = time.time()
    try:
        rate = parse_rate(str(profile.get("tmdb.rate") or "35/10s"))
        window, limit = rate.window, rate.requests
    except ConfigError:  # `shelver profile check` names it; status still shows the rest
        window, limit = 10.0, None
    try:
        rows = state.conn().execute(
            "SELECT owner, count(*) FROM tmdb_rate_log WHERE ts > ? GROUP BY owner",
            (now - window,)).fetchall()
        use: dict[str, Any] | None = {
            "window_seconds": window, "limit": limit,
            "by_instance": {str(owner): int(count) for owner, count in rows}}
    except Exception:  # sqlite3.OperationalError: no such table (this plugin never ran)
        use = None
    block = active_block(state.path, now=now)
    lines = []
    if block is not None:
        left = "no end set" if block["seconds_left"] is None else f"{block['seconds_left']:.0f} s left"
        lines.append(f"tmdb:    rate-limited by TMDB (Retry-After): every run waits, {left}")
    return {"tmdb": {"lines": lines, "rate": use, "block": block}}


@hookimpl
async def shelver_run_end(ctx: RunContext) -> None:
    client = ctx.resources.pop("tmdb", None)
    if client is not None:
        await client.aclose()


async def _forced(client: Any, forced: Identity, language: str) -> Match:
    """An identity set by a person (``shelver review``, ``item.forced``): fetch its metadata,
    no search."""
    from shelver.plugins.tmdb.details import fetch_metadata, matched_release_date

    identity = Identity("tmdb", forced.kind, forced.id, season=forced.season,
                        episodes=list(forced.episodes))
    metadata = await fetch_metadata(client, identity, language=language)
    return Match(identity=identity, confidence=1.0, candidates=[], metadata=metadata,
                 release_date=matched_release_date(metadata))


@hookimpl
def shelver_fetch_metadata(identity: Identity, ctx: RunContext) -> Any:
    """The metadata of a TMDB identity (a coroutine: ``details.fetch_metadata``, from the
    response cache when it has the documents); None for another provider's identity, or when
    this plugin did not start (no client): then another provider may answer."""
    from shelver.plugins.tmdb.details import fetch_metadata

    client = ctx.resources.get("tmdb")
    if client is None or identity.provider != "tmdb":
        return None
    return fetch_metadata(client, identity, language=str(ctx.profile.get("tmdb.language")))


@hookimpl(trylast=True)
def shelver_match(item: Item, ctx: RunContext) -> Any:
    from shelver.plugins.tmdb.matcher import identify

    client = ctx.resources.get("tmdb")
    if client is None:
        return None
    language = str(ctx.profile.get("tmdb.language"))
    threshold = float(ctx.profile.get("tmdb.min_confidence"))
    from shelver.plugins.tmdb.explain import traced  # shelver explain: requests, candidates

    if item.forced is not None:
        # A person chose another provider's work: that provider answers, never a TMDB search.
        return traced(_forced(client, item.forced, language), ctx.trace, item.parsed, threshold
                      ) if item.forced.provider == "tmdb" else None
    # What a downloader said (its ids, title, numbers) wins over what the name says.
    parsed = item.hints.applied_to(item.parsed) if item.hints is not None else item.parsed
    return traced(identify(client, parsed, item.probe, min_confidence=threshold,
                           language=language), ctx.trace, parsed, threshold)


@hookimpl
async def shelver_search(text: str, year: int | None, kind: str | None,
                         ctx: RunContext) -> list[dict[str, Any]] | None:
    """A person's search (the web UI): TMDB's cards for a title, an id or a TMDB URL. Without
    a client in ``ctx`` (no run), one is set up as a run's start does, and closed after."""
    from shelver.plugins.tmdb.search import search_cards

    own = ctx.resources.get("tmdb") is None
    if own:
        await shelver_run_check(ctx)
    try:
        return await search_cards(ctx.resources["tmdb"], text, year, kind,
                                  str(ctx.profile.get("tmdb.language")))
    finally:
        if own:
            await shelver_run_end(ctx)
