"""What the demo workspaces' CRM is about: a month at a company that sells business software
subscriptions to Saudi SMEs. This is data (names, notes, messages), written once in Arabic (acme) and
once in English (gulf-trading); it is not translated through gettext. `T(ar, en)` holds both and
`pick(value, language)` chooses. Times are relative: `age` is how many days ago a lead arrived.

Each story is one lead and everything around it; together they show every status, every deal stage,
the consent rules at work (a revoked WhatsApp consent, a blocked send), meetings, proposals, and the
affiliate programme's referrals (see affiliates/demo.py)."""
from __future__ import annotations

from decimal import Decimal


def T(ar: str, en: str) -> dict:
    return {"ar": ar, "en": en}


def pick(value, language: str):
    if isinstance(value, dict) and set(value) == {"ar", "en"}:
        return value[language]
    return value


# --- what the tenant sells -----------------------------------------------------------------------
# key: (name, yearly price SAR, plan for the affiliate commission table)
PACKAGES = {
    "starter": (T("باقة البداية — اشتراك سنوي (5 مستخدمين)", "Starter package — annual subscription (5 users)"),
                Decimal("18000"), "starter"),
    "pro": (T("الباقة الاحترافية — اشتراك سنوي (25 مستخدماً)", "Pro package — annual subscription (25 users)"),
            Decimal("48000"), "pro"),
    "enterprise": (T("باقة المؤسسات — اشتراك سنوي (مستخدمون بلا حد)",
                     "Enterprise package — annual subscription (unlimited users)"), Decimal("120000"), "enterprise"),
}
PACKAGE_SHORT = {"starter": T("باقة البداية", "Starter"), "pro": T("الباقة الاحترافية", "Pro"),
                 "enterprise": T("باقة المؤسسات", "Enterprise")}
ADD_ONS = {
    "setup_s": (T("التهيئة وترحيل البيانات — أساسي", "Set-up and data migration — basic"), Decimal("3500")),
    "setup_m": (T("التهيئة وترحيل البيانات — متوسط", "Set-up and data migration — standard"), Decimal("12000")),
    "setup_l": (T("التهيئة وترحيل البيانات — للفروع المتعددة", "Set-up and data migration — multi-branch"),
                Decimal("25000")),
    "whatsapp": (T("ربط واتساب للأعمال (API)", "WhatsApp Business API integration"), Decimal("6000")),
    "training": (T("تدريب الفريق (يومان في الموقع)", "On-site team training (2 days)"), Decimal("7000")),
}

# --- the companies -------------------------------------------------------------------------------
# key: (Arabic name, English name, sector, employees, city key (English), website)
COMPANIES = {
    "horizon": ("عيادات الأفق الطبية", "Horizon Medical Clinics", "healthcare", 35, "Riyadh", "horizonclinics.sa"),
    "oasis": ("مطاعم الواحة", "Oasis Restaurants", "restaurants", 120, "Jeddah", "oasis-restaurants.sa"),
    "pioneers": ("الرواد العقارية", "Pioneers Real Estate", "real_estate", 25, "Riyadh", "pioneers-re.sa"),
    "future": ("أكاديمية المستقبل للتدريب", "Future Training Academy", "education", 60, "Dammam", "future-academy.sa"),
    "elite": ("النخبة للسيارات", "Elite Motors", "automotive", 150, "Khobar", "elitemotors.sa"),
    "safwa": ("صالون الصفوة للتجميل", "Safwa Beauty Lounge", "beauty", 8, "Riyadh", "safwa-beauty.sa"),
    "itqan": ("الإتقان للمقاولات", "Itqan Contracting", "construction", 300, "Jeddah", "itqan-contracting.sa"),
    "bayan": ("البيان للمحاماة والاستشارات", "Bayan Law Firm", "legal", 12, "Riyadh", "bayanlaw.sa"),
    "madar": ("متجر المدار الإلكتروني", "Madar Online Store", "ecommerce", 18, "Riyadh", "madar-store.sa"),
    "wafa": ("جمعية الوفاء الخيرية", "Wafa Charity Association", "non_profit", 40, "Madinah", "wafa.org.sa"),
    "namaa": ("مصنع النماء للبلاستيك", "Namaa Plastics Factory", "manufacturing", 250, "Dammam", "namaa-plastics.sa"),
    "asala": ("عيادات الأصالة", "Asala Clinics", "healthcare", 9, "Abha", "asala-clinics.sa"),
    "riyada": ("الريادة للعقارات", "Riyada Properties", "real_estate", 45, "Khobar", "riyada-properties.sa"),
    "dawn": ("مركز الفجر لطب الأسنان", "Dawn Dental Center", "healthcare", 20, "Jeddah", "dawndental.sa"),
    "cloud": ("متاجر السحاب للتقنية", "Cloud Tech Stores", "retail", 30, "Riyadh", "cloudtech.sa"),
    "quality": ("الجودة لخدمات السيارات", "Quality Auto Services", "automotive", 14, "Buraidah", "quality-auto.sa"),
    "noor": ("مؤسسة النور للتجارة", "Noor Trading Est.", "retail", 6, "Taif", "noor-trading.sa"),
    "najd": ("مقاهي نجد", "Najd Cafés", "restaurants", 22, "Riyadh", "najdcafes.sa"),
    "kharj": ("بلدية محافظة الخرج", "Al-Kharj Municipality", "government", 400, "Riyadh", "kharj.gov.sa"),
    "andalus": ("مدارس الأندلس الأهلية", "Andalus Private Schools", "education", 90, "Riyadh", "andalus-schools.sa"),
    "shifa": ("مجمع الشفاء الطبي", "Al-Shifa Medical Complex", "healthcare", 180, "Hail", "alshifa-medical.sa"),
    "furniture": ("معارض الخليج للأثاث", "Gulf Furniture Showrooms", "retail", 55, "Dammam", "gulf-furniture.sa"),
    "lamasat": ("منتجع لمسات للتجميل", "Lamasat Beauty Spa", "beauty", 15, "Jeddah", "lamasat-spa.sa"),
    "afaq": ("آفاق للتطوير العقاري", "Afaq Real Estate Development", "real_estate", 70, "Makkah", "afaq-dev.sa"),
    "sitti": ("مطبخ ستّي", "Sitti's Kitchen", "restaurants", 4, "Riyadh", "sittis-kitchen.sa"),
    # prospects only
    "rawda": ("مستشفى الروضة التخصصي", "Al-Rawda Specialist Hospital", "healthcare", 600, "Riyadh",
              "rawda-hospital.sa"),
    "marina": ("مارينا للتطوير العقاري", "Marina Developments", "real_estate", 110, "Jeddah", "marina-dev.sa"),
    "taiba": ("معاهد طيبة للغات", "Taiba Language Institutes", "education", 35, "Madinah", "taiba-lang.sa"),
    "rukn": ("ركن الأناقة للعبايات", "Rukn Al-Anaqa Abayas", "retail", 12, "Riyadh", "rukn-anaqa.sa"),
    "dhahran": ("مطاعم شاطئ الظهران", "Dhahran Beach Restaurants", "restaurants", 75, "Dhahran", "dhahran-beach.sa"),
}

