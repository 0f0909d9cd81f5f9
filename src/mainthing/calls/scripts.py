"""The starter call scripts: what the queue shows for a stage until the user writes their own.
Short, spoken and honest, for a network marketer calling someone who raised a hand."""

from mainthing.prospects.models import Stage

STARTERS: dict[str, str] = {
    Stage.NEW: (
        "Hi {first_name}, it's {me}. You asked about {source} a little while ago; "
        "is now a good time for two minutes?\n"
        "What made you look into it? What would you change if you had more time or income?\n"
        "Would you like to see how it works? I have a slot at … or … — which suits you?"
    ),
    Stage.CONTACTED: (
        "Hi {first_name}, it's {me} again. Last time you said …; did you have a chance to "
        "think about it?\n"
        "The next step is a short presentation (20 minutes). Does … or … work better?"
    ),
    Stage.BOOKED: (
        "Hi {first_name}, it's {me}, calling for our chat. Still a good time?\n"
        "Tell me a bit about what you're looking for, then I'll show you how it works."
    ),
    Stage.PRESENTED: (
        "Hi {first_name}, it's {me}. What did you like most about what you saw?\n"
        "What questions came up? On a scale of 1 to 10, where are you?\n"
        "What would it take to get you to a 10?"
    ),
    Stage.FOLLOW_UP: (
        "Hi {first_name}, it's {me}, following up as promised.\n"
        "Where are you with it? What's still holding you back?\n"
        "Shall we get you started today, or book a call with my upline to answer the rest?"
    ),
    Stage.JOINED: (
        "Hi {first_name}, it's {me}. Welcome aboard! Let's set up your first week: "
        "your list, your first three calls, and our next check-in."
    ),
    Stage.DECLINED: (
        "Hi {first_name}, it's {me}. I know the business isn't for you right now, "
        "and that's fine.\n"
        "Many people simply love the products: would you like to try them at a discount?\n"
        "Or refer friends who might be interested and earn a commission — no selling needed."
    ),
    Stage.AFFILIATE_OFFERED: (
        "Hi {first_name}, it's {me}. Did you get a chance to look at the products / the "
        "referral link I sent? Any questions I can answer?"
    ),
    Stage.AFFILIATE_JOINED: (
        "Hi {first_name}, it's {me}. How are you finding the products? "
        "Anyone you know who'd like them too?"
    ),
}
