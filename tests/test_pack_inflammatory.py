"""The inflammatory pack on drafts its examples do not contain.

Each rule's own flag/pass examples are checked by `tonecheck test-rules`; these
are further paraphrases of each idea family, mostly written as whole drafts
(greeting, context, the clause, a next step, a sign-off), and hard negatives
that share words with the ideas: security steps, policies said neutrally,
mentions, kind reassurance, enthusiasm. They run through the real pipeline
and the real built-in packs.
"""

from __future__ import annotations

import pytest

from tonecheck import Linter

FLAGGED: dict[str, list[str]] = {
    "inflammatory.threat": [
        "Hi Sarah, your order was marked delivered. If you keep disputing legitimate charges, we'll have to suspend your account. Best, Kim",
        "Hi there, if you post one more comment like that on our page, you'll be blocked. Thanks, Social Team",
        "Dear customer, we will be forced to take legal action if the invoice is not paid within 7 days. Sincerely, Finance",
        "Hi, any further abusive messages and we'll end this chat and block your number. Thanks",
        "Hi, we've reported your behaviour to the police. Regards, Store Manager",
        "Hi, if you do this again, your membership will be revoked. Thanks",
        "Keep sending messages like this and we will block you from our page.",
        "Any more chargebacks and your account will be terminated.",
        "Should you continue to contact our staff in this way, we will involve the police.",
        "Our legal department will be contacting you shortly regarding the damage.",
        "We are now referring this matter to our solicitors.",
        "If the equipment isn't back with us by Monday, we will begin court proceedings.",
        "Your details will be passed to a debt recovery agency if we don't receive payment.",
        "I'd hate for us to have to get the police involved, but we will if you turn up again.",
        "Dear customer, the payment is now 60 days overdue. We are instructing our solicitors to recover the full amount.",
        "Hello, we will pursue this debt through the courts if necessary. Regards, Credit Control",
        "Hi, unless you remove the post, we will take this further with our legal team.",
        "Hi, don't make us involve the police.",
        "Hi, should this behaviour continue, your account will be permanently closed.",
        "We'll see you in small claims court.",
    ],
    "inflammatory.blame": [
        "Dear Mr Patel, I have reviewed your case. The damage was caused by you using the wrong charger, so the claim is declined. Kind regards, Warranty Team",
        "Hi Leo, the package is late because you picked the cheapest shipping option, which is why it takes 10 days. Thanks",
        "Hi, honestly you're the problem here, not the product. The reset instructions are attached.",
        "Hi Ana, your card was blocked because you entered the PIN incorrectly three times. You can unblock it in the app.",
        "Hi Mo, this is your own fault for not checking the size guide. Best, Team",
        "Hi, you failed to provide proof of purchase, so we can't help. Thanks",
        "Hi, the courier didn't lose it, you gave us the wrong address. That's why it went back. Regards",
        "Hi, we are not responsible for your mistakes. Regards",
        "Hi Sam, the charger melted because you used a third-party cable, which isn't covered. Thanks, Support",
        "Hello, I'm afraid this is down to you not reading the booking conditions. The deposit is non-refundable.",
        "Hi Jo, the app works fine; it's your phone that's the problem. Try updating it.",
        "Frankly, this whole mess is your own doing.",
        "The order went to the old address because you never updated it in your profile.",
        "You must have done something wrong during the setup.",
        "You're mistaken, the sale ended on the 3rd.",
        "You have only yourself to blame for the late fee.",
        "Hi Priya, you were clearly told at checkout that sale items can't be returned. Best, Leo",
        "That's on you, not us.",
    ],
    "inflammatory.hindsight": [
        "Hi Tom, thanks for the call earlier. To be honest, you should've read the cancellation policy before booking. I can offer a 10% voucher. Regards, Lena",
        "Dear Ms Cole, had you contacted us within 24 hours, we could have helped. Unfortunately the window has passed.",
        "Hi, honestly, if you'd taken five minutes to read the FAQ you'd have your answer. Thanks.",
        "If you had read the terms, you would know deposits are non-refundable.",
        "Maybe next time read the listing properly before you buy.",
        "Hello, this wouldn't have happened if you'd followed the setup guide. Let me know if you need a copy.",
    ],
    "inflammatory.command": [
        "Hello, I understand you're upset, but calm down please. Your technician arrives tomorrow between 8 and 12. Thanks, Support",
        "@jdoe the promo ended. pls stop tagging us.",
        "Hi, please stop contacting multiple departments about the same issue. Regards",
        "Hi Rita, take it or leave it, this is the best we can do. Thanks",
        "Hello, please refrain from contacting us further on this matter. Regards, Complaints Team",
        "Hi, I'd appreciate it if you stopped bombarding us with emails.",
        "Hi, you can accept our offer or take your complaint elsewhere.",
        "Hi, look, there's no need for the attitude.",
        "Hello, do not call this number again. Thank you.",
        "Settle down, please, it's only a parcel.",
        "You'll just have to live with it.",
        "Pay the outstanding premium by Friday or your cover lapses.",
    ],
    "inflammatory.door-closed": [
        "Hi, I'm not going to discuss this any further. The decision stands. Thanks",
        "Hi Dave, that's not our issue, it's the courier's. You'll need to contact them. Thanks",
        "Hi, I don't know what else to tell you. The sale has ended. Regards",
        "Hello, that's your bank's problem, not ours. Regards.",
        "Hi Ben, I'm not going to go round in circles with you.",
        "Hi, this is not a matter for us, speak to your bank.",
        "Hi, there's nothing I can do, the system won't let me.",
        "Hi Beth, we've reviewed your complaint and the matter is now closed. We won't be responding further.",
        "Frankly I don't care which plan you pick.",
    ],
    "inflammatory.mockery": [
        "Hey Chris, oh great, another one of these. The app is working fine for us. Cheers",
        "Hi Jay, wow, what a shock, the parcel's late again. I'll chase it.",
        "Hi, thanks for your lengthy rant, we'll look into it. Cheers",
        "Hi Mark, did you actually read my last message? The store is closed Sunday. Regards",
        "Hi, gee, thanks for the five-paragraph rant.",
        "Hi, well done for managing to lock yourself out again. Here's the reset link.",
        "Hi, surprise, surprise, the courier says it was delivered.",
        "Hi, sure, because we definitely lost your parcel on purpose.",
    ],
    "inflammatory.repeat-scolding": [
        "Hi Jess, as I've already explained, the refund takes 5 to 7 days.",
        "@jdoe we've told u 3 times already, the promo ended.",
        "Hi Zoe, I've been clear about this. No refunds on custom orders. Thanks",
        "Hello, I have explained this to you more than once.",
        "Hi, I'm not sure how many more times I can explain this.",
        "Hi Tom, thanks for getting in touch. Like I said, the voucher can't be extended. Kind regards, Amy",
        "Hi, you've been told already, no refunds after 30 days.",
        "Hi, I'm not going to keep repeating myself.",
    ],
    "inflammatory.shouting": [
        "Hello, FOR THE LAST TIME, WE DO NOT SHIP TO YOUR COUNTRY.",
        "Hi, the refund WAS SENT ON MONDAY, check your account.",
        "Hi, your order shipped yesterday!!!! Be patient.",
    ],
    "inflammatory.profanity": [
        "Hi, the app is crap on older phones, sorry.",
        "Hi, the bloody courier lost it again, sorry mate.",
        "That's bullshit, we never charged you twice.",
    ],
}

