from crm.models.companies import Company, Contact
from crm.models.leads import Lead, Prospect
from crm.models.deals import Customer, Deal, Payment, Proposal
from crm.models.activities import Activity, AutoBooking, Call
from crm.models.messaging import Message, Template
from crm.models.scorecards import Scorecard
from crm.models.imports import LeadImport

__all__ = ["Company", "Contact", "Lead", "Prospect", "Deal", "Customer", "Payment", "Proposal", "Activity", "AutoBooking",
           "Call", "Message", "Template", "Scorecard", "LeadImport"]
