"""Seed the partner programme's two policies, the commission policy and the programme rules, into the
schema being migrated, so every tenant (copied from the template schema) starts with texts an applicant
can read and accept. A type that already has an active version is left alone: a tenant's own policy
is theirs.

One row per type, Arabic first and English after it in the same text (an applicant reads the version
they accept in either language, and the acceptance points at one row). The texts are a frozen copy of
RULES.md §6 as it stood: a migration must seed the same thing whenever it runs; a change of terms is a
new version written by a person, not an edit of this file.
"""
from django.db import migrations
from django.utils import timezone

COMMISSION_NAME = "سياسة العمولات · Commission policy"
COMMISSION_TEXT = """\
سياسة العمولات لشركاء البرنامج

١. مقدار العمولة: العمولة = الإيراد المنسوب إليك من الصفقة × نسبة العمولة. تُحدَّد النسبة بباقة العميل ومستواك في البرنامج:
• البرونزي (٠–٤ صفقات مغلقة في الشهر): البداية ١٥٪، الاحترافية ٢٠٪، المؤسسات ٢٥٪
• الفضي (٥–٧ صفقات): البداية ١٧٪، الاحترافية ٢٢٪، المؤسسات ٢٧٪
• الذهبي (٨–٩ صفقات): البداية ١٩٪، الاحترافية ٢٤٪، المؤسسات ٢٩٪
• البلاتيني (١٠ صفقات فأكثر): البداية ٢٢٪، الاحترافية ٢٧٪، المؤسسات ٣٢٪

٢. العمولة المتكررة: تستحق عمولة عن كل دفعة شهرية يسددها العميل ما دام مشتركًا، وتتوقف في الشهر التالي لإلغاء اشتراكه. لا عمولة على الفترات التجريبية.

٣. المكافآت الشهرية: ٥ صفقات مغلقة في الشهر = ٥٠٠ ريال، و١٠ صفقات = ١٬٥٠٠ ريال، و١٥ صفقة فأكثر = ٣٬٠٠٠ ريال.

٤. حالات العمولة: تبقى العمولة «معلّقة» حتى تنقضي فترة ضمان العميل (٣٠ يومًا من تفعيل اشتراكه) ويتأكد استلام الدفعة، ثم يعتمدها مدير فتصبح «معتمدة»، ثم «مدفوعة» مع الدفعة الشهرية.

٥. الاسترداد: إذا استرد العميل مبلغه خلال فترة الضمان أُلغيت العمولة. وإذا استرده بعد صرف العمولة تُسجَّل عمولة سالبة تُخصم من دفعتك التالية.

٦. الدفعات: تُحتسب في اليوم الأول من كل شهر من العمولات المعتمدة، وتُصرف خلال ١٠ أيام عمل. الحد الأدنى للصرف ١٠٠ ريال، وما يقل عنه يُرحَّل إلى الشهر التالي. طرق الصرف: تحويل بنكي إلى آيبان سعودي صحيح، أو محفظة إلكترونية، أو شيك.

٧. الاعتراضات: يمكنك الاعتراض خلال ١٤ يومًا من تاريخ كشف الحساب، ويُجمَّد المبلغ المعترض عليه حتى يُبت فيه خلال ٥ أيام عمل، ولك استئناف واحد خلال ٧ أيام من القرار.

Commission policy for programme partners

1. How much: commission = the revenue attributed to you from a deal × the commission rate. The rate depends on the customer's plan and your tier in the programme:
• Bronze (0–4 deals closed in the month): Starter 15 %, Pro 20 %, Enterprise 25 %
• Silver (5–7 deals): Starter 17 %, Pro 22 %, Enterprise 27 %
• Gold (8–9 deals): Starter 19 %, Pro 24 %, Enterprise 29 %
• Platinum (10 or more deals): Starter 22 %, Pro 27 %, Enterprise 32 %

2. Recurring commission: you earn a commission on every monthly payment the customer makes while they stay subscribed; it stops the month after they cancel. Trials earn no commission.

3. Monthly bonuses: 5 deals closed in a month = SAR 500, 10 deals = SAR 1,500, 15 or more = SAR 3,000.

4. Commission status: a commission stays "pending" until the customer's guarantee window (30 days from activation) has passed and their payment is confirmed; a manager then approves it ("approved"), and it is "paid" with the monthly payout.

5. Refunds: a refund inside the guarantee window cancels the commission. A refund after the commission was paid creates a negative commission, deducted from your next payout.

6. Payouts: computed on the 1st of each month from approved commissions and paid within 10 business days. The minimum payout is SAR 100; a smaller balance carries over to the next month. Methods: bank transfer to a valid Saudi IBAN, e-wallet, or cheque.

7. Disputes: you may dispute within 14 days of your statement. The disputed amount is frozen until a decision, made within 5 business days, and you may appeal once within 7 days of the decision.
"""