# --- the stories ---------------------------------------------------------------------------------
# Each: lead (status, source, owner role, age in days, scoring inputs, note), the person, and what
# happened. `deal`: stage, package, add-ons, days since close (or a history marker the affiliate
# programme dates from its payout calendar), proposal statuses. `consent`: a profile (see CONSENT_PROFILES).
STORIES = [
    {"key": "madar", "company": "madar", "status": "new", "source": "web", "owner": "agent", "age": 0.02,
     "person": T("سارة الدوسري", "Sarah Al-Dosari"), "title": T("مسؤولة النمو", "Growth Lead"),
     "engagement": ["requested_demo", "visited_website", "asked_question", "clicked_link"],
     "budget": ["asked_pricing", "mentioned_budget"], "timing": "urgent", "consent": "web_all",
     "note": T("طلبت عرضاً توضيحياً من نموذج الموقع وسألت عن الربط مع سلة وزد. لديها فريق مبيعات من 6 أشخاص "
               "ويضيع عليهم عملاء الواتساب في عطلة نهاية الأسبوع.",
               "Asked for a demo through the web form and whether we integrate with Salla and Zid. Six-person "
               "sales team; they lose WhatsApp enquiries over the weekend.")},
    {"key": "lamasat", "company": "lamasat", "status": "new", "source": "whatsapp", "owner": "agent", "age": 0.1,
     "person": T("مشاعل السبيعي", "Mashael Al-Subaie"), "title": T("المالكة", "Owner"),
     "engagement": ["replied", "asked_question"], "budget": [], "timing": "evaluating", "consent": "whatsapp_sms",
     "note": T("راسلتنا على واتساب بعد إعلان إنستغرام. تريد تذكير العميلات بالمواعيد تلقائياً لتقليل الغياب.",
               "Messaged us on WhatsApp after an Instagram ad. Wants automatic appointment reminders to cut "
               "no-shows.")},
    {"key": "sitti", "company": "sitti", "status": "new", "source": "import", "owner": "manager", "age": 2,
     "person": T("لطيفة المطيري", "Latifa Al-Mutairi"), "title": T("المؤسسة", "Founder"),
     "engagement": ["visited_website"], "budget": [], "timing": "exploring", "consent": "pending",
     "note": T("من قائمة معرض الامتياز التجاري (فرانشايز). مطبخ منزلي يتوسع إلى فرعين. لم نتواصل بعد — لا موافقة "
               "تواصل مسجلة.", "From the franchise expo list. A home kitchen opening two branches. Not contacted yet "
               "— no recorded consent.")},
    {"key": "wafa", "company": "wafa", "status": "new", "source": "web", "owner": "agent", "age": 5,
     "person": T("عبير الجهني", "Abeer Al-Juhani"), "title": T("مديرة البرامج", "Programmes Director"),
     "engagement": ["opened_email"], "budget": [], "timing": "exploring", "consent": "email_event",
     "note": T("تسأل عن خصم للجمعيات غير الربحية لإدارة المتطوعين والمتبرعين.",
               "Asks about a non-profit discount to manage volunteers and donors.")},
    {"key": "safwa", "company": "safwa", "status": "contacted", "source": "affiliate", "owner": "agent", "age": 9,
     "person": T("لمى السبيعي", "Lama Al-Subaie"), "title": T("المالكة", "Owner"),
     "engagement": ["replied", "asked_question"], "budget": ["asked_pricing"], "timing": "evaluating",
     "consent": "web_all", "affiliate": "active",
     "note": T("صالون واحد وتفكر في الفرع الثاني. السعر هو السؤال الأول — اقترحت باقة البداية مع دفع ربع سنوي.",
               "One salon, thinking about a second. Price is the first question — suggested Starter with "
               "quarterly billing.")},
    {"key": "namaa", "company": "namaa", "status": "contacted", "source": "import", "owner": "agent", "age": 21,
     "person": T("فهد البقمي", "Fahad Al-Baqami"), "title": T("مدير المصنع", "Plant Manager"),
     "engagement": ["replied"], "budget": [], "timing": "exploring", "consent": "whatsapp_revoked",
     "note": T("طلب إيقاف رسائل واتساب. لا نراسله على واتساب؛ المتابعة بالهاتف فقط إذا طلب ذلك.",
               "Asked us to stop WhatsApp messages. Do not message him on WhatsApp; phone follow-up only if he "
               "asks.")},
    {"key": "kharj", "company": "kharj", "status": "contacted", "source": "referral", "owner": "manager", "age": 14,
     "person": T("سعود العنزي", "Saud Al-Anazi"), "title": T("مسؤول المشتريات", "Procurement Officer"),
     "engagement": ["replied"], "budget": [], "timing": "exploring", "consent": "email_event",
     "note": T("الشراء عبر منصة اعتماد فقط. نحتاج التسجيل كمورد قبل المنافسة القادمة (الربع الأول).",
               "Buys through the Etimad platform only. We must register as a supplier before the next tender "
               "(Q1).")},
    {"key": "andalus", "company": "andalus", "status": "contacted", "source": "web", "owner": "agent", "age": 4,
     "person": T("جواهر القحطاني", "Jawaher Al-Qahtani"), "title": T("مديرة المدرسة", "Principal"),
     "engagement": ["replied", "opened_email", "clicked_link"], "budget": [], "timing": "evaluating",
     "consent": "web_all",
     "note": T("تريد متابعة طلبات التسجيل للعام القادم من الواتساب والموقع في مكان واحد. اقترحنا ثلاثة مواعيد.",
               "Wants next year's admission enquiries from WhatsApp and the website in one place. We offered "
               "three slots.")},
    {"key": "afaq", "company": "afaq", "status": "qualified", "source": "referral", "owner": "agent", "age": 11,
     "person": T("محمد الغامدي", "Mohammed Al-Ghamdi"), "title": T("مدير التطوير", "Development Director"),
     "engagement": ["requested_demo", "attended_meeting"], "budget": ["mentioned_budget"], "timing": "deciding",
     "consent": "web_all",
     "note": T("مشروع برج سكني في العزيزية، 140 وحدة. الميزانية معتمدة للربع القادم. القرار مع الرئيس التنفيذي.",
               "A 140-unit residential tower in Al-Aziziyah. Budget approved for next quarter. The CEO decides.")},
    {"key": "itqan", "company": "itqan", "status": "lost", "source": "import", "owner": "agent", "age": 26, "lost": 12,
     "person": T("ماجد الحربي", "Majed Al-Harbi"), "title": T("مدير المشتريات", "Procurement Manager"),
     "engagement": ["replied"], "budget": ["compared_competitors"], "timing": "evaluating", "consent": "email_event",
     "lost_reason": T("اختاروا منافساً مرتبطاً بنظام تخطيط الموارد لديهم.",
                      "Chose a competitor already integrated with their ERP."),
     "note": T("يستخدمون نظام تخطيط موارد محلي. طلبوا ربطاً مخصصاً غير متوفر حالياً.",
               "They run a local ERP and wanted a custom integration we don't offer yet.")},
    {"key": "najd", "company": "najd", "status": "lost", "source": "whatsapp", "owner": "agent", "age": 24, "lost": 3,
     "person": T("أمل العتيبي", "Amal Al-Otaibi"), "title": T("مديرة العمليات", "Operations Manager"),
     "engagement": ["replied"], "budget": [], "timing": "exploring", "consent": "whatsapp_only",
     "lost_reason": T("لم ترد بعد ثلاث متابعات وغابت عن العرض التوضيحي.",
                      "No reply after three follow-ups and missed the demo."),
     "note": T("غابت عن العرض التوضيحي. أرسلنا ثلاثة مواعيد بديلة دون رد.",
               "Missed the demo. We sent three new slots; no answer.")},
    # Converted: each has its deal.
    {"key": "shifa", "company": "shifa", "status": "converted", "source": "referral", "owner": "manager", "age": 8,
     "person": T("د. فيصل الحربي", "Dr. Faisal Al-Harbi"), "title": T("المدير الطبي", "Medical Director"),
     "engagement": ["requested_demo", "replied"], "budget": ["discussed_roi"], "timing": "evaluating",
     "consent": "web_all",
     "note": T("مجمع من 4 عيادات تخصصية. يريد قياس تحويل استفسارات المرضى إلى مواعيد.",
               "Four specialist clinics. Wants to measure how patient enquiries turn into appointments."),
     "deal": {"stage": "discovery", "package": "enterprise", "add_ons": ["setup_m"], "estimate": Decimal("95000")}},
    {"key": "future", "company": "future", "status": "converted", "source": "web", "owner": "agent", "age": 13,
     "person": T("هند الشمري", "Hind Al-Shammari"), "title": T("مديرة القبول والتسجيل", "Admissions Manager"),
     "engagement": ["requested_demo", "opened_email", "clicked_link"], "budget": ["asked_pricing"],
     "timing": "evaluating", "consent": "web_all",
     "note": T("ثلاثة فروع. موسم التسجيل يبدأ بعد شهرين، وتريد النظام جاهزاً قبله.",
               "Three branches. Enrolment season starts in two months; she wants the system live before it."),
     "deal": {"stage": "discovery", "package": "pro", "add_ons": ["setup_s"], "estimate": Decimal("54000")}},
    {"key": "pioneers", "company": "pioneers", "status": "converted", "source": "web", "owner": "agent", "age": 19,
     "person": T("خالد المطيري", "Khalid Al-Mutairi"), "title": T("مدير المبيعات", "Sales Director"),
     "engagement": ["requested_demo", "attended_meeting", "requested_pricing"], "budget": ["discussed_roi"],
     "timing": "deciding", "consent": "web_all",
     "note": T("فريق من 12 مسوقاً عقارياً. أعجبه توزيع العملاء تلقائياً حسب الحي.",
               "Twelve property agents. Liked automatic lead assignment by district."),
     "deal": {"stage": "proposal", "package": "pro", "add_ons": ["setup_m"], "proposals": ["viewed"]}},
    {"key": "furniture", "company": "furniture", "status": "converted", "source": "import", "owner": "agent",
     "age": 16, "person": T("هيفاء الزهراني", "Haifa Al-Zahrani"), "title": T("مديرة التسويق", "Marketing Manager"),
     "engagement": ["replied", "requested_pricing"], "budget": ["asked_pricing", "compared_competitors"],
     "timing": "evaluating", "consent": "email_event",
     "note": T("تقارن بين ثلاثة أنظمة. تريد عرضاً بسعر ثابت لسنتين.",
               "Comparing three systems. Wants a fixed price for two years."),
     "deal": {"stage": "proposal", "package": "starter", "add_ons": ["setup_s", "training"], "proposals": ["draft"]}},
    {"key": "oasis", "company": "oasis", "status": "converted", "source": "affiliate", "owner": "manager", "age": 23,
     "person": T("ريم الزهراني", "Reem Al-Zahrani"), "title": T("مديرة التسويق", "Marketing Manager"),
     "engagement": ["requested_demo", "attended_meeting", "requested_pricing"], "budget": ["mentioned_budget"],
     "timing": "deciding", "consent": "web_all_sms", "affiliate": "active",
     "note": T("ثمانية فروع في جدة ومكة. تطلب خصماً على اشتراك السنة الأولى. المدير المالي يوقّع.",
               "Eight branches in Jeddah and Makkah. Wants a first-year discount. The CFO signs."),
     "deal": {"stage": "negotiation", "package": "enterprise", "add_ons": ["setup_l", "whatsapp"],
              "proposals": ["rejected", "viewed"], "discount": Decimal("8")}},
    {"key": "horizon", "company": "horizon", "status": "converted", "source": "referral", "owner": "agent",
     "age": 27, "person": T("د. عبدالله القحطاني", "Dr. Abdullah Al-Qahtani"),
     "title": T("مدير العمليات", "Operations Director"),
     "engagement": ["requested_demo", "attended_meeting", "requested_pricing"], "budget": ["discussed_roi",
                                                                                         "ready_to_pay"],
     "timing": "urgent", "consent": "web_all",
     "note": T("خمس عيادات في الرياض. كان مركز الاتصال يفقد 30٪ من المكالمات. وقّع بعد العرض الثاني.",
               "Five clinics in Riyadh. The call centre missed 30 % of calls. Signed after the second demo."),
     "deal": {"stage": "closed_won", "package": "pro", "add_ons": ["setup_m", "training"], "closed": 12,
              "proposals": ["accepted"]}},
    {"key": "cloud", "company": "cloud", "status": "converted", "source": "web", "owner": "agent", "age": 29,
     "person": T("نايف الخالدي", "Nayef Al-Khalidi"), "title": T("مدير التجارة الإلكترونية", "E-commerce Manager"),
     "engagement": ["requested_demo", "attended_meeting"], "budget": ["ready_to_pay"], "timing": "urgent",
     "consent": "web_all",
     "note": T("ستة متاجر ومتجر إلكتروني. قدّم مطالبة ضمان بعد أسبوعين — يرى أن العملاء المؤهلين أقل من المتوقع.",
               "Six stores and an online shop. Filed a guarantee claim after two weeks — says qualified leads "
               "are below expectations."),
     "deal": {"stage": "closed_won", "package": "pro", "add_ons": ["setup_m"], "closed": 18,
              "proposals": ["accepted"]}},
    {"key": "elite", "company": "elite", "status": "converted", "source": "affiliate", "owner": "manager", "age": 25,
     "person": T("تركي العنزي", "Turki Al-Anazi"), "title": T("المدير العام", "General Manager"),
     "engagement": ["requested_demo", "attended_meeting", "requested_pricing"], "budget": ["ready_to_pay"],
     "timing": "deciding", "consent": "web_all", "affiliate": "active",
     "note": T("معرضان وورشة صيانة. يريد متابعة طلبات تجربة القيادة من واتساب حتى البيع.",
               "Two showrooms and a service centre. Wants test-drive requests followed from WhatsApp to sale."),
     "deal": {"stage": "closed_won", "package": "enterprise", "add_ons": ["setup_l"], "closed": 6,
              "proposals": ["accepted"]}},
    {"key": "quality", "company": "quality", "status": "converted", "source": "affiliate", "owner": "agent",
     "age": 30, "person": T("عمر الأحمدي", "Omar Al-Ahmadi"), "title": T("المالك", "Owner"),
     "engagement": ["replied", "requested_pricing"], "budget": ["asked_pricing", "ready_to_pay"], "timing": "urgent",
     "consent": "whatsapp_only", "affiliate": "active", "commission": "disputed",
     "note": T("ورشة في بريدة. أراد البدء فوراً قبل موسم الصيف.", "A workshop in Buraidah. Wanted to start before "
               "the summer rush."),
     "deal": {"stage": "closed_won", "package": "starter", "add_ons": ["setup_s"], "closed": 24,
              "proposals": ["accepted"]}},
    {"key": "noor", "company": "noor", "status": "converted", "source": "affiliate", "owner": "agent", "age": 28,
     "person": T("إبراهيم الشمري", "Ibrahim Al-Shammari"), "title": T("المالك", "Owner"),
     "engagement": ["replied"], "budget": ["ready_to_pay"], "timing": "urgent", "consent": "whatsapp_only",
     "affiliate": "suspended",
     "note": T("رقم جوال العميل هو رقم المسوّق نفسه — أُوقفت عمولته للمراجعة.",
               "The customer's mobile is the affiliate's own number — the commission was stopped for review."),
     "deal": {"stage": "closed_won", "package": "starter", "add_ons": [], "closed": 20, "proposals": ["accepted"]}},
    {"key": "dawn", "company": "dawn", "status": "converted", "source": "affiliate", "owner": "agent", "age": 50,
     "person": T("د. يوسف المالكي", "Dr. Yousef Al-Malki"), "title": T("المالك", "Owner"),
     "engagement": ["requested_demo", "attended_meeting"], "budget": ["ready_to_pay"], "timing": "deciding",
     "consent": "web_all", "affiliate": "active",
     "note": T("عيادة أسنان بثلاثة أطباء. يستخدم النظام يومياً منذ التفعيل.",
               "A three-dentist practice. Uses the system every day since activation."),
     "deal": {"stage": "closed_won", "package": "starter", "add_ons": ["whatsapp"], "closed": 36,
              "proposals": ["accepted"]}},
    {"key": "riyada", "company": "riyada", "status": "converted", "source": "affiliate", "owner": "agent",
     "history": "paid", "person": T("بندر السديري", "Bandar Al-Sudairi"), "title": T("الرئيس التنفيذي", "CEO"),
     "engagement": ["requested_demo", "attended_meeting", "requested_pricing"], "budget": ["discussed_roi"],
     "timing": "deciding", "consent": "web_all", "affiliate": "active",
     "note": T("عميل منذ شهرين. مرشح لترقية الباقة بعد افتتاح فرع الدمام.",
               "A customer for two months. A candidate for an upgrade when the Dammam office opens."),
     "deal": {"stage": "closed_won", "package": "pro", "add_ons": ["setup_s"], "closed": "paid-2",
              "proposals": ["accepted"]}},
    {"key": "asala", "company": "asala", "status": "converted", "source": "affiliate", "owner": "agent",
     "history": "paid", "person": T("د. منيرة العمري", "Dr. Munira Al-Omari"),
     "title": T("مديرة العيادات", "Clinics Director"),
     "engagement": ["requested_demo", "attended_meeting"], "budget": ["ready_to_pay"], "timing": "urgent",
     "consent": "web_all", "affiliate": "active",
     "note": T("عيادتان في أبها. جاءت عن طريق الشريك فيصل.", "Two clinics in Abha. Came through our partner."),
     "deal": {"stage": "closed_won", "package": "starter", "add_ons": ["setup_s"], "closed": "paid-1",
              "proposals": ["accepted"]}},
    {"key": "bayan", "company": "bayan", "status": "converted", "source": "web", "owner": "agent", "age": 22,
     "person": T("سلطان الرشيد", "Sultan Al-Rashid"), "title": T("الشريك المدير", "Managing Partner"),
     "engagement": ["requested_demo", "attended_meeting"], "budget": ["asked_pricing"], "timing": "evaluating",
     "consent": "email_event",
     "note": T("مكتب محاماة من 12 شخصاً. الشركاء يؤجلون أي مصروف جديد إلى السنة المالية القادمة.",
               "A 12-person law firm. The partners postpone any new spending to the next fiscal year."),
     "deal": {"stage": "closed_lost", "package": "pro", "add_ons": [], "closed": 9, "proposals": ["rejected"],
              "lost_reason": T("تجميد الميزانية حتى السنة المالية القادمة.",
                               "Budget frozen until the next fiscal year.")}},
]

