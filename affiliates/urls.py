from django.urls import path

from affiliates import views_apply, views_attribution, views_performance, views_portal, views_staff
from affiliates import views_disputes, views_payouts
from affiliates import views_commissions

app_name = "affiliates"
urlpatterns = [
    path("", views_staff.index, name="index"),
    # Staff: commissions (managers approve, hold, release; admins cancel, claw back, refund the payment).
    path("commissions/", views_commissions.commission_list, name="commissions"),
    path("commissions/run/", views_commissions.commissions_run, name="commissions_run"),
    path("commissions/<uuid:pk>/approve/", views_commissions.commission_approve, name="commission_approve"),
    path("commissions/<uuid:pk>/hold/", views_commissions.commission_hold, name="commission_hold"),
    path("commissions/<uuid:pk>/release/", views_commissions.commission_release, name="commission_release"),
    path("commissions/<uuid:pk>/cancel/", views_commissions.commission_cancel, name="commission_cancel"),
    path("commissions/<uuid:pk>/clawback/", views_commissions.commission_clawback, name="commission_clawback"),
    path("commissions/payments/<uuid:pk>/refund/", views_commissions.payment_refund, name="payment_refund"),
    # Staff: applications and affiliates (managers decide; viewers read).
    path("applications/", views_staff.application_list, name="applications"),
    path("partners/", views_staff.affiliate_list, name="affiliate_list"),
    path("partners/<uuid:pk>/", views_staff.affiliate_detail, name="affiliate_detail"),
    path("partners/<uuid:pk>/approve/", views_staff.affiliate_approve, name="affiliate_approve"),
    path("partners/<uuid:pk>/reject/", views_staff.affiliate_reject, name="affiliate_reject"),
    path("partners/<uuid:pk>/suspend/", views_staff.affiliate_suspend, name="affiliate_suspend"),
    path("partners/<uuid:pk>/reinstate/", views_staff.affiliate_reinstate, name="affiliate_reinstate"),
    path("partners/<uuid:pk>/terminate/", views_staff.affiliate_terminate, name="affiliate_terminate"),
    # Staff: attribution conflicts and one lead's claims (admins split or move it).
    path("attribution/", views_attribution.attribution_conflicts, name="attribution_conflicts"),
    path("attribution/leads/<uuid:pk>/", views_attribution.attribution_lead, name="attribution_lead"),
    # Staff: the leaderboard by month and the fraud review (managers review signals and release holds).
    path("leaderboard/", views_performance.leaderboard, name="leaderboard"),
    path("risk/", views_performance.risk, name="risk"),
    path("risk/signals/<uuid:pk>/review/", views_performance.risk_review, name="risk_review"),
    path("risk/partners/<uuid:pk>/release/", views_performance.risk_release, name="risk_release"),
    # Staff: the monthly payout batch, the bank file and statements; disputes by due date.
    path("payouts/", views_payouts.payout_batch, name="payouts"),
    path("payouts/build/", views_payouts.payout_build, name="payouts_build"),
    path("payouts/<str:period>.csv", views_payouts.payout_csv, name="payouts_csv"),
    path("payouts/<uuid:pk>/process/", views_payouts.payout_process, name="payout_process"),
    path("payouts/<uuid:pk>/complete/", views_payouts.payout_complete, name="payout_complete"),
    path("payouts/<uuid:pk>/fail/", views_payouts.payout_fail, name="payout_fail"),
    path("payouts/statements/<uuid:affiliate_pk>/<int:year>-<int:month>/", views_payouts.payout_statement,
         name="payout_statement"),
    path("disputes/", views_disputes.dispute_queue, name="disputes"),
    path("disputes/<uuid:pk>/", views_disputes.dispute_detail, name="dispute"),
    path("disputes/<uuid:pk>/review/", views_disputes.dispute_review, name="dispute_review"),
    path("disputes/<uuid:pk>/resolve/", views_disputes.dispute_resolve, name="dispute_resolve"),
    path("disputes/<uuid:pk>/escalate/", views_disputes.dispute_escalate, name="dispute_escalate"),
    # Public (no login): the "become a partner" page and the policy texts it asks to accept.
    path("apply/", views_apply.apply, name="apply"),
    path("apply/policies/<str:type>/", views_apply.policy, name="apply_policy"),
    # The partner portal: the only names an affiliate reaches (see RoleAccessMiddleware).
    path("portal/", views_portal.home, name="portal"),
    path("portal/qr.svg", views_portal.qr_code, name="portal_qr"),
    path("portal/leads/new/", views_portal.register_lead, name="portal_register_lead"),
    path("portal/referrals/", views_portal.referrals, name="portal_referrals"),
    path("portal/commissions/", views_portal.commissions, name="portal_commissions"),
    path("portal/payouts/", views_portal.payouts, name="portal_payouts"),
    path("portal/statements/<int:year>-<int:month>/", views_portal.statement, name="portal_statement"),
    path("portal/disputes/", views_portal.disputes, name="portal_disputes"),
    path("portal/disputes/<uuid:pk>/", views_portal.dispute_detail, name="portal_dispute"),
    path("portal/policies/", views_portal.policies, name="portal_policies"),
    path("portal/policies/<uuid:pk>/accept/", views_portal.policy_accept, name="portal_policy_accept"),
]