RULES_NAME = "قواعد برنامج الشركاء · Partner programme rules"
RULES_TEXT = """\
قواعد برنامج الشركاء

١. الانضمام: تُراجَع كل طلبات الانضمام، ونبلغك بالقرار بالبريد الإلكتروني. إذا لم يُقبل طلبك يمكنك التقديم مجددًا بعد ٣٠ يومًا. عند القبول تحصل على رمز ترشيح خاص ورابط، وعلى حساب في بوابة الشركاء.

٢. نسبة العميل إليك: يُنسب إليك العميل المحتمل إذا كنت أول شريك يسجّله، عن طريق رابطك أو رمزك أو بتسجيله في البوابة، وتستمر النسبة ٩٠ يومًا من تاريخ التسجيل، وتُمدّد ٣٠ يومًا ما دامت صفقته في مرحلة التفاوض. إذا سجّله شريكان في اليوم نفسه فالأولوية لمن سجّل تواصلًا مباشرًا معه، ويجوز للإدارة تقسيم النسبة بين الشركاء بحيث يكون المجموع ١٠٠٪.

٣. الموافقة والخصوصية: لا تسجّل عميلًا محتملًا إلا بعد موافقته على أن نتواصل معه، ولا تشارك بياناته مع أي جهة أخرى. لا ترسل رسائل مزعجة ولا تقدّم وعودًا باسمنا لا تتضمنها عروضنا.

٤. ممنوعات: لا يجوز ترشيح نفسك أو أقاربك أو شركتك (الإحالة الذاتية)، ولا تسجيل عملاء مكررين أو وهميين، ولا إنشاء طلبات كثيرة من عنوان واحد. هذه الإشارات وغيرها ترفع «درجة المخاطر» لحسابك، فإذا تجاوزت ٨٠ تُعلَّق عمولاتك ويُوقف حسابك مؤقتًا حتى يراجعه شخص من فريقنا؛ ولا يُنهى أي حساب آليًا.

٥. الإيقاف والإنهاء: يجوز للإدارة إيقاف حسابك مؤقتًا أو إنهاء الشراكة مع ذكر السبب. لا يمكنك الدخول إلى بوابة الشركاء أثناء الإيقاف، وتُستأنف الشراكة إذا أُعيد تفعيل حسابك.

٦. التقييم والمستويات: يُحسب أداؤك شهريًا ويتحدد مستواك بعدد الصفقات المغلقة في الشهر. من يحقق ١٠ صفقات مدفوعة شهريًا لثلاثة أشهر متتالية يصبح مؤهلًا لعرض توظيف، والقرار فيه لشخص من فريقنا.

٧. التعديلات: قد نصدر نسخة جديدة من هذه القواعد أو من سياسة العمولات، ونطلب منك قبولها في بوابة الشركاء، ونحتفظ بسجل كل نسخة قبلتها ووقت قبولها.

Partner programme rules

1. Joining: every application is reviewed and you are told the decision by email. If your application is not accepted you may apply again after 30 days. Once accepted you get your own referral code and link, and an account in the partner portal.

2. Attribution: a lead is yours if you are the first partner to register it, through your link or code or by registering it in the portal. It stays yours for 90 days from registration, extended by 30 days while its deal is in negotiation. When two partners register the same lead on the same day, the one who recorded a direct interaction with it wins; management may split an attribution between partners, the shares adding up to 100 %.

3. Consent and privacy: register a lead only after they agreed that we contact them, and never share their details with anyone else. Do not send spam, and do not promise anything in our name that our offers do not include.

4. Not allowed: referring yourself, your relatives or your own company (self-referral), registering duplicate or fake leads, or sending many leads from one address. These and similar signals raise your account's risk score; over 80, your commissions are held and your account is suspended until a person on our team reviews it. No account is ever terminated automatically.

5. Suspension and termination: management may suspend your account or end the partnership, always with a reason. While suspended you cannot sign in to the partner portal; the partnership resumes if your account is reinstated.

6. Performance and tiers: your performance is computed every month and your tier follows the number of deals closed in the month. Ten paid deals a month for three consecutive months makes you eligible for a job offer; a person on our team decides.

7. Changes: we may publish a new version of these rules or of the commission policy and ask you to accept it in the partner portal. We keep a record of every version you accepted and when.
"""

POLICIES = (("commission", COMMISSION_NAME, COMMISSION_TEXT), ("affiliate_rules", RULES_NAME, RULES_TEXT))


def seed(apps, schema_editor):
    Policy = apps.get_model("compliance", "Policy")
    today = timezone.localdate()
    for kind, name, content in POLICIES:
        if Policy.objects.filter(type=kind, is_active=True).exists():
            continue
        latest = Policy.objects.filter(type=kind).order_by("-version").values_list("version", flat=True).first()
        Policy.objects.create(type=kind, name=name, content=content, version=(latest or 0) + 1, is_active=True,
                              effective_from=today)


class Migration(migrations.Migration):

    dependencies = [
        ("compliance", "0003_programme"),
    ]

    # Unapplying keeps the rows: affiliates' acceptances point at them (PROTECT).
    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