# Filler leads make the lists feel full; made from sample_data, with these notes by status.
FILLER_PLAN = ["new"] * 6 + ["contacted"] * 6 + ["qualified"] * 4 + ["lost"] * 2 + ["converted"] * 4
FILLER_DEAL_STAGES = ["discovery", "proposal", "negotiation", "closed_lost"]
FILLER_NOTES = {
    "new": [T("وصل من نموذج الموقع ويطلب معاودة الاتصال.", "Came in through the website form; asks for a call back."),
            T("من حملة سناب شات لشهر الخصومات.", "From the Snapchat sale-month campaign.")],
    "contacted": [T("تم التواصل الأول. ينتظر موافقة الشريك.",
                    "First contact made. Waiting for the partner's go-ahead."),
                  T("طلب إرسال الأسعار على البريد.", "Asked for prices by email.")],
    "qualified": [T("الميزانية والاحتياج واضحان. القرار خلال أسبوعين.",
                    "Budget and need are clear. Decision within two weeks."),
                  T("حضر العرض التوضيحي ويطلب عرض سعر.", "Attended the demo; asks for a quote.")],
    "lost": [T("لا يوجد احتياج حالياً.", "No need at the moment.")],
    "converted": [T("تحول إلى فرصة بعد الاجتماع الثاني.", "Became a deal after the second meeting.")],
}
# Filler company names that match their sector; the cores are not used by the stories' companies.
FILLER_CORES = [T("الندى", "Nada"), T("الشروق", "Shorouq"), T("اليسر", "Yusr"), T("الرفاه", "Rafah"),
                T("السنابل", "Sanabel"), T("الديار", "Diyar"), T("المنار", "Manar"), T("البركة", "Baraka"),
                T("النخيل", "Nakheel"), T("الياسمين", "Yasmin"), T("الهدى", "Huda"), T("الوسام", "Wisam"),
                T("الأمل", "Amal"), T("الريان", "Rayyan"), T("الضياء", "Diyaa"), T("الخزامى", "Khuzama")]
