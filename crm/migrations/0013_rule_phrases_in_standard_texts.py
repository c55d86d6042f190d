"""Standard texts that wrote a rule's number before a fixed noun ("{reapply_after_days} يومًا") read right in
Arabic only for some numbers (7 wants «أيام», 2 «يومين»). They now use the phrase variables that carry the
noun in the form its number takes ("{reapply_period}"). Rewords each tenant's untouched phrases; a phrase
the tenant rewrote no longer matches and is left as they wrote it."""
from django.db import migrations

# (template key, language, field, standard phrase, new phrase)
REWORDED = [
    ('affiliate_rejection', 'ar', 'body',
     'منكم بعد {reapply_after_days} يومًا من تاريخ',
     'منكم بعد {reapply_period} من تاريخ'),
    ('affiliate_rejection', 'en', 'body',
     'apply again {reapply_after_days} days from',
     'apply again {reapply_period} from'),
    ('guarantee_explanation', 'ar', 'subject',
     '{guarantee_days} يومًا لتتأكدوا',
     '{guarantee_period} لتتأكدوا'),
    ('guarantee_explanation', 'ar', 'body',
     'خلال {guarantee_days} يومًا من تفعيل',
     'خلال {guarantee_period} من تفعيل'),
    ('guarantee_explanation', 'ar', 'body',
     '• إدخال {guarantee_min_leads} عميلًا محتملًا على الأقل',
     '• إدخال {guarantee_min_leads_text} على الأقل'),
    ('guarantee_explanation', 'ar', 'body',
     '• إرسال {guarantee_min_messages} رسالة على الأقل',
     '• إرسال {guarantee_min_messages_text} على الأقل'),
    ('guarantee_explanation', 'ar', 'body',
     '• استخدام المنصة {guarantee_min_days} يومًا متتاليًا على الأقل',
     '• استخدام المنصة {guarantee_min_days_text} على الأقل'),
    ('guarantee_explanation', 'en', 'body',
     'within {guarantee_days} days of activation',
     'within {guarantee_period} of activation'),
    ('guarantee_explanation', 'en', 'body',
     '• entered at least {guarantee_min_leads} leads',
     '• entered at least {guarantee_min_leads_text}'),
    ('guarantee_explanation', 'en', 'body',
     '• sent at least {guarantee_min_messages} messages',
     '• sent at least {guarantee_min_messages_text}'),
    ('guarantee_explanation', 'en', 'body',
     '• used the platform on at least {guarantee_min_days} consecutive days',
     '• used the platform on at least {guarantee_min_days_text}'),
    ('complaint_acknowledgment', 'ar', 'body',
     'خلال {reply_within_hours} ساعة ',
     'خلال {reply_within} '),
    ('complaint_acknowledgment', 'en', 'body',
     'within {reply_within_hours} hours to follow',
     'within {reply_within} to follow'),
    ('privacy_request_acknowledgment', 'ar', 'body',
     'لا تتجاوز {request_fulfil_days} يومًا من تاريخ',
     'لا تتجاوز {request_fulfil_period} من تاريخ'),
    ('privacy_request_acknowledgment', 'en', 'body',
     'reply within {request_fulfil_days} days of receiving',
     'reply within {request_fulfil_period} of receiving'),
]


def reword(apps, schema_editor):
    Template = apps.get_model("crm", "Template")
    keys = {key for key, *_rest in REWORDED}
    for template in Template.objects.filter(key__in=keys, type="email"):
        changed = []
        for key, language, field, old, new in REWORDED:
            if template.key == key and template.language == language and old in getattr(template, field):
                setattr(template, field, getattr(template, field).replace(old, new))
                changed.append(field)
        if changed:
            template.save(update_fields=sorted(set(changed)))


class Migration(migrations.Migration):
    dependencies = [("crm", "0012_affiliate_welcome_wording")]
    operations = [migrations.RunPython(reword, migrations.RunPython.noop)]
