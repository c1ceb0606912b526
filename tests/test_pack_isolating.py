"""The isolating pack on whole drafts: the harmful clause sits between a greeting,
context, a next step and a sign-off, and the clean drafts share its words.

The pack's own examples (tonecheck test-rules) are single sentences; these are
the shape of the replies the pack is judged on, run through the real pipeline
with every built-in pack loaded, as a user runs it.
"""

from __future__ import annotations

import pytest

FLAGGED = [
    ("isolating.you-alone",
     "Hi Tom, thanks for the photos. To be honest you're the sole guest who has mentioned the noise from the bar. "
     "I'll pass it to the manager tonight. Best, Reception"),
    ("isolating.you-alone",
     "@kratos_77 its literally just you, servers are green across the board. try restarting your router?"),
    ("isolating.your-end",
     "Hello Rob, I've looked at the logs. The problem has to be with your connection, so please restart the router. Regards, Support"),
    ("isolating.others-fine",
     "Hi Jo, thanks for getting in touch. The rest of the passengers on your flight got their bags without any trouble. "
     "I've opened a trace for yours and will update you on Friday."),
    ("isolating.others-fine",
     "@jenny_k every other phone on that mast is connecting fine this morning have u tried airplane mode on/off?"),
    ("isolating.no-other-reports",
     "Dear Ms Roy, I've checked our records and we've received no other reports of damaged items from this courier. "
     "A replacement is on its way. Kind regards, Customer Care"),
    ("isolating.no-other-reports",
     "Hi Owen, there hasn't been a single other report of dropped calls in your area this month. I've reset your line."),
    ("isolating.popularity-defence",
     "Hi Chris, our app has a 4.7 rating on the App Store. I'm not sure why it keeps crashing for you. "
     "Could you update to the latest version?"),
    ("isolating.never-before",
     "Hello Mr Reid, our team has not encountered a smart meter display freezing like this before. "
     "An engineer will visit on Monday."),
]

CLEAN = [
    "Hi Priya, you're not the only member who has mentioned the sauna, and a technician is booked for Monday. Best, Gym Team",
    "Hey! It's not just you: other people have had the same error since last night's update, and we're rolling it back now.",
    "Hello, other customers on your street were affected too, so it's nothing you did. Engineers are on site. Regards, Network Team",
    "Hi Ali, we're checking whether anyone else in your area has lost power, and I'll update you within the hour.",
    "Dear Ms O'Brien, you're the only guest who can collect the deposit, as the booking is in your name. Kind regards, Events Team",
    "Hi there, you're one of the first to try the new app, so please tell us what you think!",
    "No problem at all, happy to help! I've updated the booking and sent the confirmation.",
    "I'm sorry no one from our team called you back yesterday. I'll call you at 3pm today.",
    "No one should have to wait this long for a refund, so I've processed it myself this morning.",
    "It's our most popular model, and I think you'll love it. Your order ships tomorrow.",
    "Our award-winning team is on it. I'm not sure how long the repair will take, but I'll update you tomorrow.",
    "This should never have happened, and I'm very sorry. A new card is on its way.",
    "Is this the first time it has happened? If so, a restart usually clears it.",
    "I've checked the other accounts on your plan and they're fine, so only this line needs fixing.",
]


@pytest.mark.parametrize(("rule", "draft"), FLAGGED)
def test_the_idea_is_found_in_a_whole_draft(linter, rule, draft):
    found = [f.rule for f in linter.check(draft).findings if f.category == "isolating"]
    assert rule in found, found


@pytest.mark.parametrize("draft", CLEAN)
def test_drafts_that_share_the_words_stay_clean(linter, draft):
    found = [(f.rule, f.match) for f in linter.check(draft).findings if f.category == "isolating"]
    assert not found


def test_old_rule_ids_still_select_the_rules_that_took_over_their_ideas(linter):
    from tonecheck import Linter

    only_old = Linter(select=["isolating.only-one", "isolating.no-one-else", "isolating.sales-figures"])
    ids = {r.id for r in only_old.rules}
    assert ids == {"isolating.you-alone", "isolating.no-other-reports", "isolating.popularity-defence"}
    draft = "You're the only customer who has complained. We've sold over 50,000 of these with no complaints."
    assert {f.rule for f in only_old.check(draft).findings} == {"isolating.you-alone", "isolating.popularity-defence"}