FILLER_COMPANY_NAMES = {
    "healthcare": T("عيادات {core} الطبية", "{core} Medical Clinics"),
    "real_estate": T("{core} العقارية", "{core} Real Estate"),
    "restaurants": T("مطاعم {core}", "{core} Restaurants"),
    "beauty": T("صالون {core} للتجميل", "{core} Beauty Salon"),
    "education": T("مدارس {core} الأهلية", "{core} Private Schools"),
    "automotive": T("{core} للسيارات", "{core} Motors"),
    "retail": T("متاجر {core}", "{core} Stores"),
    "legal": T("{core} للمحاماة", "{core} Law Firm"),
    "construction": T("{core} للمقاولات", "{core} Contracting"),
    "ecommerce": T("متجر {core} الإلكتروني", "{core} Online Store"),
    "non_profit": T("جمعية {core} الخيرية", "{core} Charity"),
    "manufacturing": T("مصنع {core}", "{core} Factory"),
}
FILLER_LOST_REASONS = [T("لا توجد ميزانية هذا العام.", "No budget this year."),
                       T("يستخدمون نظاماً آخر بعقد ممتد.", "Locked into another system's contract.")]
FILLER_DEAL_LOST = T("اختار عرضاً أرخص من منافس.", "Took a cheaper offer from a competitor.")

