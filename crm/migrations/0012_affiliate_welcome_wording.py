"""The partner invitation and welcome emails called the referral code, link and referrals «ترشيح» while
every screen, the portal and the statements say «إحالة». Rewords those lines of the standard Arabic texts
in each tenant; a line the tenant rewrote no longer matches and is left as they wrote it."""
from django.db import migrations

REWORDED = [
    ("• رمز ورابط ترشيح خاصان بكم تُنسب إليكم عن طريقهما كل ترشيحاتكم",
     "• رمز ورابط إحالة خاصان بكم تُنسب إليكم عن طريقهما كل إحالاتكم"),
    ("• بوابة للشركاء تعرض ترشيحاتكم وعمولاتكم ومدفوعاتكم أولًا بأول",
     "• بوابة للشركاء تعرض إحالاتكم وعمولاتكم ومدفوعاتكم أولًا بأول"),
    ("رمز الترشيح الخاص بكم: {referral_code}\nرابط الترشيح: {referral_link}",
     "رمز الإحالة الخاص بكم: {referral_code}\nرابط الإحالة: {referral_link}"),
    ("تلقائيًا، وتظهر ترشيحاتكم وعمولاتكم في بوابة الشركاء.",
     "تلقائيًا، وتظهر إحالاتكم وعمولاتكم في بوابة الشركاء."),
]


def reword(apps, schema_editor):
    Template = apps.get_model("crm", "Template")
    for template in Template.objects.filter(key__in=["affiliate_invite", "affiliate_acceptance"], language="ar"):
        body = template.body
        for old, new in REWORDED:
            body = body.replace(old, new)
        if body != template.body:
            template.body = body
            template.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [("crm", "0011_contacts_follow_their_lead")]
    operations = [migrations.RunPython(reword, migrations.RunPython.noop)]
