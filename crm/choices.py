"""The enums of the CRM tables, with the seed's values (seed/DATA-MODEL.md) and translated labels."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class CompanySize(models.TextChoices):
    MICRO = "micro", _("Micro (1–5)")
    SMALL = "small", _("Small (6–50)")
    MEDIUM = "medium", _("Medium (51–200)")
    LARGE = "large", _("Large (201–1,000)")
    ENTERPRISE = "enterprise", _("Enterprise (1,000+)")


class ConsentStatus(models.TextChoices):
    GRANTED = "granted", _("Granted")
    REVOKED = "revoked", _("Revoked")
    PENDING = "pending", _("Pending")


class LeadSource(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp")
    WEB = "web", _("Web form")
    REFERRAL = "referral", _("Referral")
    IMPORT = "import", _("Import")
    AFFILIATE = "affiliate", _("Affiliate")


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    CONVERTED = "converted", _("Converted")
    LOST = "lost", _("Lost")


class ProspectStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    RESEARCHING = "researching", _("Researching")
    APPROACHING = "approaching", _("Approaching")
    ENGAGED = "engaged", _("Engaged")
    DISQUALIFIED = "disqualified", _("Disqualified")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class DealStage(models.TextChoices):
    DISCOVERY = "discovery", _("Discovery")
    PROPOSAL = "proposal", _("Proposal")
    NEGOTIATION = "negotiation", _("Negotiation")
    CLOSED_WON = "closed_won", _("Closed won")
    CLOSED_LOST = "closed_lost", _("Closed lost")


class ActivityType(models.TextChoices):
    CALL = "call", _("Call")
    EMAIL = "email", _("Email")
    WHATSAPP = "whatsapp", _("WhatsApp")
    MEETING = "meeting", _("Meeting")
    NOTE = "note", _("Note")
    TASK = "task", _("Task")


class MessageChannel(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    IN_APP = "in_app", _("In-app")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")


class MessagePurpose(models.TextChoices):
    """Why a message was written (not in the seed). The follow-up rules count `follow_up` and
    `no_response` messages; reminders and confirmations are found again by their purpose."""
    MANUAL = "manual", _("Written by an agent")
    WELCOME = "welcome", _("Welcome")
    FOLLOW_UP = "follow_up", _("Follow-up")
    NO_RESPONSE = "no_response", _("No-response follow-up")
    BOOKING_CONFIRMATION = "booking_confirmation", _("Meeting confirmation")
    BOOKING_REMINDER = "booking_reminder", _("Meeting reminder")
    BOOKING_CHANGE = "booking_change", _("Meeting change")
    NO_SHOW = "no_show", _("No-show recovery")
    OPT_OUT_CONFIRMATION = "opt_out_confirmation", _("Opt-out confirmation")
    REPLY = "reply", _("Inbound reply")


class MessageReason(models.TextChoices):
    """Why a message failed, or why a queued one waits (`Message.reason_code`). Every refusal of the
    sending rules (RULES.md §2) has its own code, so the thread can say why in the reader's language."""
    NO_CONSENT = "no_consent", _("No consent from this contact for this channel")
    NO_ADDRESS = "no_address", _("No phone number or email address to send to")
    OUTSIDE_WINDOW = "outside_window", _("Outside the sending window; scheduled for the next opening")
    DAILY_LIMIT = "daily_limit", _("Daily WhatsApp limit for this contact reached")
    MIN_GAP = "min_gap", _("Too soon after the last WhatsApp message; scheduled for later")
    UNANSWERED = "unanswered", _("Too many WhatsApp messages in a row without a reply")
    TEMPLATE_ONLY = "template_only", _("More than 24 hours since the contact last wrote: only an approved template may be sent")
    QUOTA = "quota", _("The plan's monthly message quota is used up")
    INVALID_TEMPLATE = "invalid_template", _("The template cannot be used")
    PROVIDER_ERROR = "provider_error", _("The provider refused the message")
    GAVE_UP = "gave_up", _("The provider could not be reached after every retry")
    UNKNOWN_OUTCOME = "unknown_outcome", _("The previous attempt stopped mid-send; check before retrying")
    CANCELLED = "cancelled", _("Cancelled before it was sent")
    DELIVERY_FAILED = "delivery_failed", _("The provider reported that delivery failed")