# Consent profiles: which channels were granted (and how), and what was revoked later.
#   channels: [(channel, source, with IP)], revoke: [(channel, source)]
CONSENT_PROFILES = {
    "web_all": {"grant": [("whatsapp", "web_form", True), ("email", "web_form", True)], "revoke": []},
    "web_all_sms": {"grant": [("whatsapp", "web_form", True), ("email", "web_form", True), ("sms", "web_form", True)],
                    "revoke": []},
    "whatsapp_sms": {"grant": [("whatsapp", "whatsapp_inbound", False), ("sms", "whatsapp_inbound", False)],
                     "revoke": []},
    "whatsapp_only": {"grant": [("whatsapp", "whatsapp_inbound", False)], "revoke": []},
    "email_event": {"grant": [("email", "event_business_card", False)], "revoke": []},
    "whatsapp_revoked": {"grant": [("whatsapp", "import_with_proof", False)],
                         "revoke": [("whatsapp", "opt_out_keyword")]},
    "pending": {"grant": [], "revoke": []},
}
FILLER_CONSENTS = ["web_all", "web_all", "whatsapp_only", "email_event", "pending", "pending"]

# --- conversations --------------------------------------------------------------------------------
# Per story: (channel, direction, status, timing, text, template key, subject[, instead]).
#
# `template key` names a standard template (crm/standard_templates.py) of the channel's type; the message
# is that template filled in as the message service fills it, and its purpose follows from the key
# (TEMPLATE_PURPOSES). Without a key, `text` is what the agent typed (placeholders are filled the same way,
# so the agent's message names the contact). `subject` is an email's subject, or REPLY for "Re: " and the
# subject of the last email in the thread. A free WhatsApp text may only go within 24 hours of the
# contact's last WhatsApp message (RULES.md §2): `instead` names the approved template the agent sends
# when the story's dates put it outside that window.
#
# Timing is minutes after the previous message (low, high), or after an event of the story: ("proposal",
# version, low, high) its proposal's sending, ("closed", low, high) the deal's closing, ("booked", meeting
# type, low, high) when a meeting was booked, ("meeting", meeting type, low, high) the meeting's start
# (negative: before it, on the minute, as the reminder job sends). Status: inbound messages are
# `delivered`; an outbound `queued` one was written outside its channel's window and waits for it.
# Outbound messages only go where the contact has consented; the one send the consent check refused is
# recorded as failed with its reason (RULES.md §2).
REPLY = "reply"
REPLY_PREFIX = T("رد: ", "Re: ")
TEMPLATE_PURPOSES = {"welcome": "welcome", "meeting_confirmation": "booking_confirmation",
                     "meeting_reminder": "booking_reminder", "no_show_recovery": "no_show",
                     "opt_out_confirmation": "opt_out_confirmation"}  # any other: the agent chose it (manual)
