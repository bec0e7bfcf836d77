from django.urls import path

from sightline.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in", views.sign_in, name="sign_in"),
    path("sign-out", views.sign_out, name="sign_out"),
    path("signed-out", views.signed_out_page, name="signed_out"),
    path("keep-alive", views.keep_alive, name="keep_alive"),
    path("set-password/<str:uidb64>/<str:token>", views.set_password, name="set_password"),
    path("sign-in/code", views.two_factor, name="two_factor"),
    path("account/", views.account, name="account"),
    path("account/two-factor", views.two_factor_setup, name="two_factor_setup"),
    path("account/backup-codes", views.backup_codes, name="backup_codes"),
    path("account/sign-out-everywhere", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read-all", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:notification_id>/", views.notification_open, name="notification_open"),
    path(
        "notifications/<int:notification_id>/read",
        views.notification_read,
        name="notification_read",
    ),
]
