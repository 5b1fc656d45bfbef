"""Every user-facing sentence the core says, in one place: plain British English, short."""

HELP = (
    "I'm Wayfinder. Tell me about your problem and I'll tell you who to talk to, at which stage "
    "of the innovation journey, with the official page. For example: “who do I talk to about an "
    "AI triage tool”, “our care home wants acoustic monitoring at night” or “do we need ethics "
    "approval to evaluate our app”. Not sure what to ask? Say “find my route”."
)

YOU_ARE_WELCOME = "You're welcome. Ask me anything else, or say “find my route” for a guided route."

DONT_KNOW = (
    "Sorry, I don't have an answer for that yet. I've noted the question (without personal "
    "details) so the team can add one. I can help with who to talk to about regulating, "
    "evidencing, funding, buying and spreading health and care innovation in England: for "
    "example medical device rules, CQC registration, research approvals, data protection, DTAC "
    "and clinical safety, NICE evidence and Health Innovation Networks."
)


CLARIFY = "I'm not sure which of these you mean. Pick one:"
CLARIFY_ONE = "Is this what you mean?"
NONE_OF_THESE = "None of these"
SEE_ALSO = "See also"
NONE_CHOSEN = (
    "Thanks, I've noted that none of those fitted, so the team can add a better answer. "
    "Try asking in other words, or say “find my route”."
)
CHOICE_EXPIRED = "That choice has expired. Please ask your question again."

NOT_HELPFUL_THANKS = "Thanks for telling us. I've passed the question to the team to improve the answer."
HELPFUL_THANKS = "Thanks, glad it helped."

NATION_NOTE = (
    "This answer is for England; {nation} has its own arrangements. Its regulators of care are {orgs}."
)
REDIRECT_PREFIX = "That's outside what Wayfinder covers, but here is where to go."

STAGE_LABEL = "Stage {number} of {count}: {name}"
REVIEWED_LABEL = "Last reviewed {date}"
OWNER_REVIEWED_LABEL = "Owner: {owner}. Last reviewed {date}"
DUE_FOR_REVIEW = "Due for review since {date} (shown to staff only)"
REQUIRED = "required"
BEST_PRACTICE = "best practice"
WATCH_OUT = "Watch out"
SOURCES = "Sources"

# -- Slack --------------------------------------------------------------------------------

SLACK_HOW = (
    "You can ask me in a direct message, mention me in a channel (I'll answer in the thread), "
    "or type “/wayfinder” and your question for an answer only you can see, with a button to "
    "share it in the channel."
)
TALK_TO = "Talk to"
OPEN_PAGE = "Open the {org} page"
HELPFUL_QUESTION = "Was this helpful?"
HELPFUL_YES = "Yes"
HELPFUL_NO = "No"
SHARE = "Share in channel"
SHARED = "Shared in the channel."
YOU_ASKED = "You asked: “{question}”"
ASKED_BY = "{user} asked: “{question}”"
TRUNCATED = "There is more than fits here: see the sources for the rest."

HOME_TITLE = "Your route through the innovation journey"
HOME_INTRO = (
    "Seven stages, who to talk to at each, and the questions people ask there. Press a question "
    "and I'll answer it in our messages. Or ask me anything in your own words."
)
HOME_WHO = "Who: {orgs}"
HOME_MORE = "And {count} more. Ask me in your own words."

GAPS_TITLE = "Unanswered questions (staff only)"
GAPS_COUNTS = "{open} open, {week} in the last 7 days."
GAPS_RECENT = "Most recent"
GAPS_FREQUENT = "Most asked"
GAPS_FREQUENT_LINE = "{question} ({count})"
GAPS_NONE = "No open unanswered questions. Well done."
GAPS_HOW = "Export or close them with “python -m bot gaps”."
GAPS_UNAVAILABLE = "The unanswered-question log is unavailable just now. Please try again later."
GAPS_STAFF_ONLY = (
    "Sorry, the unanswered-question log is for Wayfinder's content staff only. If you need to see "
    "it, ask the Wayfinder team to add you."
)

# -- Teams --------------------------------------------------------------------------------

TEAMS_HOW = (
    "You can ask me here in our chat, or mention me in a channel or group chat and I'll answer in the thread."
)
TEAMS_FIND_MY_ROUTE = "Find my route"
TEAMS_ERROR = "Sorry, something went wrong on my side. Please ask again in a moment."
TEAMS_GAPS_IN_CHAT = (
    "The unanswered-question log is shown only in your own chat with me, so others here don't "
    "see it. Open a chat with Wayfinder and say “gaps” there."
)

# -- guided flows ---------------------------------------------------------------------------
FLOW_PROGRESS = "{title}: question {number}"
FLOW_BACK = "Back"
FLOW_RESTART = "Start again"
FLOW_CANCEL = "Cancel"
FLOW_CHANGE_LAST = "Change my last answer"
FLOW_COMMAND_WORDS = {
    "back": ("back", "go back", "previous", "undo"),
    "restart": ("restart", "start again", "start over", "reset"),
    "cancel": ("cancel", "stop", "exit flow", "leave", "never mind", "nevermind"),
}
"""What a person can type during a flow instead of picking a choice (compared after normalising)."""
FLOW_HELP = (
    "Sorry, I didn't catch which answer you meant. Pick one of the options (you can type its "
    "number), or say “back”, “start again” or “cancel”."
)
FLOW_STALE = "That answer was for a different question. Here is where we are now:"
FLOW_AT_FIRST = "This is the first question, so there is nothing to go back to."
FLOW_CHANGED = "This guide has been updated since you started, so let's begin again."
FLOW_CANCELLED = "OK, I've stopped “{title}”. Ask me anything, or start it again whenever you like."
FLOW_EXPIRED = "That guide has expired or was closed. Say “find my route” to start again."
FLOW_NOT_COVERED = "What this does not tell you: {text}"
GLOSSARY_HINT = "“{term}”: {meaning}"
SUMMARY_MADE = "Made with Wayfinder's guided flow “{id}”, version {version}. Save or share this summary."
SUMMARY_ANSWERS = "Your answers"
SUMMARY_RESULT = "Result"
SUMMARY_NOT_COVERED = "What this does not tell you"
YOU_ARE_HERE = "you are here"
FROM_ENTRY = "from Wayfinder answer {entry}"

# -- the journey map ------------------------------------------------------------------------
JOURNEY_TITLE = "The innovation journey: seven stages, and who to talk to at each"
JOURNEY_WHO = "Who is involved"
JOURNEY_ASKED = "People ask, for example"
JOURNEY_FOOTER = "Not sure where you are? Say “find my route” in the chat for a route of your own."

GAPS_WAITING = (
    "{count} more change(s) to the log are waiting for the database, kept in {spool}. "
    "They are written when it answers again."
)
GAPS_QUARANTINED = "{count} change(s) could not be stored and are kept aside in {file} for a person to check."
CONTINUED = "{title} (continued)"