PROPOSAL_SUBJECT = T("عرض السعر: {proposal_title}", "Your proposal: {proposal_title}")
PROPOSAL_EMAIL = T(
    "الأستاذ/ة {contact_name}،\n\nيسعدنا إرسال عرض السعر الخاص بكم، ويمكنكم الاطلاع عليه من الرابط: {proposal_link}\n"
    "الأسعار شاملة ضريبة القيمة المضافة كما هو موضح في كل بند، وتاريخ صلاحية العرض مذكور فيه.\n\n"
    "مع التحية،\n{agent_name}\n{tenant_name}",
    "Dear {contact_name},\n\nPlease find your proposal here: {proposal_link}\nVAT is shown on every line, and "
    "the proposal states how long it is valid.\n\nKind regards,\n{agent_name}\n{tenant_name}")
CONVERSATIONS = {
    "madar": [
        ("whatsapp", "outbound", "read", (1, 3), None, "welcome", None),
        ("whatsapp", "inbound", "delivered", (4, 15), T("أهلاً، هل عندكم ربط مع سلة وزد؟ وكم السعر لستة مستخدمين؟",
                                                          "Hi, do you integrate with Salla and Zid? And what's the "
                                                          "price for six users?"), None, None),
    ],
    "lamasat": [
        ("whatsapp", "inbound", "delivered", (0, 1), T("السلام عليكم، شفت إعلانكم. أبغى تذكير للعميلات بالمواعيد.",
                                                        "Hello, I saw your ad. I'd like appointment reminders for "
                                                        "my clients."), None, None),
        ("whatsapp", "outbound", "delivered", (2, 5), None, "welcome", None),
        ("sms", "outbound", "queued", (5, 10), T("شكراً لتواصلك مع {tenant_name}، سنتصل بك صباح الغد.",
                                                  "Thanks for contacting {tenant_name} — we'll call you tomorrow "
                                                  "morning."), None, None),
    ],
    "wafa": [
        ("email", "outbound", "read", (2, 8), None, "welcome", None),
    ],
    "safwa": [
        ("whatsapp", "outbound", "read", (2, 5), None, "welcome", None),
        ("whatsapp", "inbound", "delivered", (30, 90), T("كم سعر الاشتراك لصالون واحد؟",
                                                          "How much is it for one salon?"), None, None),
        ("whatsapp", "outbound", "read", (10, 40), T("باقة البداية 18,000 ريال سنوياً لخمسة مستخدمين، ويمكن الدفع "
                                                      "كل ثلاثة أشهر. أرسل لك مثالاً على التذكير بالمواعيد؟",
                                                      "Starter is SAR 18,000 a year for five users, payable "
                                                      "quarterly. Shall I send you an example of the appointment "
                                                      "reminders?"), None, None),
        ("whatsapp", "inbound", "delivered", (60, 240), T("إيه أرسله، وبفكر فيها مع أختي.",
                                                           "Yes please, I'll think it over with my sister."),
         None, None),
    ],
    "namaa": [
        ("whatsapp", "outbound", "delivered", (3, 10), None, "welcome", None),
        ("whatsapp", "inbound", "delivered", (60, 300), T("وقف", "STOP"), None, None),
        ("whatsapp", "outbound", "sent", (1, 2), None, "opt_out_confirmation", None),
        ("whatsapp", "outbound", "failed", (4000, 6000), T("مرحباً {contact_name}، هل ما زلتم تبحثون عن نظام لمتابعة "
                                                            "طلبات الموزعين؟",
                                                            "Hello {contact_name}, are you still looking for a "
                                                            "system to follow distributor orders?"), None, None),
    ],
    "andalus": [
        ("email", "outbound", "read", ("booked", "consultation", 0, 2), None, "meeting_invitation", None),
        ("email", "inbound", "delivered", (120, 600), T("شكراً، سأختار موعداً بعد اجتماع الإدارة يوم الأحد.",
                                                         "Thanks, I'll pick a slot after Sunday's management "
                                                         "meeting."), None, REPLY),
    ],
    "future": [
        ("whatsapp", "outbound", "read", (2, 6), None, "welcome", None),
        ("whatsapp", "outbound", "read", ("booked", "demo", 0, 2), None, "meeting_confirmation", None),
        ("email", "outbound", "read", ("booked", "demo", 0, 2), None, "meeting_confirmation", None),
    ],
    "afaq": [
        ("email", "outbound", "read", ("meeting", "demo", 45, 120),
         T("الأستاذ {contact_name}،\n\nشكراً على وقتكم اليوم. كما اتفقنا، الخطوة التالية: مراجعة عرض السعر مع "
           "الإدارة، وسأرسل لكم دراسة حالة لمشروع عقاري مشابه.\n\nمع التحية،\n{agent_name}\n{tenant_name}",
           "Dear {contact_name},\n\nThank you for your time today. As agreed, the next step is to review the "
           "proposal with management; I'll send you a case study of a similar real-estate project.\n\n"
           "Best regards,\n{agent_name}\n{tenant_name}"), None,
         T("شكراً على وقتكم اليوم", "Thank you for your time today")),
    ],
    "pioneers": [
        ("email", "outbound", "read", ("proposal", 1, 0, 2), PROPOSAL_EMAIL, None, PROPOSAL_SUBJECT),
        ("whatsapp", "inbound", "delivered", (300, 900), T("استلمت العرض، سأراجعه مع الشركاء هذا الأسبوع.",
                                                            "Got the proposal — I'll go through it with the "
                                                            "partners this week."), None, None),
    ],
    "oasis": [
        ("email", "outbound", "read", ("meeting", "custom_presentation", -1440, -1440), None, "meeting_reminder",
         None),
        ("email", "outbound", "read", ("proposal", 1, 0, 2), PROPOSAL_EMAIL, None, PROPOSAL_SUBJECT),
        ("whatsapp", "inbound", "delivered", (600, 2000), T("العرض ممتاز لكن نحتاج خصماً لأننا ثمانية فروع.",
                                                             "The proposal is good, but with eight branches we "
                                                             "need a discount."), None, None),
        ("email", "outbound", "read", ("proposal", 2, 0, 2), PROPOSAL_EMAIL, None, PROPOSAL_SUBJECT),
        ("whatsapp", "outbound", "read", (3, 15), T("أرسلنا لكم الآن النسخة الثانية بخصم 8٪ على اشتراك السنة الأولى.",
                                                     "We've just sent the second version, with 8 % off the "
                                                     "first-year subscription."), None, None, "proposal_follow_up"),
    ],
    "horizon": [
        ("email", "outbound", "read", ("proposal", 1, 0, 2), PROPOSAL_EMAIL, None, PROPOSAL_SUBJECT),
        ("whatsapp", "inbound", "delivered", ("closed", 30, 120), T("تم التوقيع والتحويل. متى نبدأ التدريب؟",
                                                                     "Signed and paid. When do we start the "
                                                                     "training?"), None, None),
        ("whatsapp", "outbound", "read", (10, 30), T("مبروك! التدريب يوم الأحد القادم الساعة 10 صباحاً في فرع العليا.",
                                                      "Congratulations! Training is next Sunday at 10 am at the "
                                                      "Olaya clinic."), None, None),
    ],
    "cloud": [
        ("email", "outbound", "read", ("proposal", 1, 0, 2), PROPOSAL_EMAIL, None, PROPOSAL_SUBJECT),
        ("email", "inbound", "delivered", ("closed", 14 * 1440, 14 * 1440 + 20),
         T("نرفق مطالبة الضمان مع تقرير الاستخدام للأسبوعين الماضيين.",
           "Attached is our guarantee claim with the usage report for the last two weeks."),
         None, T("مطالبة الضمان الذهبي", "Gold guarantee claim")),
    ],
    "quality": [
        ("whatsapp", "inbound", "delivered", (0, 2), T("أبغى أبدأ بسرعة، كم السعر؟", "I want to start quickly, "
                                                        "what's the price?"), None, None),
        ("whatsapp", "outbound", "read", (3, 10), None, "welcome", None),
    ],
    "elite": [
        ("email", "outbound", "read", ("proposal", 1, 0, 2), PROPOSAL_EMAIL, None, PROPOSAL_SUBJECT),
    ],
    "najd": [  # the agent recorded the no-show; the recovery offers three new times (RULES.md §3)
        ("whatsapp", "outbound", "delivered", ("meeting", "demo", 20, 40), None, "no_show_recovery", None),
    ],
}
# How the thread names things inside a template's sentence ("a reminder of your {meeting_type}").
MEETING_IN_SENTENCE = {"demo": T("عرض توضيحي", "demo"), "consultation": T("استشارة", "consultation"),
                       "custom_presentation": T("عرض مخصص", "custom presentation"),
                       "follow_up": T("اجتماع متابعة", "follow-up meeting")}
