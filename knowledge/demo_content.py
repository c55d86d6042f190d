"""Knowledge articles and sector assets for the demo workspaces. Data, not gettext: each article carries
its English and Arabic text (the model holds both); sector assets are one language each."""
from crm.demo_content import T

# (category, sector, published, English title, Arabic title, English body, Arabic body)
ARTICLES = [
    ("sales_playbook", "", True,
     "Selling to Saudi SMEs: the first meeting",
     "البيع للمنشآت الصغيرة والمتوسطة: الاجتماع الأول",
     """Most small and medium businesses in the Kingdom are run by their owner, who decides quickly once they trust you and slowly until then.

Before the meeting
- Read the lead's score breakdown: it tells you whether the interest is a demo request, pricing or just a website visit.
- Check the commercial registration (CR) and the city: a Jeddah restaurant group and a Riyadh clinic buy for different reasons.
- Confirm the time on WhatsApp the day before; people reschedule rather than cancel.

In the meeting
1. Start with their week, not our product: where do enquiries arrive (WhatsApp, Instagram, calls), who answers them, what gets lost at weekends.
2. Show one flow end to end with their own example: an enquiry arrives on WhatsApp, is scored, assigned, answered within five minutes, and becomes a booked visit.
3. Name the price early and plainly, with VAT. Owners dislike surprises more than they dislike prices.
4. Agree one next step with a date: a trial with two of their staff, a proposal, or a call with the partner who signs.

After the meeting
- Log the meeting, the signals you heard (budget, timing) and the next step the same day; the score updates from them.
- Send the follow-up email within two hours with the agreed next step and nothing else.""",
     """يدير صاحب المنشأة معظم المنشآت الصغيرة والمتوسطة في المملكة بنفسه، ويقرر بسرعة متى وثق بك، وببطء قبل ذلك.

قبل الاجتماع
- اقرأ تفاصيل تقييم العميل: هل الاهتمام طلب عرض توضيحي أم سؤال عن السعر أم مجرد زيارة للموقع؟
- تحقق من السجل التجاري والمدينة: مطعم في جدة وعيادة في الرياض يشتريان لأسباب مختلفة.
- أكّد الموعد على واتساب قبله بيوم؛ الناس يؤجلون أكثر مما يلغون.

في الاجتماع
1. ابدأ بأسبوعهم لا بمنتجنا: من أين تأتي الاستفسارات (واتساب، إنستغرام، المكالمات)، من يرد عليها، وما الذي يضيع في عطلة نهاية الأسبوع.
2. اعرض مساراً واحداً كاملاً بمثال من عملهم: استفسار يصل على واتساب، يُقيَّم ويُسند ويُرد عليه خلال خمس دقائق، ثم يتحول إلى موعد.
3. اذكر السعر مبكراً وبوضوح مع ضريبة القيمة المضافة؛ صاحب المنشأة يكره المفاجآت أكثر مما يكره الأسعار.
4. اتفق على خطوة تالية واحدة بتاريخ محدد: تجربة مع اثنين من موظفيه، أو عرض سعر، أو اتصال مع الشريك الذي يوقّع.

بعد الاجتماع
- سجّل الاجتماع والإشارات التي سمعتها (الميزانية، التوقيت) والخطوة التالية في اليوم نفسه؛ التقييم يتحدث منها.
- أرسل بريد المتابعة خلال ساعتين بالخطوة المتفق عليها فقط."""),
    ("compliance", "", True,
     "PDPL consent: what we may send, when and how",
     "الموافقة وفق نظام حماية البيانات الشخصية: ماذا نرسل ومتى وكيف",
     """The Personal Data Protection Law (PDPL) and our own policy come down to one rule: no outbound message on a channel without that contact's granted consent for that channel.

What counts as consent
- A ticked box on a web form (we keep the time and IP address), a contact writing to us first on WhatsApp, a signed event sign-up sheet, or an import whose source proves consent.
- Consent is per channel. A contact who agreed to email has not agreed to WhatsApp.

What the system does for you
- Every send checks the contact's current consent. A blocked send is recorded as failed with the reason — nothing disappears silently.
- Opt-out words (STOP, unsubscribe, وقف, إيقاف, إلغاء, لا أريد) revoke that channel at once and send exactly one confirmation.
- Sending windows (Riyadh time, Sunday–Thursday): WhatsApp 9:00–21:00, email 9:00–17:00, SMS and calls 9:00–18:00. A send outside the window waits for the next opening.

What you should do
- Never copy a number from a business card into WhatsApp without recording how consent was given.
- If a contact asks what data we hold, open a data-subject request: we acknowledge within 48 hours and answer within 30 days.
- Consent history is append-only and kept for 36 months; never "clean it up".""",
     """يتلخص نظام حماية البيانات الشخصية وسياستنا في قاعدة واحدة: لا رسالة صادرة على أي قناة دون موافقة قائمة من صاحبها على تلك القناة.

ما الذي يُعد موافقة
- علامة اختيار في نموذج الموقع (نحفظ الوقت وعنوان الإنترنت)، أو مراسلة العميل لنا أولاً على واتساب، أو استمارة تسجيل موقعة في فعالية، أو ملف مستورد يثبت مصدره الموافقة.
- الموافقة لكل قناة على حدة؛ من وافق على البريد لم يوافق على واتساب.

ما يفعله النظام عنك
- كل إرسال يتحقق من الموافقة الحالية. الإرسال الممنوع يُسجَّل فاشلاً مع السبب، ولا يختفي شيء بصمت.
- كلمات الإيقاف (وقف، إيقاف، إلغاء، لا أريد، STOP) تلغي الموافقة على القناة فوراً وتُرسل تأكيداً واحداً فقط.
- نوافذ الإرسال بتوقيت الرياض من الأحد إلى الخميس: واتساب 9 صباحاً – 9 مساءً، البريد 9 – 5، الرسائل القصيرة والمكالمات 9 – 6. الإرسال خارج النافذة ينتظر أقرب فتح لها.

ما عليك أنت
- لا تنقل رقماً من بطاقة عمل إلى واتساب دون تسجيل طريقة الموافقة.
- إذا سأل العميل عن بياناته فافتح طلب صاحب بيانات: نرد خلال 48 ساعة وننفذ خلال 30 يوماً.
- سجل الموافقات لا يُعدّل ولا يُحذف ويُحفظ 36 شهراً."""),
    ("objection_handling", "", True,
     "Handling objections: price, Excel and \"send me a proposal\"",
     "التعامل مع الاعتراضات: السعر، وإكسل، و«أرسل لي عرضاً»",
     """"It's too expensive."
Ask what they compare it with. Then price the leak, not the product: if a clinic misses ten booking enquiries a week at an average visit of SAR 350, that is SAR 14,000 a month. The Starter package is SAR 1,500 a month. Offer quarterly billing before you offer a discount; a discount over 10 % needs a manager's approval anyway.

"We manage fine with Excel and WhatsApp."
Agree — most of our customers did. Ask who answers WhatsApp on Friday evening and how they know which enquiries were never answered. Show the report of unanswered conversations from a trial week; it makes the point without arguing.

"Send me a proposal."
Often a polite exit. Say yes, and ask two questions first: who else will read it, and what would make them say no. Book a 15-minute call to walk through it; proposals read without us are rejected twice as often.

"We need to think about it."
Ask what specifically. Timing objections are real in Ramadan, at fiscal year end and before school terms; agree a date to revisit and log it as a task, not as a lost lead.

"Is our data safe?"
Data stays in Saudi-hosted infrastructure, every access is audited, and we follow the PDPL. Offer the privacy policy and the data-processing terms in writing.""",
     """«السعر مرتفع»
اسأل: مقارنةً بماذا؟ ثم سعّر الخسارة لا المنتج: إذا فقدت عيادة عشرة استفسارات حجز أسبوعياً بمتوسط زيارة 350 ريالاً فهذه 14,000 ريال شهرياً، بينما باقة البداية 1,500 ريال شهرياً. اعرض الدفع الربع سنوي قبل الخصم؛ وأي خصم فوق 10٪ يحتاج موافقة المدير على كل حال.

«نحن ماشين تمام بالإكسل والواتساب»
وافقه؛ أغلب عملائنا كانوا كذلك. اسأل: من يرد على الواتساب مساء الجمعة؟ وكيف تعرفون الاستفسارات التي لم يرد عليها أحد؟ اعرض تقرير المحادثات غير المجاب عنها من أسبوع التجربة؛ يوصل الفكرة دون جدال.

«أرسل لي عرضاً»
كثيراً ما تكون خروجاً مهذباً. قل نعم، واسأل سؤالين أولاً: من غيرك سيقرأ العرض؟ وما الذي قد يجعلهم يرفضونه؟ ثم احجز مكالمة 15 دقيقة لشرحه؛ العروض التي تُقرأ دوننا تُرفض ضعف غيرها.

«نحتاج نفكر»
اسأل: في ماذا تحديداً؟ اعتراضات التوقيت حقيقية في رمضان ونهاية السنة المالية وقبل الفصول الدراسية؛ اتفق على تاريخ للعودة وسجله مهمة، لا عميلاً خاسراً.

«هل بياناتنا آمنة؟»
البيانات مستضافة داخل المملكة، وكل وصول إليها مسجل، ونلتزم بنظام حماية البيانات الشخصية. قدّم سياسة الخصوصية وشروط معالجة البيانات مكتوبة."""),
    ("channels", "", True,
     "WhatsApp etiquette for B2B follow-up",
     "آداب واتساب في المتابعة مع الشركات",
     """WhatsApp is where Saudi business owners answer first, and where they block fastest.

- Open with the approved welcome template; free text is allowed only within 24 hours of the contact's last message.
- At most five messages a day to one contact, at least 30 minutes apart, and never more than three in a row without a reply. The system enforces it; do not try to work around it with a personal phone.
- Voice notes: only if the contact sends one first.
- Greet properly (السلام عليكم / مساء الخير), use the contact's title (Dr., Eng.), and keep each message to one idea.
- Friday and prayer times are not for follow-ups; the sending window is Sunday to Thursday, 9:00–21:00.
- When someone writes STOP or وقف, the system revokes WhatsApp consent and confirms once. Switch to the channel they still allow, or wait for them.""",
     """واتساب هو أول ما يرد عليه أصحاب الأعمال في المملكة، وأسرع ما يحظرون فيه.

- ابدأ بقالب الترحيب المعتمد؛ النص الحر مسموح فقط خلال 24 ساعة من آخر رسالة من العميل.
- خمس رسائل يومياً على الأكثر للعميل الواحد، بينها 30 دقيقة على الأقل، ولا أكثر من ثلاث متتالية دون رد. النظام يطبق ذلك؛ لا تلتف عليه بجوالك الشخصي.
- الرسائل الصوتية فقط إذا بدأ بها العميل.
- ابدأ بالتحية المناسبة (السلام عليكم / مساء الخير)، واستخدم اللقب (د.، م.)، واجعل كل رسالة فكرة واحدة.
- الجمعة وأوقات الصلاة ليست للمتابعة؛ نافذة الإرسال من الأحد إلى الخميس 9 صباحاً – 9 مساءً.
- إذا كتب العميل «وقف» أو STOP يلغي النظام موافقة واتساب ويرسل تأكيداً واحداً. انتقل إلى القناة التي ما زال يسمح بها أو انتظره."""),
    ("sales_playbook", "", True,
     "Reading the lead score: hot, warm and cold",
     "قراءة تقييم العميل: ساخن ودافئ وبارد",
     """Every lead's score (0–100) is the sum of five parts, and the breakdown is shown on the lead so you can see why.

- Company size (up to 20): 11–50 employees score highest; very large companies buy slower.
- Industry fit (up to 25): healthcare, real estate, restaurants, beauty, education and automotive fit best.
- Engagement (up to 30): a demo request (15) or an attended meeting (20) counts far more than an opened email (2).
- Budget signals (up to 15): "ready to pay" is 15, a mentioned budget 12.
- Timing (up to 10): an urgent need is 10, "just exploring" 3.

What to do with it
- Hot (80–100): call within 30 minutes and book a meeting.
- Warm (50–79): nurture every three days with something useful — a case study, a short video.
- Cold (0–49): the monthly newsletter, if they consented to email.

The score changes as you log signals, so log them.""",
     """تقييم كل عميل (0–100) هو مجموع خمسة أجزاء، وتفاصيلها معروضة على العميل لتعرف السبب.

- حجم المنشأة (حتى 20): من 11 إلى 50 موظفاً هي الأعلى؛ المنشآت الكبيرة جداً تشتري أبطأ.
- ملاءمة القطاع (حتى 25): الرعاية الصحية والعقار والمطاعم والتجميل والتعليم والسيارات هي الأنسب.
- التفاعل (حتى 30): طلب عرض توضيحي (15) أو حضور اجتماع (20) أهم بكثير من فتح بريد (2).
- إشارات الميزانية (حتى 15): «جاهز للدفع» 15، وذكر الميزانية 12.
- التوقيت (حتى 10): الحاجة العاجلة 10، و«يستكشف فقط» 3.

ماذا تفعل به
- ساخن (80–100): اتصل خلال 30 دقيقة واحجز اجتماعاً.
- دافئ (50–79): تابع كل ثلاثة أيام بشيء مفيد: دراسة حالة أو فيديو قصير.
- بارد (0–49): النشرة الشهرية إن وافق على البريد.

التقييم يتغير كلما سجلت إشارة جديدة، فسجّلها."""),
    ("sector_guide", "restaurants", True,
     "Restaurants: what owners care about",
     "المطاعم: ما يهم أصحابها",
     """Restaurant groups buy to fill tables and to stop losing catering and event orders sent on WhatsApp.

- Peak enquiry hours are 13:00–15:00 and after 20:00; show how the team answers within minutes in those hours.
- Multi-branch owners want one inbox with branch routing and a weekly report per branch manager.
- Ramadan and the summer season change everything: plan go-lives at least six weeks before.
- The decision is often the owner plus the finance manager; bring a one-page ROI for the CFO.""",
     """تشتري مجموعات المطاعم لتملأ الطاولات ولتتوقف عن فقدان طلبات التموين والمناسبات التي تصل على واتساب.

- ذروة الاستفسارات بين 1 و3 ظهراً وبعد 8 مساءً؛ اعرض كيف يرد الفريق خلال دقائق في هذه الأوقات.
- أصحاب الفروع المتعددة يريدون صندوقاً واحداً يوزع حسب الفرع، وتقريراً أسبوعياً لكل مدير فرع.
- رمضان وموسم الصيف يغيران كل شيء: خطط للتشغيل قبلها بستة أسابيع على الأقل.
- القرار غالباً بين المالك والمدير المالي؛ أحضر صفحة واحدة عن العائد على الاستثمار للمدير المالي."""),
    ("campaigns", "", False,
     "Ramadan campaign calendar (draft)",
     "تقويم حملات رمضان (مسودة)",
     "Draft: which sectors to contact before Ramadan, message timing after Taraweeh, and the Eid follow-up plan.",
     "مسودة: القطاعات التي نتواصل معها قبل رمضان، وتوقيت الرسائل بعد التراويح، وخطة المتابعة بعد العيد."),
]