class TemplateType(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    PROPOSAL = "proposal", _("Proposal")
    # Not in the seed's enum: the script an agent reads on a call (the "call opener" standard template).
    VOICE = "voice", _("Call script")


class CustomerPlan(models.TextChoices):
    """What the customer bought (the commission table of RULES.md §6 is by plan). A trial earns no
    commission."""
    TRIAL = "trial", _("Trial")
    STARTER = "starter", _("Starter")
    PRO = "pro", _("Pro")
    ENTERPRISE = "enterprise", _("Enterprise")


class PaymentStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    REFUNDED = "refunded", _("Refunded")


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    VIEWED = "viewed", _("Viewed")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class BookingStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    RESCHEDULED = "rescheduled", _("Rescheduled")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")


class BookingChannel(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("Email")


class MeetingType(models.TextChoices):
    DEMO = "demo", _("Demo (30 min)")
    CONSULTATION = "consultation", _("Consultation (15 min)")
    CUSTOM_PRESENTATION = "custom_presentation", _("Custom presentation (45 min)")
    FOLLOW_UP = "follow_up", _("Follow-up (15 min)")


class CallStatus(models.TextChoices):
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("Answered")
    MISSED = "missed", _("Missed")
    VOICEMAIL = "voicemail", _("Voicemail")
    FAILED = "failed", _("Failed")


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")


class EngagementSignal(models.TextChoices):
    """RULES.md §1 engagement signals (points in TenantRules.engagement_points)."""
    REPLIED = "replied", _("Replied")
    ASKED_QUESTION = "asked_question", _("Asked a question")
    REQUESTED_DEMO = "requested_demo", _("Requested a demo")
    VISITED_WEBSITE = "visited_website", _("Visited the website")
    OPENED_EMAIL = "opened_email", _("Opened an email")
    CLICKED_LINK = "clicked_link", _("Clicked a link")
    ATTENDED_MEETING = "attended_meeting", _("Attended a meeting")
    REQUESTED_PRICING = "requested_pricing", _("Requested pricing")


class BudgetSignal(models.TextChoices):
    """RULES.md §1 budget signals."""
    ASKED_PRICING = "asked_pricing", _("Asked about pricing")
    COMPARED_COMPETITORS = "compared_competitors", _("Compared competitors")
    DISCUSSED_ROI = "discussed_roi", _("Discussed ROI")
    MENTIONED_BUDGET = "mentioned_budget", _("Mentioned a budget")
    READY_TO_PAY = "ready_to_pay", _("Ready to pay")


class Timing(models.TextChoices):
    """RULES.md §1 timing."""
    EXPLORING = "exploring", _("Exploring")
    EVALUATING = "evaluating", _("Evaluating")
    DECIDING = "deciding", _("Deciding")
    URGENT = "urgent", _("Urgent need")


class ScoreBand(models.TextChoices):
    HOT = "hot", _("Hot")
    WARM = "warm", _("Warm")
    COLD = "cold", _("Cold")


class Sector(models.TextChoices):
    """The sectors of RULES.md §1's industry-fit table (a lead's `sector` stores the key)."""
    HEALTHCARE = "healthcare", _("Healthcare")
    REAL_ESTATE = "real_estate", _("Real estate")
    RESTAURANTS = "restaurants", _("Restaurants")
    BEAUTY = "beauty", _("Beauty")
    EDUCATION = "education", _("Education")
    AUTOMOTIVE = "automotive", _("Automotive")
    RETAIL = "retail", _("Retail")
    LEGAL = "legal", _("Legal")
    CONSTRUCTION = "construction", _("Construction")
    ECOMMERCE = "ecommerce", _("E-commerce")
    GOVERNMENT = "government", _("Government")
    NON_PROFIT = "non_profit", _("Non-profit")
    MANUFACTURING = "manufacturing", _("Manufacturing")
