from django.urls import path

from cxm.sla import views

app_name = "sla"
urlpatterns = [
    path("", views.CalendarListView.as_view(), name="list"),
    path("new/", views.CalendarFormView.as_view(), name="create"),
    path("import/", views.CalendarImportView.as_view(), name="import"),
    path("<int:pk>/", views.CalendarDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.CalendarFormView.as_view(), name="edit"),
    path("<int:pk>/import/", views.CalendarImportView.as_view(), name="replace"),
    path("<int:pk>/export/", views.CalendarExportView.as_view(), name="export"),
    path("<int:pk>/holidays/", views.HolidayAddView.as_view(), name="holiday-add"),
    path("<int:pk>/holidays/official/", views.HolidaysLoadView.as_view(), name="holidays-load"),
    path("<int:pk>/holidays/ics/", views.HolidaysIcsView.as_view(), name="holidays-ics"),
    path("holidays/<int:pk>/delete/", views.HolidayDeleteView.as_view(), name="holiday-delete"),
]