CLEAN: list[str] = [
    # security steps and policies said neutrally
    "For your security, we've temporarily locked your account; you can unlock it in the app.",
    "Accounts with no activity for two years are closed automatically, but we email you first.",
    "If you'd like to close your account, just reply and I'll do it today.",
    "Your account is locked for your protection; call us to unlock it.",
    "We may suspend accounts that show suspicious activity, to keep you safe.",
    "Otherwise, your account will be closed automatically after 90 days of inactivity.",
    "If your payment isn't received, your subscription will pause, and you can restart it any time.",
    "We'll close the ticket if we don't hear back in 7 days.",
    # mentions of lawyers, police and collections
    "Our legal team has confirmed you can cancel without a fee.",
    "If you need to report the theft to the police, here is the reference you'll need.",
    "We will never pass your details to a debt collector while the complaint is open.",
    "The debt collection letter was sent in error and has been withdrawn.",
    "Our collections team will be in touch to set up a payment plan.",
    "Hi, we've reported the theft to the police and you'll get a reference number. Regards, Store Manager",
    "Hi, I've asked our legal team to confirm whether the contract lets you cancel early.",
    "No legal action will be taken.",
    # conditions that are service, not threats
    "If you continue to have problems, we'll send a replacement.",
    "If you keep getting the error, let me know and we'll send a new card.",
    "Any further questions, just let us know.",
    "One more message from me: your parcel is out for delivery.",
    # blame lifted, or the company's own fault
    "It's not your fault at all, the form was confusing.",
    "Don't worry if you entered the wrong postcode, I've fixed it.",
    "Nothing you did caused this; it was our system.",
    "Hi, the courier didn't lose it; the address label got damaged, which is why it went back. Regards",
    "You chose express shipping, which is why it arrived so fast!",
    "You didn't receive the code because of an outage on our side.",
    "I understand why you're confused, the bill layout is tricky.",
    "You're not wrong, that should never have happened.",
    "Was it your mistake or ours? Either way, it's sorted.",
    "That's on us, and we'll fix it today.",
    # things the customer should receive, and kind advice for next time
    "You should receive the refund in 3-5 working days.",
    "You should have been told about the fee, and I'm sorry you weren't.",
    "You were supposed to receive a refund last week, I'm so sorry.",
    "Next time, it helps to add your order number so we can find it faster.",
    "If you had ordered before noon, it would have shipped today, but I've upgraded it to next day.",
    # kindness that shares words with commands
    "Take a moment to relax, your booking is sorted.",
    "Hey, sit back and relax, the engineer will do everything.",
    "Please allow the unit to cool down before cleaning it.",
    "Things should settle down once the holiday rush is over.",
    "Our Cool Down range is back in stock.",
    "If you'd like us to stop sending these updates, just reply STOP.",
    "I'll ask the courier to stop calling you.",
    "You can stop chasing now, the refund went through this morning.",
    "Please don't contact the courier again, we're handling it now.",
    "Leave it with me, I'll deal with it today.",
    "No need to worry, your data is safe.",
    # refusals that keep the door open
    "There's nothing more I can do on the price, but I've added free delivery.",
    "That's not my area of expertise, but I'll find someone who can help.",
    "Once it's left our warehouse it's with the courier, but I'll chase them for you.",
    "I won't argue with that, the wait was far too long.",
    "That's your refund sorted.",
    # cheer and references that share words with sarcasm and scolding
    "Oh great, more good news: your refund is approved!",
    "Thanks for the detailed feedback, I've passed it to the team.",
    "Thanks for the essay competition entry, we'll announce winners in May.",
    "Whatever works best for you, we're flexible.",
    "Did you get a chance to read my last message? The store is closed Sunday.",
    "As mentioned in the email, your order ships on Monday.",
    "As promised, here is your refund confirmation.",
    "Like I said on the phone, it was a pleasure talking to you.",
    "I have now confirmed this with the warehouse.",
    "For the last time this year, we're offering free delivery.",
    "Please see my previous email for the tracking number.",
    "Scroll down to the bottom of the page and tap Delete.",
    # capitals and exclamation marks that are not shouting
    "THANK YOU SO MUCH for your patience!",
    "Thanks so much!! We're thrilled you love it.",
    "We are so sorry!!! This should never have happened.",
    "Tap CONTINUE TO PAYMENT to finish.",
    "YOUR ORDER NUMBER: 12345",
    "Your ETA is 3pm, DM us if anything changes.",
    # harmless words that contain or resemble swearing
    "Our Bloody Mary mix is back in stock.",
    "What the heck, have a free coffee on us!",
]


