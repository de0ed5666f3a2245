"""A small built-in set of challenges facing many industries, for facilitators to copy from.

Each starter has a stable slug (used in the copy URL), a title and a description written as a
problem statement: what happens, to whom, and why it matters — the shape step 1 asks for.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Starter:
    slug: str
    title: str
    description: str


STARTERS = [
    Starter(
        "retaining-talent",
        _("Keeping experienced people"),
        _(
            "Experienced colleagues leave within two years. Replacing them takes months, "
            "knowledge walks out of the door, and the people who stay carry the extra load."
        ),
    ),
    Starter(
        "hybrid-work",
        _("Making hybrid work fair and effective"),
        _(
            "Some people are in the office, others remote. Decisions happen in corridors, "
            "remote colleagues feel left out, and meetings take longer than the work they plan."
        ),
    ),
    Starter(
        "cross-team-handoffs",
        _("Handoffs between teams"),
        _(
            "Work waits in queues between departments. Each team optimises its own part, "
            "customers wait, and nobody owns the whole flow from request to delivery."
        ),
    ),
    Starter(
        "customer-feedback",
        _("Turning customer feedback into decisions"),
        _(
            "Feedback arrives through support, sales and surveys, but rarely reaches the people "
            "who decide what to build or change, and customers stop telling us."
        ),
    ),
    Starter(
        "cost-pressure",
        _("Doing more with a tighter budget"),
        _(
            "Costs rise faster than revenue. Across-the-board cuts hurt what works, and teams "
            "compete for budget instead of looking for waste together."
        ),
    ),
    Starter(
        "responsible-ai",
        _("Adopting AI tools responsibly"),
        _(
            "People already use AI tools on their own. Nobody knows what data goes where, "
            "results vary in quality, and useful experiments are not shared."
        ),
    ),
    Starter(
        "onboarding",
        _("Getting new colleagues productive sooner"),
        _(
            "New hires take months to find their way: who to ask, which tools to use, how "
            "decisions are made. Their managers have little time to guide them."
        ),
    ),
]

STARTERS_BY_SLUG = {starter.slug: starter for starter in STARTERS}
