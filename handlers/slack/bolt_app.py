"""The Bolt app: verification, a client pointed at SLACK_API_URL, and the listeners."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

from bot.slack.chat import SlackChat, make_client

if TYPE_CHECKING:
    from bot.app import Runtime


def build_bolt_app(rt: Runtime) -> App:
    """A Bolt app with every SoMe-vakten listener registered."""
    settings = rt.settings
    assert settings.slack_bot_token is not None and settings.slack_signing_secret is not None
    client = make_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        token_verification_enabled=False,  # start even while Slack is unreachable
        ignoring_self_events_enabled=False,
    )
    from handlers.slack import absence, case_actions, case_forms, criticism, thread_replies

    chat = rt.port if isinstance(rt.port, SlackChat) else SlackChat(client, rt.policy, rt.t)
    case_actions.register(app, rt, chat)
    case_forms.register(app, rt, chat)
    criticism.register(app, rt)
    thread_replies.register(app, rt)
    absence.register(app, rt)
    return app