CHANNEL_NAMES = {"whatsapp": T("واتساب", "WhatsApp"), "email": T("البريد الإلكتروني", "email"),
                 "sms": T("الرسائل النصية", "SMS")}

# --- calls ----------------------------------------------------------------------------------------
# Per story: (direction, status, seconds, sentiment, outcome, transcript) minutes after lead arrival.
CALLS = {
    "horizon": [("outbound", "answered", 840, "positive", T("حجز عرض توضيحي", "Demo booked"),
                 T("الوكيل: أهلاً دكتور عبدالله... العميل: نفقد تقريباً ثلث المكالمات في أوقات الذروة ونريد حلاً "
                   "قبل موسم الشتاء. الوكيل: نحجز عرضاً توضيحياً يوم الأحد؟ العميل: ممتاز.",
                   "Agent: Hello Dr. Abdullah… Customer: We miss about a third of calls at peak times and need a "
                   "fix before winter. Agent: Shall we book a demo for Sunday? Customer: Perfect."))],
    "oasis": [("outbound", "answered", 1320, "positive", T("تفاوض على الخصم", "Negotiating the discount"),
               T("ناقشنا الخصم لثمانية فروع. المدير المالي يريد الدفع على قسطين.",
                 "Discussed a discount for eight branches. The CFO wants to pay in two instalments."))],
    "safwa": [("outbound", "missed", 0, "", T("لم يرد", "No answer"), T("", "")),
              ("inbound", "answered", 360, "neutral", T("تسأل عن السعر", "Asked about price"), T("", ""))],
    "namaa": [("outbound", "answered", 180, "neutral", T("غير مهتم حالياً", "Not interested for now"),
               T("طلب عدم مراسلته على واتساب. يفضل البريد أو الهاتف عند الحاجة.",
                 "Asked not to be messaged on WhatsApp. Prefers email or phone when needed."))],
    "itqan": [("outbound", "answered", 420, "negative", T("اختار منافساً", "Chose a competitor"), T("", ""))],
    "kharj": [("outbound", "voicemail", 35, "", T("رسالة صوتية", "Left a voicemail"), T("", ""))],
    "future": [("outbound", "answered", 600, "positive", T("حجز عرض توضيحي", "Demo booked"), T("", ""))],
    "shifa": [("inbound", "answered", 900, "positive", T("اكتشاف الاحتياج", "Discovery call"), T("", ""))],
    "afaq": [("outbound", "answered", 720, "positive", T("تأهيل: الميزانية معتمدة", "Qualified: budget approved"),
              T("", ""))],
    "pioneers": [("outbound", "answered", 540, "positive", T("مراجعة العرض", "Walked through the proposal"),
                  T("", ""))],
    "najd": [("outbound", "missed", 0, "", T("لم ترد", "No answer"), T("", "")),
             ("outbound", "missed", 0, "", T("لم ترد", "No answer"), T("", ""))],
}

