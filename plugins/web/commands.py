"""``shelver web``: the web UI in its own process, until Ctrl-C (docs/web.md)."""

from __future__ import annotations

import click
from shelver.api import profile_option


def register_commands(cli: click.Group) -> None:
    @cli.command("web")
    @profile_option
    @click.option("--host", help="Address to listen on (default: [web] host, 127.0.0.1). "
                  "Anything but loopback needs the token (--print-token).")
    @click.option("--port", type=click.IntRange(0, 65535), help="Port (default: [web] port, 8765; 0: any free one).")
    @click.option("--print-token", is_flag=True,
                  help="Print the token (made on first use, kept 0600 in the config folder) and exit.")
    def web_command(profile_name: str | None, host: str | None, port: int | None,
                    print_token: bool) -> None:
        """Serve the web UI: overview, review with posters, activity and undo, live."""
        import trio
        from shelver.api import ConfigError, ConfigProblem, load_with_plugins
        from shelver.plugins.web import security, server

        if print_token:
            try:
                click.echo(security.make_token())
            except OSError as exc:
                raise ConfigProblem(f"{security.token_path()}: cannot be written "
                                    f"({exc.strerror})") from None
            return
        try:
            profile, _pm = load_with_plugins(profile_name)
            host = host or str(profile.get("web.host") or server.DEFAULT_HOST)
            if port is None:
                configured = profile.get("web.port")
                port = int(configured) if configured is not None else server.DEFAULT_PORT
            server.check_bindable(host, port, "--host/--port, or [web] in the profile")
            web = server.open_web(profile_name, host)
        except ConfigError as exc:
            raise ConfigProblem(str(exc)) from None

        async def main() -> None:
            async with trio.open_nursery() as nursery:
                url = await nursery.start(lambda task_status: server.serve(
                    web, host, port, shutdown_trigger=server.until_signal, task_status=task_status))
                note = "" if web.token is None else \
                    " (open it once with ?token=, see `shelver web --print-token`)"
                click.echo(f"shelver: web UI on {url}{note} for the state DB {web.state.path}; "
                           f"Ctrl-C stops", err=True)

        try:
            trio.run(main)
        except BaseException as exc:  # an ExceptionGroup from the server's nursery too
            failed = _os_error(exc)
            if failed is None:
                raise
            raise ConfigProblem(f"cannot listen on {host}:{port}: "
                                f"{failed.strerror or failed}") from None
        finally:
            web.close()
            web.default.close()


def _os_error(exc: BaseException) -> OSError | None:
    """The OSError inside ``exc`` (itself, or within exception groups), or None."""
    if isinstance(exc, OSError):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            found = _os_error(inner)
            if found is not None:
                return found
    return None
