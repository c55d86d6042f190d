"""The standard message templates every tenant starts with, in Arabic and English.

One row per (key, channel type); each row becomes two `Template`s, one per language, whose `name` is in
that language. WhatsApp rows are marked approved under `provider_name` (one name, both languages, as
WhatsApp files a template's translations). Texts use only `crm.templating.VARIABLES`; numbers the
business rules own (guarantee days, reply times) are variables too, so a tenant that changes a rule
never sends a stale number. SMS texts carry no link (RULES.md §2), and emails carry no unsubscribe line
because the email channel adds one to every message.

New tenants get these rows from the data migration `crm.0009_standard_templates`, which keeps its own
frozen copy; `ensure_standard_templates()` adds what is missing from this, the current list.
"""
from __future__ import annotations

WHATSAPP, EMAIL, SMS, VOICE = "whatsapp", "email", "sms", "voice"

STANDARD_TEMPLATES: list[dict] = [
    # --- first contact ---------------------------------------------------------------------------------
    {
        "key": "cold_whatsapp_opener", "type": WHATSAPP, "provider_name": "dealix_cold_opener",
        "name_ar": "رسالة تعريفية أولى", "name_en": "Cold opener",
        "subject_ar": "", "subject_en": "",
        "body_ar": (
            "السلام عليكم {contact_name}،\n"
            "معكم {agent_name} من {tenant_name}. نساعد الشركات في المملكة على تنظيم مبيعاتها ومتابعة كل عميل "
            "محتمل في مكان واحد، حتى لا تضيع أي فرصة.\n"
            "هل يناسبكم أن أرسل لكم نبذة مختصرة، أو نرتّب مكالمة قصيرة في الوقت الذي يناسبكم؟\n"
            "للإيقاف أرسل: وقف"),
        "body_en": (
            "Hello {contact_name},\n"
            "This is {agent_name} from {tenant_name}. We help businesses in Saudi Arabia organise their sales and "
            "follow up every lead in one place, so no opportunity slips through.\n"
            "Would a short overview be useful, or shall we arrange a quick call at a time that suits you?\n"
            "Reply STOP to opt out."),
    },
    {
        "key": "warm_whatsapp_follow_up", "type": WHATSAPP, "provider_name": "dealix_warm_follow_up",
        "name_ar": "متابعة عميل مهتم", "name_en": "Warm follow-up",
        "subject_ar": "", "subject_en": "",
        "body_ar": (
            "مرحبًا {contact_name}، معكم {agent_name} من {tenant_name}.\n"
            "أتابع معكم بخصوص حديثنا السابق، وأحببت أن أطمئن إن كان لديكم أي استفسار أستطيع المساعدة فيه.\n"
            "إذا كان الوقت مناسبًا، يسعدني ترتيب اجتماع قصير نستعرض فيه ما يناسب احتياجاتكم. ما الوقت الأنسب لكم؟"),
        "body_en": (
            "Hello {contact_name}, this is {agent_name} from {tenant_name}.\n"
            "I'm following up on our earlier conversation and wanted to check whether there is anything I can "
            "help with.\n"
            "If the timing is right, I'd be glad to set up a short meeting to go through what fits your needs. "
            "When would suit you best?"),
    },
    {
        "key": "call_opener", "type": VOICE, "provider_name": "",
        "name_ar": "نص المكالمة الافتتاحية", "name_en": "Call opener script",
        "subject_ar": "", "subject_en": "",
        "body_ar": (
            "١. التحية\n"
            "السلام عليكم، معكم {agent_name} من {tenant_name}. هل أتحدث مع {contact_name}؟\n"
            "أشكركم على وقتكم، هل يناسبكم أن نتحدث دقيقتين الآن؟\n\n"
            "٢. سبب الاتصال\n"
            "أتواصل معكم لأننا نساعد فرق المبيعات في المملكة على الرد على العملاء المحتملين بسرعة، وتنظيم "
            "المتابعات والمواعيد والعروض في مكان واحد. وأحببت أن أعرف إن كان هذا مما يهمكم حاليًا.\n\n"
            "٣. أسئلة للتعرّف على احتياجاتكم\n"
            "- كيف تتابعون العملاء المحتملين اليوم، ومن المسؤول عن ذلك في فريقكم؟\n"
            "- ما أكثر ما يستهلك وقت فريق المبيعات لديكم، أو يؤخر إغلاق الصفقات؟\n"
            "- لو تحسّن أمر واحد في مبيعاتكم خلال الأشهر القادمة، ماذا تتمنون أن يكون؟\n\n"
            "٤. طلب الاجتماع\n"
            "بناءً على ما ذكرتموه، أقترح اجتماعًا قصيرًا أعرض فيه كيف نعالج هذه النقطة تحديدًا. "
            "أي الأوقات يناسبكم هذا الأسبوع؟\n"
            "(إن لم يكن الوقت مناسبًا: متى تفضّلون أن أعاود الاتصال؟)"),
        "body_en": (
            "1. Greeting\n"
            "Hello, this is {agent_name} from {tenant_name}. Am I speaking with {contact_name}?\n"
            "Thank you for taking my call. Do you have two minutes to talk now?\n\n"
            "2. Why I'm calling\n"
            "We help sales teams in Saudi Arabia answer new leads quickly and keep follow-ups, meetings and "
            "proposals in one place. I wanted to find out whether that is something you are looking at.\n\n"
            "3. Discovery questions\n"
            "- How do you follow up new leads today, and who in your team looks after them?\n"
            "- What takes most of your sales team's time, or slows down closing deals?\n"
            "- If one thing in your sales could improve over the next few months, what would you want it to be?\n\n"
            "4. Ask for the meeting\n"
            "Based on what you've told me, I'd suggest a short meeting where I show how we handle exactly that. "
            "Which time works for you this week?\n"
            "(If now is not a good time: when would you like me to call back?)"),
    },
    # --- meetings --------------------------------------------------------------------------------------
    {
        "key": "meeting_invitation", "type": WHATSAPP, "provider_name": "dealix_meeting_invitation",
        "name_ar": "دعوة لاجتماع", "name_en": "Meeting invitation",
        "subject_ar": "", "subject_en": "",
        "body_ar": (
            "مرحبًا {contact_name}، معكم {agent_name} من {tenant_name}.\n"
            "يسعدنا دعوتكم إلى اجتماع قصير نتعرّف فيه على احتياجاتكم ونعرض عليكم ما يناسبها.\n"
            "اختاروا الوقت الأنسب لكم من المواعيد المتاحة عبر الرابط: {booking_link} ويصلكم التأكيد فورًا."),
        "body_en": (
            "Hello {contact_name}, this is {agent_name} from {tenant_name}.\n"
            "We'd be glad to invite you to a short meeting to understand your needs and show you what fits them.\n"
            "Pick the time that suits you from the available slots here: {booking_link} and you'll get a "
            "confirmation straight away."),
    },
    {
        "key": "meeting_invitation", "type": EMAIL, "provider_name": "",
        "name_ar": "دعوة لاجتماع", "name_en": "Meeting invitation",
        "subject_ar": "دعوة لاجتماع قصير مع {tenant_name}",
        "subject_en": "An invitation to a short meeting with {tenant_name}",
        "body_ar": (
            "السلام عليكم {contact_name}،\n\n"
            "أرجو أن تكونوا بخير. يسعدنا دعوتكم إلى اجتماع قصير نتعرّف فيه على احتياجاتكم، ونعرض عليكم "
            "كيف يمكن أن نساعدكم في تحقيق أهدافكم.\n\n"
            "يمكنكم اختيار الوقت المناسب لكم من المواعيد المتاحة عبر الرابط التالي، وسيصلكم التأكيد ودعوة "
            "التقويم فور الحجز:\n"
            "{booking_link}\n\n"
            "وإن لم تجدوا وقتًا مناسبًا، يكفي الرد على هذه الرسالة وسنرتّب موعدًا يناسبكم.\n\n"
            "مع خالص التحية،\n"
            "{agent_name}\n"
            "{tenant_name}"),
        "body_en": (
            "Dear {contact_name},\n\n"
            "I hope you are well. We would be glad to invite you to a short meeting to understand your needs and "
            "show you how we can help you reach your goals.\n\n"
            "You can choose a time that suits you from the available slots below; the confirmation and calendar "
            "invitation arrive as soon as you book:\n"
            "{booking_link}\n\n"
            "If none of the times works, simply reply to this email and we will arrange one that does.\n\n"
            "Kind regards,\n"
            "{agent_name}\n"
            "{tenant_name}"),
    },
    {
        "key": "meeting_confirmation", "type": WHATSAPP, "provider_name": "dealix_meeting_confirmation",
        "name_ar": "تأكيد موعد", "name_en": "Meeting confirmation",
        "subject_ar": "", "subject_en": "",
        "body_ar": (
            "أهلًا {contact_name}، تم تأكيد موعدكم ✅\n"
            "نوع الاجتماع: {meeting_type}\n"
            "الموعد: {meeting_time}\n"
            "مع: {agent_name} من {tenant_name}\n"
            "سنرسل لكم تذكيرًا قبل الموعد، ونتطلع للقائكم."),
        "body_en": (
            "Hello {contact_name}, your meeting is confirmed ✅\n"
            "Meeting: {meeting_type}\n"
            "When: {meeting_time}\n"
            "With: {agent_name} from {tenant_name}\n"
            "We'll send you a reminder beforehand. We look forward to meeting you."),
    },
    {
        "key": "meeting_confirmation", "type": EMAIL, "provider_name": "",
        "name_ar": "تأكيد موعد", "name_en": "Meeting confirmation",
        "subject_ar": "تأكيد موعدكم: {meeting_type} – {meeting_time}",
        "subject_en": "Confirmed: {meeting_type} on {meeting_time}",
        "body_ar": (
            "السلام عليكم {contact_name}،\n\n"
            "يسعدنا تأكيد موعدكم معنا:\n"
            "• نوع الاجتماع: {meeting_type}\n"
            "• الموعد: {meeting_time}\n"
            "• مع: {agent_name}\n\n"
            "أرفقنا دعوة التقويم بهذه الرسالة لإضافتها إلى تقويمكم بسهولة، وسنرسل لكم تذكيرًا قبل الموعد.\n"
            "وإذا احتجتم إلى تغيير الموعد، يكفي الرد على هذه الرسالة.\n\n"
            "مع خالص التحية،\n"
            "{agent_name}\n"
            "{tenant_name}"),
        "body_en": (
            "Dear {contact_name},\n\n"
            "We're pleased to confirm your meeting with us:\n"
            "• Meeting: {meeting_type}\n"
            "• When: {meeting_time}\n"
            "• With: {agent_name}\n\n"
            "The calendar invitation is attached so you can add it to your calendar in one click, and we'll send "
            "you a reminder beforehand.\n"
            "If you need to change the time, simply reply to this email.\n\n"
            "Kind regards,\n"
            "{agent_name}\n"
            "{tenant_name}"),
    },
    {
        "key": "meeting_reminder", "type": WHATSAPP, "provider_name": "dealix_meeting_reminder",
        "name_ar": "تذكير بموعد", "name_en": "Meeting reminder",
        "subject_ar": "", "subject_en": "",
        "body_ar": (
            "مرحبًا {contact_name}، نذكّركم بموعد {meeting_type} مع {agent_name}.\n"
            "الموعد: {meeting_time}\n"
            "تفاصيل الموعد ورابط الانضمام: {meeting_link}\n"
            "نتطلع للقائكم، وإذا احتجتم إلى تغيير الموعد فيكفي الرد على هذه الرسالة."),
        "body_en": (
            "Hello {contact_name}, a reminder of your {meeting_type} with {agent_name}.\n"
            "When: {meeting_time}\n"
            "Details and joining link: {meeting_link}\n"
            "We look forward to it. If you need to change the time, just reply to this message."),
    },
    {
        "key": "meeting_reminder", "type": EMAIL, "provider_name": "",
        "name_ar": "تذكير بموعد", "name_en": "Meeting reminder",
        "subject_ar": "تذكير: {meeting_type} – {meeting_time}",
        "subject_en": "Reminder: {meeting_type} on {meeting_time}",
        "body_ar": (
            "السلام عليكم {contact_name}،\n\n"
            "نذكّركم بموعدكم القادم معنا:\n"
            "• نوع الاجتماع: {meeting_type}\n"
            "• الموعد: {meeting_time}\n"
            "• مع: {agent_name}\n\n"
            "تفاصيل الموعد ورابط الانضمام:\n"
            "{meeting_link}\n\n"
            "وإذا احتجتم إلى تغيير الموعد، يكفي الرد على هذه الرسالة.\n\n"
            "مع خالص التحية،\n"
            "{agent_name}\n"
            "{tenant_name}"),
        "body_en": (
            "Dear {contact_name},\n\n"
            "A reminder of your upcoming meeting with us:\n"
            "• Meeting: {meeting_type}\n"
            "• When: {meeting_time}\n"
            "• With: {agent_name}\n\n"
            "Details and the link to join:\n"
            "{meeting_link}\n\n"
            "If you need to change the time, simply reply to this email.\n\n"
            "Kind regards,\n"
            "{agent_name}\n"
            "{tenant_name}"),
    },
    {
        "key": "meeting_rescheduled", "type": WHATSAPP, "provider_name": "dealix_meeting_rescheduled",
        "name_ar": "تغيير موعد", "name_en": "Meeting rescheduled",
        "subject_ar": "", "subject_en": "",
        "body_ar": (
            "مرحبًا {contact_name}، تم تغيير موعد {meeting_type} مع {agent_name}.\n"
            "الموعد الجديد: {meeting_time}\n"
            "سنرسل لكم تذكيرًا قبل الموعد، وإذا لم يكن الوقت مناسبًا فيكفي الرد على هذه الرسالة."),
        "body_en": (
            "Hello {contact_name}, your {meeting_type} with {agent_name} has been moved.\n"
            "New time: {meeting_time}\n"
            "We'll remind you beforehand. If the new time doesn't suit you, just reply to this message."),
    },
    {
        "key": "meeting_rescheduled", "type": EMAIL, "provider_name": "",
        "name_ar": "تغيير موعد", "name_en": "Meeting rescheduled",
        "subject_ar": "تم تغيير موعدكم: {meeting_time}",
        "subject_en": "Your meeting has moved to {meeting_time}",
        "body_ar": (
            "السلام عليكم {contact_name}،\n\n"
            "نود إبلاغكم بتغيير موعد اجتماعكم معنا، وتفاصيله الجديدة كالتالي:\n"
            "• نوع الاجتماع: {meeting_type}\n"
            "• الموعد الجديد: {meeting_time}\n"
            "• مع: {agent_name}\n\n"
            "سنرسل لكم تذكيرًا قبل الموعد. وإذا لم يكن الوقت الجديد مناسبًا لكم، يكفي الرد على هذه الرسالة "
            "وسنرتّب موعدًا آخر.\n\n"
            "مع خالص التحية،\n"
            "{agent_name}\n"
            "{tenant_name}"),
        "body_en": (
            "Dear {contact_name},\n\n"
            "Your meeting with us has been moved. Here are the new details:\n"
            "• Meeting: {meeting_type}\n"
            "• New time: {meeting_time}\n"
            "• With: {agent_name}\n\n"
            "We'll send you a reminder beforehand. If the new time doesn't suit you, simply reply to this email "
            "and we'll arrange another.\n\n"
            "Kind regards,\n"
            "{agent_name}\n"
            "{tenant_name}"),
    },
    {
        "key": "meeting_cancelled", "type": WHATSAPP, "provider_name": "dealix_meeting_cancelled",
        "name_ar": "إلغاء موعد", "name_en": "Meeting cancelled",
        "subject_ar": "", "subject_en": "",
        "body_ar": (
            "مرحبًا {contact_name}، نود إبلاغكم بإلغاء موعد {meeting_type} الذي كان محددًا في {meeting_time}.\n"
            "إذا رغبتم في موعد جديد، يمكنكم اختيار الوقت المناسب لكم من الرابط: {booking_link} ويسعدنا خدمتكم."),
        "body_en": (
            "Hello {contact_name}, this is to let you know that the {meeting_type} planned for {meeting_time} has "
            "been cancelled.\n"
            "If you'd like a new time, you can pick one that suits you here: {booking_link} and we'll be glad to "
            "see you."),
    },
    {
        "key": "meeting_cancelled", "type": EMAIL, "provider_name": "",
        "name_ar": "إلغاء موعد", "name_en": "Meeting cancelled",
        "subject_ar": "إلغاء موعد {meeting_type} – {meeting_time}",
        "subject_en": "Cancelled: {meeting_type} on {meeting_time}",
        "body_ar": (
            "السلام عليكم {contact_name}،\n\n"
            "نود إبلاغكم بإلغاء موعد {meeting_type} الذي كان محددًا في {meeting_time}.\n\n"
            "إذا رغبتم في موعد جديد، يمكنكم اختيار الوقت المناسب لكم من الرابط التالي:\n"
            "{booking_link}\n\n"
            "أو الرد على هذه الرسالة وسنرتّبه معكم.\n\n"
            "مع خالص التحية،\n"
            "{agent_name}\n"
            "{tenant_name}"),
        "body_en": (
            "Dear {contact_name},\n\n"
            "This is to let you know that the {meeting_type} planned for {meeting_time} has been cancelled.\n\n"
            "If you would like a new time, you can choose one that suits you here:\n"
            "{booking_link}\n\n"
            "Or simply reply to this email and we will arrange it with you.\n\n"
            "Kind regards,\n"
            "{agent_name}\n"
            "{tenant_name}"),
    },
    {
        "key": "no_show_recovery", "type": WHATSAPP, "provider_name": "dealix_no_show_recovery",
        "name_ar": "متابعة بعد موعد فائت", "name_en": "No-show recovery",
        "subject_ar": "", "subject_en": "",
        "body_ar": (
            "مرحبًا {contact_name}، افتقدناكم اليوم في موعد {meeting_type}، ونتفهم أن الظروف قد تتغير.\n"
            "يسعدنا ترتيب موعد جديد يناسبكم، وهذه بعض الأوقات المتاحة: {slots}.\n"
            "ويمكنكم اختيار الوقت الأنسب مباشرة من الرابط: {booking_link} وسنكون بانتظاركم."),
        "body_en": (
            "Hello {contact_name}, we missed you at today's meeting ({meeting_type}), and we understand plans "
            "can change.\n"
            "We'd be glad to find a new time for you. A few available times: {slots}.\n"
            "Or pick the time that suits you best here: {booking_link} and we'll see you then."),
    },
    # --- follow-up -------------------------------------------------------------------------------------
    {
        "key": "welcome", "type": WHATSAPP, "provider_name": "dealix_welcome",
        "name_ar": "ترحيب بعميل جديد", "name_en": "Welcome",
        "subject_ar": "", "subject_en": "",
        "body_ar": (
            "أهلًا وسهلًا {contact_name} 👋\n"
            "شكرًا لتواصلكم مع {tenant_name}. معكم {agent_name}، وسأتولى خدمتكم بنفسي.\n"
            "متى يناسبكم أن نتحدث في مكالمة قصيرة؟\n"
            "للإيقاف أرسل: وقف"),
        "body_en": (
            "Welcome, {contact_name} 👋\n"
            "Thank you for contacting {tenant_name}. This is {agent_name}, and I'll look after you personally.\n"
            "When would suit you for a short call?\n"
            "Reply STOP to opt out."),
    },
    {
        "key": "welcome", "type": EMAIL, "provider_name": "",
        "name_ar": "ترحيب بعميل جديد", "name_en": "Welcome",
        "subject_ar": "أهلًا بكم في {tenant_name}",
        "subject_en": "Welcome to {tenant_name}",
        "body_ar": (
            "السلام عليكم {contact_name}،\n\n"
            "شكرًا لتواصلكم مع {tenant_name}، وسعداء باهتمامكم. أنا {agent_name}، وسأتولى خدمتكم بنفسي "
            "والإجابة عن استفساراتكم.\n\n"
            "حتى نقترح عليكم ما يناسبكم تمامًا، يسعدني أن نتحدث في مكالمة قصيرة نتعرّف فيها على احتياجاتكم. "
            "يكفي الرد على هذه الرسالة بالوقت المناسب لكم.\n\n"
            "مع خالص التحية،\n"
            "{agent_name}\n"
            "{tenant_name}"),
        "body_en": (
            "Dear {contact_name},\n\n"
            "Thank you for contacting {tenant_name}; we're glad to hear from you. I'm {agent_name}, and I'll look "
            "after you personally and answer any questions you have.\n\n"
            "So that we can suggest exactly what fits you, I'd like to arrange a short call to understand your "
            "needs. Simply reply to this email with a time that suits you.\n\n"
            "Kind regards,\n"
            "{agent_name}\n"
            "{tenant_name}"),
    },
    {
        "key": "welcome", "type": SMS, "provider_name": "",
        "name_ar": "ترحيب بعميل جديد", "name_en": "Welcome",
        "subject_ar": "", "subject_en": "",
        "body_ar": ("أهلًا {contact_name}، شكرًا لتواصلكم مع {tenant_name}. معكم {agent_name} وسأتصل بكم قريبًا. "
                    "للإيقاف أرسل وقف"),
        "body_en": ("Hello {contact_name}, thank you for contacting {tenant_name}. This is {agent_name}; I'll call "
                    "you shortly. Reply STOP to opt out."),
    },
    {
        "key": "no_response_follow_up", "type": WHATSAPP, "provider_name": "dealix_no_response_follow_up",
        "name_ar": "متابعة عند عدم الرد", "name_en": "No-response follow-up",
        "subject_ar": "", "subject_en": "",
        "body_ar": (
            "مرحبًا {contact_name}، معكم {agent_name} من {tenant_name}.\n"
            "تواصلت معكم قبل أيام ولم يصلني رد، وأتفهم تمامًا انشغالكم. هل ما زال الموضوع يهمكم؟\n"
            "يكفي رد مختصر بـ«نعم» لنرتّب الخطوة التالية بما يناسبكم، أو «لا» ولن نثقل عليكم.\n"
            "للإيقاف أرسل: وقف"),
        "body_en": (
            "Hello {contact_name}, this is {agent_name} from {tenant_name}.\n"
            "I got in touch a few days ago and haven't heard back, which I completely understand. "
            "Is this still of interest to you?\n"
            "A short \"yes\" is enough for us to arrange the next step, or \"no\" and we won't trouble you further.\n"
            "Reply STOP to opt out."),
    },
    {
        "key": "no_response_follow_up", "type": EMAIL, "provider_name": "",
        "name_ar": "متابعة عند عدم الرد", "name_en": "No-response follow-up",
        "subject_ar": "هل ما زال الموضوع يهمكم؟",
        "subject_en": "Is this still of interest?",
        "body_ar": (
            "السلام عليكم {contact_name}،\n\n"
            "تواصلت معكم قبل أيام ولم يصلني رد، وأتفهم تمامًا كثرة المشاغل. أردت فقط أن أطمئن: هل ما زال "
            "الموضوع يهمكم؟\n\n"
            "إن كان كذلك، يكفي الرد بالوقت المناسب لكم لمكالمة قصيرة. وإن لم يكن الوقت مناسبًا الآن، "
            "فأخبروني وسأحترم رغبتكم.\n\n"
            "مع خالص التحية،\n"
            "{agent_name}\n"
            "{tenant_name}"),
        "body_en": (
            "Dear {contact_name},\n\n"
            "I got in touch a few days ago and haven't heard back, which I completely understand given how busy "
            "things get. I just wanted to check: is this still of interest to you?\n\n"
            "If it is, simply reply with a time that suits you for a short call. If now isn't the right time, "
            "let me know and I'll respect that.\n\n"
            "Kind regards,\n"
            "{agent_name}\n"
            "{tenant_name}"),
    },
    {
        "key": "proposal_follow_up", "type": WHATSAPP, "provider_name": "dealix_proposal_follow_up",
        "name_ar": "متابعة عرض السعر", "name_en": "Proposal follow-up",
        "subject_ar": "", "subject_en": "",
        "body_ar": (
            "مرحبًا {contact_name}، معكم {agent_name} من {tenant_name}.\n"
            "أتابع معكم بخصوص عرض السعر «{proposal_title}»، ويمكنكم الاطلاع عليه في أي وقت من الرابط: "
            "{proposal_link}\n"
            "هل لديكم أي استفسار أو ملاحظة على العرض؟ يسعدني توضيح أي تفصيل أو ترتيب مكالمة قصيرة لمناقشته."),
        "body_en": (
            "Hello {contact_name}, this is {agent_name} from {tenant_name}.\n"
            "I'm following up on the proposal \"{proposal_title}\", which you can open at any time here: "
            "{proposal_link}\n"
            "Do you have any questions or comments on it? I'm happy to clarify any detail or arrange a short call "
            "to discuss it."),
    },
    {
        "key": "proposal_follow_up", "type": EMAIL, "provider_name": "",
        "name_ar": "متابعة عرض السعر", "name_en": "Proposal follow-up",
        "subject_ar": "متابعة عرض السعر: {proposal_title}",
        "subject_en": "Following up on your proposal: {proposal_title}",
        "body_ar": (
            "السلام عليكم {contact_name}،\n\n"
            "أرجو أن تكونوا بخير. أتابع معكم بخصوص عرض السعر «{proposal_title}» الذي أرسلناه لكم، ويمكنكم "
            "الاطلاع عليه من الرابط التالي:\n"
            "{proposal_link}\n\n"
            "يسعدني الإجابة عن أي سؤال حول العرض، أو ترتيب اجتماع قصير لمراجعته معكم ومع فريقكم. وإن كان "
            "هناك ما تودون تعديله، فأخبروني وسأعمل عليه.\n\n"
            "مع خالص التحية،\n"
            "{agent_name}\n"
            "{tenant_name}"),
        "body_en": (
            "Dear {contact_name},\n\n"
            "I hope you are well. I'm following up on the proposal \"{proposal_title}\" we sent you, which you can "
            "open here:\n"
            "{proposal_link}\n\n"
            "I'd be happy to answer any questions, or to arrange a short meeting to go through it with you and "
            "your team. If there is anything you would like changed, let me know and I'll work on it.\n\n"
            "Kind regards,\n"
            "{agent_name}\n"
            "{tenant_name}"),
    },
    # --- affiliates ------------------------------------------------------------------------------------
    {
        "key": "affiliate_invite", "type": EMAIL, "provider_name": "",
        "name_ar": "دعوة للانضمام إلى برنامج الشركاء", "name_en": "Affiliate invitation",
        "subject_ar": "دعوة للانضمام إلى برنامج شركاء {tenant_name}",
        "subject_en": "An invitation to join the {tenant_name} partner programme",
        "body_ar": (
            "السلام عليكم {affiliate_name}،\n\n"
            "يسرّنا دعوتكم للانضمام إلى برنامج شركاء {tenant_name}. يتيح لكم البرنامج ترشيح الشركات التي "
            "تعرفونها، والحصول على عمولة شهرية متكررة عن كل عميل يشترك عن طريقكم طوال مدة اشتراكه.\n\n"
            "ما يقدّمه البرنامج:\n"
            "• رمز ورابط إحالة خاصان بكم تُنسب إليكم عن طريقهما كل إحالاتكم\n"
            "• بوابة للشركاء تعرض إحالاتكم وعمولاتكم ومدفوعاتكم أولًا بأول\n"
            "• مستويات عمولة ترتفع مع عدد الصفقات المغلقة\n\n"
            "للانضمام، يكفي الرد على هذه الرسالة وسنتواصل معكم لإكمال التسجيل.\n\n"
            "مع خالص التحية،\n"
            "{agent_name}\n"
            "{tenant_name}"),
        "body_en": (
            "Dear {affiliate_name},\n\n"
            "We would be delighted to invite you to join the {tenant_name} partner programme. As a partner you "
            "refer businesses you know and earn a recurring monthly commission for every customer who subscribes "
            "through you, for as long as they stay subscribed.\n\n"
            "What the programme offers:\n"
            "• Your own referral code and link, so every referral is credited to you\n"
            "• A partner portal showing your referrals, commissions and payouts as they happen\n"
            "• Commission tiers that rise with the number of deals closed\n\n"
            "To join, simply reply to this email and we will contact you to complete your registration.\n\n"
            "Kind regards,\n"
            "{agent_name}\n"
            "{tenant_name}"),
    },
    {
        "key": "affiliate_acceptance", "type": EMAIL, "provider_name": "",
        "name_ar": "قبول طلب الشراكة", "name_en": "Affiliate acceptance",
        "subject_ar": "أهلًا بكم في برنامج شركاء {tenant_name}",
        "subject_en": "Welcome to the {tenant_name} partner programme",
        "body_ar": (
            "السلام عليكم {affiliate_name}،\n\n"
            "يسعدنا إبلاغكم بقبول طلب انضمامكم إلى برنامج شركاء {tenant_name}، ومرحبًا بكم شريكًا لنا.\n\n"
            "رمز الإحالة الخاص بكم: {referral_code}\n"
            "رابط الإحالة: {referral_link}\n\n"
            "شاركوا الرابط مع الشركات التي ترون أننا نستطيع خدمتها؛ فكل عميل يسجّل عن طريقه يُنسب إليكم "
            "تلقائيًا، وتظهر إحالاتكم وعمولاتكم في بوابة الشركاء.\n\n"
            "نتطلع إلى شراكة مثمرة، ولا تترددوا في التواصل معنا عند أي استفسار.\n\n"
            "مع خالص التحية،\n"
            "فريق الشركاء – {tenant_name}"),
        "body_en": (
            "Dear {affiliate_name},\n\n"
            "We are pleased to let you know that your application to the {tenant_name} partner programme has been "
            "accepted. Welcome aboard!\n\n"
            "Your referral code: {referral_code}\n"
            "Your referral link: {referral_link}\n\n"
            "Share the link with businesses you think we can help: every customer who signs up through it is "
            "credited to you automatically, and your referrals and commissions appear in the partner portal.\n\n"
            "We look forward to a successful partnership. Do get in touch whenever you have a question.\n\n"
            "Kind regards,\n"
            "The partner team – {tenant_name}"),
    },
    {
        "key": "affiliate_rejection", "type": EMAIL, "provider_name": "",
        "name_ar": "الاعتذار عن طلب الشراكة", "name_en": "Affiliate rejection",
        "subject_ar": "بخصوص طلب انضمامكم إلى برنامج شركاء {tenant_name}",
        "subject_en": "Your application to the {tenant_name} partner programme",
        "body_ar": (
            "السلام عليكم {affiliate_name}،\n\n"
            "نشكركم على اهتمامكم بالانضمام إلى برنامج شركاء {tenant_name}. بعد مراجعة طلبكم، نعتذر عن عدم "
            "قبوله في الوقت الحالي، وذلك بسبب: {reason}.\n\n"
            "يسعدنا استقبال طلب جديد منكم بعد {reapply_period} من تاريخ هذه الرسالة، ونتمنى أن "
            "تُتاح لنا فرصة العمل معًا قريبًا.\n\n"
            "مع خالص التحية،\n"
            "فريق الشركاء – {tenant_name}"),
        "body_en": (
            "Dear {affiliate_name},\n\n"
            "Thank you for your interest in the {tenant_name} partner programme. Having reviewed your application, "
            "we are sorry that we cannot accept it at this time, because {reason}.\n\n"
            "You are welcome to apply again {reapply_period} from the date of this email, and we hope to "
            "have the chance to work together soon.\n\n"
            "Kind regards,\n"
            "The partner team – {tenant_name}"),
    },
    {
        "key": "affiliate_promotion", "type": EMAIL, "provider_name": "",
        "name_ar": "ترقية مستوى الشريك", "name_en": "Affiliate promotion",
        "subject_ar": "تهانينا! ترقيتكم إلى مستوى «{tier}»",
        "subject_en": "Congratulations! You have moved up to {tier}",
        "body_ar": (
            "السلام عليكم {affiliate_name}،\n\n"
            "تهانينا! بفضل أدائكم المميز وعدد الصفقات التي أُغلقت عن طريقكم هذا الشهر، تمت ترقيتكم في برنامج "
            "شركاء {tenant_name} إلى مستوى «{tier}».\n\n"
            "تعني الترقية نسبة عمولة أعلى على صفقاتكم القادمة، ويمكنكم الاطلاع على تفاصيل مستواكم الجديد "
            "وعمولاتكم في بوابة الشركاء.\n\n"
            "شكرًا لثقتكم وجهودكم، ونتطلع إلى مزيد من النجاح معًا.\n\n"
            "مع خالص التحية،\n"
            "فريق الشركاء – {tenant_name}"),
        "body_en": (
            "Dear {affiliate_name},\n\n"
            "Congratulations! Thanks to your excellent results and the deals closed through you this month, you "
            "have moved up to the {tier} tier of the {tenant_name} partner programme.\n\n"
            "Your new tier means a higher commission rate on your coming deals. You can see its details and your "
            "commissions in the partner portal.\n\n"
            "Thank you for your trust and your work; here's to more success together.\n\n"
            "Kind regards,\n"
            "The partner team – {tenant_name}"),
    },
    # --- internal --------------------------------------------------------------------------------------
    {
        "key": "hr_escalation", "type": EMAIL, "provider_name": "",
        "name_ar": "إحالة إلى الموارد البشرية", "name_en": "HR escalation",
        "subject_ar": "إحالة إلى الموارد البشرية: {employee_name}",
        "subject_en": "Referred to HR: {employee_name}",
        "body_ar": (
            "السلام عليكم فريق الموارد البشرية،\n\n"
            "نحيل إليكم الحالة التالية للاطلاع واتخاذ ما ترونه مناسبًا:\n\n"
            "• الموظف: {employee_name}\n"
            "• سبب الإحالة: {escalation_reason}\n\n"
            "نأمل مراجعة الحالة والتنسيق مع المدير المباشر بشأن الخطوات التالية، مع مراعاة سرية ما ورد في "
            "هذه الرسالة.\n\n"
            "مع التحية،\n"
            "{agent_name}\n"
            "{tenant_name}"),
        "body_en": (
            "Dear HR team,\n\n"
            "We are referring the following case to you for review and whatever action you see fit:\n\n"
            "• Employee: {employee_name}\n"
            "• Reason for referral: {escalation_reason}\n\n"
            "Please review it and agree the next steps with the line manager. The contents of this email are "
            "confidential.\n\n"
            "Regards,\n"
            "{agent_name}\n"
            "{tenant_name}"),
    },
    # --- customers and compliance ------------------------------------------------------------------------
    {
        "key": "guarantee_explanation", "type": EMAIL, "provider_name": "",
        "name_ar": "شرح الضمان الذهبي", "name_en": "Gold guarantee explained",
        "subject_ar": "الضمان الذهبي من {tenant_name}: {guarantee_period} لتتأكدوا من النتائج",
        "subject_en": "Your {guarantee_days}-day gold guarantee from {tenant_name}",
        "body_ar": (
            "السلام عليكم {contact_name}،\n\n"
            "شكرًا لاختياركم {tenant_name}. نود أن نوضح لكم الضمان الذهبي المقدَّم مع اشتراككم.\n\n"
            "يحق لكم طلب استرداد المبلغ مرة واحدة خلال {guarantee_period} من تفعيل الاشتراك، إذا لم "
            "تحقق لكم المنصة ما تتوقعونه. ولأن الضمان قائم على الاستخدام الفعلي، يُشترط حتى تاريخ الطلب:\n"
            "• إدخال {guarantee_min_leads_text} على الأقل\n"
            "• إرسال {guarantee_min_messages_text} على الأقل\n"
            "• حضور جلسة التهيئة\n"
            "• استخدام المنصة {guarantee_min_days_text} على الأقل\n\n"
            "نراجع كل طلب بعناية ونبلغكم بقرارنا في أقرب وقت، وعند الموافقة يُعاد المبلغ ويُلغى الاشتراك. "
            "ولا يشمل الضمان الفترات التجريبية.\n\n"
            "هدفنا أن تروا نتائج فعلية، وفريقنا جاهز لمساعدتكم في كل خطوة.\n\n"
            "مع خالص التحية،\n"
            "{agent_name}\n"
            "{tenant_name}"),
        "body_en": (
            "Dear {contact_name},\n\n"
            "Thank you for choosing {tenant_name}. We would like to explain the gold guarantee that comes with "
            "your subscription.\n\n"
            "You may claim a refund once, within {guarantee_period} of activation, if the platform does not "
            "deliver what you expected. Because the guarantee rests on real use, by the date of your claim you "
            "will need to have:\n"
            "• entered at least {guarantee_min_leads_text}\n"
            "• sent at least {guarantee_min_messages_text}\n"
            "• attended the onboarding session\n"
            "• used the platform on at least {guarantee_min_days_text}\n\n"
            "We review every claim carefully and let you know our decision promptly; once approved, the amount "
            "is refunded and the subscription cancelled. Trials are not covered.\n\n"
            "Our aim is for you to see real results, and our team is ready to help at every step.\n\n"
            "Kind regards,\n"
            "{agent_name}\n"
            "{tenant_name}"),
    },
    {
        "key": "complaint_acknowledgment", "type": EMAIL, "provider_name": "",
        "name_ar": "استلام شكوى", "name_en": "Complaint acknowledgement",
        "subject_ar": "استلمنا شكواكم – رقم المرجع {ticket_id}",
        "subject_en": "We have received your complaint – reference {ticket_id}",
        "body_ar": (
            "السلام عليكم {contact_name}،\n\n"
            "نشكركم على تواصلكم معنا، ونؤكد استلام شكواكم وتسجيلها برقم المرجع {ticket_id}.\n\n"
            "نأخذ ملاحظاتكم بجدية تامة، وسيتواصل معكم أحد أعضاء فريقنا خلال {reply_within} "
            "لمتابعتها. ونرجو ذكر رقم المرجع في أي مراسلة بخصوصها.\n\n"
            "نعتذر عن أي إزعاج، ونقدّر صبركم.\n\n"
            "مع خالص التحية،\n"
            "فريق خدمة العملاء – {tenant_name}"),
        "body_en": (
            "Dear {contact_name},\n\n"
            "Thank you for getting in touch. We confirm that we have received your complaint and registered it "
            "under reference {ticket_id}.\n\n"
            "We take your feedback seriously, and a member of our team will contact you within "
            "{reply_within} to follow it up. Please quote the reference in any message about it.\n\n"
            "We apologise for any inconvenience and appreciate your patience.\n\n"
            "Kind regards,\n"
            "Customer care – {tenant_name}"),
    },
    {
        "key": "privacy_request_acknowledgment", "type": EMAIL, "provider_name": "",
        "name_ar": "استلام طلب يتعلق بالبيانات الشخصية", "name_en": "Privacy request acknowledgement",
        "subject_ar": "استلمنا طلبكم بشأن بياناتكم الشخصية – رقم الطلب {request_id}",
        "subject_en": "We have received your personal data request – reference {request_id}",
        "body_ar": (
            "السلام عليكم {contact_name}،\n\n"
            "نؤكد استلام طلبكم المتعلق ببياناتكم الشخصية، وقد سُجّل برقم {request_id}.\n\n"
            "وفقًا لنظام حماية البيانات الشخصية في المملكة العربية السعودية، سنعالج طلبكم ونرد عليكم خلال مدة "
            "لا تتجاوز {request_fulfil_period} من تاريخ استلامه. وقد نتواصل معكم للتحقق من هويتكم قبل "
            "تنفيذ الطلب، حفاظًا على خصوصية بياناتكم.\n\n"
            "لأي استفسار عن الطلب، يُرجى الرد على هذه الرسالة مع ذكر رقمه.\n\n"
            "مع خالص التحية،\n"
            "فريق حماية البيانات – {tenant_name}"),
        "body_en": (
            "Dear {contact_name},\n\n"
            "We confirm that we have received your request about your personal data, registered under reference "
            "{request_id}.\n\n"
            "In line with Saudi Arabia's Personal Data Protection Law (PDPL), we will handle your request and "
            "reply within {request_fulfil_period} of receiving it. We may contact you to verify your identity "
            "before acting on it, to keep your data safe.\n\n"
            "If you have any question about the request, please reply to this email quoting its reference.\n\n"
            "Kind regards,\n"
            "Data protection team – {tenant_name}"),
    },
    {
        "key": "opt_out_confirmation", "type": WHATSAPP, "provider_name": "dealix_opt_out_confirmation",
        "name_ar": "تأكيد إيقاف الرسائل", "name_en": "Opt-out confirmation",
        "subject_ar": "", "subject_en": "",
        "body_ar": ("تم إيقاف رسائل {tenant_name} إليكم عبر {channel_name} بناءً على طلبكم، ولن تصلكم رسائل أخرى. "
                    "شكرًا لكم."),
        "body_en": ("As you asked, {tenant_name} will send you no further messages on {channel_name}. Thank you."),
    },
    {
        "key": "opt_out_confirmation", "type": EMAIL, "provider_name": "",
        "name_ar": "تأكيد إيقاف الرسائل", "name_en": "Opt-out confirmation",
        "subject_ar": "تم إيقاف رسائلنا إليكم", "subject_en": "You have been unsubscribed",
        "body_ar": (
            "السلام عليكم {contact_name}،\n\n"
            "تم إيقاف رسائل {tenant_name} إليكم عبر {channel_name} بناءً على طلبكم، ولن تصلكم رسائل أخرى.\n\n"
            "شكرًا لكم،\n"
            "{tenant_name}"),
        "body_en": (
            "Dear {contact_name},\n\n"
            "As you asked, {tenant_name} will send you no further messages by {channel_name}.\n\n"
            "Thank you,\n"
            "{tenant_name}"),
    },
    {
        "key": "opt_out_confirmation", "type": SMS, "provider_name": "",
        "name_ar": "تأكيد إيقاف الرسائل", "name_en": "Opt-out confirmation",
        "subject_ar": "", "subject_en": "",
        "body_ar": "تم إيقاف رسائل {tenant_name} إليكم عبر {channel_name} بناءً على طلبكم، ولن تصلكم رسائل أخرى.",
        "body_en": "As you asked, {tenant_name} will send you no further messages by {channel_name}.",
    },
]

LANGUAGES = ("ar", "en")


def template_rows(templates: list[dict] = STANDARD_TEMPLATES) -> list[dict]:
    """The field values of every Template the list stands for: one per row and language."""
    rows = []
    for spec in templates:
        for language in LANGUAGES:
            rows.append({
                "key": spec["key"], "type": spec["type"], "language": language,
                "name": spec[f"name_{language}"], "subject": spec[f"subject_{language}"],
                "body": spec[f"body_{language}"], "is_active": True,
                "approved": spec["type"] == WHATSAPP, "provider_name": spec["provider_name"],
            })
    return rows


def ensure_standard_templates(template_model=None) -> list:
    """Create the standard templates this tenant lacks (by key, type and language) and return the new
    ones; a template the tenant edited or deactivated is left as it is. Seeding, not a user's write, so
    no audit row."""
    if template_model is None:
        from crm.models import Template as template_model
    present = set(template_model.objects.exclude(key="").values_list("key", "type", "language"))
    missing = [template_model(**row) for row in template_rows()
               if (row["key"], row["type"], row["language"]) not in present]
    template_model.objects.bulk_create(missing, ignore_conflicts=True)
    return missing