# --- tasks for the agent ----------------------------------------------------------------------------
# (story, when: "today" | "overdue-N" | "in-N" | "done-N", subject, body[, activity type: a planned call])
TASKS = [
    ("madar", "today", T("اتصل بسارة من متجر المدار (عميل ساخن — خلال 30 دقيقة)",
                         "Call Sarah at Madar Online Store (hot lead — within 30 min)"),
     T("اسألها عن عدد الطلبات اليومية على الواتساب وعن سلة/زد.", "Ask about daily WhatsApp orders and Salla/Zid.")),
    ("andalus", "today", T("تأكيد موعد الاستشارة مع مدارس الأندلس", "Confirm the consultation with Andalus Schools"),
     T("", "")),
    ("safwa", "overdue-2", T("متابعة صالون الصفوة بخصوص السعر", "Follow up Safwa Beauty Lounge on pricing"),
     T("أرسل مثال التذكير بالمواعيد كما وعدنا.", "Send the appointment-reminder example as promised.")),
    ("kharj", "overdue-1", T("تجهيز مستندات التسجيل في منصة اعتماد", "Prepare the Etimad supplier registration"),
     T("السجل التجاري، شهادة الزكاة، شهادة السعودة.", "Commercial registration, Zakat and Saudisation certificates.")),
    ("future", "in-1", T("تحضير العرض التوضيحي لأكاديمية المستقبل", "Prepare the Future Academy demo"),
     T("جهّز بيانات تجريبية لثلاثة فروع.", "Set up sample data for three branches.")),
    ("pioneers", "in-2", T("متابعة قرار الرواد العقارية على العرض", "Chase Pioneers Real Estate's decision"),
     T("", "")),
    ("horizon", "done-10", T("جدولة تدريب فريق عيادات الأفق", "Schedule Horizon's team training"), T("", "")),
    ("afaq", "done-4", T("إرسال دراسة حالة عقارية لآفاق", "Send a real-estate case study to Afaq"), T("", "")),
    ("future", "in-1", T("اتصال بهند لتأكيد الحاضرين في العرض التوضيحي", "Call Hind to confirm who attends the demo"),
     T("", ""), "call"),
    ("afaq", "in-2", T("اتصال بالرئيس التنفيذي لآفاق بعد قراءته دراسة الحالة",
                       "Call Afaq's CEO once he has read the case study"), T("", ""), "call"),
]

# --- meetings ---------------------------------------------------------------------------------------
# (story, type, status, when: "past-N" | "next-N" (N-th working day from today), hour, minute, channel,
#  reschedules, no-show). As the booking services leave them: a meeting that took place is `completed`
#  (with `no_show` when the contact did not come), a cancelled one says why.
BOOKINGS = [
    ("horizon", "demo", "completed", "past-22", 10, 0, "whatsapp", 0, False),
    ("pioneers", "demo", "completed", "past-12", 13, 30, "email", 0, False),
    ("oasis", "custom_presentation", "completed", "past-15", 11, 0, "email", 0, False),
    ("afaq", "demo", "completed", "past-6", 14, 0, "whatsapp", 0, False),
    ("najd", "demo", "completed", "past-10", 15, 0, "whatsapp", 0, True),
    ("safwa", "consultation", "cancelled", "past-5", 16, 0, "whatsapp", 0, False),
    ("future", "demo", "confirmed", "next-2", 10, 0, "email", 0, False),
    ("oasis", "follow_up", "confirmed", "next-3", 11, 30, "whatsapp", 0, False),
    ("shifa", "demo", "rescheduled", "next-4", 14, 0, "email", 1, False),
    ("andalus", "consultation", "proposed", "next-3", 13, 30, "email", 0, False),
]

CANCEL_REASONS = {
    "safwa": T("طلبت المالكة التأجيل حتى تناقش الأمر مع أختها.",
               "The owner asked to postpone until she has talked it over with her sister."),
}