# (sector, asset type, title, content) per language
SECTOR_ASSETS = [
    ("healthcare", "pitch_deck", T("عرض تقديمي للعيادات والمجمعات الطبية", "Pitch deck for clinics and medical groups"),
     T({"sections": [
         {"title": "المشكلة", "points": ["ثلث مكالمات الحجز لا يُرد عليها في الذروة",
                                         "استفسارات واتساب تضيع بين الفروع"]},
         {"title": "الحل", "points": ["صندوق واحد لكل القنوات", "رد خلال 5 دقائق وتذكير آلي بالمواعيد"]},
         {"title": "النتيجة", "points": ["عيادات الأفق: غياب أقل بنسبة 28٪ خلال شهرين"]},
         {"title": "الخطوة التالية", "points": ["تجربة أسبوعين مع فريق الاستقبال"]}]},
       {"sections": [
           {"title": "The problem", "points": ["A third of booking calls go unanswered at peak", "WhatsApp enquiries "
                                                                                                "get lost between branches"]},
           {"title": "The fix", "points": ["One inbox for every channel", "Replies within 5 minutes and automatic "
                                                                           "appointment reminders"]},
           {"title": "The result", "points": ["Horizon Clinics: 28 % fewer no-shows in two months"]},
           {"title": "Next step", "points": ["A two-week trial with the front-desk team"]}]})),
    ("restaurants", "objection_map", T("خريطة اعتراضات المطاعم", "Restaurant objection map"),
     T({"objections": [
         {"objection": "عندنا موظف يرد على الواتساب",
          "response": "ومن يرد وقت الذروة وفي إجازته؟ اعرض تقرير الرسائل غير المجابة."},
         {"objection": "السعر مرتفع لفرع واحد", "response": "ابدأ بباقة البداية وادفع ربع سنوي."},
         {"objection": "رمضان قريب", "response": "نشغّل النظام قبل رمضان بستة أسابيع ونجهز قوالب السحور والإفطار."}]},
       {"objections": [
           {"objection": "We have someone answering WhatsApp", "response": "Who answers at peak and on their day off? "
                                                                           "Show the unanswered-messages report."},
           {"objection": "Too expensive for one branch", "response": "Start on Starter, billed quarterly."},
           {"objection": "Ramadan is close", "response": "Go live six weeks before Ramadan with iftar and suhoor "
                                                          "templates ready."}]})),
    ("real_estate", "case_study", T("دراسة حالة: الريادة للعقارات", "Case study: Riyada Properties"),
     T({"customer": "الريادة للعقارات", "challenge": "450 استفساراً شهرياً من الإعلانات دون متابعة منظمة",
        "solution": "توزيع آلي حسب الحي وتذكير بالمعاينات", "results": ["زمن الرد من 6 ساعات إلى 9 دقائق",
                                                                   "معاينات أكثر بنسبة 35٪"]},
       {"customer": "Riyada Properties", "challenge": "450 enquiries a month from listings with no organised "
                                                      "follow-up",
        "solution": "Automatic assignment by district and viewing reminders",
        "results": ["Response time from 6 hours to 9 minutes", "35 % more viewings"]})),
    ("automotive", "pricing_guide", T("دليل التسعير لمعارض السيارات", "Pricing guide for car dealers"),
     T({"packages": [{"name": "باقة البداية", "price_sar_year": 18000, "fit": "ورشة أو معرض واحد"},
                     {"name": "الباقة الاحترافية", "price_sar_year": 48000, "fit": "معرضان ومركز صيانة"},
                     {"name": "باقة المؤسسات", "price_sar_year": 120000, "fit": "وكيل بعدة مدن"}],
        "notes": ["الأسعار قبل ضريبة القيمة المضافة 15٪", "خصم أكثر من 10٪ يحتاج موافقة المدير"]},
       {"packages": [{"name": "Starter", "price_sar_year": 18000, "fit": "one workshop or showroom"},
                     {"name": "Pro", "price_sar_year": 48000, "fit": "two showrooms and a service centre"},
                     {"name": "Enterprise", "price_sar_year": 120000, "fit": "a dealer in several cities"}],
        "notes": ["Prices before 15 % VAT", "A discount over 10 % needs a manager's approval"]})),
    ("retail", "competitor_matrix", T("مقارنة المنافسين لقطاع التجزئة", "Retail competitor matrix"),
     T({"columns": ["واتساب API", "عربي كامل", "استضافة داخل المملكة", "ربط سلة/زد"],
        "rows": [{"name": "نحن", "values": [True, True, True, True]},
                 {"name": "نظام عالمي", "values": [True, False, False, False]},
                 {"name": "نظام محلي", "values": [False, True, True, False]}]},
       {"columns": ["WhatsApp API", "Full Arabic", "Hosted in the Kingdom", "Salla/Zid integration"],
        "rows": [{"name": "Us", "values": [True, True, True, True]},
                 {"name": "Global CRM", "values": [True, False, False, False]},
                 {"name": "Local system", "values": [False, True, True, False]}]})),
]