@pytest.fixture(scope="module")
def inflammatory(linter: Linter):
    def findings(text: str) -> list[str]:
        return [f.rule for f in linter.check(text).findings if f.category == "inflammatory"]

    return findings


def test_paraphrases_of_each_idea_are_flagged_by_its_rule(inflammatory):
    missed = [
        (rule, text) for rule, texts in FLAGGED.items() for text in texts if rule not in inflammatory(text)
    ]
    assert not missed, "\n".join(f"{rule}: {text}  -> {inflammatory(text)}" for rule, text in missed)


def test_hard_negatives_give_no_inflammatory_finding(inflammatory):
    fired = [(text, inflammatory(text)) for text in CLEAN if inflammatory(text)]
    assert not fired, "\n".join(f"{rules}: {text}" for text, rules in fired)


@pytest.mark.parametrize(
    ("old_id", "text"),
    [
        ("inflammatory.calm-down", "Calm down, the parcel is on its way."),
        ("inflammatory.legal-threat", "We will take legal action over the unpaid invoice."),
        ("inflammatory.should-have", "You should have measured the doorway first."),
        ("inflammatory.already-told", "Per my last email, the store is closed."),
        ("inflammatory.exclamations", "I have told you the store is closed!!!"),
    ],
)
def test_old_rule_ids_still_select_the_rule_that_took_over_their_idea(old_id, text):
    selected = Linter(builtin=True, select=[old_id])
    assert [f.category for f in selected.check(text).findings] == ["inflammatory"]
    ignored = Linter(builtin=True, ignore=[old_id])
    assert [f for f in ignored.check(text).findings if f.category == "inflammatory"] == []
